"""One SQLite table in the server's own state folder: what a reader (the web app) keeps between
its starts so it need not compute it again.

Written only by the server process, never by anything a change can write (0600 in a 0700
folder). Nothing kept is ever needed: a missing, unreadable or damaged file reads as nothing
kept (a damaged one is set aside, to be written anew), and a failed write keeps the rows in
memory only. Callers check each row they read: a row that is not what they wrote is skipped.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

Row = tuple[Any, ...]


def _connect(store: Path, schema: str) -> sqlite3.Connection:
    connection = sqlite3.connect(store, timeout=2, isolation_level=None)
    connection.execute(schema)
    return connection


def read_rows(store: Path, schema: str, query: str, params: Sequence[Any] = ()) -> list[Row]:
    """The rows ``query`` selects (none when the file is missing or cannot be read)."""
    if not store.is_file():
        return []
    try:
        with contextlib.closing(_connect(store, schema)) as db:
            return list(db.execute(query, params).fetchall())
    except (sqlite3.Error, OSError):
        with contextlib.suppress(OSError):
            store.unlink()  # damaged: what it held is computed again, then written anew
        return []


def write_rows(store: Path, schema: str, statement: str, rows: Sequence[Row]) -> bool:
    """``statement`` for every row in one transaction (False: not written)."""
    if not rows:
        return True
    try:
        store.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fresh = not store.exists()
        with contextlib.closing(_connect(store, schema)) as db:
            if fresh:
                os.chmod(store, 0o600)
            db.execute("BEGIN")
            db.executemany(statement, rows)
            db.execute("COMMIT")
    except (sqlite3.Error, OSError):
        return False
    return True
