"""Every number of the compliance report, computed from the records alone (pure).

Minutes are the records' own (working minutes since issue 14). The median is the middle value
(mean of the two middle ones); the 90th percentile is the nearest-rank value (the smallest
value with at least 90 % of the values at or below it), so each figure is a minute that a record
actually holds or the midpoint of two, and can be checked by hand.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pipeline.change.model import Change

FAILED = {"gagal", "failed"}


def median(values: list[int]) -> float | None:
    return float(statistics.median(values)) if values else None


def p90(values: list[int]) -> int | None:
    """Nearest-rank 90th percentile."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[math.ceil(0.9 * len(ordered)) - 1]


@dataclass
class Stat:
    """Count, median, p90 and the share within the standard of a group of finished steps."""

    key: str
    label: str
    standard: int | None = None  # the step's standard (steps only)
    minutes: list[int] = field(default_factory=list)
    within: int = 0
    author_minutes: int = 0

    def add(self, elapsed: int, standard: int, author: int = 0) -> None:
        self.minutes.append(elapsed)
        self.within += elapsed <= standard
        self.author_minutes += author

    @property
    def count(self) -> int:
        return len(self.minutes)

    @property
    def median(self) -> float | None:
        return median(self.minutes)

    @property
    def p90(self) -> int | None:
        return p90(self.minutes)

    @property
    def share(self) -> float | None:
        """Share within the standard, 0–100 (one decimal)."""
        return round(100 * self.within / self.count, 1) if self.count else None

    @property
    def over(self) -> int:
        return self.count - self.within


@dataclass(frozen=True)
class Overdue:
    record_id: str
    change_id: str
    url: str | None
    judul: str
    step: int
    kegiatan: str
    person: str
    elapsed: int
    standard: int

    @property
    def over(self) -> int:
        return self.elapsed - self.standard


@dataclass(frozen=True)
class Closed:
    change_id: str
    title: str
    closed_by: str | None
    withdrawn: bool  # closed by its author (else: rejected by a reviewer role)
    reason: str


@dataclass(frozen=True)
class Urgent:
    """A publication on the expedited path ("Sangat Segera"): why, and the deferred review.

    ``state``: ``in_time`` / ``late`` (done, by or after ``tenggat``), ``overdue`` (not done
    and past it), ``owed`` (not done, not yet due or no clock given)."""

    record_id: str
    change_id: str
    judul: str
    alasan: str
    langkah: list[int]
    tenggat: datetime | None
    selesai: datetime | None
    state: str


@dataclass
class Figures:
    records: list[str]  # record ids counted, in order
    steps: list[Stat]
    roles: list[Stat]
    people: list[Stat]
    overdue: list[Overdue]
    # complete, incomplete, failed, retried, rolled_back, urgent, takedowns (withdrawals)
    outcomes: dict[str, int]
    closed: list[Closed]
    trend: list[tuple[str, int, float | None]]  # (YYYY-MM, publications, share within)
    total: Stat
    urgent: list[Urgent] = field(default_factory=list)  # expedited publications
    rollbacks: list[str] = field(default_factory=list)  # rollback record ids counted


def _months_back(end: date, n: int) -> list[str]:
    y, m = end.year, end.month
    out = []
    for _ in range(n):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def _finished(record: dict[str, Any]) -> Iterable[dict[str, Any]]:
    for step in record.get("steps") or []:
        if step.get("state") == "done" and isinstance(step.get("elapsed_minutes"), int):
            yield step


