"""What every forge offers the rest of Terbit (the embedded Git forge and GitHub).

The gate, ``status``, ``changes``, publishing and the completion record only talk to this
interface and to the domain objects in ``pipeline.change.model``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol, runtime_checkable

from pipeline.change.model import Change, ChangeState


@dataclass(frozen=True)
class Notice:
    """Step 7 as recorded on a change: the text told to the author and its attachments."""

    id: str
    at: datetime
    by: str
    text: str
    attachments: list[str] = field(default_factory=list)


@runtime_checkable
class Forge(Protocol):
    """A place where changes live: their commits, reviews, state and notices."""

    kind: str

    def list_changes(self, state: ChangeState | None = None) -> list[Change]:
        """Every change (optionally only those in ``state``), oldest first."""
        ...

    def get_change(self, change_id: str) -> Change:
        """One change; raises ``InputError`` when it does not exist."""
        ...

    def read_file(self, rev: str, path: str) -> str | None:
        """Text of ``path`` at ``rev`` (branch name or commit), None when absent."""
        ...

    def change_for_merge(self, merge_sha: str) -> Change | None:
        """The change merged by ``merge_sha``, or None when it merged no change."""
        ...

    def add_notice(self, change_id: str, text: str, attachments: list[Path] | None = None) -> None:
        """Record step 7 (the notice to the author) on the change."""
        ...

    def notices(self, change_id: str) -> list[Notice]:
        """Notices recorded on the change, oldest first."""
        ...

    def signatures_required(self) -> bool:
        """False when the office switched signature checks off (every command warns)."""
        ...

    def sync(self) -> None:
        """Bring the local view up to date (a clone fetches the server's changes and reviews)."""
        ...
