"""The last build's article cache, held loaded by the warm build process between builds.

Every warm build is a fork of the warm process (``warm``). Unpickling the article cache of a
big site is the largest serial part of such a build (5,000 articles: 16 MB, 0.1-0.15 s), and
the cache's base file stays the same file from build to build (a build adds a small delta, see
``fastpath._StagedCache``). So the warm process loads it once, after a build, and every later
fork starts with it in memory, as Hugo's server keeps its site.

Only what Terbit wrote is held: the files the build cache's state names, read from the build
cache, never from a tree, each checked against the SHA-256 the state records before it is
unpickled (and its bytes hashed again as they are unpickled), with classes of modules the warm
process has already imported (nothing of a change is ever imported here). A fork uses a held
file only while it is still that very file (same device, inode, size and modification time)
and the state it trusts names the same SHA-256; otherwise it reads the file as a cold build
does.

The pickle refers to the build's settings and context by name (``fastpath._Pickler``); held
objects refer to two placeholders instead. A fork makes the settings placeholder its settings
dictionary (the same object, so every reference is right) and points the holders of the
context placeholder, counted while loading, at its own context (``fastpath``).
"""

from __future__ import annotations

import gc
import hashlib
import io
import pickle
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.render import cache

# Finds the objects that hold the context placeholder among a file's entries (``fastpath``).
Holders = Callable[[dict[str, Any], dict[str, Any]], list[Any]]
# What can be computed of a file's entries before a build, by the id of each entry's object:
# the articles' own digests (``fingerprint.Ahead``), checked by the build before each use.
Prepare = Callable[[dict[str, Any]], dict[int, Any]]


class _Hashing:
    """A file read for pickle, hashed as it is read: the bytes unpickled are the bytes hashed,
    and no copy of the whole file is made (the warm process's peak memory)."""

    def __init__(self, handle: io.BufferedReader) -> None:
        self._handle = handle
        self.sha = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self._handle.read(size)
        self.sha.update(data)
        return data

    def readline(self) -> bytes:
        data = self._handle.readline()
        self.sha.update(data)
        return data

    def rest(self) -> str:
        """The SHA-256 of the whole file, with anything after the pickle."""
        self.read()
        return self.sha.hexdigest()


class _Placeholders(pickle.Unpickler):
    """Loads the build's shared values as placeholders, counting the references, and classes
    only from modules already imported."""

    def __init__(self, file: _Hashing, shared: dict[str, Any]) -> None:
        super().__init__(file)
        self._shared = shared
        self.refs: Counter[str] = Counter()

    def persistent_load(self, pid: Any) -> Any:
        if pid not in self._shared:
            raise pickle.UnpicklingError(f"unknown reference {pid!r}")
        self.refs[pid] += 1
        return self._shared[pid]

    def find_class(self, module: str, name: str) -> Any:
        if module not in sys.modules:
            raise pickle.UnpicklingError(f"{module} is not loaded here")
        return super().find_class(module, name)


@dataclass(frozen=True)
class HeldFile:
    path: str
    identity: cache.Identity
    sha: str
    entries: dict[str, Any]
    holders: list[Any]  # the objects whose context is the placeholder


@dataclass
class Held:
    folder: str  # the build cache folder
    settings: dict[str, Any] = field(default_factory=dict)  # the placeholders
    context: dict[str, Any] = field(default_factory=dict)
    files: dict[str, HeldFile] = field(default_factory=dict)  # by name in ``PELICAN_DIR``
    ahead: dict[int, Any] = field(default_factory=dict)  # ``Prepare``, for every held file

    def known(self) -> dict[str, tuple[cache.Identity, str]]:
        """What ``cache.load_state`` need not hash again: each held file's identity and SHA."""
        return {name: (held.identity, held.sha) for name, held in self.files.items()}

    def adopt(self, settings: dict[str, Any]) -> dict[str, Any]:
        """This build's settings, in the placeholder every held object refers to."""
        self.settings.clear()
        self.settings.update(settings)
        return self.settings

    def take(self, path: Path, sha: str | None, settings: dict[str, Any]) -> HeldFile | None:
        """The held file at ``path`` when it is still the file the trusted state names (by
        ``sha``) and this build's settings are the placeholder; once per build."""
        held = self.files.get(path.name)
        if held is None or held.path != str(path) or sha != held.sha:
            return None
        if settings is not self.settings or cache.identity(path) != held.identity:
            return None
        del self.files[path.name]
        return held


_current: Held | None = None


def current(folder: Path) -> Held | None:
    """What this process holds for the build cache ``folder`` (a fork of the warm process)."""
    return _current if _current is not None and _current.folder == str(folder) else None


def hold(folder: Path, holders: Holders, prepare: Prepare | None = None) -> bool:
    """In the warm process, between builds: hold ``folder``'s cache files as the last build
    left them (what is held already and unchanged stays), with what ``prepare`` computes of
    them. Whether anything is held."""
    global _current
    if _current is not None and _current.folder == str(folder) and _current.files:
        files = _current.files.values()
        if all(cache.identity(Path(kept.path)) == kept.identity for kept in files):
            return True
    gc.unfreeze()
    _current = None
    gc.collect()
    found = _load(folder, holders)
    if found is not None and prepare is not None:
        for kept in found.files.values():
            found.ahead.update(prepare(kept.entries))
    gc.freeze()  # the collector leaves the held objects alone, here and in every fork
    _current = found
    return found is not None and bool(found.files)


def _load(folder: Path, holders: Holders) -> Held | None:
    held = Held(str(folder))
    shared = {"settings": held.settings, "context": held.context}
    try:  # the files the state names, each checked below as it is read
        state = cache.load_state(folder, files=False)
    except cache.StateProblem:
        return None
    for name, trusted in sorted((state.pelican if state is not None else {}).items()):
        if name.endswith(cache.DELTA_SUFFIX):
            continue  # a new file every build: read by the build itself (a few entries)
        path = folder / cache.PELICAN_DIR / name
        before = cache.identity(path)
        try:
            with path.open("rb") as handle:  # nothing is unpickled before it is checked
                if hashlib.file_digest(handle, "sha256").hexdigest() != trusted:
                    continue
            with path.open("rb") as handle:
                reading = _Hashing(handle)
                loader = _Placeholders(reading, shared)
                entries = loader.load()
                sha = reading.rest()
            found = holders(entries, held.context) if isinstance(entries, dict) else []
        except Exception:  # anything unexpected: the fork reads the file itself
            continue
        if before is None or cache.identity(path) != before or not isinstance(entries, dict):
            continue  # replaced while read, or not a cache
        if sha == trusted and len(found) == loader.refs["context"]:
            held.files[name] = HeldFile(str(path), before, sha, entries, found)
    return held
