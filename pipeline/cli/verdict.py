"""The gate's verdict on a change of the embedded forge as the commands show it: the steps after
the merge are proven by the completion record that publishing committed on main."""

from __future__ import annotations

from datetime import datetime

from pipeline.change.model import Change
from pipeline.forge.local.rules.policy import evaluate
from pipeline.forge.local.store.forge import BASE_BRANCH, LocalForge
from pipeline.gate import GateReport
from pipeline.record.proofs import record_proofs


def verdict(forge: LocalForge, change: Change, *, when: datetime | None = None) -> GateReport:
    """``change`` through the gate with the target branch's policy, every step it can prove."""
    proofs = record_proofs(
        lambda path: forge.read_file(BASE_BRANCH, path), forge.settings.publish.records_path
    )
    return evaluate(forge, change, when=when, proofs=proofs)
