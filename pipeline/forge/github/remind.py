"""A merged "Sangat Segera" pull request that still owes its deferred review, marked and
reminded on GitHub itself: a label and one comment naming the role, the steps and the deadline
(set by the publish workflow after the record, kept by the scheduled one), a reminder
@mentioning the role's GitHub accounts once the deadline has passed and an escalation
@mentioning the head's (``terbit remind``'s rule on the embedded forge: both when the review is
overdue), and, once a valid ``/setuju`` is counted, the label taken off and the comment saying
who did it, when, on time or late.

GitHub e-mails whoever a comment @mentions. Each comment is written once: its hidden marker
(``<!-- terbit:remind:… -->``) is looked for in the PR's comments, and only in comments the
workflows' own account wrote and nobody edited, so nobody can silence a reminder by writing
the marker himself; nothing is kept in the repository.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pipeline.change.model import Change
from pipeline.clock import now as clock_now
from pipeline.config.roles import Roles
from pipeline.config.sop import Sop
from pipeline.forge.github import mapping
from pipeline.forge.github.checks import judge
from pipeline.forge.github.forge import GitHubForge
from pipeline.forge.github.waiting import LABEL, RECENT, holders, local, office_tz, owed_steps
from pipeline.gate import GateReport, StepStatus
from pipeline.i18n import Catalog, get_lang

LABEL_COLOR = "d93f0b"
OWED_MARKER = "<!-- terbit:tertunda -->"
# The account GitHub Actions' token writes as: only its comments carry Terbit's markers.
ACTIONS_LOGIN = "github-actions[bot]"

MSG = Catalog(
    {
        "label": (
            "Sudah terbit (Sangat Segera); pemeriksaan tertunda belum diberikan",
            "Published (Sangat Segera); the deferred review is still owed",
        ),
        "owed": (
            "⏳ **Pemeriksaan tertunda (jalur Sangat Segera)** — PR ini sudah diterbitkan atas "
            "persetujuan {approver}. Pemeriksaan langkah {steps} ({activity}) oleh **{role}** "
            "({people}) masih wajib, paling lambat **{due}**.",
            "⏳ **Deferred review (Sangat Segera path)** — this PR was published on the approval "
            "of {approver}. The review of step(s) {steps} ({activity}) by **{role}** ({people}) "
            "is still required, by **{due}** at the latest.",
        ),
        "how": (
            "Periksa isi yang tayang, lalu tulis **komentar baru** di PR ini dengan baris pertama "
            "tepat `/setuju` (GitHub tidak menerima *Approve* pada PR yang sudah digabung; "
            "komentar yang disunting tidak dihitung).",
            "Check what is live, then write a **new comment** on this PR whose first line is "
            "exactly `/setuju` (GitHub accepts no *Approve* on a merged PR; an edited comment "
            "does not count).",
        ),
        "done": (
            "✅ **Pemeriksaan tertunda selesai** — langkah {steps} disetujui {who} pada {at}, "
            "{verdict} (tenggat {due}).",
            "✅ **Deferred review done** — step(s) {steps} approved by {who} on {at}, {verdict} "
            "(due by {due}).",
        ),
        "on_time": ("tepat waktu", "on time"),
        "late": ("TERLAMBAT", "LATE"),
        "reminder": (
            "⏰ **Tenggat terlewati** — {people}: pemeriksaan tertunda langkah {steps} "
            "({activity}) oleh {role} untuk PR ini wajib selesai paling lambat {due} dan belum "
            "ada.",
            "⏰ **Deadline passed** — {people}: the deferred review of step(s) {steps} "
            "({activity}) by {role} of this PR was due by {due} and has not been given.",
        ),
        "escalation": (
            "🔺 **Eskalasi ke {head}** — {people}: pemeriksaan tertunda langkah {steps} oleh "
            '{role} untuk PR #{id} "{title}", yang sudah tayang lewat jalur Sangat Segera, '
            "TERLAMBAT (tenggat {due}). Mohon ditindaklanjuti.",
            "🔺 **Escalated to {head}** — {people}: the deferred review of step(s) {steps} by "
            '{role} of PR #{id} "{title}", published on the Sangat Segera path, is OVERDUE '
            "(due by {due}). Please follow it up.",
        ),
        "nobody": ("(tidak ada akun GitHub di roles.yml)", "(no GitHub account in roles.yml)"),
    }
)


@dataclass
class Outcome:
    """What one pass did, PR numbers per kind of write."""

    marked: list[int] = field(default_factory=list)
    reminded: list[int] = field(default_factory=list)
    escalated: list[int] = field(default_factory=list)
    cleared: list[int] = field(default_factory=list)
    owed: list[int] = field(default_factory=list)  # still owing after the pass


def marker(kind: str, number: int | str) -> str:
    return f"<!-- terbit:remind:{kind}:{number} -->"


def _ours(comment: dict[str, Any], *, unedited: bool) -> bool:
    """Written by the workflows' account (and, for a reminder, never edited since)."""
    if mapping.login(comment.get("user")) != ACTIONS_LOGIN:
        return False
    return not unedited or comment.get("updated_at") == comment.get("created_at")


