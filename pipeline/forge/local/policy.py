"""The gate applied to a change of the embedded forge, with the policy of the target branch."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from pipeline.change.model import Change
from pipeline.config.roles import Roles
from pipeline.config.sop import Sop
from pipeline.errors import ConfigError
from pipeline.i18n import Catalog

if TYPE_CHECKING:
    from pipeline.forge.base import Forge
    from pipeline.gate.report import GateReport

MSG = Catalog(
    {
        "bad_now": (
            "TERBIT_NOW '{value}' bukan waktu ISO (contoh 2026-11-28T08:00:00+07:00)",
            "TERBIT_NOW '{value}' is not an ISO time (e.g. 2026-11-28T08:00:00+07:00)",
        ),
    }
)


def now() -> datetime:
    """The clock for records: real time, or TERBIT_NOW (the demo's simulated office day)."""
    value = os.environ.get("TERBIT_NOW")
    if not value:
        return datetime.now(UTC).replace(microsecond=0)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ConfigError(MSG("bad_now", value=value)) from None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


def policy(forge: Forge, tip: str) -> tuple[Sop, Roles]:
    """``sop.yml`` and ``roles.yml`` as they are at ``tip`` of the target branch."""
    from pipeline.gate import policy_at

    return policy_at(lambda path: forge.read_file(tip, path))


def evaluate(forge: Forge, change: Change, *, when: datetime | None = None) -> GateReport:
    """Run the gate on ``change`` with the policy of the tip it is compared with."""
    from pipeline.gate import ProofEvent
    from pipeline.gate import evaluate as gate_evaluate

    sop, roles = policy(forge, change.base_sha)
    events = {}
    if change.state == "merged":
        notices = forge.notices(change.id)
        if notices:
            first = notices[0]
            events["notice"] = ProofEvent(at=first.at, by=first.by, note=first.text[:80])
    return gate_evaluate(
        change,
        sop=sop,
        roles=roles,
        signatures_required=forge.signatures_required(),
        now=when or now(),
        events=events,
    )


def render(report: GateReport, lang: str | None = None) -> str:
    from pipeline.gate import render as gate_render
    from pipeline.i18n import get_lang

    return gate_render(report, lang or get_lang())
