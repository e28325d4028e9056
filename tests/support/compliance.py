"""A hand-computed month (November 2026) of completion records for the compliance report."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from benchmarks.recordgen import Spec

ROOT = Path(__file__).resolve().parents[2]

# Steps 1, 2, 5, 6, 7, 8 take 20, 10, 15, 5, 3, 2 minutes (all within) unless set here.
NOVEMBER = [
    Spec(day=date(2026, 11, 3), minutes={3: 50, 4: 8}),
    Spec(day=date(2026, 11, 10), minutes={3: 67, 4: 12}, author_fix={3: 28}, sifat="Segera"),
    Spec(day=date(2026, 11, 17), minutes={3: 30, 4: 5}, sifat="Sangat Segera",
         status="incomplete"),
    Spec(day=date(2026, 11, 24), minutes={3: 90, 4: 10}, acting={4: "budi"}),
]  # fmt: skip
OUTSIDE = [
    Spec(day=date(2026, 10, 20), minutes={3: 100}),  # October: only in the trend
    Spec(day=date(2026, 12, 1), minutes={3: 100}),  # December: not counted
]