def _mentions(roles: Roles, sop: Sop, role: str, when: datetime, author: str) -> str:
    """``@login`` of each holder of ``role`` (their name when roles.yml has no account)."""
    people = holders(roles, sop, role, when, author)
    shown = [f"@{p.github}" if p.github else p.name for p in people]
    return ", ".join(shown) or MSG("nobody")


class _Pr:
    """One merged urgent PR during a pass: its report, policy and comments as GitHub has them."""

    def __init__(self, forge: GitHubForge, change: Change, when: datetime) -> None:
        self.forge, self.change, self.when = forge, change, when
        self.number = int(change.id)
        self.report: GateReport
        self.sop: Sop
        self.roles: Roles
        self.report, self.sop, self.roles = judge(forge, change, now=when)
        self.comments = forge.client.comments(self.number)
        self.author = change.author or change.author_login

    def fields(self, role: str, statuses: list[StepStatus]) -> dict[str, str]:
        exp = self.report.expedited
        assert exp is not None
        tz = office_tz(self.sop)
        approver = next((s.by_name for s in self.report.steps
                         if s.by == exp.approved_by and s.by_name), exp.approved_by)  # fmt: skip
        return dict(
            steps=", ".join(str(s.number) for s in statuses),
            activity="; ".join(s.kegiatan for s in statuses), role=statuses[0].role_title,
            due=local(exp.due, tz), approver=(approver or "-").split(",")[0],
            people=_mentions(self.roles, self.sop, role, self.when, self.author),
            id=self.change.id, title=self.change.title,
        )  # fmt: skip

    def written(self, mark: str) -> bool:
        return any(mark in (c.get("body") or "") and _ours(c, unedited=True)
                   for c in self.comments)  # fmt: skip

    def keep(self, body: str, *, create: bool) -> bool:
        """The one owed-review comment says ``body``: written when ``create``, else only
        brought up to date; whether anything was sent."""
        text = f"{body}\n\n{OWED_MARKER}\n"
        for comment in self.comments:
            if OWED_MARKER in (comment.get("body") or "") and _ours(comment, unedited=False):
                if comment.get("body") == text:
                    return False
                self.forge.client.update_comment(int(comment["id"]), text)
                return True
        if create:
            self.forge.client.create_comment(self.number, text)
        return create


def _pass_one(pr: _Pr, outcome: Outcome) -> None:
    exp = pr.report.expedited
    if exp is None or exp.due is None:
        return  # not on the expedited path, or not merged: nothing is owed
    client = pr.forge.client
    labels = client.issue_labels(pr.number)
    owed = owed_steps(pr.report)
    if not owed:
        deferred = [s for s in pr.report.steps if s.deferred]
        if LABEL in labels:
            client.remove_label(pr.number, LABEL)
        by = next((s.by_name or s.by for s in reversed(deferred) if s.by), None) or "-"
        verdict = MSG("on_time" if exp.in_time else "late")
        body = MSG("done", steps=", ".join(str(s.number) for s in deferred),
                   who=by.split(",")[0], at=local(exp.done_at, office_tz(pr.sop)),
                   verdict=verdict, due=local(exp.due, office_tz(pr.sop)))  # fmt: skip
        if pr.keep(body, create=False) or LABEL in labels:
            outcome.cleared.append(pr.number)
        return
    outcome.owed.append(pr.number)
    if LABEL not in labels:
        client.add_label(pr.number, LABEL, color=LABEL_COLOR, description=MSG("label"))
    parts = [MSG("owed", **pr.fields(role, statuses)) for role, statuses in owed.items()]
    if pr.keep("\n\n".join([*parts, MSG("how")]), create=True) or LABEL not in labels:
        outcome.marked.append(pr.number)
    if not exp.overdue:
        return
    head = pr.sop.expedited.role if pr.sop.expedited is not None else None
    for role, statuses in owed.items():
        fields = pr.fields(role, statuses)
        mark = marker(f"tenggat-{role}", pr.number)
        if not pr.written(mark):
            client.create_comment(pr.number, f"{MSG('reminder', **fields)}\n\n{MSG('how')}\n\n"
                                             f"{mark}\n")  # fmt: skip
            outcome.reminded.append(pr.number)
        mark = marker(f"eskalasi-{role}", pr.number)
        if head is not None and not pr.written(mark):
            people = _mentions(pr.roles, pr.sop, head, pr.when, pr.author)
            text = MSG("escalation", **{**fields, "people": people,
                                        "head": pr.roles.title(head, get_lang())})  # fmt: skip
            client.create_comment(pr.number, f"{text}\n\n{mark}\n")
            outcome.escalated.append(pr.number)


def remind(
    forge: GitHubForge, changes: list[Change] | None = None, when: datetime | None = None
) -> Outcome:
    """One pass over ``changes`` (default: the merged urgent PRs of the last ``RECENT`` days and
    those still labelled): mark what is owed, remind and escalate what is overdue, clear what
    was done. Idempotent."""
    when = when or clock_now()
    outcome = Outcome()
    if changes is None:
        changes = forge.merged_urgent(since=when - RECENT, label=LABEL)
    for change in changes:
        if change.state == "merged":
            _pass_one(_Pr(forge, change, when), outcome)
    return outcome
