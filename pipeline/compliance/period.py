"""The period a report covers: a month, a year, or an explicit from/to (inclusive days)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from pipeline.errors import ConfigError
from pipeline.i18n import MONTHS_ID, Catalog, long_date

MSG = Catalog(
    {
        "bad_month": (
            "--month '{value}' bukan bulan TTTT-BB (contoh 2026-11)",
            "--month '{value}' is not a YYYY-MM month (e.g. 2026-11)",
        ),
        "bad_year": (
            "--year '{value}' bukan tahun (contoh 2026)",
            "--year '{value}' is not a year",
        ),
        "bad_day": (
            "{option} '{value}' bukan tanggal TTTT-BB-HH",
            "{option} '{value}' is not a YYYY-MM-DD date",
        ),
        "order": ("--to tidak boleh sebelum --from", "--to must not be before --from"),
        "one": (
            "pilih satu periode: --month, --year, atau --from dengan --to",
            "choose one period: --month, --year, or --from with --to",
        ),
        "month_label": ("Bulan {month} {year}", "{month} {year}"),
        "year_label": ("Tahun {year}", "Year {year}"),
        "range_label": ("{start} s.d. {end}", "{start} to {end}"),
    }
)


@dataclass(frozen=True)
class Period:
    start: date  # first day, inclusive
    end: date  # last day, inclusive
    label: str  # "Bulan November 2026"
    slug: str  # "2026-11", used in file names

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def _day(option: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ConfigError(MSG("bad_day", option=option, value=value)) from None


def parse_period(
    month: str | None = None,
    year: str | None = None,
    start: str | None = None,
    end: str | None = None,
) -> Period:
    """The period chosen on the command line, or a located ConfigError."""
    chosen = [x is not None for x in (month, year, start or end)]
    if sum(chosen) != 1 or (start is None) != (end is None):
        raise ConfigError(MSG("one"))
    if month is not None:
        found = re.fullmatch(r"(\d{4})-(0[1-9]|1[0-2])", month.strip())
        if not found:
            raise ConfigError(MSG("bad_month", value=month))
        y, m = int(found[1]), int(found[2])
        first = date(y, m, 1)
        last = (date(y + (m == 12), m % 12 + 1, 1)) - timedelta(days=1)
        return Period(first, last, MSG("month_label", month=MONTHS_ID[m - 1], year=y), month)
    if year is not None:
        if not re.fullmatch(r"\d{4}", year.strip()):
            raise ConfigError(MSG("bad_year", value=year))
        y = int(year)
        return Period(date(y, 1, 1), date(y, 12, 31), MSG("year_label", year=y), str(y))
    first, last = _day("--from", start or ""), _day("--to", end or "")
    if last < first:
        raise ConfigError(MSG("order"))
    label = MSG("range_label", start=long_date(first), end=long_date(last))
    return Period(first, last, label, f"{first.isoformat()}_{last.isoformat()}")
