"""Benchmark: how long `pytest -n 2 --dist loadgroup` takes from each test's time, in the order
pytest-xdist would hand out the work units by itself (most tests first) and in this suite's
order (tests/support/schedule.py: the longest units first).

    TERBIT_DURATIONS=/tmp/d.json .venv/bin/python -m pytest tests/site -n 0 \
        -p tests.support.durations
    .venv/bin/python -m benchmarks.suite_schedule /tmp/d.json [more.json …] [--workers 2]

Replays xdist's loadgroup scheduler (a worker gets one more unit whenever two or fewer of its
tests are left) over the recorded times and prints each order's end, the two workers' loads
and the longest units: the figures to keep LONGEST_FIRST up to date with.
"""

from __future__ import annotations

import argparse
import json
from collections import OrderedDict
from pathlib import Path

from tests.support.schedule import longest_first

Row = tuple[str, str | None, bool, float]


def _units(rows: list[Row]) -> OrderedDict[str, list[float]]:
    units: OrderedDict[str, list[float]] = OrderedDict()
    for nodeid, name, _slow, seconds in rows:
        units.setdefault(name or nodeid, []).append(seconds)
    return units


def replay(units: OrderedDict[str, list[float]], workers: int) -> list[float]:
    """Each worker's busy seconds when xdist hands out ``units`` in their order."""
    queue = OrderedDict(units)
    clock = [0.0] * workers
    pending: list[list[float]] = [[] for _ in range(workers)]

    def give(w: int) -> None:
        if queue:
            pending[w].extend(queue.popitem(last=False)[1])

    for w in range(workers):
        give(w)
    for w in range(workers):
        if len(pending[w]) <= 2:
            give(w)
    while any(pending):
        w = min((w for w in range(workers) if pending[w]), key=lambda w: clock[w] + pending[w][0])
        clock[w] += pending[w].pop(0)
        if len(pending[w]) <= 2:
            give(w)
    return clock


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args(argv)
    rows: list[Row] = []
    for path in args.files:
        rows += [(n, g, bool(slow), float(s))
                 for n, g, slow, s in json.loads(path.read_text(encoding="utf-8"))]  # fmt: skip
    rows.sort(key=lambda row: row[0].split("::", 1)[0])  # the collection's order of files
    by_count = OrderedDict(sorted(_units(rows).items(), key=lambda unit: -len(unit[1])))
    order = longest_first([(n, g, slow) for n, g, slow, _ in rows])
    ours = _units([rows[i] for i in order])
    print(f"{len(rows)} tests, {sum(r[3] for r in rows):.0f} s on one worker")
    for label, units in (("xdist's sort (most tests first)", by_count), ("longest first", ours)):
        loads = replay(units, args.workers)
        print(f"{label}: {max(loads):.0f} s  (workers {', '.join(f'{s:.0f}' for s in loads)})")
    totals = sorted(((sum(s), name) for name, s in _units(rows).items()), reverse=True)
    for seconds, name in totals[: args.top]:
        print(f"{seconds:8.1f} s  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
