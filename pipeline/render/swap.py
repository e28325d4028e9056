"""Replace a folder by another in one step, so readers never see a half-written site.

The folder a build writes into is the site from the build before last, kept as a spare: its
files are all removed first (they may be hard links to the live site, and nothing may ever write
into those), but its folders stay, since making ~5,000 folders costs about a second on this kind
of disk. After the swap, the replaced site becomes the next spare.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from pathlib import Path

_RENAME_EXCHANGE = 2  # linux/fs.h
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths with renameat2(RENAME_EXCHANGE); False when unsupported."""
    try:
        try:  # find_library runs ldconfig: only when the usual name is not there
            libc = ctypes.CDLL("libc.so.6", use_errno=True)
        except OSError:
            libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(
        _AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), ctypes.c_uint(_RENAME_EXCHANGE)
    )
    return result == 0


def clear_files(folder: Path | str, found: list[str] | None = None) -> list[str]:
    """Remove every file under ``folder`` and keep its folders (a skeleton to build into);
    returns the paths of the folders kept."""
    found = [] if found is None else found
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                found.append(entry.path)
                clear_files(entry.path, found)
            else:
                os.unlink(entry.path)
    return found


def exchange_folder(new: Path, target: Path) -> None:
    """Put ``new`` at ``target`` in one step; the previous ``target``, if any, goes to ``new``."""
    if not target.exists():
        os.rename(new, target)
        return
    if _exchange(new, target):
        return
    # Two renames: the site is briefly absent, but never half-written.
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    os.rename(target, old)
    os.rename(new, target)
    os.rename(old, new)
