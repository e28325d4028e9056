"""The demo's simulated day lies inside office hours, on a working day, before now."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from pipeline.cli.demo.story import SCHEDULE, demo_start
from pipeline.config.calendar import CalendarSettings

WIB = timezone(timedelta(hours=7))
LENGTH = timedelta(minutes=SCHEDULE["merge"])


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # Tuesday afternoon: the same morning, 08:00 (opening 07:30 + 30 minutes).
        (datetime(2026, 12, 1, 15, 0, tzinfo=WIB), datetime(2026, 12, 1, 8, 0, tzinfo=WIB)),
        # Monday 09:00 is too early for a whole story today: the Friday before.
        (datetime(2026, 11, 30, 9, 0, tzinfo=WIB), datetime(2026, 11, 27, 8, 0, tzinfo=WIB)),
        # Sunday night: Friday.
        (datetime(2026, 11, 29, 22, 0, tzinfo=WIB), datetime(2026, 11, 27, 8, 0, tzinfo=WIB)),
        # Christmas (a national holiday, Friday): Thursday 24 December.
        (datetime(2026, 12, 25, 14, 0, tzinfo=WIB), datetime(2026, 12, 24, 8, 0, tzinfo=WIB)),
        # Late evening (the 16:23–20:08 run): that morning.
        (datetime(2026, 12, 1, 20, 10, tzinfo=WIB), datetime(2026, 12, 1, 8, 0, tzinfo=WIB)),
    ],
)
def test_the_story_runs_inside_office_hours(now: datetime, expected: datetime) -> None:
    office = CalendarSettings().build()
    start = demo_start(now, office)
    assert start == expected
    assert start + LENGTH <= now
    # Every minute of the story is working time.
    assert office.minutes(start, start + LENGTH) == SCHEDULE["merge"]


def test_cuti_bersama_moves_the_story_to_the_day_before() -> None:
    office = CalendarSettings(cuti_bersama=[date(2026, 12, 24)]).build()
    start = demo_start(datetime(2026, 12, 25, 14, 0, tzinfo=WIB), office)
    assert start == datetime(2026, 12, 23, 8, 0, tzinfo=WIB)
