"""A pytest plugin that writes each test's time (setup + call + teardown) and xdist group to a
JSON file, for ``benchmarks.suite_schedule``::

    TERBIT_DURATIONS=/tmp/d.json .venv/bin/python -m pytest tests/web -n 0 \
        -p tests.support.durations

Off unless TERBIT_DURATIONS names the file (rows: node id, group or null, marked slow, seconds).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.support.schedule import group

_units: dict[str, tuple[str | None, bool]] = {}
_seconds: dict[str, float] = {}


@pytest.hookimpl(tryfirst=True)  # before xdist adds the group to the node id
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for i in items:
        _units[i.nodeid] = (
            group(i.iter_markers("xdist_group")),
            bool(i.get_closest_marker("slow")),
        )


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _seconds[report.nodeid] = _seconds.get(report.nodeid, 0.0) + report.duration


def pytest_sessionfinish(session: pytest.Session) -> None:
    out = os.environ.get("TERBIT_DURATIONS")
    if out:
        rows = [[nodeid, *_units.get(nodeid, (None, False)), round(s, 3)]
                for nodeid, s in _seconds.items()]  # fmt: skip
        Path(out).write_text(json.dumps(rows, indent=0), encoding="utf-8")
