"""The Lembar Penyelesaian Pekerjaan for people: Markdown (readable on GitHub) and an A4 PDF.

Both are rendered from ``record.yml`` alone, so they can always be regenerated from the data.
The PDF is HTML + CSS laid out like the SOP's table, printed by WeasyPrint.
"""

from __future__ import annotations

import contextlib
import html
import threading
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from pipeline.i18n import Catalog
from pipeline.record import official, preview
from pipeline.record.model import PageCheck, Person, Record, Signer, Step

MSG = Catalog(
    {
        "title": ("LEMBAR PENYELESAIAN PEKERJAAN", "WORK COMPLETION SHEET"),
        "pekerjaan": ("Pekerjaan", "Work"),
        "nomor": ("Nomor", "Number"),
        "judul": ("Judul informasi", "Title of the information"),
        "dasar": ("Dasar", "Basis"),
        "dasar_value": (
            "Nota Dinas nomor {nomor} tanggal {tanggal}",
            "Nota Dinas {nomor} of {tanggal}",
        ),
        "sop": ("SOP", "SOP"),
        "sifat": ("Sifat", "Urgency"),
        "jadwal": ("Jadwal terbit", "Scheduled publication"),
        "jadwal_value": (
            "dijadwalkan {at}; tayang {live}",
            "scheduled for {at}; live {live}",
        ),
        "jadwal_late": (
            "{base} (terlambat {n} menit: server tidak berjalan pada waktunya)",
            "{base} ({n} minutes late: the server was not running at the time)",
        ),
        "segera": (
            "SANGAT SEGERA (jalur segera) — alasan: {alasan}; disetujui {who}; langkah {steps} "
            "ditunda: {owed}",
            "SANGAT SEGERA (expedited path) — reason: {alasan}; approved by {who}; step(s) "
            "{steps} deferred: {owed}",
        ),
        "owed": ("wajib selesai paling lambat {due}", "due by {due}"),
        "penarikan_l": ("Penarikan", "Withdrawal"),
        "penarikan": (
            "{articles} ditarik dari situs (jalur penarikan) — alasan: {alasan}; diajukan "
            "{opener}; disetujui {who}",
            "{articles} withdrawn from the site (withdrawal path) — reason: {alasan}; opened "
            "by {opener}; approved by {who}",
        ),
        "owed_hours": (
            "paling lambat {n} jam kerja setelah penggabungan",
            "due within {n} working hours of the merge",
        ),
        "owed_on_time": ("selesai {at}, tepat waktu", "done {at}, on time"),
        "owed_late": ("selesai {at}, TERLAMBAT (tenggat {due})", "done {at}, LATE (due by {due})"),
        "no": ("No.", "No."),
        "kegiatan": ("Kegiatan", "Activity"),
        "pelaksana": ("Pelaksana", "Done by"),
        "kelengkapan": ("Kelengkapan", "Inputs"),
        "waktu": ("Waktu", "Time"),
        "output": ("Output", "Output"),
        "keterangan": ("Keterangan", "Remarks"),
        "minutes": ("{actual} / {standard} menit", "{actual} / {standard} min"),
        "author_fix": ("perbaikan oleh staf {n} menit", "fixes by the author {n} min"),
        "waktu_kerja": ("Perhitungan waktu", "How time is counted"),
        "total": ("Jumlah", "Total"),
        "url": ("Alamat publikasi", "Published at"),
        "removed": ("dihapus", "removed"),
        "shots": ("Tangkapan layar", "Screenshots"),
        "previews": (
            "Pratinjau {dpi} dpi. Bukti lengkapnya adalah berkas tangkapan layar di folder "
            "catatan, diperiksa byte demi byte oleh `terbit verify`:",
            "Previews at {dpi} dpi. The full evidence is the screenshot files in the record "
            "folder, checked byte for byte by `terbit verify`:",
        ),
        "status": ("Status", "Status"),
        "complete": ("lengkap", "complete"),
        "incomplete": ("BELUM LENGKAP", "INCOMPLETE"),
        "failed": ("GAGAL", "FAILED"),
        "merge": ("Commit merge", "Merge commit"),
        "release": ("Rilis", "Release"),
        "yang": ("Yang menyelesaikan,", "Completed by,"),
        "mengetahui": ("Mengetahui,", "Acknowledged,"),
        "nip": ("NIP", "NIP"),
        "no_disposition": ("belum ada disposisi", "no disposition yet"),
        "check": ("Pemeriksaan halaman", "Page check"),
        "check_summary": (
            "{pages} halaman diperiksa (axe WCAG 2.1 A/AA, tautan dan gambar internal): "
            "{violations} pelanggaran, {broken} tautan rusak, {external} tautan eksternal "
            "(didaftar, tidak dibuka)",
            "{pages} pages checked (axe WCAG 2.1 A/AA, internal links and images): "
            "{violations} violations, {broken} broken links, {external} external links "
            "(listed, not opened)",
        ),
        "violation": (
            "pelanggaran {rule} di {page}: {targets}",
            "violation {rule} on {page}: {targets}",
        ),
        "broken": ("tautan rusak di {page}: {href}", "broken link on {page}: {href}"),
        "external": ("tautan eksternal: {href}", "external link: {href}"),
        "data_dukung": (
            "Data dukung (disimpan bersama catatan ini, tidak diterbitkan)",
            "Supporting documents (kept with this record, not published)",
        ),
        "dd_row": (
            "{name} — {type}, {size} bita, oleh {by} {at}, sha256 {sha}",
            "{name} — {type}, {size} bytes, by {by} {at}, sha256 {sha}",
        ),
        "appendix": ("Lampiran: rincian teknis", "Appendix: technical details"),
        "generated": (
            "Dibuat otomatis oleh Terbit dari record.yml ({digest}).",
            "Generated by Terbit from record.yml ({digest}).",
        ),
    }
)

