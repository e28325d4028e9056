"""The gate applied to a change of the embedded forge, with the policy of the target branch."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from pipeline.change.model import Change
from pipeline.clock import now
from pipeline.config.roles import Roles
from pipeline.config.sop import Sop

if TYPE_CHECKING:
    from pipeline.forge.base import Forge
    from pipeline.gate import ProofEvent
    from pipeline.gate.report import GateReport


def policy(forge: Forge, tip: str) -> tuple[Sop, Roles]:
    """``sop.yml`` and ``roles.yml`` as they are at ``tip`` of the target branch."""
    from pipeline.gate import policy_at

    return policy_at(lambda path: forge.read_file(tip, path))


def reviewer_roles(sop: Sop) -> list[str]:
    """Roles that review in the SOP (checks, disposition, protected paths): they may reject."""
    return sorted({s.approver_role or s.role for s in sop.gate_steps} | {sop.protected_role})


def closers(sop: Sop, roles: Roles, author: str) -> set[str]:
    """Who may close a change: its submitter (withdrawal) or a current reviewer (rejection)."""
    return {author} | {p.id for role in reviewer_roles(sop) for p in roles.members(role)}


def evaluate(forge: Forge, change: Change, *, when: datetime | None = None) -> GateReport:
    """Run the gate on ``change`` with the policy of the tip it is compared with."""
    from pipeline.gate import ProofEvent
    from pipeline.gate import evaluate as gate_evaluate
    from pipeline.gate.drafts import check_lines

    sop, roles = policy(forge, change.base_sha)
    events: dict[str, ProofEvent] = {}
    if change.state == "merged":
        events.update(record_events(forge, change, sop))
        notices = forge.notices(change.id)
        if notices and "notice" not in events:
            first = notices[0]
            events["notice"] = ProofEvent(at=first.at, by=first.by, note=first.text[:80])
    return gate_evaluate(
        change,
        sop=sop,
        roles=roles,
        signatures_required=forge.signatures_required(),
        now=when or now(),
        events=events,
        checks=check_lines(forge, change),
        content_path=_content_path(forge),
    )


def _content_path(forge: Forge) -> str:
    settings = getattr(forge, "settings", None)
    return settings.content.path if settings is not None else "content"


def record_events(forge: Forge, change: Change, sop: Sop) -> dict[str, ProofEvent]:
    """Proofs of the steps after the merge (deploy, notice, record) from the completion record
    that publishing committed on main, so `terbit status` shows all steps once it exists."""
    import yaml

    from pipeline.gate import ProofEvent

    try:
        from pipeline.record.model import record_id
        from pipeline.record.store import RECORD_FILE
    except ImportError:  # publishing not installed: the steps stay pending
        return {}
    if not change.merge_sha:
        return {}
    settings = getattr(forge, "settings", None)
    folder = settings.publish.records_path.strip("/") if settings else "records"
    path = f"{folder}/{record_id(change.id, change.merge_sha)}/{RECORD_FILE}"
    try:
        record = yaml.safe_load(forge.read_file("main", path) or "") or {}
    except yaml.YAMLError:
        return {}
    proofs = {step.number: step.proof for step in sop.steps}
    events: dict[str, ProofEvent] = {}
    for row in record.get("steps") or [] if isinstance(record, dict) else []:
        proof = proofs.get(row.get("number"))
        ended = row.get("ended_at")
        if proof in ("deploy", "notice", "record") and row.get("state") == "done" and ended:
            who = (row.get("pelaksana") or {}).get("id")
            at = datetime.fromisoformat(str(ended).replace("Z", "+00:00"))
            events[proof] = ProofEvent(at=at, by=who)
    return events


def render(report: GateReport, lang: str | None = None) -> str:
    from pipeline.gate import render as gate_render
    from pipeline.i18n import get_lang

    return gate_render(report, lang or get_lang())
