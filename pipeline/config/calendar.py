"""The office's working calendar (``calendar:`` in ``terbit.yml``) and working minutes.

The SOP's standard minutes (mutu baku) are working time: a change waiting over a weekend, a
national holiday, a cuti bersama day or the evening does not make anyone late. Office hours are
per weekday in the office's time zone (WIB, WITA or WIT); Indonesia's national holidays come from
the maintained ``holidays`` package; cuti bersama and the office's own closed days (and extra
working days, e.g. a Saturday service day) are listed in configuration.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

from pydantic import Field, field_validator

from pipeline.config.validate import Strict
from pipeline.i18n import Catalog

if TYPE_CHECKING:
    from holidays import HolidayBase

ZONES = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPAN = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]|24):([0-5]\d)$")

MSG = Catalog(
    {
        "bad_hours": (
            "jam kerja '{value}' tidak sesuai format JJ:MM-JJ:MM (contoh 07:30-16:00), "
            "atau jam selesai tidak setelah jam mulai",
            "office hours '{value}' must look like HH:MM-HH:MM (e.g. 07:30-16:00) and end "
            "after they start",
        ),
        "rule": (
            "Lama dihitung dalam menit kerja ({zone}; {hours}); waktu di luar jam itu, hari "
            "libur nasional, cuti bersama dan hari libur kantor tidak dihitung.",
            "Durations count working minutes ({zone}; {hours}); time outside those hours, "
            "national holidays, cuti bersama and office closed days do not count.",
        ),
        "wall_clock": (
            "Lama dihitung dalam menit jam dinding (kalender kerja tidak diatur).",
            "Durations count wall-clock minutes (no working calendar configured).",
        ),
        "author_rule": (
            "Setelah pemeriksa meminta perbaikan, waktu sampai staf mengirim perbaikan dicatat "
            'sebagai "perbaikan oleh staf", bukan waktu pemeriksa; setiap pemeriksa dihitung '
            "sejak dokumen sampai kepadanya.",
            "After a reviewer requests changes, the time until the staff member pushes the fix "
            'is recorded as "fixes by the author", not the reviewer\'s; each reviewer is '
            "measured from when the item reached them.",
        ),
        "day_names": ("Sen,Sel,Rab,Kam,Jum,Sab,Min", "Mon,Tue,Wed,Thu,Fri,Sat,Sun"),
        "closed": ("libur", "closed"),
    }
)


def _parse_span(value: str) -> tuple[time, time] | None:
    match = _SPAN.match(value.strip())
    if not match:
        return None
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    start = time(h1, m1)
    end = time(23, 59, 59, 999999) if h2 == 24 else time(h2, m2)
    return (start, end) if end > start else None


# The default working hours, weekday -> "HH:MM-HH:MM".
OFFICE_HOURS: dict[str, str | None] = {
    "mon": "07:30-16:00",
    "tue": "07:30-16:00",
    "wed": "07:30-16:00",
    "thu": "07:30-16:00",
    "fri": "07:30-16:30",
}


class CalendarSettings(Strict):
    """``calendar:`` in ``terbit.yml``. Defaults: Mon–Thu 07:30–16:00, Fri 07:30–16:30 WIB."""

    zone: Literal["WIB", "WITA", "WIT"] = "WIB"
    # Weekday → "HH:MM-HH:MM"; a day that is missing or null is not a working day.
    hours: dict[str, str | None] = Field(default_factory=lambda: dict(OFFICE_HOURS))
    national_holidays: bool = True  # Indonesia's public holidays (``holidays`` package)
    cuti_bersama: list[date] = Field(default_factory=list)  # the government's collective leave
    closed: list[date] = Field(default_factory=list)  # the office's own days off
    open: list[date] = Field(default_factory=list)  # extra working days (normal hours of Mon)

    @field_validator("hours")
    @classmethod
    def _hours(cls, value: dict[str, str | None]) -> dict[str, str | None]:
        for day, span in value.items():
            if day not in WEEKDAYS:
                raise ValueError(f"'{day}' ∉ {', '.join(WEEKDAYS)}")
            if span is not None and _parse_span(span) is None:
                raise ValueError(MSG("bad_hours", value=span))
        return value

    def build(self) -> WorkCalendar:
        spans: dict[int, tuple[time, time]] = {}
        for index, day in enumerate(WEEKDAYS):
            span = self.hours.get(day)
            parsed = _parse_span(span) if span else None  # the validator refused a bad span
            if parsed is not None:
                spans[index] = parsed
        return WorkCalendar(
            zone=self.zone,
            hours=spans,
            national_holidays=self.national_holidays,
            days_off=frozenset(self.cuti_bersama) | frozenset(self.closed),
            days_on=frozenset(self.open),
        )


@lru_cache(maxsize=64)
def _national(year: int) -> frozenset[date]:
    return frozenset(_indonesia(year).keys())


@lru_cache(maxsize=64)
def holiday_name(day: date) -> str | None:
    """The national holiday's name on ``day`` (Indonesian), or None."""
    return _indonesia(day.year, "id").get(day)


