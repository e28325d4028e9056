"""Local target: ``releases/<id>/`` side by side and a ``current`` symlink switched atomically.

The web server serves ``<path>/current``. A release folder is made under a temporary name and
renamed into place, and ``current`` is replaced by renaming a fresh symlink over it (rename(2) is
atomic), so a reader either follows the old link or the new one.

A file byte-identical to the previous release's is a hard link to it, the others are copied:
a one-article change writes a few files, not the whole site. Releases share those files, so
nothing ever writes into a finished release: each is made once, in its staging folder, and
only renamed, switched to and deleted after. Which files are identical comes from the previous
release's manifest (``manifest``: each file's hash as Terbit wrote it), so the old release is
not read again. Old releases are deleted after the switch, in a background thread, so the
visitor's new site does not wait for them.

Once ``keep`` releases exist, the one a deploy would delete is recycled instead: renamed to the
new release's staging name and changed into the new build (``manifest.Copier.sync_tree``), so
a one-article publication touches a few files, not ≈ 5,000 new folders.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import threading
import time
from pathlib import Path

from pipeline.deploy import manifest
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
        "symlink": (
            "hasil build memuat tautan simbolik {name}, yang tidak diikuti",
            "the build output holds a symbolic link {name}, which is not followed",
        ),
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
        self._pruning: threading.Thread | None = None

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
        files: dict[str, int | str | None] = {}
        if not final.is_dir():  # a rerun after a crash reuses the finished copy
            staging = self.root / RELEASES / f".tmp-{release_id}-{os.getpid()}"
            shutil.rmtree(staging, ignore_errors=True)
            try:
                staging.parent.mkdir(parents=True, exist_ok=True)
                base = self._link_base(release_id)
                vouched = manifest.load(self.root, base.name) if base else None
                copier = manifest.Copier(base, vouched, manifest.load_built(self.root, site_dir))
                recycled = self._recyclable(release_id, base)
                if recycled is None:
                    copier.copy_tree(site_dir, staging)
                else:
                    # Out of the list in one rename (never offered for rollback half-changed),
                    # then no longer vouched for: its manifest goes before any file changes.
                    os.rename(self.root / RELEASES / recycled[0], staging)
                    manifest.manifest_path(self.root, recycled[0]).unlink(missing_ok=True)
                    copier.sync_tree(site_dir, staging, recycled[1])
                files = {
                    "copied": copier.copied, "linked": copier.linked, "kept": copier.kept,
                    "hashed": copier.hashed, "recycled": recycled[0] if recycled else None,
                }  # fmt: skip
                # Saved before the rename: a finished release has its manifest (a kill in
                # between leaves one without a release, which the next prune deletes).
                manifest.save(self.root, release_id, copier.files)
                os.rename(staging, final)
                manifest.save_built(self.root, site_dir, copier.stamps)
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
            **files,
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

    def _link_base(self, release_id: str) -> Path | None:
        """The release whose identical files the new one links to: the live one (else the
        newest); its files are never written again, so sharing them is safe."""
        live = self.current()
        ids = [i for i in self._ids() if i != release_id]
        chosen = live.id if live and live.id in ids else (ids[-1] if ids else None)
        return self.root / RELEASES / chosen if chosen else None

    def _recyclable(
        self, release_id: str, base: Path | None
    ) -> tuple[str, manifest.Entries] | None:
        """The release this deploy would prune (the oldest beyond ``keep``; never the live one
        or the link base) with its manifest, to be turned into the new release instead of
        making ≈ 5,000 folders anew; None when there is none or its manifest is not sound."""
        live = self.current()
        protect = {release_id, *(r.id for r in (live,) if r), *(b.name for b in (base,) if b)}
        for doomed in to_prune(sorted([*self._ids(), release_id]), self.keep, protect)[:1]:
            files = manifest.load(self.root, doomed)
            if files is not None:
                return doomed, files
        return None

    def wait_pruned(self, timeout: float | None = None) -> None:
        """Wait for the deletion of old releases the last deploy started (tests, shutdown)."""
        if self._pruning is not None:
            self._pruning.join(timeout)

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
        trash = []
        for doomed in to_prune(self._ids(), self.keep, protect):
            # Out of the list first (one rename), then deleted: a kill in between leaves a
            # hidden trash folder, never a half-deleted release offered for rollback.
            trash.append(folder / f".trash-{doomed}-{os.getpid()}")
            os.rename(folder / doomed, trash[-1])
        # Leftovers of killed runs: staging copies and trash not yet deleted.
        for stale in [*folder.glob(".tmp-*"), *folder.glob(".trash-*")]:
            pid = stale.name.rsplit("-", 1)[-1]
            if pid.isdigit() and not _alive(int(pid)) and stale not in trash:
                trash.append(stale)
        if trash:
            # Not daemonic: the process finishes the deletion before it exits. Bounded by the
            # folders named here; a kill leaves hidden trash that the next deploy deletes.
            self.wait_pruned()
            self._pruning = threading.Thread(target=_delete, args=(trash,), name="prune")
            self._pruning.start()
        # Manifests of releases gone (pruned, or staging copies of killed runs).
        manifest.remove(self.root, set(self._ids()) | protect)


def _delete(folders: list[Path]) -> None:
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)


def _reason(error: OSError) -> str:
    """Why a copy failed, in words; ``shutil.Error`` carries one message per file, of which
    the first says enough (a full disk fails every file after it the same way)."""
    code = error.errno
    if code is None and isinstance(error, shutil.Error) and error.args and error.args[0]:
        found = re.search(r"\[Errno (\d+)\]", str(error.args[0][0][-1]))
        code = int(found.group(1)) if found else None
    if code == errno.ELOOP and error.filename:
        return MSG("symlink", name=error.filename)
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
