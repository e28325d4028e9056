"""One push at a time on the server, from its check until its refs are updated and recorded.

Git runs ``pre-receive`` before it updates any ref and ``post-receive`` after, each as its own
process, and takes no lock across different refs: an author's push to a change could land
between the check of the admin's merge and the update of ``main``, leaving main on an older head
than the change and no ``merged`` record. So ``pre-receive`` takes this lock before it reads
anything and leaves it held; ``post-receive`` releases it once the ``merged`` record is written.
The lock file names its owner, the ``git receive-pack`` process of the push: when that process is
gone (a refused push, a failed ref update, a crash) the lock is stale and the next push breaks it.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from pathlib import Path

from pipeline.errors import TerbitError
from pipeline.i18n import Catalog

LOCK_FILE = "terbit/push.lock"
# A push normally holds the lock for well under a second; a longer wait means a stuck server.
WAIT_SECONDS = 300.0
POLL_SECONDS = 0.05

MSG = Catalog(
    {
        "waiting": (
            "terbit: menunggu dorongan lain selesai …",
            "terbit: waiting for another push to finish …",
        ),
        "busy": (
            "server masih memproses dorongan lain setelah {n} detik; ulangi perintah terbit "
            "sebentar lagi (bila terus terjadi, admin memeriksa {path})",
            "the server is still processing another push after {n} seconds; run the terbit "
            "command again shortly (if it keeps happening, the admin checks {path})",
        ),
    }
)


class ServerBusy(TerbitError):
    """Another push held the lock for longer than ``WAIT_SECONDS``."""


def _parent(pid: int) -> int:
    with contextlib.suppress(OSError, ValueError, IndexError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        return int(stat.rsplit(")", 1)[1].split()[1])
    return 0


def push_owner() -> int:
    """The ``git receive-pack`` process running this hook (a wrapper script may sit between);
    the hook's parent where /proc cannot tell."""
    pid = os.getppid()
    while pid > 1:
        with contextlib.suppress(OSError):
            if b"receive-pack" in Path(f"/proc/{pid}/cmdline").read_bytes():
                return pid
        pid = _parent(pid)
    return os.getppid()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another account's push (one SSH account per person)
        return True
    return True


def _owner(path: Path) -> int | None:
    try:
        return int(path.read_text().strip() or 0)
    except (OSError, ValueError):
        return None


def acquire(git_dir: Path, owner: int | None = None) -> None:
    """Wait for the lock and take it for ``owner`` (this push's receive-pack)."""
    owner = owner or push_owner()
    path = git_dir / LOCK_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    mine = path.with_name(f"push.lock.{owner}")
    mine.write_text(f"{owner}\n")
    told = False
    deadline = time.monotonic() + WAIT_SECONDS
    try:
        while True:
            try:
                os.link(mine, path)  # atomic: exactly one push creates the lock
                return
            except FileExistsError:
                pass
            holder = _owner(path)
            if holder == owner:
                return
            if holder is not None and not _alive(holder):
                _break_stale(path, holder, owner)
                continue
            if not told:  # shown live to the pusher as "remote: terbit: …"
                print(MSG("waiting"), file=sys.stderr, flush=True)
                told = True
            if time.monotonic() > deadline:
                raise ServerBusy(MSG("busy", n=int(WAIT_SECONDS), path=path))
            time.sleep(POLL_SECONDS)
    finally:
        mine.unlink(missing_ok=True)


def _break_stale(path: Path, holder: int, owner: int) -> None:
    """Remove the lock of the dead ``holder``: moved aside first, so a lock another push took
    meanwhile is put back instead of deleted."""
    aside = path.with_name(f"push.lock.stale.{owner}")
    try:
        os.rename(path, aside)
    except FileNotFoundError:
        return
    if _owner(aside) != holder:
        with contextlib.suppress(FileExistsError):
            os.link(aside, path)
    aside.unlink(missing_ok=True)


def release(git_dir: Path, owner: int | None = None) -> None:
    """Give the lock back, if this push holds it."""
    path = git_dir / LOCK_FILE
    if _owner(path) == (owner or push_owner()):
        path.unlink(missing_ok=True)
