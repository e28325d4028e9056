"""The nota dinas (official memo) that opens a change: parse, validate, render, blank form.

The same text serves as a GitHub pull request description and as the embedded forge's submit
form: the fields sit either in leading YAML front matter (``---`` … ``---``) or in the first
fenced ```` ```yaml ```` block, and the memo's body (isi) follows.
"""

from __future__ import annotations

import re
from contextvars import copy_context
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pipeline.config import yamlsrc
from pipeline.config.roles import nip_problem
from pipeline.draft.controls import FIELD_CONTROL, TEXT_CONTROL
from pipeline.errors import InputError
from pipeline.i18n import MONTHS_EN, MONTHS_ID, Catalog, long_date, set_lang

SIFAT = ("biasa", "segera", "sangat segera")
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
# ND-12/LPZI/XI/2026: a code with a sequence number, unit segments, then month and year.
NOMOR_RE = re.compile(
    r"^[A-Z]{1,6}[-.]?\d{1,6}(?:/[A-Z0-9][A-Z0-9.\-]*)*"
    r"/(?:I|II|III|IV|V|VI|VII|VIII|IX|X|XI|XII|0?[1-9]|1[0-2])/(?:19|20)\d{2}$"
)
FIELDS = (
    "nomor", "yth", "dari", "hal", "tanggal", "sifat", "alasan_segera", "lampiran", "nama", "nip",
    "isi",
)  # fmt: skip
REQUIRED = ("nomor", "yth", "dari", "hal", "tanggal")
FENCE_OPEN = re.compile(r"^\s*```+\s*(?:ya?ml)\s*$", re.IGNORECASE)
FENCE_CLOSE = re.compile(r"^\s*```+\s*$")
COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
# Control characters would reach the record, the notice e-mail and the gate's report.

MSG = Catalog(
    {
        "empty": (
            "nota dinas kosong; isi formulir nota dinas (nomor, yth, dari, hal, tanggal, sifat)",
            "the nota dinas is empty; fill in the form (nomor, yth, dari, hal, tanggal, sifat)",
        ),
        "no_block": (
            "kolom nota dinas tidak ditemukan: awali dengan blok '---' atau blok ```yaml",
            "nota dinas fields not found: start with a '---' block or a ```yaml block",
        ),
        "unclosed": (
            "blok kolom nota dinas dibuka tetapi tidak ditutup",
            "the nota dinas field block is opened but never closed",
        ),
        "not_mapping": (
            "kolom nota dinas harus berupa pasangan 'kolom: nilai'",
            "nota dinas fields must be 'field: value' pairs",
        ),
        "unknown": (
            "kolom '{key}' tidak dikenal; kolom yang ada: {known}",
            "unknown field '{key}'; known fields: {known}",
        ),
        "missing": ("kolom '{key}' wajib diisi", "field '{key}' is required"),
        "text": ("kolom '{key}' harus berupa teks", "field '{key}' must be text"),
        "twice": (
            "kolom '{key}' ditulis dua kali (juga di baris {other})",
            "field '{key}' appears twice (also on line {other})",
        ),
        "files": ("{n} berkas", "{n} files"),
        "control": (
            "kolom '{key}' berisi karakter kendali U+{code:04X}; tulis sebagai teks biasa",
            "field '{key}' contains the control character U+{code:04X}; write plain text",
        ),
        "control_body": (
            "nota dinas berisi karakter kendali U+{code:04X} (biasanya tersalin dari Word "
            "atau PDF); hapus karakter ini",
            "the nota dinas contains the control character U+{code:04X} (usually pasted "
            "from Word or a PDF); remove it",
        ),
        "nomor": (
            "nomor '{value}' tidak sesuai format, contoh: ND-12/LPZI/XI/2026",
            "number '{value}' has the wrong format, e.g. ND-12/LPZI/XI/2026",
        ),
        "tanggal": (
            "tanggal '{value}' tidak dikenali; tulis 2026-11-28 atau 28 November 2026",
            "date '{value}' not understood; write 2026-11-28 or 28 November 2026",
        ),
        "sifat": (
            "sifat '{value}' tidak dikenal; pilih: Biasa, Segera, Sangat Segera",
            "urgency '{value}' unknown; choose: Biasa, Segera, Sangat Segera",
        ),
        "alasan_only_urgent": (
            "'alasan_segera' hanya untuk sifat Sangat Segera (kini: {sifat})",
            "'alasan_segera' is only for the urgency Sangat Segera (now: {sifat})",
        ),
        "lampiran": (
            "lampiran harus berupa teks atau daftar teks",
            "lampiran must be text or a list of text",
        ),
        "nomor_date": (
            "nomor '{nomor}' bertanggal {month}/{year}, tetapi tanggal nota dinas {tanggal}; "
            "bulan dan tahun pada nomor harus sama dengan tanggalnya",
            "number '{nomor}' is dated {month}/{year} but the memo's date is {tanggal}; "
            "the month and year in the number must match the date",
        ),
        "no_body": (
            "isi nota dinas kosong; tulis beberapa kalimat permohonan di bawah blok kolom",
            "the nota dinas body is empty; write a few sentences below the field block",
        ),
        "title": ("NOTA DINAS", "NOTA DINAS (OFFICIAL MEMO)"),
        "nomor_l": ("Nomor", "Number"),
        "yth_l": ("Yth.", "To"),
        "dari_l": ("Dari", "From"),
        "hal_l": ("Hal", "Subject"),
        "tanggal_l": ("Tanggal", "Date"),
        "sifat_l": ("Sifat", "Urgency"),
        "lampiran_l": ("Lampiran", "Attachments"),
        "none": ("-", "-"),
        "nip_l": ("NIP", "NIP"),
    }
)


