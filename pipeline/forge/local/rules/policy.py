"""The gate applied to a change of the embedded forge, with the policy of the target branch."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from pipeline.change.model import Change
from pipeline.clock import now
from pipeline.config.roles import Roles
from pipeline.config.sop import Sop
from pipeline.forge.local.store.forge import LocalForge
from pipeline.gate import GateReport, ProofEvent, policy_at
from pipeline.gate import evaluate as gate_evaluate
from pipeline.gate import render as gate_render
from pipeline.i18n import get_lang
from pipeline.vcs import Repo

if TYPE_CHECKING:
    from pipeline.gate.drafts import DraftResults

# The proofs of the steps after the merge (deploy, notice, record) as a later stage found them,
# e.g. in the completion record: the forge itself only knows its notices.
Proofs = Callable[[Change, Sop], Mapping[str, ProofEvent]]


def policy(forge: LocalForge, tip: str) -> tuple[Sop, Roles]:
    """``sop.yml`` and ``roles.yml`` as they are at ``tip`` of the target branch."""
    return policy_at(lambda path: forge.read_file(tip, path))


def policy_on(repo: Repo, tip: str) -> tuple[Sop, Roles]:
    """The same, read straight from the server's repository (before any forge is opened)."""
    return policy_at(lambda path: repo.show_file(tip, path))


def reviewer_roles(sop: Sop) -> list[str]:
    """Roles that review in the SOP (checks, disposition, protected paths): they may reject."""
    return sorted({s.approver_role or s.role for s in sop.gate_steps} | {sop.protected_role})


def closers(sop: Sop, roles: Roles, author: str) -> set[str]:
    """Who may close a change: its submitter (withdrawal) or a current reviewer (rejection)."""
    return {author} | {p.id for role in reviewer_roles(sop) for p in roles.members(role)}


def page_check_required(forge: LocalForge, change: Change) -> bool:
    """``forge.page_check`` of ``terbit.yml`` on the target branch the change is compared with."""
    return forge.settings_at(change.base_sha).forge.page_check


def evaluate(
    forge: LocalForge,
    change: Change,
    *,
    when: datetime | None = None,
    proofs: Proofs | None = None,
    checked: DraftResults | None = None,
) -> GateReport:
    """Run the gate on ``change`` with the policy of the tip it is compared with; a merged
    change's later steps are proven by its notices and by ``proofs``. ``checked``: the draft
    checks' results of this change against its target, kept from before (else run here)."""
    sop, roles = policy(forge, change.base_sha)
    events: dict[str, ProofEvent] = {}
    if change.state == "merged":
        if proofs is not None:
            events.update(proofs(change, sop))
        notices = forge.notices(change.id)
        if notices and "notice" not in events:
            first = notices[0]
            events["notice"] = ProofEvent(at=first.at, by=first.by, note=first.text[:80])
    # The server runs the gate for a merge, not for a review's push; loaded here for start-up:
    # the draft checks add 50 ms to each hook's start-up (python -X importtime).
    from pipeline.gate.drafts import draft_results

    if checked is None:
        checked = draft_results(forge, change)
    report = gate_evaluate(
        change,
        sop=sop,
        roles=roles,
        signatures_required=forge.signatures_required(),
        now=when or now(),
        events=events,
        checks=None if checked is None else checked.lines,
        content_path=forge.settings.content.path,
        page_check=page_check_required(forge, change),
    )
    report.notes += checked.warnings if checked else []  # warnings (a future date): not blocking
    return report


def render(report: GateReport, lang: str | None = None) -> str:
    """The gate's table in ``lang`` (the user's language by default)."""
    return gate_render(report, lang or get_lang())
