"""Personal-data patterns: real NIK/phone/e-mail shapes are caught, ordinary numbers are not."""

from __future__ import annotations

import pytest

from pipeline.draft.privacy import Allowed, plausible_nik, scan

OFFICE = Allowed.of(["humas@bbkkmedan.go.id", "(061) 6941343"], ["bbkkmedan.go.id"])


def kinds(text: str, allowed: Allowed = OFFICE) -> list[tuple[int, str]]:
    return [(f.line, f.kind) for f in scan(text, allowed)]


@pytest.mark.parametrize(
    "nik",
    [
        "1271011203900001",  # Medan, man born 12-03-(19)90
        "1271015203900001",  # same date for a woman: day + 40
        "3174012902000123",  # 29 February (the century is unknown)
        "9601010101010001",  # Papua Barat Daya (2022)
        "1271 0112 0390 0001",  # grouped
        "1271.0112.0390.0001",
    ],
)
def test_plausible_nik_is_flagged(nik: str) -> None:
    assert kinds(f"Warga dengan NIK {nik} hadir.") == [(1, "nik")]


@pytest.mark.parametrize(
    "number",
    [
        "199403122020122002",  # NIP, 18 digits
        "19940312 202012 2 002",  # NIP as usually written
        "1234567890123456",  # no province 12 + regency 34 + ... month 90
        "1000011203900001",  # province 10 does not exist
        "1271001203900001",  # district 00
        "1271013213900001",  # month 13
        "1271013202900001",  # 32 February
        "1271011203900000",  # serial 0000
        "12710112039000011",  # 17 digits
        "Rp 1.271.011.203.900",  # money
    ],
)
def test_other_numbers_are_not_nik(number: str) -> None:
    assert "nik" not in {k for _, k in kinds(number)}


def test_nik_check_digits() -> None:
    assert plausible_nik("1271014501900001")
    assert not plausible_nik("1271017201900001")  # day 32 for a woman


@pytest.mark.parametrize(
    "phone",
    ["0812-3456-7890", "081234567890", "+62 812 3456 7890", "+6281234567890", "62812-3456-789",
     "(021) 520 1590", "021-5201590", "+62 21 5201590", "0812.3456.7890"],
)  # fmt: skip
def test_phone_numbers_are_flagged(phone: str) -> None:
    assert kinds(f"Hubungi {phone} segera.") == [(1, "phone")]


@pytest.mark.parametrize(
    "text",
    [
        "Hotline 112 dan 119",
        "Pada 2026-05-20 pukul 08.30",
        "Sebanyak 393 jemaah, 1.250.000 dosis",
        "Kantor (061) 6941343",  # public by settings
        "Kantor 061-6941343",  # same number, other spelling
        "Kantor +62 61 6941343",
        "ND-12/LPZI/XI/2026",
        "![Logo](../images/logo@2x.png)",
    ],
)
def test_ordinary_text_and_public_contacts_pass(text: str) -> None:
    assert kinds(text) == []


def test_email_private_or_public() -> None:
    text = (
        "a rina.s@gmail.com\nb humas@bbkkmedan.go.id\n"
        "c ppid@sub.bbkkmedan.go.id\nd x@evil-bbkkmedan.go.id"
    )
    assert kinds(text) == [(1, "email"), (4, "email")]
    declared = Allowed.of(["Rina.S@gmail.com", "0812-0000-0000"], [])
    assert kinds("rina.s@gmail.com / +62 812 0000 0000", declared) == []


def test_findings_are_masked() -> None:
    shown = [f.shown for f in scan("1271011203900001 0812-3456-7890 rina@gmail.com", OFFICE)]
    assert shown == ["1271**********01", "0812-****-**90", "r***@gmail.com"]
