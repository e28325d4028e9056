"""What each local release holds, as Terbit wrote it: path -> size, mode, inode, mtime, SHA-256.

A new release shares the previous release's identical files (hard links). Deciding "identical"
by comparing every file byte for byte reads the whole site twice; with the previous release's
manifest the new site is read once (to hash it) and the old files only ``lstat``-ed: a file is
linked when its bytes hash to what the manifest says the old file held and the old file is
still the very file Terbit wrote (same inode, size, mode, modification time; an edit in place
changes the time, a replacement the inode). Anything unsure (no manifest, a damaged one, a file
changed since) is copied from the build, so a release always equals the build.

Manifests live beside the releases (``manifests/<id>.json``), never inside one: a release folder
holds exactly the built site.

Two more cuts keep a deploy proportional to what changed (issue 16, P3):

- **The built files' stamps** (``built-files.json`` beside the releases): the same five values
  for each file of the build folder as the last deploy read it. The build writes every page
  into an emptied folder, as a new file or as a hard link to its previous, unchanged output; so
  a file still of the same inode, size, mode and modification time is the very file hashed
  last time (a new write gets a new time; the export writes a changed source anew, so even a
  copy that keeps its source's time is a new time) and is not read again.
- **Recycling** (``Copier.sync_tree``): the release that falls out of retention is renamed to
  the new one's staging name and turned into the new build in place: files its manifest still
  vouches for with the new hash stay, the others are removed and put in as new inodes (linked
  from the live release or copied; never a write into a file, which may be shared by hard
  link with a live release), folders made or removed as the build has them. Its whole tree is
  walked, so nothing left there by anyone else (an extra file, a link, a file edited in place)
  survives. A recycled release without a manifest Terbit can trust is not recycled.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import stat
from dataclasses import dataclass, field
from pathlib import Path

VERSION = 1
FOLDER = "manifests"
BUILT = "built-files.json"
# Files larger than this are hashed and copied in streams instead of read whole into memory.
WHOLE_BYTES = 8 << 20

# path -> [size, mode, inode, mtime_ns, sha256 hex]
Entries = dict[str, list[int | str]]


def manifest_path(root: Path, release_id: str) -> Path:
    return root / FOLDER / f"{release_id}.json"


def load(root: Path, release_id: str) -> Entries | None:
    """The manifest of ``release_id``; None when missing, unreadable or of another shape (the
    deploy then compares bytes instead)."""
    try:
        data = json.loads(manifest_path(root, release_id).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return _checked(data)


def _checked(data: object) -> Entries | None:
    if not isinstance(data, dict) or data.get("version") != VERSION:
        return None
    files = data.get("files")
    if not isinstance(files, dict):
        return None
    for value in files.values():  # unrolled: 5,000 entries are checked on every deploy
        if type(value) is not list or len(value) != 5:
            return None
        size, mode, inode, mtime, digest = value
        if not (
            type(size) is int and type(mode) is int and type(inode) is int
            and type(mtime) is int and type(digest) is str and len(digest) == 64
        ):  # fmt: skip
            return None
    return files


def save(root: Path, release_id: str, files: Entries) -> None:
    _write(manifest_path(root, release_id), {"version": VERSION, "files": files})


def _write(path: Path, data: dict[str, object]) -> None:
    """Written under a temporary name and renamed: a reader sees the whole file or none."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    temp.write_text(json.dumps(data), encoding="utf-8")
    os.replace(temp, path)


