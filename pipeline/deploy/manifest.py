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
    if not isinstance(data, dict) or data.get("version") != VERSION:
        return None
    files = data.get("files")
    if not isinstance(files, dict):
        return None
    for value in files.values():
        if not (
            isinstance(value, list)
            and len(value) == 5
            and all(type(v) is int for v in value[:4])
            and isinstance(value[4], str)
            and len(value[4]) == 64
        ):
            return None
    return files


def save(root: Path, release_id: str, files: Entries) -> None:
    """Written under a temporary name and renamed: a reader sees the whole manifest or none."""
    path = manifest_path(root, release_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    temp.write_text(json.dumps({"version": VERSION, "files": files}), encoding="utf-8")
    os.replace(temp, path)


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
    """

    base: Path | None
    base_files: Entries | None
    files: Entries = field(default_factory=dict)
    copied: int = 0
    linked: int = 0

    def copy_tree(self, site: Path, staging: Path) -> None:
        umask = os.umask(0)
        os.umask(umask)
        self._folder(str(site), str(staging), os.stat(site), umask)
        self._tree(str(site), str(staging), "", umask)

    def _folder(self, source: str, target: str, info: os.stat_result, umask: int) -> None:
        mode = stat.S_IMODE(info.st_mode)
        os.mkdir(target, mode)
        if mode & ~umask != mode:  # mkdir applied the umask: keep the build's mode
            os.chmod(target, mode)

    def _tree(self, src: str, dst: str, rel: str, umask: int) -> None:
        with os.scandir(src) as found:
            entries = list(found)
        for entry in entries:
            name = f"{rel}{entry.name}"
            source, target = entry.path, os.path.join(dst, entry.name)
            # Never followed: a link (the build writes none) would put what it points at online.
            info = os.lstat(source)
            if stat.S_ISLNK(info.st_mode):
                raise OSError(errno.ELOOP, "symbolic link", name)
            if stat.S_ISDIR(info.st_mode):
                self._folder(source, target, info, umask)
                self._tree(source, target, name + "/", umask)
            else:
                self._file(source, target, name, info)

    def _file(self, source: str, target: str, name: str, info: os.stat_result) -> None:
        mode = stat.S_IMODE(info.st_mode)
        data: bytes | None = None
        if info.st_size <= WHOLE_BYTES:
            with open(source, "rb") as handle:
                data = handle.read()
            digest = hashlib.sha256(data).hexdigest()
        else:
            with open(source, "rb") as handle:
                digest = hashlib.file_digest(handle, "sha256").hexdigest()
        size = len(data) if data is not None else info.st_size
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
