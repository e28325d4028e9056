"""The order in which `pytest -n 2 --dist loadgroup` hands work to its workers.

pytest-xdist gives each worker one work unit at a time (an ``xdist_group``, else one test) and
takes the units in collection order; by default it first sorts them by their number of tests,
so a group of many quick tests went before a group of a few long ones, and the longest groups
(a publication module's one office: three minutes on one worker) could start last, with the
other worker idle at the end. The suite therefore starts the longest units first (the tests of
a unit keep their order: they may build on each other) and turns xdist's own sort off.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pytest import Mark

# The longest work units, longest first: an xdist group's name or a test file (its tests of no
# group). After them the units with a test marked ``slow``, then the rest. Seconds on one
# worker: "clean" from the last clean-clone run (README); "load 14" from `pytest -n 0` on
# 2 Dec 2026 13:30-14:00 UTC with the machine at load 12-15 (about 2x the clean figures);
# "load 8-15" from 16:38-16:56 UTC (tests/web after its passwords and keys got cheap); else
# load 4-8; the command that replays the schedule from such times is in docs/benchmarks.md
# ("Lama seluruh uji"). The publication modules are three units each (one office per unit).
LONGEST_FIRST: tuple[str, ...] = (
    "publication-truth-resumed",  # 287 s (load 14)
    "publication-truth",  # 284 s (load 14): the failed publication and what reads it
    "publication-flow-killed",  # 209 s (load 14)
    "publication-truth-notice",  # 204 s (load 14)
    "publication-flow-merges",  # 178 s (load 14)
    "web-browser",  # 149 s (load 8-15)
    "web-guide",  # 128 s (load 12-14), 99 s (clean)
    "web-cache",  # 74-135 s (load 8-15)
    "web-e2e",  # 131 s (load 8-15), 57 s (clean)
    "publication-warm",  # 109 s (loaded), 73 s (clean)
    "web-admin",  # 92 s (load 8-15)
    "web-cli",  # 39-72 s (load 8-15)
    "publication-flow",  # 59 s (load 14): the first publication and what reads it
    "tests/github/test_github_deferred_review.py",  # 57 s (clean)
    "web-data_dukung",  # 55-64 s (load 8-15)
    "publication-withdraw",  # 52 s (clean), 77 s (load 4)
    "publication-service",  # 51 s (clean)
    "tests/github/test_github_withdraw.py",  # 49 s (clean)
    "site-axe-desktop",  # 37 s (clean)
    "site-axe-phone",  # 35 s (clean)
    "tests/github/test_github_correction.py",  # 34 s (clean)
    "tests/cli/test_cli_demo.py",  # 28, 27 and about 25 s, a unit each (clean)
)


def group(marks: Iterable[Mark]) -> str | None:
    """A test's xdist group as pytest-xdist names it from its ``xdist_group`` marks (the
    names sorted and joined with ``_``); None for a test of no group."""
    names = {str(m.args[0] if m.args else m.kwargs.get("name", "default")) for m in marks}
    return "_".join(sorted(names)) or None


def longest_first(
    tests: Sequence[tuple[str, str | None, bool]], longest: Sequence[str] = LONGEST_FIRST
) -> list[int]:
    """The positions of ``tests`` (node id, group, marked slow) in their new order: the units
    of ``longest`` in its order, then the units holding a slow test, then the rest; within a
    unit, and within each of those, the collection order."""
    units = [name if name is not None else nodeid for nodeid, name, _ in tests]
    slow = {unit for unit, (_, _, marked) in zip(units, tests, strict=True) if marked}

    def rank(i: int) -> int:
        path = tests[i][0].split("::", 1)[0]
        for place, entry in enumerate(longest):
            if entry == units[i] or (tests[i][1] is None and entry == path):
                return place
        return len(longest) + (0 if units[i] in slow else 1)

    return sorted(range(len(tests)), key=rank)