def _indonesia(year: int, language: str | None = None) -> HolidayBase:
    """Indonesia's national holidays of ``year``. The ``holidays`` package loads with the first
    working day counted: every push's hook imports this module and a review's push counts none
    (python -X importtime: 40 ms of start-up)."""
    import holidays

    return holidays.country_holidays("ID", years=year, language=language)


@dataclass(frozen=True)
class WorkCalendar:
    """When the office works; counts working minutes between two instants."""

    zone: str = "WIB"
    hours: dict[int, tuple[time, time]] = field(default_factory=dict)  # weekday → span
    national_holidays: bool = True
    days_off: frozenset[date] = frozenset()
    days_on: frozenset[date] = frozenset()

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(ZONES[self.zone])

    def span(self, day: date) -> tuple[time, time] | None:
        """Office hours on ``day`` (local), or None when the office is closed."""
        if day in self.days_off:
            return None
        if day in self.days_on:
            return (
                self.hours.get(day.weekday())
                or self.hours.get(0)
                or next(iter(self.hours.values()), None)
            )
        if self.national_holidays and day in _national(day.year):
            return None
        return self.hours.get(day.weekday())

    def is_working_day(self, day: date) -> bool:
        return self.span(day) is not None

    def working_seconds(self, start: datetime, end: datetime) -> float:
        """Seconds of office time in ``[start, end)``; 0 when ``end`` is not after ``start``."""
        if end <= start:
            return 0.0
        tz = self.tz
        local_start, local_end = start.astimezone(tz), end.astimezone(tz)
        total = 0.0
        day = local_start.date()
        while day <= local_end.date():
            span = self.span(day)
            if span is not None:
                open_at = datetime.combine(day, span[0], tz)
                close_at = datetime.combine(day, span[1], tz)
                lo, hi = max(open_at, local_start), min(close_at, local_end)
                if hi > lo:
                    total += (hi - lo).total_seconds()
            day += timedelta(days=1)
        return total

    def after(self, start: datetime, minutes: int) -> datetime:
        """The instant ``minutes`` working minutes after ``start`` (a deadline in working
        hours: 8 hours from Friday 15:30 ends Monday 14:30, not Saturday 07:30)."""
        tz = self.tz
        left = timedelta(minutes=minutes)
        local = start.astimezone(tz)
        day = local.date()
        # A calendar with no working day at all would never end: give up after ten years.
        for _ in range(3660):
            span = self.span(day)
            if span is not None:
                open_at = datetime.combine(day, span[0], tz)
                close_at = datetime.combine(day, span[1], tz)
                lo = max(open_at, local)
                if close_at > lo:
                    if lo + left <= close_at:
                        return (lo + left).astimezone(start.tzinfo)
                    left -= close_at - lo
            day += timedelta(days=1)
        return start + left

    def minutes(self, start: datetime, end: datetime) -> int:
        """Working minutes between two instants, rounded to the minute."""
        return round(self.working_seconds(start, end) / 60)

    def describe(self) -> str:
        """One sentence saying how durations are counted, for the record and reports."""
        names = MSG("day_names").split(",")
        groups: list[tuple[list[int], tuple[time, time] | None]] = []
        for index in range(7):
            span = self.hours.get(index)
            if groups and groups[-1][1] == span:
                groups[-1][0].append(index)
            else:
                groups.append(([index], span))
        parts = []
        for days, span in groups:
            label = names[days[0]] + (f"–{names[days[-1]]}" if len(days) > 1 else "")
            text = f"{span[0]:%H:%M}–{span[1]:%H:%M}" if span else MSG("closed")
            parts.append(f"{label} {text}")
        return MSG("rule", zone=self.zone, hours=", ".join(parts))


def author_rule() -> str:
    return MSG("author_rule")


def wall_clock_rule() -> str:
    return MSG("wall_clock")