def compute(
    records: list[dict[str, Any]],
    *,
    everything: list[dict[str, Any]] | None = None,
    closed: list[Change] | None = None,
    end: date | None = None,
    trend_months: int = 12,
    followups: Mapping[str, datetime | None] | None = None,
    now: datetime | None = None,
    rollbacks: list[dict[str, Any]] | None = None,
) -> Figures:
    """The report's figures over ``records`` (already limited to the period).

    ``followups`` maps a change id to when its deferred review (expedited path) was done, as
    the forge holds it now -- the record, written at publication, predates it; ``now`` marks
    a review still owed past its deadline as overdue; ``rollbacks`` are the rollback records
    (``terbit rollback``) of the period, each a switch of the live site back."""
    ordered = sorted(records, key=lambda r: (r.get("_day") or date.min, str(r.get("id"))))
    steps: dict[int, Stat] = {}
    roles: dict[str, Stat] = {}
    people: dict[str, Stat] = {}
    total = Stat("total", "total")
    overdue: list[Overdue] = []
    urgent: list[Urgent] = []
    outcomes = dict.fromkeys(
        ("records", "complete", "incomplete", "failed", "retried", "rolled_back", "urgent",
         "takedowns"), 0,
    )  # fmt: skip
    for record in ordered:
        outcomes["records"] += 1
        status = str(record.get("status") or "")
        if status == "complete":
            outcomes["complete"] += 1
        elif status.lower() in FAILED:
            outcomes["failed"] += 1
        else:
            outcomes["incomplete"] += 1
        if int((record.get("publication") or {}).get("attempts") or 1) > 1:
            outcomes["retried"] += 1
        if isinstance(record.get("penarikan"), dict):  # an article withdrawn (issue 15 §2)
            outcomes["takedowns"] += 1
        change = record.get("change") or {}
        # Urgent means the expedited path was taken, not merely a memo marked "Segera".
        if isinstance(record.get("segera"), dict):
            outcomes["urgent"] += 1
            urgent.append(_urgent(record, change, followups or {}, now))
        for step in _finished(record):
            number = int(step.get("number") or 0)
            standard = int(step.get("standard_minutes") or 0)
            elapsed = int(step["elapsed_minutes"])
            author = int(step.get("perbaikan_staf_minutes") or 0)
            who = step.get("pelaksana") or {}
            role, role_title = str(who.get("role") or ""), str(who.get("role_title") or "")
            # "Plh. Kepala Satker" counts under the role itself.
            role_title = (
                role_title.split(". ", 1)[1] if role_title[:4] in ("Plh.", "Plt.") else (role_title)
            )
            stat = steps.setdefault(
                number, Stat(str(number), str(step.get("kegiatan") or ""), standard)
            )
            stat.add(elapsed, standard, author)
            roles.setdefault(role, Stat(role, role_title or role)).add(elapsed, standard, author)
            pid = str(who.get("id") or who.get("name") or "-")
            label = str(who.get("name") or pid)
            people.setdefault(pid, Stat(pid, label)).add(elapsed, standard, author)
            total.add(elapsed, standard, author)
            if elapsed > standard:
                overdue.append(
                    Overdue(
                        record_id=str(record.get("id")),
                        change_id=str(change.get("id") or ""),
                        url=change.get("url"),
                        judul=str(record.get("judul") or ""),
                        step=number,
                        kegiatan=str(step.get("kegiatan") or ""),
                        person=label,
                        elapsed=elapsed,
                        standard=standard,
                    )
                )
    outcomes["rolled_back"] = len(rollbacks or [])
    shut = [
        Closed(
            change_id=c.id,
            title=c.title,
            closed_by=c.closed_by,
            withdrawn=c.closed_by is not None and c.closed_by == c.author,
            reason=c.close_reason,
        )
        for c in closed or []
    ]
    trend: list[tuple[str, int, float | None]] = []
    if end is not None:
        by_month: dict[str, Stat] = defaultdict(lambda: Stat("m", "m"))
        counts: dict[str, int] = defaultdict(int)
        for record in everything if everything is not None else records:
            day = record.get("_day")
            if day is None or day > end:
                continue
            key = f"{day.year:04d}-{day.month:02d}"
            counts[key] += 1
            for step in _finished(record):
                by_month[key].add(
                    int(step["elapsed_minutes"]), int(step.get("standard_minutes") or 0)
                )
        trend = [
            (key, counts.get(key, 0), by_month[key].share if key in by_month else None)
            for key in _months_back(end, trend_months)
        ]
    return Figures(
        records=[str(r.get("id")) for r in ordered],
        steps=[steps[n] for n in sorted(steps)],
        roles=sorted(roles.values(), key=lambda s: s.label),
        people=sorted(people.values(), key=lambda s: s.label),
        overdue=sorted(overdue, key=lambda o: (-o.over, o.record_id, o.step)),
        outcomes=outcomes,
        closed=shut,
        trend=trend,
        total=total,
        urgent=urgent,
        rollbacks=sorted(str(r.get("id")) for r in rollbacks or []),
    )


def _when(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _urgent(
    record: dict[str, Any],
    change: dict[str, Any],
    followups: Mapping[str, datetime | None],
    now: datetime | None,
) -> Urgent:
    seg = record["segera"]
    change_id = str(change.get("id") or "")
    due = _when(seg.get("tenggat"))
    done = followups.get(change_id) or _when(seg.get("selesai"))
    if done is not None:
        state = "late" if due is not None and done > due else "in_time"
    elif due is not None and now is not None and now > due:
        state = "overdue"
    else:
        state = "owed"
    return Urgent(
        record_id=str(record.get("id")),
        change_id=change_id,
        judul=str(record.get("judul") or ""),
        alasan=str(seg.get("alasan") or ""),
        langkah=[int(n) for n in seg.get("langkah_ditunda") or []],
        tenggat=due,
        selesai=done,
        state=state,
    )
