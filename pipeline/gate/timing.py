"""Time per SOP step against its standard (Mutu Baku: Waktu).

A step starts when the step before it ended and ends at the event that proves it; step 1
starts at the draft's first authored commit and ends with the last commit before the change
was opened (the rest of the time until then is step 2, writing the nota dinas).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from pipeline.change.model import Change
from pipeline.config.sop import Sop
from pipeline.gate.messages import MSG
from pipeline.gate.report import StepStatus, StepTime

if TYPE_CHECKING:
    from pipeline.gate.report import GateReport


def minutes_between(start: datetime, end: datetime) -> int:
    return max(0, round((end - start).total_seconds() / 60))


def timing_note(elapsed: int, standard: int) -> str:
    return MSG("within") if elapsed <= standard else MSG("over", n=elapsed - standard)


def _draft_end(change: Change) -> datetime | None:
    if not change.commits:
        return None
    before = [c.committed_at for c in change.commits if c.committed_at <= change.opened_at]
    return max(before) if before else change.commits[0].committed_at


def apply_timing(report: GateReport, change: Change, sop: Sop, now: datetime | None) -> None:
    """Fill started/ended/elapsed/timing note of each step of ``report`` in place."""
    by_number = {s.number: s for s in sop.steps}
    previous: StepStatus | None = None
    ends: list[datetime] = []
    for status in report.steps:
        step = by_number.get(status.number)
        first = change.commits[0].authored_at if change.commits else None
        if status.state == "done":
            end = status.at
            if step is not None and step.proof == "draft_commit":
                end = _draft_end(change) or status.at
                status.at = end
            if end is None:
                previous = status
                continue
            earlier = [e for e in ends if e <= end]
            if earlier:
                start = max(earlier)
            elif first is not None and first <= end:
                start = first
            elif change.opened_at <= end:
                start = change.opened_at
            else:
                start = end
            status.started_at, status.ended_at = start, end
            status.elapsed_minutes = minutes_between(start, end)
            status.over_minutes = max(0, status.elapsed_minutes - status.minutes)
            status.timing_note = timing_note(status.elapsed_minutes, status.minutes)
            ends.append(end)
        elif previous is not None and previous.state == "done" and previous.ended_at:
            status.started_at = previous.ended_at
            if now is not None and now >= previous.ended_at:
                status.elapsed_minutes = minutes_between(previous.ended_at, now)
                status.running = True
                status.over_minutes = max(0, status.elapsed_minutes - status.minutes)
                status.timing_note = MSG("running", n=status.elapsed_minutes)
        previous = status


def timeline(change: Change, sop: Sop, report: GateReport) -> list[StepTime]:
    """The timing table of a report (one row per SOP step), for status and records."""
    del change, sop  # the report already carries the timing; kept for a stable signature
    return [
        StepTime(
            number=s.number,
            kegiatan=s.kegiatan,
            role=s.role,
            by=s.by,
            by_name=s.by_name,
            started_at=s.started_at,
            ended_at=s.ended_at,
            elapsed_minutes=s.elapsed_minutes,
            standard_minutes=s.minutes,
            over_minutes=s.over_minutes,
            note=s.timing_note,
        )
        for s in report.steps
    ]