@dataclass(frozen=True)
class NotaDinas:
    nomor: str
    yth: str
    dari: str
    hal: str
    tanggal: date
    sifat: str  # "biasa" | "segera" | "sangat segera"
    lampiran: list[str] = field(default_factory=list)
    isi: str = ""
    nama: str = ""  # signer's name (optional; defaults to the submitter in renderings)
    nip: str = ""
    line: int = 1  # where the fields start in the text
    # Why it cannot wait (sifat "Sangat Segera"): the written reason of the expedited path.
    alasan_segera: str = ""
    sifat_line: int | None = None  # where ``sifat`` is written, for located gate messages

    @property
    def sifat_title(self) -> str:
        return self.sifat.title()


def _parse_tanggal(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    match = re.fullmatch(r"(\d{1,2})[ -]([A-Za-z]+)[ -](\d{4})", text)
    if match:
        name = match.group(2).lower()
        for months in (MONTHS_ID, MONTHS_EN):
            lowered = [m.lower() for m in months]
            if name in lowered:
                try:
                    return date(int(match.group(3)), lowered.index(name) + 1, int(match.group(1)))
                except ValueError:
                    return None
    match = re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", text)
    if match:
        try:
            return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        except ValueError:
            return None
    return None


def _nomor_month(nomor: str) -> tuple[int, int]:
    """Month and year a valid nomor ends with (``…/XI/2026`` or ``…/11/2026``)."""
    month, year = nomor.split("/")[-2:]
    return (ROMAN.index(month) + 1 if month in ROMAN else int(month)), int(year)


def _split(text: str, path: str) -> tuple[str, int, str, int]:
    """Return ``(yaml_text, yaml_first_line, body, body_line)`` (1-based lines)."""
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise InputError(MSG("empty"), path=path, line=1)
    if lines[first].strip() == "---":
        for end in range(first + 1, len(lines)):
            if lines[end].strip() in ("---", "..."):
                return (
                    "\n".join(lines[first + 1 : end]),
                    first + 2,
                    "\n".join(lines[end + 1 :]),
                    end + 2,
                )
        raise InputError(MSG("unclosed"), path=path, line=first + 1)
    for start, line in enumerate(lines):
        if FENCE_OPEN.match(line):
            for end in range(start + 1, len(lines)):
                if FENCE_CLOSE.match(lines[end]):
                    return (
                        "\n".join(lines[start + 1 : end]),
                        start + 2,
                        "\n".join(lines[end + 1 :]),
                        end + 2,
                    )
            raise InputError(MSG("unclosed"), path=path, line=start + 1)
    raise InputError(MSG("no_block"), path=path, line=first + 1)


def _text(data: dict[str, Any], key: str, lines: dict[str, int | None], path: str) -> str:
    """One-line text of ``key`` (whitespace folded); required fields must not be blank."""
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if key in REQUIRED:
            raise InputError(MSG("missing", key=key), path=path, line=lines.get(key))
        return ""
    if isinstance(value, (dict, list)):
        raise InputError(MSG("text", key=key), path=path, line=lines.get(key))
    _no_control(str(value).strip(), key, lines.get(key), path)
    return " ".join(str(value).split())


def _no_control(value: str, key: str, line: int | None, path: str) -> None:
    if bad := FIELD_CONTROL.search(value):
        raise InputError(MSG("control", key=key, code=ord(bad.group())), path=path, line=line)


def _original(doc: yamlsrc.Doc, key: str) -> Any:
    """The key as written (``Lampiran``, ``lampiran.``) for looking up its line."""
    data = doc.data if isinstance(doc.data, dict) else {}
    return next((k for k in data if str(k).strip().lower().rstrip(".") == key), key)


def parse_nota_dinas(text: str, path: str = "nota dinas") -> NotaDinas:
    """Parse the memo; raise InputError naming the line of the first problem."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if bad := TEXT_CONTROL.search(text):  # before splitting lines: str.splitlines() eats some
        at = text.count("\n", 0, bad.start()) + 1
        raise InputError(MSG("control_body", code=ord(bad.group())), path=path, line=at)
    yaml_text, yaml_line, body, body_line = _split(text, path)
    doc = yamlsrc.load(yaml_text, path, line_offset=yaml_line - 1, error=InputError)
    if doc.data is None:
        raise InputError(MSG("missing", key="nomor"), path=path, line=yaml_line)
    if not isinstance(doc.data, dict):
        raise InputError(MSG("not_mapping"), path=path, line=yaml_line)
    # People write "Yth.", "Hal" or "yth": fold case and a trailing dot, keep each key's line.
    data: dict[str, Any] = {}
    lines: dict[str, int | None] = {}
    for original, value in doc.data.items():
        key = str(original).strip().lower().rstrip(".")
        line = doc.line_of((original,))
        if key not in FIELDS:
            known = ", ".join(FIELDS)
            raise InputError(MSG("unknown", key=original, known=known), path=path, line=line)
        if key in data:
            raise InputError(MSG("twice", key=original, other=lines[key]), path=path, line=line)
        data[key], lines[key] = value, line
    for key in REQUIRED:
        if key not in data:
            raise InputError(MSG("missing", key=key), path=path, line=yaml_line)
    nomor = _text(data, "nomor", lines, path).upper()
    if not NOMOR_RE.match(nomor):
        raise InputError(MSG("nomor", value=nomor), path=path, line=lines["nomor"])
    tanggal = _parse_tanggal(data["tanggal"]) if data.get("tanggal") is not None else None
    if tanggal is None:
        shown = data.get("tanggal") or ""
        raise InputError(MSG("tanggal", value=shown), path=path, line=lines["tanggal"])
    sifat_raw = _text(data, "sifat", lines, path) or "biasa"
    sifat = sifat_raw.lower()
    if sifat not in SIFAT:
        raise InputError(MSG("sifat", value=sifat_raw), path=path, line=lines.get("sifat"))
    alasan = _text(data, "alasan_segera", lines, path)
    if alasan and sifat != "sangat segera":
        where = lines.get("alasan_segera")
        raise InputError(MSG("alasan_only_urgent", sifat=sifat_raw), path=path, line=where)
    lampiran_raw = data.get("lampiran")
    if lampiran_raw is None or lampiran_raw == "":
        lampiran: list[str] = []
    elif isinstance(lampiran_raw, list) and all(
        isinstance(x, (str, int, float)) for x in lampiran_raw
    ):
        for index, item in enumerate(lampiran_raw):
            line = doc.line_of((_original(doc, "lampiran"), index)) or lines.get("lampiran")
            _no_control(str(item).strip(), "lampiran", line, path)
        lampiran = [" ".join(str(x).split()) for x in lampiran_raw if str(x).strip()]
    elif isinstance(lampiran_raw, (str, int, float)):
        _no_control(str(lampiran_raw).strip(), "lampiran", lines.get("lampiran"), path)
        lampiran = [" ".join(str(lampiran_raw).split())]
    else:
        raise InputError(MSG("lampiran"), path=path, line=lines.get("lampiran"))
    month, year = _nomor_month(nomor)
    if (month, year) != (tanggal.month, tanggal.year):
        shown = MSG("nomor_date", nomor=nomor, month=ROMAN[month - 1], year=year,
                    tanggal=long_date(tanggal))  # fmt: skip
        raise InputError(shown, path=path, line=lines["tanggal"])
    nip = _text(data, "nip", lines, path)
    if nip and (why := nip_problem(nip)):
        raise InputError(why, path=path, line=lines.get("nip"))
    isi = data.get("isi")
    if isi is not None and not isinstance(isi, str):
        raise InputError(MSG("text", key="isi"), path=path, line=lines.get("isi"))
    if isinstance(isi, str) and (bad := TEXT_CONTROL.search(isi)):
        message = MSG("control_body", code=ord(bad.group()))
        raise InputError(message, path=path, line=lines.get("isi"))
    body_text = COMMENT.sub("", body).strip()
    if isinstance(isi, str) and isi.strip():
        body_text = (isi.strip() + ("\n\n" + body_text if body_text else "")).strip()
    if not body_text:
        raise InputError(MSG("no_body"), path=path, line=body_line)
    return NotaDinas(
        nomor=nomor,
        yth=_text(data, "yth", lines, path),
        dari=_text(data, "dari", lines, path),
        hal=_text(data, "hal", lines, path),
        tanggal=tanggal,
        sifat=sifat,
        lampiran=lampiran,
        isi=body_text,
        nama=_text(data, "nama", lines, path),
        nip=nip,
        line=yaml_line,
        alasan_segera=alasan,
        sifat_line=lines.get("sifat"),
    )


def _render(nd: NotaDinas) -> str:
    labels = ["nomor_l", "yth_l", "dari_l", "hal_l", "tanggal_l", "sifat_l", "lampiran_l"]
    width = max(len(MSG(k)) for k in labels)
    if not nd.lampiran:
        lampiran = MSG("none")
    elif len(nd.lampiran) == 1:
        lampiran = nd.lampiran[0]
    else:
        lampiran = "\n".join(
            [MSG("files", n=len(nd.lampiran))]
            + [f"{' ' * (width + 3)}{i}. {x}" for i, x in enumerate(nd.lampiran, 1)]
        )
    rows = [
        ("nomor_l", nd.nomor),
        ("yth_l", nd.yth),
        ("dari_l", nd.dari),
        ("hal_l", nd.hal),
        ("tanggal_l", long_date(nd.tanggal)),
        ("sifat_l", nd.sifat_title),
        ("lampiran_l", lampiran),
    ]
    title = MSG("title")
    out = [title, "=" * len(title), ""]
    out += [f"{MSG(key).ljust(width)} : {value}" for key, value in rows]
    out += ["-" * 60, "", nd.isi.strip(), ""]
    if nd.nama or nd.nip:
        out.append(nd.nama)
        if nd.nip:
            out.append(f"{MSG('nip_l')}. {nd.nip}")
    return "\n".join(out).rstrip() + "\n"


def render_nota_dinas(nd: NotaDinas, lang: str | None = None) -> str:
    """A readable memo in the terminal (Indonesian by default)."""
    if lang is None:
        return _render(nd)

    def run() -> str:
        set_lang(lang)
        return _render(nd)

    return copy_context().run(run)


def template(
    *,
    nomor: str = "",
    yth: str = "Kepala Balai Besar Kekarantinaan Kesehatan Medan",
    dari: str = "",
    hal: str = "Permohonan Publikasi Informasi",
    tanggal: date | None = None,
    sifat: str = "Biasa",
    lampiran: list[str] | None = None,
    nama: str = "",
    nip: str = "",
    isi: str = "",
) -> str:
    """The blank form (a fenced YAML block and the body), optionally pre-filled."""

    def quote(value: str) -> str:
        return '""' if not value else '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'

    when = (tanggal or date.today()).isoformat()
    items = lampiran if lampiran is not None else ["Draf artikel", "Data dukung"]
    lamp = "\n".join(f"  - {quote(x)}" for x in items) if items else "  []"
    body = isi or (
        "Dengan hormat, bersama ini kami mohon agar informasi terlampir dapat dipublikasikan "
        "pada situs web kantor. Atas perhatian Bapak/Ibu, kami ucapkan terima kasih."
    )
    return (
        "<!-- Nota dinas: isi kolom di dalam blok yaml, lalu tulis isi nota dinas di bawahnya.\n"
        "     nomor contoh ND-12/LPZI/XI/2026; sifat: Biasa, Segera atau Sangat Segera. -->\n"
        "```yaml\n"
        f"nomor: {quote(nomor)}\n"
        f"yth: {quote(yth)}\n"
        f"dari: {quote(dari)}\n"
        f"hal: {quote(hal)}\n"
        f"tanggal: {when}\n"
        f"sifat: {quote(sifat)}\n"
        f"lampiran:\n{lamp}\n"
        f"nama: {quote(nama)}\n"
        f"nip: {quote(nip)}\n"
        "```\n\n"
        f"{body}\n"
    )
