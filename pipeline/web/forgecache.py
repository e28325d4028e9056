"""What the pages read from the forge, kept between requests and keyed by what determines it.

Not a second source of truth: every request first reads the refs of the server repository in
one ``git for-each-ref`` (main's tip, each change's ``meta`` and ``head`` tips). A change read
before is reused only while its three tips are the same as when it was read; anything pushed
since — by the browser, the CLI or the server's own hooks — changes a tip, and that change is
read again on that very request. Main's tip is part of every key, because the policy, the
merge base and the draft checks of an open change all come from main; when main moves, a
change read before is carried over unchanged if main gained nothing it reads
(``pipeline.web.carry`` says which, in a few git calls for all), and read again otherwise.

A gate report is kept without the clock (computed with no time: nothing running), once per
reading of its change; a page that shows times puts the clock on a copy of it
(``pipeline.gate.at_time``: the minutes of the step that runs), so a new minute recomputes no
report. The draft checks' warnings that the clock ends (a ``date`` still ahead) are kept with
that instant, and the change is read again once it has passed.

Signature verdicts are kept on disk as well, in the server's own state folder
(``<server>/terbit/web/verdicts.sqlite3``, see ``pipeline.forge.local.store.verdicts``), so a
restarted app verifies no signature again; and so is every change's reading, by the tips it was
read at (``readings.sqlite3`` beside it, see ``pipeline.web.readings``): a restarted app starts
from them as if it had read them itself, and reads (or carries) only what moved since.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Generic, TypeVar

from pipeline.change.model import Change
from pipeline.forge.local.store.events import REF_RE, head_ref, meta_ref
from pipeline.forge.local.store.metachain import Stored
from pipeline.forge.local.store.verdicts import Verdicts
from pipeline.gate import GateReport
from pipeline.web.accounts import web_dir
from pipeline.web.carry import Meta
from pipeline.web.diffs import FileDiff
from pipeline.web.readings import Reading, Readings

MAIN = "refs/heads/main"
VERDICTS_FILE = "verdicts.sqlite3"
READINGS_FILE = "readings.sqlite3"
T = TypeVar("T")


@dataclass(frozen=True)
class Loaded:
    """One change as read at ``key``: the change and its event chain, the draft checks' lines
    and the diffs against the published drafts for an open one; or why it cannot be read."""

    change: Change | None
    chain: list[Stored]
    checks: list[str] | None
    error: str = ""
    diffs: list[FileDiff] = field(default_factory=list)
    # The paths its commits change since its merge base with main (None: not known, so it
    # is read again whenever main moves).
    touches: frozenset[str] | None = None
    warnings: list[str] = field(default_factory=list)  # the draft checks' (not blocking)
    until: datetime | None = None  # a warning ends then (a date reached): read it again
    lang: str = ""  # the language the checks' lines are worded in
    # The clock when read: the warnings depend on the date, so a clock set back before it
    # (or a test's pinned time) reads the change again.
    read_time: datetime | None = None

    def reading(self) -> Reading | None:
        """What is kept on disk of it (None: nothing, it could not be read)."""
        if self.change is None:
            return None
        return Reading(self.change, self.checks, self.diffs, self.touches, self.warnings,
                       self.until, self.read_time)  # fmt: skip

    @classmethod
    def of(cls, reading: Reading, chain: list[Stored], lang: str) -> Loaded:
        """A reading kept on disk, with its records read again from Git."""
        return cls(
            reading.change, chain, reading.checks, diffs=reading.diffs, touches=reading.touches,
            warnings=reading.warnings, until=reading.until, lang=lang,
            read_time=reading.read_time,
        )  # fmt: skip


Key = tuple[str, str, str]  # (meta tip, head tip, main tip)
Carry = Callable[[str, dict[str, Loaded]], dict[str, Loaded]]
# Kept readings of changes nothing in memory has (id -> tips now): id -> (read at, reading).
Restore = Callable[[dict[str, Key]], dict[str, tuple[Key, Loaded]]]


def change_keys(refs: dict[str, str]) -> dict[str, Key]:
    """Change id -> its key, for every change with a meta ref in ``refs`` (ref -> sha)."""
    main = refs.get(MAIN, "")
    keys = {}
    for name, sha in refs.items():
        found = REF_RE.match(name)
        if found and found.group(2) == "meta":
            change_id = found.group(1)
            keys[change_id] = (sha, refs.get(head_ref(change_id), ""), main)
    return keys


def pinned_refs(refs: dict[str, str], ids: Iterable[str]) -> dict[str, str]:
    """The change refs of ``ids`` as ``refs`` saw them (a forge reading them reads no other)."""
    pinned = {}
    for change_id in ids:
        for name in (meta_ref(change_id), head_ref(change_id)):
            pinned[name] = refs.get(name, "")
    return pinned


class Keyed(Generic[T]):
    """The newest value per name, valid while its key is the key asked for."""

    def __init__(self) -> None:
        self._values: dict[str, tuple[object, T]] = {}

    def get(self, name: str, key: object) -> T | None:
        found = self._values.get(name)
        return found[1] if found is not None and found[0] == key else None

    def newest(self, name: str) -> tuple[object, T] | None:
        """``(key, value)`` last put under ``name``, whatever its key."""
        return self._values.get(name)

    def put(self, name: str, key: object, value: T) -> T:
        self._values[name] = (key, value)
        return value

    def prune(self, names: set[str]) -> None:
        """Forget names no longer present (a change ref deleted)."""
        for gone in set(self._values) - names:
            del self._values[gone]


class ForgeCache:
    """The reads of one server repository, shared by every request of the process."""

    def __init__(self, verdicts: Path | None = None, readings: Path | None = None) -> None:
        self.lock = threading.RLock()
        self.policies: Keyed[Any] = Keyed()  # main -> (files read with their blob ids, policy)
        self.changes: Keyed[Loaded] = Keyed()
        # A change's report without the clock, with the reading it was computed from.
        self.reports: Keyed[tuple[Loaded, GateReport]] = Keyed()
        # Content-addressed: a change's records by its meta tip, signature verdicts by the
        # allowed signers and the signed bytes (also in the file ``verdicts``). Neither is
        # read again when main moves.
        self.chains: Keyed[list[Stored]] = Keyed()
        self.verdicts = Verdicts(verdicts)
        self.readings = Readings(readings)  # each change's last reading, on disk only
        self.metas: dict[str, Meta] = {}  # a draft's slug and terms by its blob id

    def loaded(
        self, keys: dict[str, Key], load: Callable[[list[str]], dict[str, Loaded]],
        *, every: bool = True, carry: Carry | None = None, restore: Restore | None = None,
        at: datetime | None = None,
    ) -> dict[str, Loaded]:  # fmt: skip
        """Every change of ``keys``, reading (with ``load``, in one batch) only those whose
        tips moved since they were read, or whose draft checks' warnings end by ``at``.
        ``every``: ``keys`` names every change there is (the others were deleted and are
        forgotten). ``restore``: the readings kept on disk of those not in memory (after a
        start), taken as if read here. ``carry(old main, {id: loaded})``: those read when
        main was at ``old`` (their own tips the same) that hold at main's tip now. What is
        carried or read is kept on disk."""
        with self.lock:
            if every:
                self.changes.prune(set(keys))
                self.reports.prune(set(keys))
                self.chains.prune(set(keys))
            missing = [i for i, key in keys.items() if self._current(i, key, at) is None]
            unseen = {i: keys[i] for i in missing if self.changes.newest(i) is None}
            if unseen and restore is not None:
                for change_id, (read_at, value) in restore(unseen).items():
                    self.changes.put(change_id, read_at, value)
                missing = [i for i in missing if self._current(i, keys[i], at) is None]
            fresh: dict[str, Loaded] = {}
            if missing and carry is not None:
                fresh |= self._carried(keys, missing, carry)
                for change_id, value in fresh.items():
                    self.changes.put(change_id, keys[change_id], value)
                missing = [i for i in missing if self._current(i, keys[i], at) is None]
            if missing:
                read = load(missing)
                for change_id, value in read.items():
                    self.changes.put(change_id, keys[change_id], value)
                fresh |= read
                self.verdicts.flush()
            self._keep(keys, fresh)
            found = {i: self.changes.get(i, key) for i, key in keys.items()}
            return {i: value for i, value in found.items() if value is not None}

    def _keep(self, keys: dict[str, Key], fresh: dict[str, Loaded]) -> None:
        kept = {}
        for change_id, value in fresh.items():
            reading = value.reading()
            if reading is not None:
                kept[change_id] = (keys[change_id], value.lang, reading)
        self.readings.keep(kept)

    def _current(self, change_id: str, key: Key, at: datetime | None) -> Loaded | None:
        found = self.changes.get(change_id, key)
        if found is None or (
            at is not None
            and (
                (found.until is not None and at >= found.until)
                or (found.read_time is not None and at < found.read_time)
            )
        ):
            return None
        return found

    def _carried(self, keys: dict[str, Key], missing: list[str], carry: Carry) -> dict[str, Loaded]:
        by_main: dict[str, dict[str, Loaded]] = {}
        for change_id in missing:
            newest = self.changes.newest(change_id)
            if newest is None or not isinstance(newest[0], tuple):
                continue
            read_at: Key = newest[0]
            main, value = read_at[2], newest[1]
            if read_at[:2] == keys[change_id][:2] and main != keys[change_id][2]:
                by_main.setdefault(main, {})[change_id] = value
        found: dict[str, Loaded] = {}
        for main, values in by_main.items():
            found |= carry(main, values)
        return found

    def report(
        self, change_id: str, key: Key, loaded: Loaded, compute: Callable[[], GateReport]
    ) -> GateReport:
        """The gate report of a change as ``loaded`` read it at ``key``, without the clock
        (computed once per reading; the caller never changes it)."""
        with self.lock:
            found = self.reports.get(change_id, key)
            if found is not None and found[0] is loaded:
                return found[1]
            return self.reports.put(change_id, key, (loaded, compute()))[1]


_CACHES: dict[Path, ForgeCache] = {}
_CACHES_LOCK = threading.Lock()


def cache_of(server: Path) -> ForgeCache:
    """The process's cache of ``server`` (a resolved path)."""
    with _CACHES_LOCK:
        if server not in _CACHES:
            folder = web_dir(server)
            _CACHES[server] = ForgeCache(folder / VERDICTS_FILE, folder / READINGS_FILE)
        return _CACHES[server]