DEFAULT_KOP = (
    "KEMENTERIAN KESEHATAN REPUBLIK INDONESIA",
    "DIREKTORAT JENDERAL PENANGGULANGAN PENYAKIT",
    "BALAI BESAR KEKARANTINAAN KESEHATAN MEDAN",
)


def status_label(record: Record) -> str:
    """The record's state as people read it: lengkap, BELUM LENGKAP or GAGAL."""
    return MSG(record.status)


def _hm(value: datetime | None, timezone: str) -> str:
    if value is None:
        return "-"
    return value.astimezone(ZoneInfo(timezone)).strftime("%d/%m/%Y %H.%M")


def _time_cell(step: Step, timezone: str) -> tuple[str, str]:
    """``(start – end, actual / standard minutes)``; the date once when both share it."""
    start, end = _hm(step.started_at, timezone), _hm(step.ended_at, timezone)
    if start[:10] == end[:10] and start != "-":
        end = end[11:]
    span = f"{start} – {end}"
    actual = "-" if step.elapsed_minutes is None else step.elapsed_minutes
    return span, MSG("minutes", actual=actual, standard=step.standard_minutes)


def _note(step: Step) -> str:
    """Keterangan: the timing note, and the author's fixing time as its own line."""
    note = step.keterangan or step.state
    if step.perbaikan_staf_minutes:
        note += "\n" + MSG("author_fix", n=step.perbaikan_staf_minutes)
    return note


def _who(person: Person) -> str:
    name = person.name or "-"
    return f"{name} ({MSG('nip')} {person.nip})" if person.nip else name


def _dasar(record: Record) -> str:
    nota = record.nota_dinas
    tanggal = nota.tanggal.isoformat() if nota.tanggal else "-"
    return MSG("dasar_value", nomor=nota.nomor or "-", tanggal=tanggal)


