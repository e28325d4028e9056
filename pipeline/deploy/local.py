"""Local target: ``releases/<id>/`` side by side and a ``current`` symlink switched atomically.

The web server serves ``<path>/current``. A release folder is copied under a temporary name and
renamed into place, and ``current`` is replaced by renaming a fresh symlink over it (rename(2) is
atomic), so a reader either follows the old link or the new one.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import time
from pathlib import Path

from pipeline.deploy.base import (
    DeployError,
    DeployLog,
    Release,
    check_release_id,
    check_site,
    pick_rollback,
    to_prune,
)
from pipeline.i18n import Catalog

MSG = Catalog(
    {
        "copy_failed": (
            "rilis {release} tidak dapat disalin ke {path}: {reason}; rilis yang tayang tidak "
            "berubah",
            "release {release} could not be copied to {path}: {reason}; the live release is "
            "unchanged",
        ),
        "no_space": ("disk penuh", "the disk is full"),
        "quota": ("kuota disk habis", "the disk quota is exhausted"),
        "denied": ("tidak ada izin menulis", "no permission to write"),
        "read_only": ("disk hanya-baca", "the disk is read-only"),
        "other": ("galat berkas (errno {errno})", "file error (errno {errno})"),
    }
)
REASONS = {
    errno.ENOSPC: "no_space",
    errno.EDQUOT: "quota",
    errno.EACCES: "denied",
    errno.EPERM: "denied",
    errno.EROFS: "read_only",
}

RELEASES = "releases"
CURRENT = "current"
LOG = "deploy-log.jsonl"


class LocalTarget:
    name = "local"

    def __init__(self, path: Path, keep: int = 5) -> None:
        self.root = path
        self.keep = keep
        self.log = DeployLog(path / LOG)

    @property
    def live_dir(self) -> Path:
        """The folder a web server serves (follows the ``current`` link)."""
        return self.root / CURRENT

    def _release(self, release_id: str) -> Release:
        return Release(release_id, str(self.root / RELEASES / release_id), self.name)

    def _ids(self) -> list[str]:
        folder = self.root / RELEASES
        if not folder.is_dir():
            return []
        return sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))

    def releases(self) -> list[Release]:
        return [self._release(i) for i in self._ids()]

    def current(self) -> Release | None:
        link = self.root / CURRENT
        if not link.is_symlink():
            return None
        return self._release(Path(os.readlink(link)).name)

    def deploy(self, site_dir: Path, release_id: str) -> Release:
        check_release_id(release_id)
        check_site(site_dir)
        started = time.monotonic()
        final = self.root / RELEASES / release_id
        if not final.is_dir():  # a rerun after a crash reuses the finished copy
            staging = self.root / RELEASES / f".tmp-{release_id}-{os.getpid()}"
            shutil.rmtree(staging, ignore_errors=True)
            try:
                staging.parent.mkdir(parents=True, exist_ok=True)
                shutil.copytree(site_dir, staging, symlinks=False)
                os.rename(staging, final)
            except OSError as error:  # shutil.Error too: one line, not one per file
                shutil.rmtree(staging, ignore_errors=True)
                raise DeployError(
                    MSG("copy_failed", release=release_id, path=self.root, reason=_reason(error))
                ) from None
        previous = self.current()
        try:
            self._switch(release_id)
        except OSError as error:
            raise DeployError(
                MSG("copy_failed", release=release_id, path=self.root, reason=_reason(error))
            ) from None
        self._prune(protect={release_id})
        self.log.append(
            "deploy",
            release=release_id,
            previous=previous.id if previous else None,
            seconds=round(time.monotonic() - started, 3),
            target=self.name,
        )
        return self._release(release_id)

    def rollback(self, to: str | None = None) -> Release:
        started = time.monotonic()
        live = self.current()
        chosen = pick_rollback(self._ids(), live.id if live else None, to)
        check_release_id(chosen)
        self._switch(chosen)
        self.log.append(
            "rollback",
            release=chosen,
            previous=live.id if live else None,
            seconds=round(time.monotonic() - started, 4),
            target=self.name,
        )
        return self._release(chosen)

    def _switch(self, release_id: str) -> None:
        temp = self.root / f".{CURRENT}.tmp-{os.getpid()}"
        if temp.is_symlink() or temp.exists():
            temp.unlink()
        # Relative link: the whole folder can be moved or mounted elsewhere.
        os.symlink(f"{RELEASES}/{release_id}", temp)
        os.replace(temp, self.root / CURRENT)
        _fsync_dir(self.root)

    def _prune(self, protect: set[str]) -> None:
        live = self.current()
        if live:
            protect = protect | {live.id}
        folder = self.root / RELEASES
        for doomed in to_prune(self._ids(), self.keep, protect):
            # Out of the list first (one rename), then deleted: a kill in between leaves a
            # hidden trash folder, never a half-deleted release offered for rollback.
            trash = folder / f".trash-{doomed}-{os.getpid()}"
            os.rename(folder / doomed, trash)
            shutil.rmtree(trash, ignore_errors=True)
        # Leftovers of killed runs: staging copies and trash not yet deleted.
        for stale in [*folder.glob(".tmp-*"), *folder.glob(".trash-*")]:
            pid = stale.name.rsplit("-", 1)[-1]
            if pid.isdigit() and not _alive(int(pid)):
                shutil.rmtree(stale, ignore_errors=True)


def _reason(error: OSError) -> str:
    """Why a copy failed, in words; ``shutil.Error`` carries one message per file, of which
    the first says enough (a full disk fails every file after it the same way)."""
    code = error.errno
    if code is None and isinstance(error, shutil.Error) and error.args and error.args[0]:
        found = re.search(r"\[Errno (\d+)\]", str(error.args[0][0][-1]))
        code = int(found.group(1)) if found else None
    key = REASONS.get(code or -1)
    return MSG(key) if key else MSG("other", errno=code if code is not None else "?")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
