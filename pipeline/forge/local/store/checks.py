"""The draft checks' results of a change, kept by the server between its pushes.

The server checks the files a change lands when its head is pushed (``terbit submit``), and
again inside the gate when it is merged; while main has not moved, both are the checks of the
same two commits. Kept in the server's own state folder (``<git dir>/terbit/forge/
checks.sqlite3``, written only by its hooks, as the signature verdicts are), keyed by a hash of
the target and head commit ids, the language of the lines and the code that checked
(``codekey``): content-addressed, so never stale. A result holds until its ``until`` (a future
date reached) and is computed again after. A missing, unreadable or damaged file, or a row that
is not what was written, is "check again", never a verdict. ``terbit verify`` reads none.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.codekey import code_key
from pipeline.forge.local.store.statefile import read_rows, write_rows
from pipeline.i18n import get_lang
from pipeline.vcs import Repo

if TYPE_CHECKING:
    from pipeline.gate.drafts import DraftResults

_FORMAT = "terbit-checks-1"
_SCHEMA = "CREATE TABLE IF NOT EXISTS checked (key TEXT PRIMARY KEY, result TEXT NOT NULL)"


class KeptChecks:
    """The results of ``check_change(repo, target, head)`` the server computed before."""

    def __init__(self, store: Path) -> None:
        self.store = store
        self._code: str | None = None

    def _key(self, target: str, head: str) -> str:
        if self._code is None:
            self._code = code_key()
        parts = (_FORMAT, self._code, get_lang(), target, head)
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()

    def get(self, target: str, head: str, now: datetime) -> DraftResults | None:
        """The kept results, if any still hold at ``now``."""
        # start-up: the draft checks' module, as the hooks load it (only when a change is checked)
        from pipeline.gate.drafts import DraftResults

        rows = read_rows(self.store, _SCHEMA, "SELECT result FROM checked WHERE key = ?",
                         (self._key(target, head),))  # fmt: skip
        if not rows:
            return None
        try:
            data = json.loads(rows[0][0])
            lines, warnings, until = data["lines"], data["warnings"], data["until"]
            if not all(isinstance(x, str) for x in [*lines, *warnings]):
                return None
            held = None if until is None else datetime.fromisoformat(until)
        except (TypeError, ValueError, KeyError, IndexError):
            return None
        if held is not None and (held.tzinfo is None or now >= held):
            return None
        return DraftResults(list(lines), list(warnings), held)

    def put(self, target: str, head: str, results: DraftResults) -> None:
        until = results.until.isoformat() if results.until is not None else None
        data = {"lines": results.lines, "warnings": results.warnings, "until": until}
        write_rows(self.store, _SCHEMA, "INSERT OR REPLACE INTO checked VALUES (?, ?)",
                   [(self._key(target, head), json.dumps(data))])  # fmt: skip


def kept_checks(repo: Repo) -> KeptChecks:
    return KeptChecks(repo.git_dir / "terbit" / "forge" / "checks.sqlite3")
