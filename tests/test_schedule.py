"""The suite hands its longest work units to the workers first (tests/support/schedule.py)."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import OrderedDict
from pathlib import Path

import pytest

from tests.support.schedule import LONGEST_FIRST, group, longest_first

REPO_ROOT = Path(__file__).resolve().parent.parent
GROUP = re.compile(r"""xdist_group\(\s*["']([^"']+)["']""")


def test_the_listed_units_come_first_then_the_slow_ones_and_each_keeps_its_order() -> None:
    tests = [
        ("tests/a.py::t", None, False),
        ("tests/b.py::t1", "short", False),
        ("tests/c.py::t1", "long", False),
        ("tests/b.py::t2", "short", True),  # a slow test: its whole group moves up
        ("tests/c.py::t2", "long", False),
        ("tests/d.py::t", None, False),
        ("tests/e.py::t", "longer", False),
        ("tests/f.py::t", None, True),
    ]
    order = longest_first(tests, longest=("longer", "long", "tests/d.py"))
    assert order == [6, 2, 4, 5, 1, 3, 7, 0]


def test_a_group_is_named_as_pytest_xdist_names_it() -> None:
    marks = [pytest.mark.xdist_group("site").mark, pytest.mark.xdist_group("axe").mark]
    assert group(marks) == "axe_site"
    assert group([pytest.mark.xdist_group(name="web").mark]) == "web"
    assert group([]) is None


def _joins(name: str, groups: set[str]) -> bool:
    """``name`` is one group of ``groups`` or several joined with ``_`` (a test of two)."""
    return name in groups or any(
        name[:i] in groups and _joins(name[i + 1 :], groups)
        for i, c in enumerate(name) if c == "_"
    )  # fmt: skip


def test_every_listed_unit_is_a_group_or_a_file_of_the_suite() -> None:
    """A renamed group would silently lose its place at the front."""
    named = {m for path in (REPO_ROOT / "tests").rglob("*.py")
             for m in GROUP.findall(path.read_text(encoding="utf-8"))}  # fmt: skip
    assert {"site", "web-e2e"} <= named
    for entry in LONGEST_FIRST:
        assert _joins(entry, named) or (REPO_ROOT / entry).is_file(), entry


def test_the_suite_collects_the_longest_first_and_keeps_xdists_sort_off(
    pytestconfig: pytest.Config,
) -> None:
    assert getattr(pytestconfig.option, "loadscopereorder", False) is False
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
         "tests/cli/test_cli_main.py", "tests/publication/test_publication_truth.py"],
        cwd=REPO_ROOT, capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    ids = [line for line in done.stdout.splitlines() if "::" in line]
    assert ids[0].startswith("tests/publication/test_publication_truth.py::"), ids[:3]
    assert ids[-1].startswith("tests/cli/test_cli_main.py::"), ids[-3:]


def test_the_benchmark_replays_xdists_hand_out() -> None:
    """A worker is given one more unit as soon as two or fewer of its tests are left."""
    from benchmarks.suite_schedule import replay

    units = OrderedDict([("a", [10.0, 10.0, 10.0]), ("b", [30.0]), ("c", [5.0])])
    assert replay(units, workers=2) == [30.0, 35.0]  # c queued behind b, not after a