def _local(timezone: str) -> Callable[[datetime | None], str]:
    """A moment as office time, day first ("-" for none): the lines of urgent and scheduled."""
    tz = ZoneInfo(timezone)
    return lambda value: value.astimezone(tz).strftime("%d-%m-%Y %H:%M") if value else "-"


def _segera(record: Record, timezone: str) -> str | None:
    """The urgent publication's line ("Sifat"), or None for a normal one."""
    seg = record.segera
    if seg is None:
        return None
    at = _local(timezone)
    if seg.selesai is not None:
        owed = MSG("owed_on_time" if seg.tepat_waktu is not False else "owed_late",
                   at=at(seg.selesai), due=at(seg.tenggat))  # fmt: skip
    elif seg.tenggat is not None:
        owed = MSG("owed", due=at(seg.tenggat))
    else:
        owed = MSG("owed_hours", n=seg.jam_kerja)
    who = f"{seg.disetujui.role_title} {seg.disetujui.name}".strip()
    steps = ", ".join(map(str, seg.langkah_ditunda))
    return MSG("segera", alasan=seg.alasan, who=who, steps=steps, owed=owed)


def _jadwal(record: Record, timezone: str) -> str | None:
    """The scheduled publication's line: when it was due, when it went live, how late."""
    plan = record.jadwal
    if plan is None:
        return None
    at = _local(timezone)
    base = MSG("jadwal_value", at=at(plan.dijadwalkan), live=at(plan.tayang))
    return MSG("jadwal_late", base=base, n=plan.terlambat_menit) if plan.terlambat_menit else base


def _penarikan(record: Record) -> str | None:
    """The withdrawal's line: what was taken off, why, who asked, who approved; or None."""
    pulled = record.penarikan
    if pulled is None:
        return None
    names = ", ".join(f"\u201c{a.judul}\u201d" for a in pulled.artikel) or "-"
    reasons = "; ".join(dict.fromkeys(a.alasan for a in pulled.artikel)) or "-"
    opener = f"{pulled.diajukan.role_title} {pulled.diajukan.name}".strip()
    who = f"{pulled.disetujui.role_title} {pulled.disetujui.name}".strip() or "-"
    return MSG("penarikan", articles=names, alasan=reasons, opener=opener, who=who)


def signer_name(signer: Signer) -> str:
    """The name under a signature; a blank block says why nobody signs there."""
    return signer.name or (f"({MSG(signer.pending)})" if signer.pending else "")


def check_lines(check: PageCheck) -> list[str]:
    """The page check in sentences: the summary first, then every finding (and every problem)."""
    lines = [
        MSG(
            "check_summary",
            pages=len(check.pages),
            violations=len(check.violations),
            broken=len(check.broken_links),
            external=len(check.external_links),
        )
    ]
    lines += [
        MSG("violation", rule=v.rule, page=v.page, targets=", ".join(v.targets))
        for v in check.violations
    ]
    lines += [MSG("broken", page=b.page, href=b.href) for b in check.broken_links]
    lines += [MSG("external", href=href) for href in check.external_links]
    return lines + list(check.problems)


def data_dukung_lines(record: Record, timezone: str) -> list[str]:
    """One line per supporting document: what it is, who attached it when, its SHA-256."""
    return [
        MSG(
            "dd_row",
            name=d.file,
            type=d.type,
            size=d.bytes,
            by=d.by,
            at=_hm(d.at, timezone),
            sha=d.sha256,
        )
        for d in record.data_dukung or []
    ]


