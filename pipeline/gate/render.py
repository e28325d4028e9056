"""The gate's report as terminal text: one line per SOP step, then what blocks the merge."""

from __future__ import annotations

from contextvars import copy_context

from pipeline.gate.messages import short_sha, when
from pipeline.gate.report import GateReport, StepStatus
from pipeline.i18n import Catalog, get_lang, set_lang

MSG = Catalog(
    {
        "header": (
            "Gerbang SOP — perubahan {id}: {title} (commit terakhir {head})",
            "SOP gate — change {id}: {title} (head commit {head})",
        ),
        "cols": (
            "No  Status    Kegiatan                                  Oleh                    "
            "Selesai (WIB)     Lama/Baku",
            "No  Status    Activity                                  By                      "
            "Done at (WIB)     Took/Std",
        ),
        "done": ("selesai", "done"),
        "pending": ("menunggu", "pending"),
        "refused": ("ditolak", "refused"),
        "minutes": ("{a}/{b} mnt", "{a}/{b} min"),
        "author_fix": (
            "perbaikan oleh staf: {n} mnt (waktu penulis sejak permintaan perbaikan sampai "
            "push berikutnya; tidak dihitung untuk pemeriksa)",
            "fixes by the author: {n} min (the author's time from the request for changes to "
            "the next push; not counted against the reviewer)",
        ),
        "problems": ("Yang masih menghalangi penggabungan:", "What still blocks the merge:"),
        "notes": ("Catatan:", "Notes:"),
        "passed": (
            "HASIL: LULUS — perubahan memenuhi SOP dan boleh digabung.",
            "RESULT: PASSED — the change satisfies the SOP and may be merged.",
        ),
        "failed": (
            "HASIL: BELUM LULUS — {n} hal belum terpenuhi.",
            "RESULT: NOT PASSED — {n} requirement(s) not met.",
        ),
        "total": (
            "Total waktu langkah selesai: {a} menit (mutu baku seluruh SOP {b} menit)",
            "Total time of finished steps: {a} minutes (standard for the whole SOP {b} minutes)",
        ),
        "urgent": (
            "Sifat: SANGAT SEGERA (jalur segera sop.yml) — alasan: {reason}; dibuka oleh "
            "persetujuan {who} ({at}); langkah {steps} ditunda: {owed}",
            "Urgency: SANGAT SEGERA (expedited path of sop.yml) — reason: {reason}; opened by "
            "the approval of {who} ({at}); step(s) {steps} deferred: {owed}",
        ),
        "owed_before": (
            "paling lambat {n} jam kerja setelah penggabungan",
            "due within {n} working hours of the merge",
        ),
        "owed_due": ("wajib selesai paling lambat {due}", "due by {due}"),
        "owed_overdue": ("TERLAMBAT, tenggat {due}", "OVERDUE, due by {due}"),
        "owed_on_time": ("selesai {at}, tepat waktu", "done {at}, on time"),
        "owed_late": ("selesai {at}, TERLAMBAT (tenggat {due})", "done {at}, LATE (due by {due})"),
        "owed_done": ("selesai {at}", "done {at}"),
        "skipped": ("dilewati", "skipped"),
        "withdrawal": (
            "PENARIKAN ARTIKEL (jalur penarikan sop.yml): diajukan oleh {opener}; "
            "persetujuan: {who}",
            "ARTICLE WITHDRAWAL (sop.yml withdrawal path): opened by {opener}; approval: {who}",
        ),
        "nota": (
            "Nota dinas: {nomor}, {tanggal}, hal: {hal}",
            "Nota dinas: {nomor}, {date}, subject: {hal}",
        ),
    }
)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _line(status: StepStatus) -> list[str]:
    number = f"{status.number:>2}" if status.number else " +"
    state = MSG("skipped") if status.skipped else MSG(status.state)
    # The name without academic titles after the comma keeps the column readable.
    who = (status.by_name or status.by or "-").split(",")[0]
    activity = status.kegiatan_en if get_lang() == "en" and status.kegiatan_en else status.kegiatan
    took = ""
    if status.elapsed_minutes is not None and status.minutes:
        took = MSG("minutes", a=status.elapsed_minutes, b=status.minutes)
    elif status.minutes:
        took = MSG("minutes", a="-", b=status.minutes)
    row = (
        f"{number}  {state:<8}  {_cut(activity, 40):<40}  {_cut(who, 22):<22}  "
        f"{when(status.at) if status.state == 'done' else '-':<16}  {took}"
    ).rstrip()
    lines = [row]
    detail = "; ".join(x for x in (status.timing_note, status.reason) if x)
    if detail:
        lines.append(f"    ↳ {detail}")
    if fix := author_fix(status):
        lines.append(f"    ↳ {fix}")
    return lines


def author_fix(status: StepStatus) -> str:
    """The "perbaikan oleh staf" line of a step ("" when the author spent no time in it);
    every view of the gate (terminal, GitHub) shows the same words."""
    return MSG("author_fix", n=status.author_minutes) if status.author_minutes else ""


def urgent_line(report: GateReport) -> str:
    """The expedited path in one line: the reason, who opened it, what is owed by when."""
    exp = report.expedited
    assert exp is not None
    due = when(exp.due)
    if exp.done_at is not None:
        key = (
            "owed_done" if exp.in_time is None else ("owed_on_time" if exp.in_time else "owed_late")
        )
        owed = MSG(key, at=when(exp.done_at), due=due)
    elif exp.due is None:
        owed = MSG("owed_before", n=exp.within_hours)
    else:
        owed = MSG("owed_overdue" if exp.overdue else "owed_due", due=due)
    step = next((s for s in report.steps if s.by == exp.approved_by and s.by_name), None)
    who = (step.by_name if step else exp.approved_by) or "-"
    return MSG("urgent", reason=exp.reason, who=who.split(",")[0], at=when(exp.approved_at),
               steps=", ".join(map(str, exp.steps)), owed=owed)  # fmt: skip


def _render(report: GateReport) -> str:
    out = [MSG("header", id=report.change_id, title=report.title, head=short_sha(report.head_sha))]
    if report.nota_dinas is not None:
        nd = report.nota_dinas
        out.append(
            MSG("nota", nomor=nd.nomor, tanggal=when(nd.tanggal), date=when(nd.tanggal), hal=nd.hal)
        )
    if report.expedited is not None:
        out.append(urgent_line(report))
    if (pulled := report.withdrawal) is not None:
        approved = f"{pulled.approved_by} {when(pulled.approved_at)}" if pulled.approved_by else "-"
        out.append(MSG("withdrawal", opener=pulled.opened_by or "-", who=approved))
    out += ["", MSG("cols")]
    for status in [*report.steps, *report.extra]:
        out += _line(status)
    done = [s.elapsed_minutes or 0 for s in report.steps if s.state == "done"]
    standard = sum(s.minutes for s in report.steps)
    out += ["", MSG("total", a=sum(done), b=standard)]
    if report.notes:
        out += ["", MSG("notes")] + [f"  - {n}" for n in report.notes]
    if report.problems:
        out += ["", MSG("problems")] + [f"  - {p}" for p in report.problems]
    out += ["", MSG("passed") if report.passed else MSG("failed", n=len(report.problems))]
    return "\n".join(out) + "\n"


def render(report: GateReport, lang: str | None = None) -> str:
    """Terminal text of the report; Indonesian unless ``lang`` (or TERBIT_LANG) says "en"."""
    if lang is None:
        return _render(report)

    def run() -> str:
        set_lang(lang)
        return _render(report)

    return copy_context().run(run)
