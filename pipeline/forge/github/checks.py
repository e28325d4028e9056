"""The SOP gate as the required status check ``terbit / sop-gate``, and its job summary.

The decision itself is ``pipeline.gate.evaluate`` — the same rules the embedded forge applies
— fed with the PR read through the API and the SOP/roles of the BASE branch. This module only
carries the verdict to GitHub: a commit status on the PR's head and a Markdown step report.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from pipeline.change.model import Change
from pipeline.config.roles import Roles
from pipeline.config.sop import Sop
from pipeline.errors import ConfigError, InputError
from pipeline.forge.github.forge import GitHubForge
from pipeline.gate import GateReport, evaluate, policy_at, policy_ref
from pipeline.gate.messages import when
from pipeline.gate.render import author_fix, urgent_line
from pipeline.i18n import Catalog

STATUS_CONTEXT = "terbit / sop-gate"

MSG = Catalog(
    {
        "passed": (
            "Lulus: {done} dari {total} langkah pemeriksaan SOP terpenuhi",
            "Passed: {done} of {total} SOP review steps met",
        ),
        "failed": ("Belum lulus: {first}", "Not passed: {first}"),
        "failed_more": (
            "Belum lulus: {first} (+{more} lainnya)",
            "Not passed: {first} (+{more} more)",
        ),
        "error": ("Gerbang tidak dapat menilai: {error}", "The gate could not judge: {error}"),
        "title": (
            "Gerbang SOP — PR #{id}: {title}",
            "SOP gate — PR #{id}: {title}",
        ),
        "head": ("Commit terakhir: `{head}`", "Head commit: `{head}`"),
        "cols": (
            "| No | Status | Kegiatan | Pelaksana | Oleh | Waktu (WIB) | Lama/Baku | Keterangan |",
            "| No | Status | Activity | Role | By | At (WIB) | Took/Std | Note |",
        ),
        "done": ("✅ selesai", "✅ done"),
        "pending": ("⏳ menunggu", "⏳ pending"),
        "refused": ("❌ ditolak", "❌ refused"),
        "protected": ("Berkas dilindungi", "Protected files"),
        "minutes": ("{a}/{b} mnt", "{a}/{b} min"),
        "verdict_ok": (
            "**HASIL: LULUS** — perubahan memenuhi SOP dan boleh digabung.",
            "**RESULT: PASSED** — the change satisfies the SOP and may be merged.",
        ),
        "verdict_no": (
            "**HASIL: BELUM LULUS** — yang masih menghalangi penggabungan:",
            "**RESULT: NOT PASSED** — what still blocks the merge:",
        ),
        "notes": ("Catatan:", "Notes:"),
        "stopped": (
            "## PUBLIKASI DIHENTIKAN — PR #{id} yang digabung tidak memenuhi SOP\n\n"
            "Tidak ada yang diterbitkan. Perbaiki lewat pull request baru yang melewati semua "
            "langkah SOP, atau Kepala Satker memutuskan.",
            "## PUBLICATION STOPPED — merged PR #{id} does not satisfy the SOP\n\n"
            "Nothing was deployed. Fix it through a new pull request that passes every SOP step, "
            "or the head of office decides.",
        ),
        "stopped_no_pr": (
            "## PUBLIKASI DIHENTIKAN\n\n{why}",
            "## PUBLICATION STOPPED\n\n{why}",
        ),
        "no_pr_for_merge": (
            "commit {sha} bukan hasil merge pull request; main hanya boleh berubah lewat PR yang "
            "memenuhi SOP, jadi tidak ada yang diterbitkan",
            "commit {sha} is not the merge of a pull request; main may only change through a PR "
            "that satisfies the SOP, so nothing is deployed",
        ),
        "not_passed": (
            "PR #{id} yang digabung tidak memenuhi SOP; publikasi dihentikan (lihat ringkasan job)",
            "merged PR #{id} does not satisfy the SOP; publication stopped (see the job summary)",
        ),
    }
)


def run_url() -> str | None:
    """The Actions run that produced the verdict (GitHub sets these variables)."""
    server, repo, run = (
        os.environ.get(name) for name in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID")
    )
    return f"{server}/{repo}/actions/runs/{run}" if server and repo and run else None


def description(report: GateReport) -> str:
    """The one line GitHub shows beside the check (at most 140 characters)."""
    gate_steps = [s for s in report.steps if s.gate]
    if report.passed:
        done = sum(1 for s in gate_steps if s.state == "done")
        return MSG("passed", done=done, total=len(gate_steps))
    first = report.problems[0] if report.problems else "-"
    if len(report.problems) > 1:
        return MSG("failed_more", first=first, more=len(report.problems) - 1)
    return MSG("failed", first=first)


def evaluate_pr(forge: GitHubForge, number: int, *, now: datetime | None = None) -> GateReport:
    return judge(forge, forge.get_change(str(number)), now=now)[0]


def judge(
    forge: GitHubForge, change: Change, *, now: datetime | None = None
) -> tuple[GateReport, Sop, Roles]:
    """The gate's report on ``change`` with the policy it is judged by (the target branch's
    for an open PR, the one it was merged under for a merged one), and that policy."""
    sop, roles = policy_at(lambda path: forge.read_file(policy_ref(change), path))
    report = evaluate(
        change, sop=sop, roles=roles, signatures_required=forge.signatures_required(),
        now=now or datetime.now(UTC),
    )  # fmt: skip
    return report, sop, roles


def publish_gate(forge: GitHubForge, merge_sha: str, *, now: datetime | None = None) -> GateReport:
    """Re-judge the PR merged as ``merge_sha`` with the policy it was merged under, before the
    publish workflow deploys anything: a merge that bypassed the required status (an admin, a
    stale status) stops here. On failure the job summary says why and an InputError is raised.
    """
    change = forge.change_for_merge(merge_sha)
    if change is None:
        why = MSG("no_pr_for_merge", sha=merge_sha[:12])
        write_step_summary(MSG("stopped_no_pr", why=why))
        raise InputError(why)
    report = judge(forge, change, now=now)[0]
    if not report.passed:
        write_step_summary(MSG("stopped", id=change.id) + "\n\n" + markdown(report))
        raise InputError(MSG("not_passed", id=change.id))
    write_step_summary(markdown(report))
    return report


def gate(
    forge: GitHubForge,
    number: int,
    *,
    post: bool = True,
    now: datetime | None = None,
) -> GateReport:
    """Judge PR ``number`` and post ``terbit / sop-gate`` on its head commit.

    When the gate cannot judge (policy missing or invalid on the base branch), the status is
    set to ``error`` with the reason before the error propagates: the merge stays blocked.
    A PR that does not exist is an ``InputError`` with nothing posted.
    """
    try:
        report = evaluate_pr(forge, number, now=now)
    except ConfigError as problem:
        # The policy on the base branch is missing or broken: say so on the PR, keep it blocked.
        if post:
            head = forge.client.pull(number)["head"]["sha"]
            forge.client.create_status(
                head,
                state="error",
                context=STATUS_CONTEXT,
                description=MSG("error", error=str(problem)),
                target_url=run_url(),
            )
        raise
    if post:
        forge.client.create_status(
            report.head_sha,
            state="success" if report.passed else "failure",
            context=STATUS_CONTEXT,
            description=description(report),
            target_url=run_url(),
        )
    return report


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def markdown(report: GateReport) -> str:
    """The per-step report for ``$GITHUB_STEP_SUMMARY`` (GitHub-flavoured Markdown)."""
    out = [f"### {MSG('title', id=report.change_id, title=_cell(report.title))}", ""]
    out += [MSG("head", head=report.head_sha[:12]), ""]
    if report.expedited is not None:  # the reason, who opened the path, what is owed by when
        out += [_cell(urgent_line(report)), ""]
    out += [MSG("cols"), "|---:|---|---|---|---|---|---|---|"]
    for status in [*report.steps, *report.extra]:
        took = ""
        if status.minutes:
            took = MSG(
                "minutes",
                a=status.elapsed_minutes if status.elapsed_minutes is not None else "-",
                b=status.minutes,
            )
        # The author's fixing time is theirs, not the reviewer's: said apart, as on the record.
        note = "; ".join(x for x in (status.timing_note, status.reason, author_fix(status)) if x)
        activity = status.kegiatan if status.number else MSG("protected")
        out.append(
            "| "
            + " | ".join(
                _cell(x)
                for x in (
                    status.number or "+",
                    MSG(status.state),
                    activity,
                    status.role_title,
                    (status.by_name or status.by or "-"),
                    when(status.at) if status.state == "done" and status.at else "-",
                    took,
                    note,
                )
            )
            + " |"
        )
    out.append("")
    if report.passed:
        out.append(MSG("verdict_ok"))
    else:
        out.append(MSG("verdict_no"))
        out += [f"- {_cell(p)}" for p in report.problems]
    if report.notes:
        out += ["", MSG("notes")] + [f"- {_cell(n)}" for n in report.notes]
    return "\n".join(out) + "\n"


def write_step_summary(text: str) -> Path | None:
    """Append to the job summary when running in Actions (``$GITHUB_STEP_SUMMARY``)."""
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return None
    path = Path(target)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text if text.endswith("\n") else text + "\n")
    return path