def to_markdown(record: Record, timezone: str, kop: tuple[str, ...] = DEFAULT_KOP) -> str:
    def cell(text: object) -> str:
        return str(text).replace("|", "\\|").replace("\n", " ")

    lines = [f"**{line}**  " for line in kop] + ["", f"# {MSG('title')}", ""]
    if record.nomor:
        lines += [f"{MSG('nomor')}: {record.nomor}", ""]
    lines += [
        f"- **{MSG('pekerjaan')}:** {record.pekerjaan}",
        f"- **{MSG('judul')}:** {cell(record.judul)}",
        f"- **{MSG('dasar')}:** {_dasar(record)}",
        f"- **{MSG('sop')}:** {record.sop.nama} ({record.sop.nomor})",
        f"- **{MSG('status')}:** {status_label(record)}",
    ]
    if (urgent := _segera(record, timezone)) is not None:
        lines.insert(-1, f"- **{MSG('sifat')}:** {cell(urgent)}")
    if (plan := _jadwal(record, timezone)) is not None:
        lines.insert(-1, f"- **{MSG('jadwal')}:** {cell(plan)}")
    if (pulled := _penarikan(record)) is not None:
        lines.insert(-1, f"- **{MSG('penarikan_l')}:** {cell(pulled)}")
    lines += [f"  - {cell(reason)}" for reason in record.reasons]
    head = [MSG(k) for k in ("no", "kegiatan", "pelaksana", "kelengkapan", "waktu", "output")]
    lines += ["", "| " + " | ".join([*head, MSG("keterangan")]) + " |", "|---" * 7 + "|"]
    for step in record.steps:
        span, minutes = _time_cell(step, timezone)
        row = [
            step.number,
            step.kegiatan,
            _who(step.pelaksana),
            step.kelengkapan,
            f"{span}<br>{minutes}",
            step.output,
            _note(step).replace("\n", "<br>"),
        ]
        lines.append("| " + " | ".join(cell(c) for c in row) + " |")
    total = record.total
    lines.append(
        f"| | **{MSG('total')}** | | | "
        f"{MSG('minutes', actual=total.elapsed_minutes, standard=total.standard_minutes)}"
        " | | |"
    )
    if record.waktu_kerja:  # an older record may not say (the key came later)
        lines += ["", f"**{MSG('waktu_kerja')}:** {cell(record.waktu_kerja)}"]
    lines += ["", f"**{MSG('url')}:**", ""]
    for article in record.articles:
        where = article.url or f"({MSG('removed')})"
        lines.append(f"- {cell(article.title)}: {where}")
    lines += [
        "",
        f"**{MSG('merge')}:** `{record.merge_commit}` · **{MSG('release')}:** "
        f"`{record.deploy.release or '-'}` ({record.deploy.target})",
    ]
    if record.pemeriksaan_halaman is not None:
        lines += ["", f"**{MSG('check')}:**", ""]
        lines += [f"- {cell(line)}" for line in check_lines(record.pemeriksaan_halaman)]
    if record.screenshots:
        lines += ["", f"**{MSG('shots')}:**", ""]
        for shot in record.screenshots:
            lines.append(f"![{shot.view}]({shot.file})  ")
            lines.append(f"`{shot.file}` sha256 `{shot.sha256}`  ")
    if record.data_dukung:
        lines += ["", f"**{MSG('data_dukung')}:**", ""]
        lines += [f"- {cell(line)}" for line in data_dukung_lines(record, timezone)]
    mine, head_of = record.yang_menyelesaikan, record.mengetahui
    lines += [
        "",
        f"{record.tempat_tanggal}",
        "",
        "| " + MSG("yang") + " | " + MSG("mengetahui") + " |",
        "|---|---|",
        f"| {mine.role_title} | {head_of.role_title} |",
        "| <br><br><br> | <br><br><br> |",
        f"| **{cell(mine.name)}** | **{cell(signer_name(head_of))}** |",
        f"| {MSG('nip')} {mine.nip} | {MSG('nip')} {head_of.nip} |",
        "",
        f"<sub>{MSG('generated', digest=record.digest[:19])}</sub>",
    ]
    return "\n".join(lines) + "\n"


