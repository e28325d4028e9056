"""The gate: a pure function from a change's history, the SOP and the roles to a verdict.

Nothing here touches Git or the network, so both forges and the server hook share one
implementation, and every rule is tested by building ``Change`` objects directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from pipeline.change.model import Change
from pipeline.change.nota_dinas import NotaDinas, parse_nota_dinas
from pipeline.config.roles import Roles
from pipeline.config.sop import Expedited, Sop, Step, Withdrawal
from pipeline.draft.withdrawals import path_in
from pipeline.errors import InputError
from pipeline.gate.context import Context, Seen, describe
from pipeline.gate.messages import MSG, short_sha, when
from pipeline.gate.pagecheck import page_check_line
from pipeline.gate.paths import protected_files
from pipeline.gate.report import (
    ExpeditedStatus,
    GateReport,
    ProofEvent,
    StepState,
    StepStatus,
    WithdrawalStatus,
)
from pipeline.gate.timing import apply_timing, run_clock


def _first_approval(
    ctx: Context,
    role: str,
    bound: bool,
    after: int = -1,
    step: int = 0,
    proved: dict[str, set[str]] | None = None,
    own_only: bool = False,
) -> tuple[Seen | None, list[str], bool]:
    """Earliest approval by ``role`` that counts (after position ``after``), the reasons the
    earlier ones did not, and whether any of those was refused rather than merely stale.
    ``proved`` maps people to the roles whose steps they already proved on this change."""
    reasons: list[str] = []
    refused = False
    at_step = None if own_only else step  # a standing delegation covers only its steps
    for seen in ctx.reviews:
        review = seen.review
        if review.state != "approve" or seen.person is None:
            continue
        if not ctx.holds(seen, role, at_step) and not ctx.outside_window(seen, role, at_step):
            continue
        if own_only and role not in seen.person.roles:
            # Protected files (the SOP, roles.yml with its acting windows) need the head
            # themself: a Plh/Plt cannot widen their own assignment.
            reasons.append(describe(seen, MSG("acting_protected", who=seen.person.id)))
            refused = True
            continue
        why, stale = ctx.classify(seen, role, bound, at_step)
        if why is None and seen.pos <= after:
            why, stale = MSG("order", step=step), True
        others = (proved or {}).get(seen.person.id, set()) - {role}
        if why is None and others and ctx.acting(seen, role, at_step) is not None:
            # One person, one step: an acting official cannot also sign for another role.
            why = MSG("acting_twice", who=seen.person.id, role=ctx.role_title(role),
                      other=", ".join(ctx.role_title(r) for r in sorted(others)))  # fmt: skip
        if why is None:
            return seen, reasons, refused
        reasons.append(describe(seen, why))
        # Stale or out-of-order approvals are waiting for a new one; the rest were refused.
        refused |= not stale
    return None, reasons, refused


def _prove_gate_step(
    ctx: Context, step: Step, after: int, proved: dict[str, set[str]]
) -> tuple[Seen | None, list[str], bool]:
    """Earliest approval proving ``step`` after position ``after``; reasons; any refusal."""
    role = step.approver_role or step.role
    proof, reasons, refused = _first_approval(
        ctx, role, step.bound_to_head, after, step.number, proved
    )
    if proof is None and not ctx.roles.members(role):
        reasons.append(MSG("no_members", role=ctx.role_title(role)))
    return proof, reasons, refused


def _blocks(ctx: Context, gate_roles: set[str]) -> dict[str, Seen]:
    """Roles with a standing "changes requested": no later counted approval by that role."""
    blocked: dict[str, Seen] = {}
    for seen in ctx.reviews:
        if seen.review.state != "request_changes" or seen.void or seen.person is None:
            continue
        if seen.person.id in ctx.authors:  # authors answer with new commits, not a veto
            continue
        for role in ctx.roles_at(seen) & gate_roles:
            cleared = any(
                later.pos > seen.pos
                and later.review.state == "approve"
                and ctx.approval_problem(later, role, bound=False) is None
                for later in ctx.reviews
            )
            if not cleared:
                blocked[role] = seen
            else:
                blocked.pop(role, None)
    return blocked


def _status(step: Step, roles: Roles, state: StepState = "pending") -> StepStatus:
    return StepStatus(
        number=step.number,
        kegiatan=step.kegiatan,
        kegiatan_en=step.kegiatan_en,
        role=step.role,
        role_title=roles.title(step.role),
        proof=step.proof,
        state=state,
        gate=step.is_gate,
        minutes=step.minutes,
    )


def _mark_done(status: StepStatus, roles: Roles, by: str | None, at: datetime | None) -> None:
    status.state = "done"
    status.by = by
    person = roles.get(by)
    status.by_name = person.name if person else by
    status.at = at


def _non_gate_step(
    ctx: Context,
    step: Step,
    status: StepStatus,
    nota: NotaDinas | None,
    nota_error: str | None,
    events: Mapping[str, ProofEvent],
) -> None:
    change, roles = ctx.change, ctx.roles
    if step.proof == "draft_commit":
        if change.commits:
            first = change.commits[0]
            person = roles.by_email(first.author_email)
            by = first.signer or (person.id if person else change.author)
            _mark_done(status, roles, by, first.authored_at)
        else:
            status.reason = MSG("no_commits")
    elif step.proof == "change_opened":
        if nota is not None:
            _mark_done(status, roles, change.author, change.opened_at)
            status.reason = MSG("nota_ok", nomor=nota.nomor, tanggal=when(nota.tanggal))
        else:
            status.state = "refused"
            status.reason = nota_error or ""
    elif step.proof in events:
        event = events[step.proof]
        _mark_done(status, roles, event.by, event.at)
        status.reason = event.note
    elif step.proof == "merge" and change.state == "merged":
        _mark_done(status, roles, change.merged_by, change.merged_at)
    else:
        status.reason = MSG("after_merge") if change.state != "merged" else MSG("waiting_event")


def _requests(ctx: Context, role: str, since: int, until: int) -> list[datetime]:
    """When members of ``role`` asked for changes between two review positions."""
    return [
        seen.review.at
        for seen in ctx.reviews
        if since < seen.pos < until
        and seen.review.state == "request_changes"
        and not seen.void
        and role in ctx.roles_at(seen)
    ]


def evaluate(
    change: Change,
    *,
    sop: Sop,
    roles: Roles,
    signatures_required: bool = True,
    now: datetime | None = None,
    events: Mapping[str, ProofEvent] | None = None,
    checks: list[str] | None = None,
    content_path: str = "content",
    page_check: bool | None = None,
) -> GateReport:
    """Decide whether ``change`` may be merged under ``sop`` and ``roles`` (from the base).

    ``events`` carries proofs the change does not hold (``deploy``, ``notice``, ``record``);
    ``now`` lets pending steps show their running time. Neither affects the verdict.
    ``checks`` are the draft checks' findings on what the change lands (``None``: not run
    here, e.g. on GitHub where they are their own required status); ``content_path`` is the
    content folder of ``terbit.yml`` (outside it every file needs the head's approval).
    ``page_check``: whether the server's check of the head's pages is required (``terbit.yml``
    ``forge.page_check``; False shows the line as switched off; None: no line, e.g. GitHub,
    where the preview is its own check).
    """
    ctx = Context(change, sop, roles, signatures_required)
    problems: list[str] = []
    notes: list[str] = []
    nota: NotaDinas | None = None
    nota_error: str | None = None
    try:
        nota = parse_nota_dinas(change.nota_dinas_text, path=MSG("nota_path"))
    except InputError as bad:
        nota_error = str(bad)
        problems.append(MSG("nota_invalid", error=nota_error))
    if not change.commits:
        problems.append(MSG("no_commits"))
    for commit in change.commits:
        if commit.signer is None and roles.by_email(commit.author_email) is None:
            notes.append(
                MSG("unknown_author", sha=short_sha(commit.sha), email=commit.author_email)
            )
    if change.state == "closed":
        problems.append(MSG("closed"))

    gate_roles = {s.approver_role or s.role for s in sop.gate_steps} | {sop.protected_role}
    rule = withdrawal_rule(sop, change.files, content_path)
    if rule is not None:
        gate_roles |= set(rule.approve)
    blocked = _blocks(ctx, gate_roles)
    urgent = _urgent(sop, nota, problems) if rule is None else None
    deferrable = set(urgent.defer) if urgent is not None else set()
    owed: list[tuple[StepStatus, str]] = []  # deferrable steps not proven, with their problem
    statuses: list[StepStatus] = []
    after = -1  # position of the review proving the previous gate step (ordered SOPs)
    proved: dict[str, set[str]] = {}  # person -> roles whose steps they proved
    for step in sop.steps:
        status = _status(step, roles)
        statuses.append(status)
        if not step.is_gate:
            _non_gate_step(ctx, step, status, nota, nota_error, events or {})
            continue
        if rule is not None:  # the withdrawal path has its own approval instead
            status.skipped, status.reason = True, MSG("withdraw_skipped")
            continue
        role = step.approver_role or step.role
        proof, reasons, refused = _prove_gate_step(ctx, step, after if sop.ordered else -1, proved)
        if proof is not None:
            _mark_done(status, roles, proof.review.reviewer, proof.review.at)
            proved.setdefault(proof.review.reviewer, set()).add(role)
            if acting := ctx.acting(proof, role, step.number):
                status.acting_kind, status.acting_nomor = acting.kind, acting.nomor
            status.review_id = proof.review.id
            status.commit = proof.review.commit
            status.change_requests = _requests(ctx, role, after, proof.pos)
            status.corrections = len(status.change_requests)
            if status.corrections:
                status.reason = MSG("corrected", n=status.corrections)
            if status.acting_kind:
                acted = MSG("acting", kind=status.acting_kind, role=ctx.role_title(role),
                            nomor=status.acting_nomor)  # fmt: skip
                status.reason = "; ".join(x for x in (acted, status.reason) if x)
            # A deferrable step may come after the steps that follow it (a review done
            # retrospectively): it never moves the order of the others.
            if sop.ordered and step.number not in deferrable:
                after = proof.pos
        else:
            status.state = "refused" if refused else "pending"
            status.change_requests = _requests(ctx, role, after, len(ctx.reviews))
            status.reason = "; ".join(reasons) or MSG("waiting_approval", role=ctx.role_title(role))
            missing = MSG("step_missing", step=step.number, role=ctx.role_title(role))
            if step.number in deferrable:
                owed.append((status, missing))
                continue
            problems.append(missing)
            if sop.ordered:
                after = len(ctx.reviews)  # later gate steps cannot be proven before this one

    expedited = _expedite(ctx, urgent, nota, statuses, owed, problems, now)

    problems += _apply_blocks(ctx, blocked, statuses)

    withdrawal = None
    if rule is None:
        extra, protected = _protected(ctx, content_path)
    else:  # the list is the change's only file: the path's approval stands for the head's
        extra, protected, withdrawal = _withdrawal(ctx, rule, problems)
    if extra is not None and extra.state != "done":
        problems.append(MSG("protected_missing", role=ctx.role_title(sop.protected_role)))
    check_line = _checks(checks, roles)
    if checks:
        problems.append(MSG("checks_failed", n=len(checks), lines="\n    ".join(checks)))
    pages_line = None if page_check is None else page_check_line(change, page_check, problems)

    # Reviews that prove nothing and were not explained under a step: say why, once.
    step_roles = gate_roles
    for seen in ctx.reviews:
        review = seen.review
        if review.state != "approve":
            continue
        if seen.person is None or not (ctx.roles_at(seen) & step_roles):
            why = seen.void or MSG(
                "no_gate_role",
                who=review.reviewer,
                roles=", ".join(ctx.role_title(r) for r in sorted(step_roles)),
            )
            notes.append(describe(seen, why))
    if not signatures_required:
        # Counted although the signature failed: say so on each (the caller warns once that
        # checks are off; GitHub has no signatures at all, so ``None`` is not worth a word).
        notes += [
            MSG("bad_signature_counted", who=s.review.reviewer, at=when(s.review.at),
                note=s.review.signature_note or MSG("no_signature"))
            for s in ctx.reviews
            if s.review.signature_ok is False and not s.void
        ]  # fmt: skip

    report = GateReport(
        change_id=change.id,
        title=change.title,
        head_sha=change.head_sha,
        passed=not problems,
        steps=statuses,
        problems=problems,
        extra=[x for x in (extra, check_line, pages_line) if x is not None],
        notes=notes,
        nota_dinas=nota,
        signatures_required=signatures_required,
        protected_files=protected,
        evaluated_at=now,
        expedited=expedited,
        withdrawal=withdrawal,
    )
    apply_timing(report, change, sop)
    for status in statuses:
        if status.skipped:  # never started, never owed: no minutes to count
            status.started_at = status.ended_at = status.elapsed_minutes = None
            status.running, status.over_minutes, status.timing_note = False, 0, ""
    run_clock(report, change, sop, now)  # the only part the time decides (``at_time``)
    return report


def withdrawal_rule(sop: Sop, files: list[str], content_path: str = "content") -> Withdrawal | None:
    """sop.yml's withdrawal path when the change's only file is the withdrawals list."""
    if sop.withdrawal is None or list(files) != [path_in(content_path)]:
        return None
    return sop.withdrawal


def _withdrawal(
    ctx: Context, rule: Withdrawal, problems: list[str]
) -> tuple[StepStatus, list[str], WithdrawalStatus]:
    """The one approval of the withdrawal path, on the head commit, by a member of an approving
    role who did not write the change; the change opened by a member of an opening role."""
    roles, change = ctx.roles, ctx.change
    titles = ", ".join(ctx.role_title(r) for r in rule.open)
    author = roles.get(change.author)
    if author is None or not author.active or not set(author.roles) & set(rule.open):
        problems.append(MSG("withdraw_opener", roles=titles, who=change.author or "?"))
    result = WithdrawalStatus(opened_by=change.author)
    # Who it waits for ("Menunggu saya"): an approving role the opener does not hold.
    held = set(author.roles) if author is not None else set()
    waiting = next((r for r in rule.approve if r not in held), rule.approve[0])
    status = StepStatus(
        number=0,
        kegiatan=MSG("withdraw_activity"),
        role=waiting,
        role_title=" / ".join(ctx.role_title(r) for r in rule.approve),
        proof="approval",
        state="pending",
        gate=True,
        minutes=0,
    )
    found: list[tuple[Seen, str]] = []
    reasons: list[str] = []
    refused = False
    for role in rule.approve:
        proof, why, no = _first_approval(ctx, role, bound=True, own_only=True)
        if proof is not None:
            found.append((proof, role))
        reasons += [r for r in why if r not in reasons]
        refused |= no
    if found:
        proof, role = min(found, key=lambda pair: pair[0].pos)
        review = proof.review
        _mark_done(status, roles, review.reviewer, review.at)
        status.role, status.review_id, status.commit = role, review.id, review.commit
        result.approved_by, result.approved_at = review.reviewer, review.at
        result.review_id, result.role = review.id, role
    else:
        status.state = "refused" if refused else "pending"
        status.reason = "; ".join(reasons) or MSG("waiting_approval", role=status.role_title)
        problems.append(MSG("withdraw_missing", roles=status.role_title))
    return status, [], result


def _urgent(sop: Sop, nota: NotaDinas | None, problems: list[str]) -> Expedited | None:
    """sop.yml's expedited path when the nota dinas asks for it with a written reason; a
    "Sangat Segera" memo without one is refused at the line of its ``sifat``."""
    rule = sop.expedited
    if rule is None or nota is None or nota.sifat != rule.sifat:
        return None
    if not nota.alasan_segera:
        line = nota.sifat_line or nota.line
        problems.append(MSG("urgent_no_reason", path=MSG("nota_path"), line=line))
        return None
    return rule


def _expedite(
    ctx: Context,
    rule: Expedited | None,
    nota: NotaDinas | None,
    statuses: list[StepStatus],
    owed: list[tuple[StepStatus, str]],
    problems: list[str],
    now: datetime | None,
) -> ExpeditedStatus | None:
    """Take the expedited path when the opening role approved every step of its own that is
    not deferred; otherwise the deferrable steps block like any other."""
    openers = [
        s for s in statuses
        if s.gate and s.number not in (rule.defer if rule else ())
        and _approver(ctx.sop, s.number) == (rule.role if rule else None)
    ]  # fmt: skip
    if rule is None or nota is None or not openers or any(s.state != "done" for s in openers):
        problems += [missing for _, missing in owed]
        return None
    opener = openers[-1]
    deferred = [s for s in statuses if s.number in rule.defer]
    result = ExpeditedStatus(
        reason=nota.alasan_segera,
        approved_by=opener.by,
        approved_at=opener.at,
        steps=[s.number for s in deferred],
        within_hours=rule.within_hours,
    )
    change = ctx.change
    if change.state == "merged" and change.merged_at is not None:
        calendar = ctx.sop.calendar
        minutes = rule.within_hours * 60
        result.due = (
            calendar.after(change.merged_at, minutes)
            if calendar is not None
            else change.merged_at + timedelta(minutes=minutes)
        )
    if all(s.state == "done" for s in deferred):
        result.done_at = max((s.at for s in deferred if s.at is not None), default=None)
        if result.due is not None and result.done_at is not None:
            result.in_time = result.done_at <= result.due
    else:
        result.overdue = result.due is not None and now is not None and now > result.due
    for status in deferred:
        status.deferred = True
        note = _deferred_note(result, status)
        status.reason = "; ".join(x for x in (note, status.reason) if x)
    return result


def _deferred_note(result: ExpeditedStatus, status: StepStatus) -> str:
    if result.due is None:
        return "" if status.state == "done" else MSG("deferred_before", n=result.within_hours)
    due = when(result.due)
    if status.state == "done":
        late = status.at is not None and status.at > result.due
        return MSG("deferred_late" if late else "deferred_on_time", due=due)
    return MSG("deferred_overdue" if result.overdue else "deferred_due", due=due)


def _apply_blocks(ctx: Context, blocked: dict[str, Seen], statuses: list[StepStatus]) -> list[str]:
    """Show each standing change request on its role's next step (or its last one)."""
    problems = []
    for role, seen in blocked.items():
        targets = [s for s in statuses if s.gate and _approver(ctx.sop, s.number) == role]
        target = next((s for s in targets if s.state != "done"), targets[-1] if targets else None)
        text = MSG(
            "blocked",
            who=seen.review.reviewer,
            at=when(seen.review.at),
            body=_excerpt(seen.review.body),
            role=ctx.role_title(role),
        )
        problems.append(text)
        if target is None:
            continue
        waiting = MSG("waiting_approval", role=ctx.role_title(role))
        keep = target.state != "done" and target.reason not in ("", waiting)
        if target.state == "done":  # the earlier approval is superseded by the request
            target.by = target.by_name = target.at = target.review_id = target.commit = None
        target.state = "refused"
        target.reason = f"{text}; {target.reason}" if keep else text
    return problems


def _approver(sop: Sop, number: int) -> str | None:
    step = sop.step(number)
    return (step.approver_role or step.role) if step else None


def _excerpt(body: str, limit: int = 80) -> str:
    text = " ".join(body.split())
    if not text:
        return "-"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _checks(checks: list[str] | None, roles: Roles) -> StepStatus | None:
    """The line of the draft checks (``terbit check`` on every file the change lands)."""
    if checks is None:
        return None
    status = StepStatus(
        number=0,
        kegiatan=MSG("checks_activity"),  # in the language of the evaluation, like the rest
        role="",
        role_title="",
        proof="checks",
        state="refused" if checks else "done",
        gate=True,
        minutes=0,
    )
    if checks:
        shown = "; ".join(checks[:3]) + (" …" if len(checks) > 3 else "")
        status.reason = MSG("checks_reason", n=len(checks), first=shown)
    else:  # a tool is no person: the "by" column stays empty, the reason says what checked
        status.reason = MSG("checks_clean")
    return status


def _protected(ctx: Context, content_path: str) -> tuple[StepStatus | None, list[str]]:
    """The head's approval on the current head when the change touches a file outside the
    content model (or one ``protected.paths`` names): protection is an allow-list."""
    sop, roles = ctx.sop, ctx.roles
    files = protected_files(sop, ctx.change.files, content_path)
    if not files:
        return None, []
    role = sop.protected_role
    shown = ", ".join(files[:5]) + (" …" if len(files) > 5 else "")
    status = StepStatus(
        number=0,
        kegiatan=MSG("protected_activity", files=shown),
        role=role,
        role_title=roles.title(role),
        proof="approval",
        state="pending",
        gate=True,
        minutes=0,
    )
    proof, reasons, refused = _first_approval(ctx, role, bound=True, own_only=True)
    if proof is not None:
        review = proof.review
        _mark_done(status, roles, review.reviewer, review.at)
        status.review_id = review.id
        status.commit = review.commit
        return status, files
    status.state = "refused" if refused else "pending"
    status.reason = "; ".join(reasons) or MSG("waiting_approval", role=roles.title(role))
    return status, files
