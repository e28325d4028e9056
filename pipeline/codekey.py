"""Which code is running, cheaply: what a result kept between processes is keyed by, and what
the push-check server and its client compare (``hooks.checker``)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
from pathlib import Path

import pipeline


def code_key() -> str:
    """Python, every module of Terbit (path, size, time written) and the installed libraries
    (their metadata folders name their versions). Read with ``stat`` only, as a hook pays for
    it on every push; any edit or upgrade gives another key."""
    h = hashlib.sha256(f"{sys.version}\0{sys.executable}\0".encode())
    package = Path(pipeline.__file__).resolve().parent
    for rel, info in sorted(_modules(str(package), "")):
        h.update(f"{rel}\0{info.st_size}\0{info.st_mtime_ns}\0".encode())
    for folder in sorted({p for p in sys.path if p.endswith("-packages")}):
        with contextlib.suppress(OSError):
            h.update("\0".join(sorted(os.listdir(folder))).encode())
    return h.hexdigest()


def _modules(folder: str, prefix: str) -> list[tuple[str, os.stat_result]]:
    """Each ``.py`` file under ``folder`` with its path below it and its ``stat``, as
    ``Path.rglob`` and ``stat`` found them (``os.scandir``: a third of the time): a linked file
    is followed, a linked folder is not entered (no loop)."""
    found = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir() and not entry.is_symlink():
                found += _modules(entry.path, f"{prefix}{entry.name}/")
            elif entry.name.endswith(".py"):
                found.append((prefix + entry.name, entry.stat()))
    return found
