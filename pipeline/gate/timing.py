"""Time per SOP step against its standard (Mutu Baku: Waktu).

A step starts when the step before it ended (when the item reached its person) and ends at the
event that proves it; step 1 starts at the draft's first authored commit and ends with the last
commit before the change was opened (the rest of the time until then is step 2, writing the
nota dinas). Durations are working minutes of the office's calendar (``sop.calendar``; wall-clock
without one). After a reviewer asks for changes, the time until the author's next push is the
author's ("perbaikan oleh staf"), shown on its own line and not counted against the reviewer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
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


def _answer(change: Change, asked: datetime) -> datetime | None:
    """When the author answered a request for changes: the next push (or commit) after it."""
    later = [p.at for p in change.pushes if p.at > asked]
    if not later:
        later = [c.committed_at for c in change.commits if c.committed_at > asked]
    return min(later) if later else None


def _author_spans(
    change: Change, requests: list[datetime], start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """The author's fixing time inside ``[start, end]``, as disjoint spans."""
    spans: list[tuple[datetime, datetime]] = []
    for asked in sorted(requests):
        lo = max(asked, start)
        hi = min(_answer(change, asked) or end, end)
        if hi <= lo:
            continue
        if spans and lo <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], hi))
        else:
            spans.append((lo, hi))
    return spans


def _measure(
    status: StepStatus,
    change: Change,
    count: Callable[[datetime, datetime], int],
    start: datetime,
    end: datetime,
) -> None:
    """Elapsed working minutes of the step's own person, and the author's share apart."""
    spans = _author_spans(change, status.change_requests, start, end)
    author = sum(count(lo, hi) for lo, hi in spans)
    status.author_minutes = author
    status.elapsed_minutes = max(0, count(start, end) - author)
    status.over_minutes = max(0, status.elapsed_minutes - status.minutes)


def _counter(sop: Sop) -> Callable[[datetime, datetime], int]:
    return sop.calendar.minutes if sop.calendar is not None else minutes_between


def apply_timing(report: GateReport, change: Change, sop: Sop) -> None:
    """Fill started/ended/elapsed/timing note of each step of ``report`` in place; a pending
    step after a done one gets its start only (``run_clock`` measures it against a time)."""
    count = _counter(sop)
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
            _measure(status, change, count, start, end)
            status.timing_note = timing_note(status.elapsed_minutes or 0, status.minutes)
            ends.append(end)
        elif previous is not None and previous.state == "done" and previous.ended_at:
            status.started_at = previous.ended_at
        previous = status


def _running(status: StepStatus) -> bool:
    return status.state != "done" and status.started_at is not None and not status.skipped


def run_clock(report: GateReport, change: Change, sop: Sop, now: datetime | None) -> None:
    """What of ``report`` depends on the time, measured to ``now`` in place: the minutes so
    far of a step that has started and is not done, an expedited change's lateness."""
    report.evaluated_at = now
    if now is None:
        return
    count = _counter(sop)
    for status in report.steps:
        _run_step(status, change, count, now)
    expedited = report.expedited
    if expedited is not None and expedited.due is not None and expedited.done_at is None:
        expedited.overdue = now > expedited.due  # deferred steps still owed past their time


def _run_step(
    status: StepStatus, change: Change, count: Callable[[datetime, datetime], int], now: datetime
) -> None:
    if _running(status) and status.started_at is not None and now >= status.started_at:
        _measure(status, change, count, status.started_at, now)
        status.running = True
        status.timing_note = MSG("running", n=status.elapsed_minutes)


def step_at_time(status: StepStatus, change: Change, sop: Sop, now: datetime) -> StepStatus:
    """One step of a report kept without the clock as ``at_time`` would make it (a copy when
    it runs): for a reader that shows a few steps of many reports."""
    if not _running(status):
        return status
    timed = replace(status)
    _run_step(timed, change, _counter(sop), now)
    return timed


def at_time(report: GateReport, change: Change, sop: Sop, now: datetime) -> GateReport:
    """A copy of ``report`` (evaluated with no time: nothing running) as it reads at ``now``;
    ``report`` itself stays as it is, so a reader may keep it across minutes and pay only
    for the steps that run."""
    steps = [replace(s) if _running(s) else s for s in report.steps]
    expedited = replace(report.expedited) if report.expedited is not None else None
    timed = replace(report, steps=steps, expedited=expedited)
    run_clock(timed, change, sop, now)
    return timed


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
            author_minutes=s.author_minutes,
        )
        for s in report.steps
    ]
