"""Working minutes against hand-computed cases: weekends, holidays, cuti bersama, evenings."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from pipeline.config.calendar import CalendarSettings
from pipeline.config.settings import parse_settings
from pipeline.errors import ConfigError

WIB = timezone(timedelta(hours=7))


def t(day: str, hhmm: str, tz: timezone = WIB) -> datetime:
    return datetime.fromisoformat(f"{day}T{hhmm}:00").replace(tzinfo=tz)


@pytest.fixture
def office():
    """The default calendar: Mon–Thu 07:30–16:00, Fri 07:30–16:30 WIB, national holidays."""
    return CalendarSettings(cuti_bersama=[date(2026, 12, 24)]).build()


def test_a_weekend_wait_counts_only_friday_afternoon_and_monday_morning(office):
    # Fri 27 Nov 15:00 → 16:30 = 90; Sat, Sun = 0; Mon 30 Nov 07:30 → 08:30 = 60.
    assert office.minutes(t("2026-11-27", "15:00"), t("2026-11-30", "08:30")) == 150


def test_a_national_holiday_and_a_cuti_bersama_day_do_not_count(office):
    # Wed 23 Dec 15:00 → 16:00 = 60; Thu 24 Dec cuti bersama; Fri 25 Dec Natal; weekend;
    # Mon 28 Dec 07:30 → 08:00 = 30.
    assert office.minutes(t("2026-12-23", "15:00"), t("2026-12-28", "08:00")) == 90
    without_cuti = CalendarSettings().build()
    assert without_cuti.minutes(t("2026-12-23", "15:00"), t("2026-12-28", "08:00")) == 90 + 510


def test_a_holiday_alone_is_a_closed_day(office):
    # Mon 17 Aug 2026 is Hari Kemerdekaan: Fri 14 Aug 16:00 → Tue 18 Aug 08:00 = 30 + 30.
    assert office.minutes(t("2026-08-14", "16:00"), t("2026-08-18", "08:00")) == 60
    assert not office.is_working_day(date(2026, 8, 17))


def test_late_evening_events_count_from_the_next_opening(office):
    # Tue 1 Dec 20:15 → Wed 2 Dec 09:00: only 07:30 → 09:00 = 90.
    assert office.minutes(t("2026-12-01", "20:15"), t("2026-12-02", "09:00")) == 90
    # Tue 14:00 → 20:00 the same day: 14:00 → 16:00 = 120.
    assert office.minutes(t("2026-12-01", "14:00"), t("2026-12-01", "20:00")) == 120
    # Entirely in the evening: nothing.
    assert office.minutes(t("2026-12-01", "17:00"), t("2026-12-01", "23:00")) == 0


def test_the_time_zone_is_the_office_s_own():
    # 06:45 → 07:45 WIB is 07:45 → 08:45 WITA: 15 working minutes in Medan, 60 in Makassar.
    wib = CalendarSettings().build()
    wita = CalendarSettings(zone="WITA").build()
    assert wib.minutes(t("2026-12-01", "06:45"), t("2026-12-01", "07:45")) == 15
    assert wita.minutes(t("2026-12-01", "06:45"), t("2026-12-01", "07:45")) == 60


def test_office_closed_and_extra_open_days():
    cal = CalendarSettings(closed=[date(2026, 12, 2)], open=[date(2026, 12, 5)]).build()
    # Wed 2 Dec closed: Tue 15:00 → Thu 08:00 = 60 + 30.
    assert cal.minutes(t("2026-12-01", "15:00"), t("2026-12-03", "08:00")) == 90
    # Sat 5 Dec is a working day: 07:30 → 10:30 = 180.
    assert cal.minutes(t("2026-12-05", "07:00"), t("2026-12-05", "10:30")) == 180


def test_calendar_in_terbit_yml_is_validated_with_the_line():
    text = "calendar:\n  zone: WIB\n  hours:\n    mon: '07:30-16:00'\n    fri: '16:30-07:30'\n"
    with pytest.raises(ConfigError) as bad:
        parse_settings(text)
    assert bad.value.line == 3  # the hours mapping
    assert "JJ:MM-JJ:MM" in str(bad.value)
    with pytest.raises(ConfigError) as zone:
        parse_settings("calendar:\n  zone: CET\n")
    assert zone.value.line == 2 and "'WIB', 'WITA', 'WIT'" in str(zone.value)
    cal = parse_settings(
        "calendar:\n  zone: WIT\n  cuti_bersama: [2026-12-24]\n  hours:\n    mon: '08:00-12:00'\n"
    ).calendar.build()
    assert cal.zone == "WIT" and cal.span(date(2026, 12, 7)) is not None
    assert cal.span(date(2026, 12, 8)) is None  # Tuesday is not listed: closed


def test_the_rule_is_described_in_words(office):
    text = office.describe()
    assert "menit kerja (WIB; Sen–Kam 07:30–16:00, Jum 07:30–16:30, Sab–Min libur)" in text
    assert "cuti bersama" in text


def test_a_deadline_in_working_hours_skips_the_weekend(office):
    # Fri 27 Nov 15:30 + 8 working hours: 60 min on Friday (to 16:30), 420 on Monday from
    # 07:30 → Mon 30 Nov 14:30.
    assert office.after(t("2026-11-27", "15:30"), 8 * 60) == t("2026-11-30", "14:30")
    # Starting on a Saturday evening counts from Monday's opening.
    assert office.after(t("2026-11-28", "20:00"), 60) == t("2026-11-30", "08:30")
    # Over Christmas: Thu 24 Dec cuti bersama, Fri 25 Dec Natal, weekend.
    assert office.after(t("2026-12-23", "15:30"), 60) == t("2026-12-28", "08:00")
