"""Signature verdicts kept by exactly what decides them, in memory and optionally on disk.

An event's verdict is keyed by the allowed signers' text, the person and a digest of the signed
bytes with the signature; a commit's by the allowed signers' text and the commit id (its
signature is part of the commit object). A reader that keeps them (the web app) verifies each
signature once however often the target branch moves, and a roles.yml change verifies them
again (the signers' text is in the key).

On disk (``store``, a SQLite file in the server's own state folder, written only by the server
process, never by anything a change can write): keyed by a hash of the same parts, so a
restarted app verifies nothing again. A missing, unreadable or damaged file, or a row that
does not hold a plain verdict, means "verify again" — never a failure and never "good".
``terbit verify`` keeps no verdicts and reads no such file.

The server's hooks and a person's clone keep theirs the same way, in their repository's own
state folder (``kept_verdicts``: ``<git dir>/terbit/forge/verdicts.sqlite3``), which no push
or fetch writes: each record of a change is verified once, not at every push and command.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

from pipeline.forge.local.store.statefile import read_rows, write_rows
from pipeline.vcs import Repo

# Part of every key: a later change of what a key means starts afresh instead of reading old rows.
_FORMAT = b"terbit-verdicts-1"
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS verdict "
    "(key TEXT PRIMARY KEY, kind TEXT NOT NULL, good INTEGER NOT NULL, signer TEXT)"
)
_FLUSH_AT = 256  # verdicts written in one transaction while a large read goes on


def _key(kind: str, *parts: str) -> str:
    digest = hashlib.sha256(_FORMAT)
    for part in (kind, *parts):
        data = part.encode("utf-8", "surrogateescape")
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


class Verdicts:
    """What each signature verification decided, by what decided it (thread-safe)."""

    def __init__(self, store: Path | None = None) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._events: dict[str, bool] = {}
        self._commits: dict[str, str | None] = {}
        self._pending: dict[str, tuple[str, int, str | None]] = {}
        self._read = store is None

    def event(self, signers: str, who: str, digest: str) -> bool | None:
        """Whether ``who`` signed the bytes of ``digest`` (None: not verified yet)."""
        key = _key("event", signers, who, digest)
        with self._lock:
            self._read_store()
            return self._events.get(key)

    def keep_event(self, signers: str, who: str, digest: str, good: bool) -> None:
        key = _key("event", signers, who, digest)
        with self._lock:
            self._events[key] = good
            self._pending[key] = ("event", int(good), None)
            self._flush_if_many()

    def commit(self, signers: str, sha: str) -> tuple[bool, str | None]:
        """``(known, signer)`` of commit ``sha`` under ``signers`` (None: unsigned or bad)."""
        key = _key("commit", signers, sha)
        with self._lock:
            self._read_store()
            return (key in self._commits), self._commits.get(key)

    def keep_commit(self, signers: str, sha: str, signer: str | None) -> None:
        key = _key("commit", signers, sha)
        with self._lock:
            self._commits[key] = signer
            self._pending[key] = ("commit", 1 if signer else 0, signer)
            self._flush_if_many()

    def flush(self) -> None:
        """Write the verdicts kept since the last flush (a failure keeps them in memory only)."""
        with self._lock:
            self._write()

    # -- the file --------------------------------------------------------------------------

    def _flush_if_many(self) -> None:
        if len(self._pending) >= _FLUSH_AT:
            self._write()

    def _read_store(self) -> None:
        """Read the file once, at the first question; nothing usable in it is nothing known."""
        if self._read:
            return
        self._read = True
        assert self.store is not None
        rows = read_rows(self.store, _SCHEMA, "SELECT key, kind, good, signer FROM verdict")
        for key, kind, good, signer in rows:
            if not isinstance(key, str) or type(good) is not int or good not in (0, 1):
                continue
            if kind == "event" and signer is None:
                self._events[key] = good == 1
            elif kind == "commit" and good == 0 and signer is None:
                self._commits[key] = None
            elif kind == "commit" and good == 1 and isinstance(signer, str) and signer:
                self._commits[key] = signer

    def _write(self) -> None:
        if self.store is None or not self._pending:
            return
        rows = [(key, *verdict) for key, verdict in self._pending.items()]
        self._pending = {}
        # Not written: kept in memory, verified again after a restart.
        write_rows(self.store, _SCHEMA, "INSERT OR REPLACE INTO verdict VALUES (?, ?, ?, ?)", rows)


def kept_verdicts(repo: Repo) -> Verdicts:
    """The verdicts the forge's commands and hooks keep in ``repo``'s own state folder."""
    return Verdicts(repo.git_dir / "terbit" / "forge" / "verdicts.sqlite3")
