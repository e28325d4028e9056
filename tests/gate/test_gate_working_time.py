"""The gate's timing is fair: working minutes only, and the author's fixing time is the author's."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

from pipeline.change.model import Push
from pipeline.config.calendar import CalendarSettings
from pipeline.gate import evaluate, policy_at, render, timeline
from tests.support.gate import ROOT, WIB, demo_change, review


def test_waiting_on_the_author_after_a_request_is_the_author_s_line(change, sop, roles):
    # Sari asked at 120, Rina pushed the fix at 150, Sari approved at 160; the change reached
    # Sari at 80: 80 minutes in all, 30 of them Rina's.
    report = evaluate(change, sop=sop, roles=roles)
    step3 = report.step(3)
    assert (step3.elapsed_minutes, step3.author_minutes) == (50, 30)
    assert step3.timing_note == "sesuai mutu baku" and step3.over_minutes == 0
    rows = {row.number: row for row in timeline(change, sop, report)}
    assert rows[3].author_minutes == 30 and rows[4].author_minutes == 0
    text = render(report)
    assert "50/60 mnt" in text
    assert "    ↳ perbaikan oleh staf: 30 mnt" in text
    assert "fixes by the author: 30 min" in render(report, "en")


def test_a_request_not_yet_answered_runs_on_the_author_s_clock(change, sop, roles):
    # Only the request (120) so far: at 200 the step has run 120 minutes, 80 of them Rina's.
    waiting = replace(change, reviews=change.reviews[:1], pushes=change.pushes[:1],
                      commits=change.commits[:1], head_sha=change.commits[0].sha)  # fmt: skip
    report = evaluate(waiting, sop=sop, roles=roles, now=change.opened_at + timedelta(minutes=120))
    step3 = report.step(3)
    assert step3.running and (step3.elapsed_minutes, step3.author_minutes) == (40, 80)


def _weekday_change():
    """The demo change moved to Friday 27 Nov 2026 14:00 WIB; the head approves on Monday."""
    base = demo_change()
    shift = datetime(2026, 11, 27, 14, 0, tzinfo=WIB) - base.commits[0].authored_at

    def move(value: datetime) -> datetime:
        return value + shift

    commits = [replace(c, authored_at=move(c.authored_at), committed_at=move(c.committed_at))
               for c in base.commits]  # fmt: skip
    reviews = [replace(r, at=move(r.at)) for r in base.reviews]
    monday = datetime(2026, 11, 30, 7, 38, tzinfo=WIB)
    reviews[2] = review("andi", "approve", base.head_sha, 0)
    reviews[2] = replace(reviews[2], at=monday)
    reviews[3] = replace(reviews[3], at=monday + timedelta(minutes=20))
    pushes = [Push(head=p.head, at=move(p.at), by=p.by) for p in base.pushes]
    return replace(base, opened_at=move(base.opened_at), commits=commits, reviews=reviews,
                   pushes=pushes)  # fmt: skip


def test_a_weekend_does_not_count_against_the_head(sop, roles):
    change = _weekday_change()
    wall = evaluate(change, sop=sop, roles=roles).step(4)
    office = replace(sop, calendar=CalendarSettings().build())
    fair = evaluate(change, sop=office, roles=roles).step(4)
    # Sari approved Fri 16:40, after the office closed at 16:30: the item reached Andi then;
    # Monday 07:30 → 07:38 is his only working time.
    assert wall.elapsed_minutes == 3 * 24 * 60 - 16 * 60 - 40 + 7 * 60 + 38
    assert wall.timing_note.startswith("melebihi mutu baku")
    assert fair.elapsed_minutes == 8 and fair.timing_note == "sesuai mutu baku"


def test_the_gate_reads_the_calendar_of_the_target_branch(sop, roles):
    files = {
        "sop.yml": (ROOT / "sop.yml").read_text(encoding="utf-8"),
        "roles.yml": (ROOT / "roles.yml").read_text(encoding="utf-8"),
        "terbit.yml": "calendar:\n  zone: WIB\n  closed: [2026-11-30]\n",
    }
    loaded, _ = policy_at(files.get)
    assert loaded.calendar is not None and not loaded.calendar.is_working_day(date(2026, 11, 30))
    step4 = evaluate(_weekday_change(), sop=loaded, roles=roles).step(4)
    assert step4.elapsed_minutes == 0  # Monday is an office closed day
    default, _ = policy_at(lambda path: None if path == "terbit.yml" else files[path])
    assert default.calendar is not None and default.calendar.zone == "WIB"