def load_built(root: Path, site: Path) -> Entries | None:
    """The stamps of ``site``'s files as the last deploy from that folder hashed them."""
    try:
        data = json.loads((root / BUILT).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("site") != str(site.resolve()):
        return None
    return _checked(data)


def save_built(root: Path, site: Path, files: Entries) -> None:
    _write(root / BUILT, {"version": VERSION, "site": str(site.resolve()), "files": files})


def remove(root: Path, keep: set[str]) -> None:
    """Delete the manifests of releases not in ``keep`` (pruned ones, leftovers of kills)."""
    folder = root / FOLDER
    if not folder.is_dir():
        return
    for path in folder.iterdir():
        release = path.name.removesuffix(".json")
        if path.name.startswith(".") or release not in keep:
            path.unlink(missing_ok=True)


@dataclass
class Copier:
    """Copies the built site into a staging folder, linking what the base release vouches for.

    ``base_files`` is the base release's manifest; without one (a release from before
    manifests, or a damaged file) an old file is linked only after a byte-for-byte comparison.
    ``built``: the build folder's stamps from the last deploy (``load_built``); a file still
    stamped so is not read again. ``stamps`` are this deploy's, to save for the next.
    """

    base: Path | None
    base_files: Entries | None
    built: Entries | None = None
    files: Entries = field(default_factory=dict)
    stamps: Entries = field(default_factory=dict)
    copied: int = 0
    linked: int = 0
    kept: int = 0  # files of a recycled release left as they were
    hashed: int = 0  # built files read to hash them

    def copy_tree(self, site: Path, staging: Path) -> None:
        umask = _umask()
        self._folder(str(site), str(staging), os.stat(site), umask)
        self._tree(str(site), str(staging), "", umask, None)

    def sync_tree(self, site: Path, staging: Path, old_files: Entries) -> None:
        """Turn ``staging`` (a whole earlier release, renamed, whose manifest is
        ``old_files``) into the built site; see the module docstring."""
        mode = stat.S_IMODE(os.stat(site).st_mode)
        if stat.S_IMODE(os.lstat(staging).st_mode) != mode:
            os.chmod(staging, mode)  # folders are never shared by releases
        self._tree(str(site), str(staging), "", _umask(), old_files)

    def _folder(self, source: str, target: str, info: os.stat_result, umask: int) -> None:
        mode = stat.S_IMODE(info.st_mode)
        os.mkdir(target, mode)
        if mode & ~umask != mode:  # mkdir applied the umask: keep the build's mode
            os.chmod(target, mode)

    def _tree(self, src: str, dst: str, rel: str, umask: int, old: Entries | None) -> None:
        """Copy folder ``src`` to ``dst``: a new folder (``old`` None) or one of a recycled
        release (``old``: its manifest) whose entries are kept, replaced or removed."""
        with os.scandir(src) as found:
            entries = list(found)
        there: dict[str, os.DirEntry[str]] = {}
        if old is not None:
            with os.scandir(dst) as found:
                there = {entry.name: entry for entry in found}
            names = {entry.name for entry in entries}
            for name, entry in there.items():
                if name not in names:
                    _remove(entry)
        for entry in entries:
            name = f"{rel}{entry.name}"
            source, target = entry.path, os.path.join(dst, entry.name)
            # Never followed: a link (the build writes none) would put what it points at online.
            info = os.lstat(source)
            if stat.S_ISLNK(info.st_mode):
                raise OSError(errno.ELOOP, "symbolic link", name)
            was = there.get(entry.name)
            if stat.S_ISDIR(info.st_mode):
                if was is not None and was.is_dir(follow_symlinks=False):
                    mode = stat.S_IMODE(info.st_mode)
                    if stat.S_IMODE(was.stat(follow_symlinks=False).st_mode) != mode:
                        os.chmod(target, mode)  # a folder is never shared by releases
                    self._tree(source, target, name + "/", umask, old)
                    continue
                if was is not None:
                    _remove(was)
                self._folder(source, target, info, umask)
                self._tree(source, target, name + "/", umask, None)
                continue
            digest, data = self._digest(source, name, info)
            if was is not None:
                if old is not None and self._kept(was, name, info, digest, old):
                    continue
                _remove(was)  # never written into: it may be a live release's file too
            self._file(source, target, name, info, digest, data)

    def _kept(
        self, was: os.DirEntry[str], name: str, info: os.stat_result, digest: str, old: Entries
    ) -> bool:
        """Whether a recycled release's file is still the file its manifest names, with the
        new build's bytes and mode: then it stays."""
        if not was.is_file(follow_symlinks=False):
            return False
        now = was.stat(follow_symlinks=False)
        mode = stat.S_IMODE(info.st_mode)
        entry: list[int | str] = [info.st_size, mode, now.st_ino, now.st_mtime_ns, digest]
        if old.get(name) != entry or (now.st_size, stat.S_IMODE(now.st_mode)) != (
            info.st_size,
            mode,
        ):
            return False
        self.files[name] = entry
        self.kept += 1
        return True

    def _digest(self, source: str, name: str, info: os.stat_result) -> tuple[str, bytes | None]:
        """The file's SHA-256, and its bytes when they had to be read."""
        stamp: list[int | str] = [
            info.st_size, stat.S_IMODE(info.st_mode), info.st_ino, info.st_mtime_ns
        ]  # fmt: skip
        was = self.built.get(name) if self.built is not None else None
        data: bytes | None = None
        if was is not None and was[:4] == stamp:
            digest = str(was[4])
        else:
            self.hashed += 1
            with open(source, "rb") as handle:
                if info.st_size <= WHOLE_BYTES:
                    data = handle.read()
                    digest = hashlib.sha256(data).hexdigest()
                else:
                    digest = hashlib.file_digest(handle, "sha256").hexdigest()
        self.stamps[name] = [*stamp, digest]
        return digest, data

    def _file(
        self,
        source: str,
        target: str,
        name: str,
        info: os.stat_result,
        digest: str,
        data: bytes | None,
    ) -> None:
        mode = stat.S_IMODE(info.st_mode)
        size = info.st_size
        was = self._same(name, size, mode, digest, data) if self.base is not None else None
        if was is not None:
            assert self.base is not None
            try:
                os.link(os.path.join(self.base, name), target)
                self.files[name] = [size, mode, was.st_ino, was.st_mtime_ns, digest]
                self.linked += 1
                return
            except OSError:
                pass  # a link refused (another file system, too many links): copy it
        if data is None:
            shutil.copy2(source, target)
        else:
            with open(target, "xb") as out:
                out.write(data)
            shutil.copystat(source, target)
        now = os.lstat(target)
        self.files[name] = [size, mode, now.st_ino, now.st_mtime_ns, digest]
        self.copied += 1

    def _same(
        self, name: str, size: int, mode: int, digest: str, data: bytes | None
    ) -> os.stat_result | None:
        """The base release's file ``name`` when it holds these bytes with this mode."""
        assert self.base is not None
        old = os.path.join(self.base, name)
        try:
            was = os.lstat(old)
        except OSError:
            return None
        if not (
            stat.S_ISREG(was.st_mode) and was.st_size == size and stat.S_IMODE(was.st_mode) == mode
        ):
            return None
        if self.base_files is not None:
            vouched = self.base_files.get(name)
            return was if vouched == [size, mode, was.st_ino, was.st_mtime_ns, digest] else None
        try:  # no manifest: the bytes themselves
            with open(old, "rb") as handle:
                if data is not None:
                    same = handle.read(size + 1) == data
                else:
                    same = hashlib.file_digest(handle, "sha256").hexdigest() == digest
        except OSError:
            return None
        return was if same else None


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


def _remove(entry: os.DirEntry[str]) -> None:
    """An entry of a recycled release: unlinked (a file, maybe shared) or deleted whole."""
    if entry.is_dir(follow_symlinks=False):
        shutil.rmtree(entry.path)
    else:
        os.unlink(entry.path)
