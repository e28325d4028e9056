"""Each change's reading kept on disk beside the signature verdicts, so a restarted app reads it
back instead of computing it again (``<server>/terbit/web/readings.sqlite3``).

A reading is what the start-up read computed per change in git processes and the draft checks
(a restart spent most of its 24 s on them): the change as its records and commits say (its
commits and their signers, the files it lands), the draft checks' lines and warnings, the diffs
against the published drafts and the paths it touches since its merge base. It is determined by
the change's record tip, its head, main's tip (the policy, the merge base, the other drafts) and
Terbit's own code, and worded in one language. A row keeps those beside the reading; it is read
back only for the same record tip and head, the same language and the same code (``version``: a
digest of every file of the ``pipeline`` package, Python's version and every installed
distribution's), and is put in the cache at the main it was read at — so a main that moved since
carries it (``pipeline.web.carry``) or reads it again, exactly as for a reading kept in memory.
One row per change: a new reading replaces it.

As the verdicts (``pipeline.forge.local.store.statefile``): only the server process writes the
file; a missing, unreadable or damaged file, or a row that does not decode into a reading of
that change at that head, is computed again — never a crash, never a kept "pass". The records
themselves are not kept here: they are read from Git by their tip (one batched read), and the
verdicts file keeps their signatures' verdicts.
"""

from __future__ import annotations

import functools
import hashlib
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pydantic

from pipeline.change.model import Change
from pipeline.forge.local.store.statefile import read_rows, write_rows
from pipeline.web.diffs import FileDiff

# Part of the version: a later change of what a row means starts afresh.
_FORMAT = b"terbit-readings-2"
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS reading (change TEXT PRIMARY KEY, meta TEXT NOT NULL, "
    "head TEXT NOT NULL, main TEXT NOT NULL, version TEXT NOT NULL, data BLOB NOT NULL)"
)
_SELECT = "SELECT change, meta, head, main, version, data FROM reading WHERE change IN ({})"
_ASKED = 500  # ids per query (well under SQLite's bound on parameters)
_INSERT = "INSERT OR REPLACE INTO reading VALUES (?, ?, ?, ?, ?, ?)"
_PACKAGE = Path(__file__).resolve().parents[1]  # pipeline/

Tips = tuple[str, str, str]  # (meta tip, head tip, main tip): the cache's key of a change


@dataclass(frozen=True)
class Reading:
    """A change's reading without its records (``pipeline.web.forgecache.Loaded`` has them)."""

    change: Change
    checks: list[str] | None
    diffs: list[FileDiff]
    touches: frozenset[str] | None
    warnings: list[str]
    until: datetime | None
    read_time: datetime | None = None  # the clock when read (see ``Loaded.read_time``)


_ADAPTER = pydantic.TypeAdapter(Reading)


@functools.cache
def code_version() -> str:
    """What computed a reading: every file of the package, Python and the installed
    distributions (a Markdown library's update may word a check otherwise)."""
    digest = hashlib.sha256(_FORMAT)
    digest.update(sys.version.encode())
    # Each installed distribution by its metadata folder's name (name and version): reading
    # every one's metadata took a third of a second.
    installed = sorted(
        str(found)
        for entry in sys.path
        if entry and Path(entry).is_dir()
        for found in Path(entry).glob("*.*-info")
    )
    digest.update("\n".join(installed).encode())
    for path in sorted(_PACKAGE.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            name = path.relative_to(_PACKAGE).as_posix().encode()
            data = path.read_bytes()
            digest.update(len(name).to_bytes(8, "big") + name + len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


class Readings:
    """The kept readings of one server's changes (thread-safe; ``store`` None: none kept)."""

    def __init__(self, store: Path | None = None) -> None:
        self.store = store
        self._lock = threading.Lock()

    def restore(self, wanted: Mapping[str, Tips], lang: str) -> dict[str, tuple[Tips, Reading]]:
        """The kept readings of ``wanted`` (change id -> its tips now) at the same record tip
        and head, in ``lang``, by this code: each with the tips it was read at."""
        if self.store is None or not wanted:
            return {}
        ids = sorted(wanted)
        rows = []
        with self._lock:
            for start in range(0, len(ids), _ASKED):
                part = ids[start : start + _ASKED]
                query = _SELECT.format(", ".join("?" * len(part)))
                rows += read_rows(self.store, _SCHEMA, query, part)
        version = f"{code_version()}:{lang}"
        found: dict[str, tuple[Tips, Reading]] = {}
        for change_id, meta, head, main, row_version, data in rows:
            tips = wanted.get(change_id) if isinstance(change_id, str) else None
            if tips is None or (meta, head) != tips[:2] or row_version != version:
                continue
            if not isinstance(main, str) or not isinstance(data, bytes):
                continue
            try:
                reading = _ADAPTER.validate_json(data)
            except pydantic.ValidationError:
                continue
            if reading.change.id == change_id and reading.change.head_sha == head:
                found[change_id] = ((meta, head, main), reading)
        return found

    def keep(self, readings: Mapping[str, tuple[Tips, str, Reading]]) -> None:
        """Keep these readings (change id -> the tips it was read at, the language its lines
        are worded in, the reading), each in place of its change's last; a failed write keeps
        nothing (computed again after a restart)."""
        if self.store is None or not readings:
            return
        rows = [
            (change_id, *tips, f"{code_version()}:{lang}", _ADAPTER.dump_json(reading))
            for change_id, (tips, lang, reading) in readings.items()
        ]
        with self._lock:
            write_rows(self.store, _SCHEMA, _INSERT, rows)
