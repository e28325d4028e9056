"""The steps after the merge (deploy, notice, record) as a completion record on main proves them,
so ``terbit status`` and ``terbit gate`` show every step once publishing has recorded it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import yaml

from pipeline.change.model import Change
from pipeline.config.sop import Sop
from pipeline.gate import ProofEvent
from pipeline.record.model import record_id
from pipeline.record.store import RECORD_FILE

AFTER_MERGE = ("deploy", "notice", "record")


def record_proofs(
    read_main: Callable[[str], str | None], records_path: str
) -> Callable[[Change, Sop], dict[str, ProofEvent]]:
    """For a merged change: its record's finished steps after the merge, by proof name.
    ``read_main`` reads a file on main; a missing or unreadable record proves nothing."""

    def proofs(change: Change, sop: Sop) -> dict[str, ProofEvent]:
        if not change.merge_sha:
            return {}
        path = f"{records_path.strip('/')}/{record_id(change.id, change.merge_sha)}/{RECORD_FILE}"
        try:
            record = yaml.safe_load(read_main(path) or "") or {}
        except yaml.YAMLError:
            return {}
        by_number = {step.number: step.proof for step in sop.steps}
        events: dict[str, ProofEvent] = {}
        for row in record.get("steps") or [] if isinstance(record, dict) else []:
            proof = by_number.get(row.get("number"))
            ended = row.get("ended_at")
            if proof in AFTER_MERGE and row.get("state") == "done" and ended:
                who = (row.get("pelaksana") or {}).get("id")
                at = datetime.fromisoformat(str(ended).replace("Z", "+00:00"))
                events[proof] = ProofEvent(at=at, by=who)
        return events

    return proofs
