"""The nota dinas of the browser editor: the fields as typed, the memo text they make, the
number the office's numbering suggests, and which field a problem concerns.

The memo is written by ``yaml.safe_dump`` one field a line in a fixed order (never pasted
together), then read back by the same ``parse_nota_dinas`` as ``terbit submit``; the line of
its first problem maps back to the field it came from.

Numbering (as the office numbers in the SOP's story, ``ND-12/LPZI/XI/2026``):
``ND-<n>/<unit>/<month in Roman numerals>/<year>``. ``n`` runs per calendar year over every
nota dinas on the forge (open, merged or closed): the highest ``n`` of this year's memos plus
one, 1 for the first of a year. ``unit`` is that of the writer's own latest memo, else of the
office's latest, else ``LPZI``. The writer may change the suggestion.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

import yaml

from pipeline.i18n import Catalog

MSG = Catalog(
    {
        "alasan": (
            "sifat Sangat Segera memerlukan alasan: tulis mengapa informasi ini tidak dapat "
            "menunggu pemeriksaan biasa",
            "the urgency Sangat Segera needs a reason: write why this cannot wait for the "
            "usual review",
        ),
    }
)

SIFAT_CHOICES = ("Biasa", "Segera", "Sangat Segera")
CODE = "ND"
DEFAULT_UNIT = "LPZI"
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
# The keys in the order they are written (one line each), after the opening "---".
ORDER = (
    "nomor",
    "yth",
    "dari",
    "hal",
    "tanggal",
    "sifat",
    "alasan_segera",
    "lampiran",
    "nama",
    "nip",
)
MAX_FIELD = 1_000
MAX_ISI = 10_000
NUMBERED = re.compile(r"^([A-Z]{1,6})[-.]?(\d{1,6})((?:/[A-Z0-9][A-Z0-9.\-]*)*)/[^/]+/(\d{4})$")


@dataclass
class NotaForm:
    """The nota dinas fields exactly as typed (kept to fill the form again)."""

    nomor: str = ""
    yth: str = ""
    dari: str = ""
    hal: str = ""
    tanggal: str = ""
    sifat: str = "Biasa"
    alasan_segera: str = ""
    lampiran: str = ""  # one attachment a line
    isi: str = ""

    @classmethod
    def from_form(cls, form: Mapping[str, object]) -> NotaForm:
        def text(name: str, limit: int = MAX_FIELD) -> str:
            return str(form.get(name, "") or "").replace("\r\n", "\n")[:limit]

        return cls(
            nomor=text("nomor").strip(),
            yth=text("yth").strip(),
            dari=text("dari").strip(),
            hal=text("hal").strip(),
            tanggal=text("tanggal").strip(),
            sifat=text("sifat").strip() or "Biasa",
            alasan_segera=text("alasan_segera", MAX_ISI).strip(),
            lampiran=text("lampiran", MAX_ISI),
            isi=text("isi", MAX_ISI).strip(),
        )

    def attachments(self) -> list[str]:
        return [line.strip() for line in self.lampiran.splitlines() if line.strip()]

    def text(self, *, nama: str, nip: str) -> tuple[str, dict[int, str]]:
        """The memo as ``terbit submit`` reads it, and the field of each of its lines. ``nama``
        and ``nip`` are the signer's, from roles.yml (never from the form)."""
        values: dict[str, object] = {
            "nomor": self.nomor,
            "yth": self.yth,
            "dari": self.dari,
            "hal": self.hal,
            "tanggal": self.tanggal,
            "sifat": self.sifat,
            "alasan_segera": self.alasan_segera,
            "lampiran": self.attachments(),
            "nama": nama,
            "nip": nip,
        }
        lines = ["---"]
        where: dict[int, str] = {}
        for key in ORDER:
            value = values[key]
            if key in ("alasan_segera", "nip") and not value:
                continue
            dumped = yaml.safe_dump(
                {key: value}, allow_unicode=True, default_flow_style=True, width=1_000_000
            ).strip()
            lines.append(dumped.removeprefix("{").removesuffix("}"))
            where[len(lines)] = key
        lines += ["---", ""]
        where[len(lines) + 1] = "isi"
        return "\n".join(lines) + "\n" + self.isi + "\n", where

    def missing_reason(self) -> str | None:
        """Sangat Segera takes the expedited path, which the SOP grants only with a reason."""
        if self.sifat.strip().lower() == "sangat segera" and not self.alasan_segera.strip():
            return MSG("alasan")
        return None


@dataclass(frozen=True)
class Numbered:
    """A nota dinas already on the forge: its number, date and who wrote it."""

    nomor: str
    tanggal: date
    by: str
    opened: float = 0.0  # when its change was opened (a timestamp), to find the latest


def suggest_nomor(existing: Iterable[Numbered], today: date, person_id: str) -> str:
    """The next number of the office's numbering (see the module's docstring)."""
    highest = 0
    latest_mine: tuple[float, str] | None = None
    latest_any: tuple[float, str] | None = None
    for memo in existing:
        found = NUMBERED.match(memo.nomor)
        if found is None or found.group(1) != CODE:
            continue
        unit = found.group(3).strip("/")
        if memo.tanggal.year == today.year:
            highest = max(highest, int(found.group(2)))
        if unit:
            if latest_any is None or memo.opened >= latest_any[0]:
                latest_any = (memo.opened, unit)
            if memo.by == person_id and (latest_mine is None or memo.opened >= latest_mine[0]):
                latest_mine = (memo.opened, unit)
    unit = (latest_mine or latest_any or (0.0, DEFAULT_UNIT))[1]
    return f"{CODE}-{highest + 1}/{unit}/{ROMAN[today.month - 1]}/{today.year}"