CSS = """
@page { size: A4; margin: 16mm 14mm 16mm 16mm;
  @bottom-right { content: counter(page) "/" counter(pages); font-size: 8pt; color: #555; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 8.6pt; color: #000; }
.kop { text-align: center; border-bottom: 3px double #000; padding-bottom: 4pt;
  margin-bottom: 8pt; }
.kop p { margin: 0; font-weight: bold; letter-spacing: .2pt; }
.kop p:first-child { font-size: 10.5pt; } .kop p:last-child { font-size: 11.5pt; }
h1 { text-align: center; font-size: 12pt; margin: 8pt 0 2pt; text-decoration: underline; }
p.nomor { text-align: center; margin: 0 0 8pt; }
dl { display: grid; grid-template-columns: 32mm auto; margin: 0 0 6pt; }
dt { font-weight: bold; } dd { margin: 0 0 1.5pt; }
table.sop { width: 100%; border-collapse: collapse; margin-top: 4pt; table-layout: fixed; }
table.sop th, table.sop td { border: .6pt solid #000; padding: 2.5pt 3pt; vertical-align: top; }
table.sop th { background: #e6e6e6; text-align: center; }
td.n { text-align: center; } .small { font-size: 7.6pt; } .over { color: #a00000; }
.incomplete { color: #a00000; font-weight: bold; }
.shots { margin-top: 6pt; page-break-inside: avoid; }
.shots img { border: .5pt solid #777; vertical-align: top; }
.shots img.d { width: 120mm; } .shots img.m { width: 40mm; margin-left: 4mm; }
.shots p.files { font-size: 7pt; color: #222; margin: 2pt 0 0; overflow-wrap: anywhere; }
.sign { width: 100%; margin-top: 12pt; page-break-inside: avoid; }
.sign td { width: 50%; text-align: center; vertical-align: top; }
.sign .space { height: 20mm; } .sign .name { font-weight: bold; text-decoration: underline; }
.foot { margin-top: 8pt; font-size: 7pt; color: #444; }
"""


