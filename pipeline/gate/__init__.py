"""The review gate: may this change be merged under the SOP? (pure; forge-independent)

``policy_at(read_file)`` loads ``sop.yml`` and ``roles.yml`` from the target branch;
``evaluate(change, sop=, roles=)`` returns a ``GateReport``; ``render(report)`` prints it.
"""

from __future__ import annotations

from pipeline.gate.policy import policy_at, policy_ref
from pipeline.gate.render import render
from pipeline.gate.report import GateReport, ProofEvent, StepState, StepStatus, StepTime
from pipeline.gate.rules import evaluate
from pipeline.gate.timing import at_time, step_at_time, timeline, timing_note

__all__ = [
    "GateReport",
    "ProofEvent",
    "StepState",
    "StepStatus",
    "StepTime",
    "at_time",
    "evaluate",
    "policy_at",
    "policy_ref",
    "render",
    "step_at_time",
    "timeline",
    "timing_note",
]
