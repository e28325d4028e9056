"""One push as the server's ``pre-receive`` hook is told it: the updated refs."""

from __future__ import annotations

from dataclasses import dataclass

ZERO = "0" * 40  # Git's name for "no commit": a ref created or deleted
MAIN = "refs/heads/main"


@dataclass(frozen=True)
class Update:
    """One ref update: ``old`` and ``new`` commit (``ZERO`` when absent) of ``ref``."""

    old: str
    new: str
    ref: str


def parse_updates(lines: list[str]) -> list[Update]:
    """The ``OLD NEW REF`` lines Git writes to a receive hook's standard input."""
    return [Update(*parts) for parts in (line.split() for line in lines) if len(parts) == 3]
