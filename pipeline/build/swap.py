"""Replace a folder by another in one step, so readers never see a half-written site."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import time
from pathlib import Path

_RENAME_EXCHANGE = 2  # linux/fs.h
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths with renameat2(RENAME_EXCHANGE); False when unsupported."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(
        _AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), ctypes.c_uint(_RENAME_EXCHANGE)
    )
    return result == 0


def _discard(old: Path, trash: Path | None) -> None:
    """Deleting a big site takes a second: move it to ``trash`` (emptied by the next build,
    while its worker runs) when that is on the same file system, else delete it now."""
    if trash is not None:
        try:
            trash.mkdir(parents=True, exist_ok=True)
            os.rename(old, trash / f"{old.name}-{time.time_ns()}")
            return
        except OSError:
            pass
    shutil.rmtree(old)


def empty_trash(trash: Path) -> None:
    if trash.is_dir():
        for item in trash.iterdir():
            shutil.rmtree(item, ignore_errors=True)


def replace_folder(new: Path, target: Path, trash: Path | None = None) -> None:
    """Put ``new`` at ``target``; the previous ``target`` (if any) goes away afterwards."""
    if not target.exists():
        os.rename(new, target)
        return
    if _exchange(new, target):
        _discard(new, trash)  # ``new`` now holds the previous site
        return
    # Two renames: the site is briefly absent, but never half-written.
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    os.rename(target, old)
    os.rename(new, target)
    _discard(old, trash)