def to_html(
    record: Record,
    timezone: str,
    kop: tuple[str, ...] = DEFAULT_KOP,
    *,
    contact: str = "",
    signed: bool = False,
    records_path: str = "records",
    previews: Mapping[str, str] | None = None,
) -> str:
    """The record's page; ``contact`` is the kop's address line, ``signed`` whether the PDF
    made from it will carry the office's electronic signature (the page says which);
    ``records_path`` is the folder the record is kept in (``publish.records_path``);
    ``previews`` maps a screenshot's file to the image the page shows instead of it."""
    e = html.escape
    parts = ['<!doctype html><html lang="id"><head><meta charset="utf-8">']
    parts.append(f"<title>{e(MSG('title'))}</title><style>{CSS}{official.CSS}</style></head><body>")
    contact_html = f'<p class="contact">{e(contact)}</p>' if contact else ""
    parts.append('<div class="kop">' + "".join(f"<p>{e(k)}</p>" for k in kop) + contact_html
                 + "</div>")  # fmt: skip
    parts.append(f"<h1>{e(MSG('title'))}</h1>")
    if record.nomor:  # blank without publish.record_number, absent in older records
        parts.append(f'<p class="nomor">{e(MSG("nomor"))}: {e(record.nomor)}</p>')
    parts.append("<dl>")
    status = (
        e(MSG("complete"))
        if record.status == "complete"
        else f'<span class="incomplete">{e(status_label(record))}</span>: '
        + e("; ".join(record.reasons))
    )
    for key, value in (
        ("pekerjaan", e(record.pekerjaan)),
        ("judul", e(record.judul)),
        ("dasar", e(_dasar(record))),
        ("sop", e(f"{record.sop.nama} ({record.sop.nomor})")),
        *([("sifat", e(urgent))] if (urgent := _segera(record, timezone)) else []),
        *([("jadwal", e(plan))] if (plan := _jadwal(record, timezone)) else []),
        *([("penarikan_l", e(pulled))] if (pulled := _penarikan(record)) else []),
        ("status", status),
    ):
        parts.append(f"<dt>{e(MSG(key))}</dt><dd>{value}</dd>")
    parts.append("</dl>")
    widths = ("7mm", "36mm", "36mm", "26mm", "28mm", "24mm", "23mm")
    parts.append('<table class="sop"><colgroup>')
    parts += [f'<col style="width:{w}">' for w in widths]
    parts.append("</colgroup><thead><tr>")
    for key in ("no", "kegiatan", "pelaksana", "kelengkapan", "waktu", "output", "keterangan"):
        parts.append(f"<th>{e(MSG(key))}</th>")
    parts.append("</tr></thead><tbody>")
    for step in record.steps:
        span, minutes = _time_cell(step, timezone)
        person = step.pelaksana
        who = f"{e(person.name or '-')}<br><span class='small'>{e(person.role_title)}"
        who += f"<br>{e(MSG('nip'))} {e(person.nip)}</span>" if person.nip else "</span>"
        note = e(_note(step)).replace("\n", "<br>")
        css = ' class="over"' if step.over_minutes else ""
        parts.append(
            f'<tr><td class="n">{step.number}</td><td>{e(step.kegiatan)}</td>'
            f"<td>{who}</td><td>{e(step.kelengkapan)}</td>"
            f'<td><span class="small">{e(span)}</span><br>{e(minutes)}</td>'
            f"<td>{e(step.output)}</td><td{css}>{note}</td></tr>"
        )
    total = record.total
    minutes = MSG("minutes", actual=total.elapsed_minutes, standard=total.standard_minutes)
    parts.append(
        f'<tr><td></td><td colspan="3"><b>{e(MSG("total"))}</b></td>'
        f"<td>{e(minutes)}</td><td></td><td></td></tr></tbody></table><dl>"
    )
    urls = "<br>".join(
        e(f"{a.title}: {a.url or '(' + MSG('removed') + ')'}") for a in record.articles
    )
    if record.waktu_kerja:  # an older record may not say (the key came later)
        parts.append(f"<dt>{e(MSG('waktu_kerja'))}</dt><dd>{e(record.waktu_kerja)}</dd>")
    parts.append(f"<dt>{e(MSG('url'))}</dt><dd>{urls}</dd></dl>")
    if record.pemeriksaan_halaman is not None:
        found = check_lines(record.pemeriksaan_halaman)
        parts.append(
            f"<dl><dt>{e(MSG('check'))}</dt><dd>" + "<br>".join(map(e, found)) + "</dd></dl>"
        )
    if record.screenshots:
        parts.append(f'<div class="shots"><p><b>{e(MSG("shots"))}</b></p>')
        for shot in record.screenshots:
            css = "d" if shot.view == "desktop" else "m"
            src = (previews or {}).get(shot.file, shot.file)
            parts.append(f'<img class="{css}" src="{e(src)}" alt="{e(shot.view)}">')
        if previews:
            # The previews stand for the files: each is named with the hash that binds it.
            parts.append(f'<p class="files">{e(MSG("previews", dpi=preview.DPI))}')
            parts += [f"<br>{e(shot.view)}: {e(shot.file)} · SHA-256 {e(shot.sha256)}"
                      for shot in record.screenshots if shot.file in previews]  # fmt: skip
            parts.append("</p>")
        parts.append("</div>")
    mine, head_of = record.yang_menyelesaikan, record.mengetahui
    parts.append(
        f'<table class="sign"><tr><td></td><td>{e(record.tempat_tanggal)}</td></tr><tr>'
        f"<td>{e(MSG('yang'))}<br>{e(mine.role_title)}</td>"
        f"<td>{e(MSG('mengetahui'))}<br>{e(head_of.role_title)}</td></tr>"
        '<tr><td class="space"></td><td class="space"></td></tr><tr>'
        f'<td><span class="name">{e(mine.name)}</span><br>{e(MSG("nip"))} {e(mine.nip)}</td>'
        f'<td><span class="name">{e(signer_name(head_of))}</span><br>{e(MSG("nip"))} '
        f"{e(head_of.nip)}</td></tr></table>"
    )
    path = f"{records_path.strip('/')}/{record.id}/record.yml"
    lines = official.approvals(record, lambda at: _hm(at, timezone) if at else "-")
    parts.append(official.verify_block(record.digest, path, signed, lines))
    # Technical details (commit ids, release, digest) are an appendix, not the body.
    parts.append(
        f'<div class="appendix"><p><b>{e(MSG("appendix"))}</b></p><dl>'
        f"<dt>{e(MSG('merge'))}</dt><dd>{e(record.merge_commit)}</dd>"
        f"<dt>{e(MSG('release'))}</dt><dd>{e(record.deploy.release or '-')} "
        f"({e(record.deploy.target)})</dd>"
        + (
            f"<dt>{e(MSG('data_dukung'))}</dt><dd>"
            + "<br>".join(map(e, data_dukung_lines(record, timezone)))
            + "</dd>"
            if record.data_dukung
            else ""
        )
        + f"<dt>Digest</dt><dd>{e(record.digest)}</dd></dl>"
        f'<p class="foot">{e(MSG("generated", digest=record.digest))}</p></div>'
    )
    if signed:
        parts.append(official.STAMP_SPACE)
    parts.append("</body></html>")
    return "".join(parts)


