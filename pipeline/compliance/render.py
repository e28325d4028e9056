"""The compliance report as an A4 PDF in the record's official style, HTML, CSV and XLSX.

All four are written from one ``Report`` so their numbers cannot differ.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import html
import io
import re
from dataclasses import dataclass, field

from pipeline.compliance.figures import Figures, Stat, Urgent
from pipeline.gate.messages import when
from pipeline.i18n import Catalog
from pipeline.record import official
from pipeline.record.render import CSS as RECORD_CSS

MSG = Catalog(
    {
        "title": ("LAPORAN KEPATUHAN SOP", "SOP COMPLIANCE REPORT"),
        "nomor": ("Nomor", "Number"),
        "period": ("Periode", "Period"),
        "sop": ("SOP", "SOP"),
        "summary": ("Ringkasan", "Summary"),
        "records": ("Publikasi (catatan penyelesaian)", "Publications (completion records)"),
        "complete": ("Lengkap", "Complete"),
        "incomplete": ("Belum lengkap", "Incomplete"),
        "failed": ("Gagal", "Failed"),
        "retried": ("Diulang", "Retried"),
        "rolled_back": ("Dikembalikan (rollback)", "Rolled back"),
        "takedowns": ("Penarikan artikel", "Articles withdrawn"),
        "urgent": (
            "Sangat segera (jalur segera sop.yml)",
            "Sangat Segera (expedited path of sop.yml)",
        ),
        "urgent_list": (
            "Publikasi sangat segera: alasan dan pemeriksaan tertunda",
            "Urgent publications: reason and deferred review",
        ),
        "urgent_reason": ("Alasan", "Reason"),
        "urgent_steps": ("Langkah ditunda", "Deferred steps"),
        "urgent_due": ("Tenggat (WIB)", "Due (WIB)"),
        "urgent_done": ("Selesai (WIB)", "Done (WIB)"),
        "urgent_state": ("Pemeriksaan tertunda", "Deferred review"),
        "in_time": ("tepat waktu", "on time"),
        "late": ("TERLAMBAT", "LATE"),
        "overdue_now": ("TERLAMBAT, belum dikerjakan", "OVERDUE, not done"),
        "owed": ("belum dikerjakan", "not done yet"),
        "withdrawn": ("Ditarik oleh staf", "Withdrawn by the author"),
        "rejected": ("Ditolak / ditutup tanpa publikasi", "Rejected / closed unpublished"),
        "steps_total": ("Langkah selesai yang dinilai", "Finished steps measured"),
        "share_total": ("Sesuai mutu baku", "Within the standard"),
        "per_step": ("Per langkah SOP", "Per SOP step"),
        "per_role": ("Per peran", "Per role"),
        "per_person": ("Per pegawai", "Per person"),
        "overdue": ("Langkah melebihi mutu baku", "Steps over the standard"),
        "closed": ("Perubahan ditutup tanpa publikasi", "Changes closed without publication"),
        "trend": ("Tren bulanan", "Monthly trend"),
        "no": ("No.", "No."),
        "kegiatan": ("Kegiatan", "Activity"),
        "peran": ("Peran", "Role"),
        "pegawai": ("Pegawai", "Person"),
        "baku": ("Mutu baku (mnt)", "Standard (min)"),
        "count": ("Jumlah", "Count"),
        "median": ("Median (mnt)", "Median (min)"),
        "p90": ("P90 (mnt)", "P90 (min)"),
        "share": ("% sesuai", "% within"),
        "author": ("Perbaikan oleh staf (mnt)", "Fixes by the author (min)"),
        "over_n": ("Melebihi", "Over"),
        "catatan": ("Catatan", "Record"),
        "perubahan": ("Perubahan", "Change"),
        "langkah": ("Langkah", "Step"),
        "lama": ("Lama / baku (mnt)", "Took / std (min)"),
        "elapsed": ("Lama (mnt)", "Took (min)"),
        "judul": ("Judul", "Title"),
        "alasan": ("Alasan", "Reason"),
        "oleh": ("Oleh", "By"),
        "none": ("Tidak ada.", "None."),
        "more": (
            "… dan {n} lainnya ({total} seluruhnya, terlama lebih dulu); daftar lengkap di "
            "CSV/XLSX.",
            "… and {n} more ({total} in all, longest first); the full list is in the CSV/XLSX.",
        ),
        "rule": ("Perhitungan waktu", "How time is counted"),
        "verify_ok": (
            "Seluruh {n} catatan yang dihitung telah diperiksa seperti `terbit verify` (isi tidak "
            "diubah, commit ada di main, tangkapan layar cocok): semuanya sah.",
            "All {n} counted records were checked as `terbit verify` does (unchanged, commits on "
            "main, screenshots matching): all valid.",
        ),
        "verify_bad": (
            "PERHATIAN: {bad} dari {n} catatan yang dihitung TIDAK LOLOS pemeriksaan seperti "
            "`terbit verify`; angka yang memuatnya tidak dapat dipertanggungjawabkan: {ids}.",
            "WARNING: {bad} of the {n} counted records FAIL the `terbit verify` checks; figures "
            "including them cannot be relied on: {ids}.",
        ),
        "appendix": ("Lampiran: catatan yang dihitung", "Appendix: the records counted"),
        "appendix_note": (
            "Setiap angka di atas dihitung dari catatan berikut (records/<id>/record.yml).",
            "Every figure above is computed from these records (records/<id>/record.yml).",
        ),
        "mengetahui": ("Mengetahui,", "Acknowledged,"),
        "record_failed": ("GAGAL", "FAILED"),
        "record_ok": ("OK", "OK"),
        "code": ("Kode verifikasi", "Verification code"),
        "code_how": (
            "Kode dan QR adalah SHA-256 dari berkas CSV laporan ini: salinan yang angkanya sama "
            "menghasilkan kode yang sama; setiap angka ditelusuri ke catatan di lampiran.",
            "The code and QR are the SHA-256 of this report's CSV: a copy with the same figures "
            "gives the same code; every figure traces to the records in the appendix.",
        ),
        "nip": ("NIP", "NIP"),
        "generated": (
            "Dibuat otomatis oleh Terbit dari {n} catatan penyelesaian.",
            "Generated by Terbit from {n} completion records.",
        ),
        "section": ("bagian", "section"),
        "key": ("kunci", "key"),
        "label": ("uraian", "label"),
    }
)

CSS = (
    RECORD_CSS
    + """
