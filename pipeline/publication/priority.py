"""The priority of work left running beside publications: a push's e-mail pass and a change's
page check (started by the push or by the admin's "Periksa ulang") run nicer, to favour a
publication a merge may have started at the same time on the same cores."""

from __future__ import annotations

import shutil

BACKGROUND_NICE = 10  # the niceness of that work


def low_priority(argv: list[str]) -> list[str]:
    """``argv`` run at ``BACKGROUND_NICE`` where the system has ``nice`` (as it is where it
    has not)."""
    found = shutil.which("nice")
    return [found, "-n", str(BACKGROUND_NICE), *argv] if found else argv