# A little of every kind of text the record's PDF sets (its stylesheet, bold, a table).
_WARM_PAGE = "<h1>Lembar</h1><p><b>Terbit</b> <i>1</i> 0123</p><table><tr><th>a</th><td>b</td></tr>"


_warmed = threading.Event()  # WeasyPrint and the record's fonts are loaded in this process
_warming: list[threading.Thread] = []  # the thread of ``warm_pdf_meanwhile``, once started
_warming_lock = threading.Lock()


def warm_pdf() -> None:
    """Load WeasyPrint and the record's fonts now (1–3 s, once per process): a process that
    stays up, the publication service, pays it when it starts rather than in its first
    record. Nothing of this document is kept; the record's PDF is the same either way."""
    if _warmed.is_set():
        return
    from weasyprint import HTML

    HTML(string=f"<style>{CSS}{official.CSS}</style>{_WARM_PAGE}").write_pdf()
    _warmed.set()


def warm_pdf_meanwhile() -> None:
    """``warm_pdf`` on a thread of its own, once per process: a publication in a fresh process
    starts it before its build, which runs in another process, so the load passes while this
    one waits for the build. ``to_pdf`` waits for that thread: WeasyPrint is never used by
    two threads at once."""
    with _warming_lock:
        if _warming or _warmed.is_set():
            return
        thread = threading.Thread(target=_warm_quietly, name="terbit-pdf-warm", daemon=True)
        thread.start()  # before it is listed: ``to_pdf`` on another thread can join it at once
        _warming.append(thread)


def _warm_quietly() -> None:
    # A failure here (a font missing) shows again, located, where the record's PDF is made.
    with contextlib.suppress(Exception):
        warm_pdf()


def to_pdf(
    record: Record,
    folder: Path,
    timezone: str,
    kop: tuple[str, ...] = DEFAULT_KOP,
    *,
    contact: str = "",
    signed: bool = False,
    records_path: str = "records",
) -> bytes:
    """A4 PDF (unsigned: ``signature.sign_pdf`` signs it); ``folder`` holds the screenshots,
    which the PDF shows as previews (``preview``) rather than embedding them a second time."""
    for thread in _warming:
        thread.join()  # the warm-up started by the publication (``warm_pdf_meanwhile``)
    from weasyprint import HTML  # heavy import: only when a PDF is made

    previews = {
        shot.file: preview.preview_uri(folder / shot.file, shot.view)
        for shot in record.screenshots
        if (folder / shot.file).is_file()
    }
    page = to_html(record, timezone, kop, contact=contact, signed=signed,
                   records_path=records_path, previews=previews)  # fmt: skip
    document = HTML(string=page, base_url=str(folder))
    pdf: bytes = document.write_pdf()
    return pdf
