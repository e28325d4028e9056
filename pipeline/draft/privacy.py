"""Personal data that must not reach the public site: NIK, phone numbers, private e-mail.

The patterns are deliberately specific to Indonesia, so ordinary numbers in news (dates, budget
figures, 18-digit NIP of civil servants) are not flagged: a NIK must carry a real province code
and a real birth date; a phone number must have an Indonesian prefix.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Kind = Literal["nik", "phone", "email"]

# Kode provinsi (Kemendagri), including the Papua provinces created in 2022.
PROVINCES = frozenset(
    (11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34, 35, 36, 51, 52, 53, 61, 62)
) | frozenset((63, 64, 65, 71, 72, 73, 74, 75, 76, 81, 82, 91, 92, 93, 94, 95, 96))

_SEP = r"[ .\-]?"
# 16 digits, optionally grouped by single spaces, dots or hyphens; not part of a longer number.
NIK_RE = re.compile(
    rf"(?<![\d\w])\d{{16}}(?!\d)"  # unbroken: whatever follows after a space
    rf"|(?<![\d\w])(?<!\d[ .\-])\d(?:{_SEP}\d){{15}}(?!{_SEP}\d)"
)
PHONE_RE = re.compile(
    r"(?<![\d\w+])(?:"
    r"(?:\+62|62|0)[ .\-]?8\d{1,3}[ .\-]?\d{3,4}[ .\-]?\d{2,5}"  # mobile: 0812-3456-7890
    r"|\(0\d{2,3}\)[ .\-]?\d{3,4}[ .\-]?\d{2,5}"  # (061) 694 1343
    r"|\+62[ .\-]?\(?\d{2,3}\)?[ .\-]?\d{3,4}[ .\-]?\d{2,5}"  # +62 61 6941343
    r"|0\d{2,3}-\d{3,4}[ .\-]?\d{2,5}"  # 061-6941343
    r")(?![ .\-]?\d)"
)
EMAIL_RE = re.compile(r"(?<![\w.%+-])[\w.%+-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}(?![\w-])")

FILE_SUFFIXES = frozenset(("png", "jpg", "jpeg", "gif", "webp", "svg", "pdf", "md", "html", "css"))


@dataclass(frozen=True)
class Finding:
    line: int  # 1-based within the text scanned
    kind: Kind
    shown: str  # masked, so the report itself does not republish the data


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def phone_key(text: str) -> str:
    """Compare phone numbers by digits, with +62 written as the leading 0."""
    digits = _digits(text)
    return "0" + digits[2:] if digits.startswith("62") else digits


def plausible_nik(digits: str) -> bool:
    """Province code, non-zero regency/district, a real birth date (women: day + 40), serial."""
    if len(digits) != 16 or int(digits[:2]) not in PROVINCES:
        return False
    if digits[2:4] == "00" or digits[4:6] == "00" or digits[12:] == "0000":
        return False
    day, month = int(digits[6:8]), int(digits[8:10])
    if day > 40:
        day -= 40
    if not 1 <= month <= 12:
        return False
    # The century is unknown, so 29 February is allowed; leap year 2000 gives that.
    return 1 <= day <= calendar.monthrange(2000, month)[1]


def _mask(value: str, keep_head: int, keep_tail: int) -> str:
    chars = list(value)
    positions = [i for i, ch in enumerate(chars) if ch.isalnum()]
    for i in positions[keep_head : len(positions) - keep_tail]:
        chars[i] = "*"
    return "".join(chars)


def _mask_email(address: str) -> str:
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


@dataclass(frozen=True)
class Allowed:
    """Contacts deliberately published (settings + the draft's ``public_contacts``)."""

    phones: frozenset[str]
    emails: frozenset[str]
    email_domains: tuple[str, ...]

    @classmethod
    def of(cls, contacts: Iterable[str], email_domains: Iterable[str]) -> Allowed:
        contacts = [c.strip() for c in contacts if isinstance(c, str)]
        return cls(
            phones=frozenset(phone_key(c) for c in contacts if "@" not in c and _digits(c)),
            emails=frozenset(c.lower() for c in contacts if "@" in c),
            email_domains=tuple(d.lower().lstrip("@.") for d in email_domains),
        )

    def email_ok(self, address: str) -> bool:
        address = address.lower()
        domain = address.rpartition("@")[2]
        if address in self.emails:
            return True
        return any(domain == d or domain.endswith("." + d) for d in self.email_domains)


def scan(text: str, allowed: Allowed) -> list[Finding]:
    """Every NIK, phone number and private e-mail in ``text``, in line order."""
    findings: list[Finding] = []
    for number, line in enumerate(text.splitlines(), start=1):
        taken: list[tuple[int, int]] = []
        for match in NIK_RE.finditer(line):
            if plausible_nik(_digits(match.group())):
                taken.append(match.span())
                findings.append(Finding(number, "nik", _mask(match.group(), 4, 2)))
        for match in PHONE_RE.finditer(line):
            if any(a <= match.start() < b for a, b in taken):
                continue
            if phone_key(match.group()) not in allowed.phones:
                findings.append(Finding(number, "phone", _mask(match.group(), 4, 2)))
        for match in EMAIL_RE.finditer(line):
            if match.group().rpartition(".")[2].lower() in FILE_SUFFIXES:
                continue  # "foto@2x.png" is a file name, not an address
            if not allowed.email_ok(match.group()):
                findings.append(Finding(number, "email", _mask_email(match.group())))
    return findings
