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

# The longest work units, longest first: an xdist group's name or a test file (for tests of no
# group). Seconds on one worker (`pytest FILE -n 0 --durations=0`, loaded machine, 2 Dec 2026).
LONGEST_FIRST: tuple[str, ...] = (
    "publication-truth",  # 200 s
    "publication-flow",  # 170 s
    "web-guide",  # 66 s
    "web-e2e",  # 64 s
    "site-axe-desktop",  # 60 s
    "site-axe-phone",  # 60 s
)


def group(marks: Iterable[Mark]) -> str | None:
    """A test's xdist group as pytest-xdist names it from its ``xdist_group`` marks (the
    names sorted and joined with ``_``); None for a test of no group."""
    names = {str(m.args[0] if m.args else m.kwargs.get("name", "default")) for m in marks}
    return "_".join(sorted(names)) or None


def rank(path: str, name: str | None, longest: Sequence[str] = LONGEST_FIRST) -> int:
    """The place in ``longest`` of a test's unit (its group ``name``, or its file ``path`` for
    a test of no group); ``len(longest)`` for every other unit."""
    key = name if name is not None else path
    return longest.index(key) if key in longest else len(longest)


def longest_first(
    tests: Sequence[tuple[str, str | None]], longest: Sequence[str] = LONGEST_FIRST
) -> list[int]:
    """The positions of ``tests`` (file path, group) in their new order: the listed units
    first, in the list's order; within a unit, and among the rest, the collection order."""
    return sorted(range(len(tests)), key=lambda i: rank(*tests[i], longest))