h2 { font-size: 10pt; margin: 10pt 0 3pt; }
table.sop { table-layout: auto; } table.sop tr { page-break-inside: avoid; }
table.sop th { font-size: 7.8pt; }
table.sop td.r { text-align: right; }
.chart { width: 100%; margin: 4pt 0; page-break-inside: avoid; }
.warn { color: #a00000; font-weight: bold; }
.ids { font-family: "DejaVu Sans Mono", monospace; font-size: 7pt; columns: 2; }
"""
)


# The PDF lists the longest overruns; the CSV/XLSX carry every one.
OVERDUE_SHOWN = 30


@dataclass
class Signer:
    name: str = ""
    nip: str = ""
    title: str = "Kepala Satker"


@dataclass
class Report:
    """Everything a report file shows."""

    figures: Figures
    nomor: str
    period_label: str
    sop_name: str
    place_date: str  # "Medan, 1 Desember 2026"
    rule: str  # how minutes were counted
    kop: tuple[str, ...]
    signer: Signer
    verify_failed: list[str] = field(default_factory=list)  # record ids failing verification
    charts: dict[str, str] = field(default_factory=dict)  # name -> SVG
    contact: str = ""  # the kop's address line
    signed: bool = False  # whether the PDF will carry the office's PAdES signature


def _num(value: float | int | None) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        text = f"{value:.1f}"
        return text[:-2] if text.endswith(".0") else text
    return str(value)


def stat_row(stat: Stat) -> list[str]:
    return [_num(stat.count), _num(stat.median), _num(stat.p90), _num(stat.share)]


def summary_rows(report: Report) -> list[tuple[str, str]]:
    f = report.figures
    o = f.outcomes
    withdrawn = sum(c.withdrawn for c in f.closed)
    return [
        (MSG("records"), str(o["records"])),
        (MSG("complete"), str(o["complete"])),
        (MSG("incomplete"), str(o["incomplete"])),
        (MSG("failed"), str(o["failed"])),
        (MSG("retried"), str(o["retried"])),
        (MSG("rolled_back"), str(o["rolled_back"])),
        (MSG("urgent"), str(o["urgent"])),
        (MSG("takedowns"), str(o["takedowns"])),
        (MSG("withdrawn"), str(withdrawn)),
        (MSG("rejected"), str(len(f.closed) - withdrawn)),
        (MSG("steps_total"), str(f.total.count)),
        (MSG("share_total"), f"{_num(f.total.share)} %"),
    ]


URGENT_STATE = {"in_time": "in_time", "late": "late", "overdue": "overdue_now", "owed": "owed"}


def urgent_rows(f: Figures) -> list[list[str]]:
    """One row per expedited publication: change, title, reason, steps, due, done, verdict."""

    def row(u: Urgent) -> list[str]:
        steps = ", ".join(map(str, u.langkah))
        return [u.change_id, u.judul, u.alasan, steps, when(u.tenggat), when(u.selesai),
                MSG(URGENT_STATE[u.state])]  # fmt: skip

    return [row(u) for u in f.urgent]


def urgent_head() -> list[str]:
    return [MSG("perubahan"), MSG("judul"), MSG("urgent_reason"), MSG("urgent_steps"),
            MSG("urgent_due"), MSG("urgent_done"), MSG("urgent_state")]  # fmt: skip


def _verify_text(report: Report) -> str:
    n = len(report.figures.records)
    if report.verify_failed:
        ids = ", ".join(report.verify_failed)
        return MSG("verify_bad", bad=len(report.verify_failed), n=n, ids=ids)
    return MSG("verify_ok", n=n)


def _table(head: list[str], rows: list[list[str]], right_from: int) -> str:
    e = html.escape
    out = ['<table class="sop"><thead><tr>']
    out += [f"<th>{e(h)}</th>" for h in head]
    out.append("</tr></thead><tbody>")
    for row in rows:
        cells = [
            f'<td class="r">{e(c)}</td>' if i >= right_from else f"<td>{e(c)}</td>"
            for i, c in enumerate(row)
        ]
        out.append("<tr>" + "".join(cells) + "</tr>")
    return "".join(out) + "</tbody></table>"


def step_rows(figures: Figures) -> list[list[str]]:
    return [
        [s.key, s.label, _num(s.standard), *stat_row(s), _num(s.author_minutes)]
        for s in figures.steps
    ]


def group_rows(stats: list[Stat]) -> list[list[str]]:
    return [[s.label, *stat_row(s), _num(s.over)] for s in stats]


def to_html(report: Report) -> str:
    e = html.escape
    f = report.figures
    stat_head = [MSG("count"), MSG("median"), MSG("p90"), MSG("share")]
    parts = ['<!doctype html><html lang="id"><head><meta charset="utf-8">']
    parts.append(f"<title>{e(MSG('title'))} — {e(report.period_label)}</title>")
    parts.append(f"<style>{CSS}{official.CSS}</style></head><body>")
    contact = f'<p class="contact">{e(report.contact)}</p>' if report.contact else ""
    kop = "".join(f"<p>{e(k)}</p>" for k in report.kop)
    parts.append(f'<div class="kop">{kop}{contact}</div>')
    parts.append(f"<h1>{e(MSG('title'))}</h1><dl>")
    for key, value in (
        ("nomor", report.nomor),
        ("period", report.period_label),
        ("sop", report.sop_name),
    ):
        parts.append(f"<dt>{e(MSG(key))}</dt><dd>{e(value)}</dd>")
    parts.append("</dl>")
    css = "warn" if report.verify_failed else ""
    parts.append(f'<p class="{css}">{e(_verify_text(report))}</p>')
    parts.append(f"<h2>{e(MSG('summary'))}</h2>")
    parts.append(_table([MSG("label").capitalize(), MSG("count")],
                        [list(r) for r in summary_rows(report)], 1))  # fmt: skip
    parts.append(f"<h2>{e(MSG('per_step'))}</h2>")
    head = [MSG("no"), MSG("kegiatan"), MSG("baku"), *stat_head, MSG("author")]
    parts.append(_table(head, step_rows(f), 2))
    for name in ("steps", "trend"):
        svg = report.charts.get(name)
        if svg:
            data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
            parts.append(
                f'<img class="chart" alt="{e(name)}" src="data:image/svg+xml;base64,{data}">'
            )
    parts.append(f"<h2>{e(MSG('per_role'))}</h2>")
    parts.append(_table([MSG("peran"), *stat_head, MSG("over_n")], group_rows(f.roles), 1))
    parts.append(f"<h2>{e(MSG('per_person'))}</h2>")
    parts.append(_table([MSG("pegawai"), *stat_head, MSG("over_n")], group_rows(f.people), 1))
    parts.append(f"<h2>{e(MSG('overdue'))}</h2>")
    if f.overdue:
        rows = []
        for o in f.overdue[:OVERDUE_SHOWN]:
            link = o.url or f"#{o.change_id}"
            rows.append([o.record_id, f"{o.change_id} {o.judul} ({link})", f"{o.step}",
                         o.person, f"{o.elapsed} / {o.standard}"])  # fmt: skip
        head = [MSG("catatan"), MSG("perubahan"), MSG("langkah"), MSG("oleh"), MSG("lama")]
        parts.append(_table(head, rows, 4))
        if len(f.overdue) > OVERDUE_SHOWN:
            more = MSG("more", n=len(f.overdue) - OVERDUE_SHOWN, total=len(f.overdue))
            parts.append(f"<p>{e(more)}</p>")
    else:
        parts.append(f"<p>{e(MSG('none'))}</p>")
    if f.urgent:
        parts.append(f"<h2>{e(MSG('urgent_list'))}</h2>")
        parts.append(_table(urgent_head(), urgent_rows(f), 7))
    parts.append(f"<h2>{e(MSG('closed'))}</h2>")
    if f.closed:
        rows = [[c.change_id, c.title, c.closed_by or "-",
                 MSG("withdrawn") if c.withdrawn else MSG("rejected"), c.reason or "-"]
                for c in f.closed]  # fmt: skip
        head = [MSG("perubahan"), MSG("kegiatan"), MSG("oleh"), MSG("label"), MSG("alasan")]
        parts.append(_table(head, rows, 5))
    else:
        parts.append(f"<p>{e(MSG('none'))}</p>")
    parts.append(f"<p><b>{e(MSG('rule'))}:</b> {e(report.rule)}</p>")
    s = report.signer
    parts.append(
        '<table class="sign"><tr><td></td>'
        f"<td>{e(report.place_date)}<br>{e(MSG('mengetahui'))}<br>{e(s.title)}</td></tr>"
        '<tr><td></td><td class="space"></td></tr><tr><td></td>'
        f'<td><span class="name">{e(s.name)}</span><br>{e(MSG("nip"))} {e(s.nip)}</td></tr>'
        "</table>"
    )
    # The figures' own digest (the CSV holds every one): a code and QR to check a copy against.
    code = "sha256:" + hashlib.sha256(to_csv(report).encode("utf-8")).hexdigest()
    parts.append(
        f'<div class="verify"><img src="{official.qr_data_uri(f"TERBIT LAPORAN {code}")}" '
        f'alt="QR"><div><p><b>{e(MSG("code"))}</b>: <span class="code">'
        f"{e(official.short_code(code))}</span></p><p>{e(MSG('code_how'))}</p>"
        f"<p><b>{e(official.signature_note(report.signed))}</b></p></div></div>"
    )
    parts.append(f'<h2 style="page-break-before: always">{e(MSG("appendix"))}</h2>')
    parts.append(f"<p>{e(MSG('appendix_note'))}</p>")
    parts.append('<div class="ids">' + "<br>".join(e(i) for i in f.records) + "</div>")
    parts.append(f'<p class="foot">{e(MSG("generated", n=len(f.records)))}</p>')
    if report.signed:
        parts.append(official.STAMP_SPACE)
    parts.append("</body></html>")
    return "".join(parts)


def to_pdf(report: Report) -> bytes:
    from weasyprint import HTML  # heavy import: only when a PDF is made

    pdf: bytes = HTML(string=to_html(report)).write_pdf()
    return pdf


def _sections(report: Report) -> list[tuple[str, list[str], list[list[str]]]]:
    """The tables every tabular format shares: (sheet name, header, rows)."""
    f = report.figures
    stat_head = [MSG("count"), MSG("median"), MSG("p90"), MSG("share")]
    overdue = [[o.record_id, o.change_id, o.url or "", o.judul, str(o.step), o.kegiatan,
                o.person, str(o.elapsed), str(o.standard)] for o in f.overdue]  # fmt: skip
    return [
        (MSG("summary"), [MSG("label"), MSG("count")], [list(r) for r in summary_rows(report)]),
        (
            MSG("per_step"),
            [MSG("no"), MSG("kegiatan"), MSG("baku"), *stat_head, MSG("author")],
            step_rows(f),
        ),
        (MSG("per_role"), [MSG("peran"), *stat_head, MSG("over_n")], group_rows(f.roles)),
        (MSG("per_person"), [MSG("pegawai"), *stat_head, MSG("over_n")], group_rows(f.people)),
        (
            MSG("overdue"),
            [
                MSG("catatan"),
                MSG("perubahan"),
                "url",
                MSG("judul"),
                MSG("langkah"),
                MSG("kegiatan"),
                MSG("oleh"),
                MSG("elapsed"),
                MSG("baku"),
            ],
            overdue,
        ),
        (MSG("urgent_list"), urgent_head(), urgent_rows(f)),
        (
            MSG("closed"),
            [MSG("perubahan"), MSG("kegiatan"), MSG("oleh"), MSG("label"), MSG("alasan")],
            [
                [
                    c.change_id,
                    c.title,
                    c.closed_by or "",
                    MSG("withdrawn") if c.withdrawn else MSG("rejected"),
                    c.reason,
                ]
                for c in f.closed
            ],
        ),
        (
            MSG("appendix"),
            [MSG("catatan"), "verify"],
            [
                [i, MSG("record_failed") if i in report.verify_failed else MSG("record_ok")]
                for i in f.records
            ],
        ),
    ]


# What a spreadsheet reads as a formula; staff type titles and reasons (CSV/formula injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-?\d+(\.\d+)?")


def _csv_text(value: str) -> str:
    """A cell as CSV text: a leading ``'`` keeps text that could start a formula inert."""
    if value.startswith(FORMULA_START) and not NUMBER.fullmatch(value):
        return "'" + value
    return value


def to_csv(report: Report) -> str:
    """One table: the section in the first column, then that section's columns."""
    out = io.StringIO()
    writer = csv.writer(out)
    for name, head, rows in _sections(report):
        writer.writerow([MSG("section"), *head])
        for row in rows:
            writer.writerow([_csv_text(c) for c in (name, *row)])
    return out.getvalue()


def _cell(value: str) -> int | float | str:
    """Plain decimals as numbers (so SAKIP/ZI evidence can be summed); anything else stays
    text -- "nan", "Infinity" or "1e3" in a title are words, not numbers."""
    if not NUMBER.fullmatch(value):
        return value
    return float(value) if "." in value else int(value)


def _sheet_title(name: str) -> str:
    """Excel forbids : \\ / ? * [ ] in sheet names and allows 31 characters."""
    return "".join(" " if c in ":\\/?*[]" else c for c in name).strip()[:31]


def to_xlsx(report: Report) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    if book.active is not None:  # a new workbook starts with one empty sheet
        book.remove(book.active)
    for name, head, rows in _sections(report):
        sheet = book.create_sheet(title=_sheet_title(name))
        sheet.append(head)
        for row in rows:
            sheet.append([_cell(c) for c in row])
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # openpyxl would store "=..." as a formula
    info = book.create_sheet(title=_sheet_title(MSG("title")), index=0)
    for line in (MSG("title"), report.nomor, report.period_label, report.sop_name,
                 _verify_text(report), report.rule):  # fmt: skip
        info.append([line])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
