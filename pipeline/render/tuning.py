"""Costs of a big build that do not change a single page, taken off the build's path: the
spare tree is emptied and the content files' stamps are read by a child process.

The costs inside Pelican itself (quadratic lists, URLs formatted again and again) are taken
out in ``fastpath``, the one module that touches Pelican's internals.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from pipeline.render.swap import clear_files

STAMPS_FILE = "stamps.pickle"  # in the build cache: the last stamps and their files' stats
STAMPS_FORMAT = 1
# A stamp is reused only for a file unchanged since well before it was hashed: the kernel dates
# changes by a coarse clock, so a file changed again within the same tick as it was hashed keeps
# its times (Git's "racily clean" files). Two seconds are many ticks.
RACY_NS = 2_000_000_000

# path -> (device, inode, size, modification and change times), MD5, when it was hashed
Kept = dict[str, tuple[tuple[int, int, int, int, int], bytes, int]]


def _md5(path: str) -> bytes:
    with open(path, "rb") as handle:
        return hashlib.md5(handle.read()).digest()


def _kept(path: Path | None) -> Kept:
    """The stamps the last build kept (Terbit's own file); none when missing or damaged."""
    if path is None:
        return {}
    try:
        with path.open("rb") as handle:
            data = pickle.load(handle)
    except Exception:  # any damage: every file is hashed again
        return {}
    if not isinstance(data, dict) or data.get("format") != STAMPS_FORMAT:
        return {}
    files = data.get("files")
    return files if isinstance(files, dict) else {}


class Stamps:
    """MD5 of every file under ``folder``. With ``kept_file`` (in the build cache), a file whose
    stat is still the one it had when it was last hashed, long after its last change, keeps its
    stamp unread; ``save`` then writes the file again for the next build."""

    def __init__(self, folder: Path, kept_file: Path | None = None) -> None:
        self._file = kept_file
        self._kept = kept = _kept(kept_file)
        now = time.time_ns()
        self.found: dict[str, bytes] = {}
        self._keep: Kept = {}
        for base, _, files in os.walk(folder):
            for name in files:
                path = os.path.join(base, name)
                try:
                    st = os.stat(path)
                    key = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
                    hit = kept.get(path)
                    if hit is not None and hit[0] == key and key[4] < hit[2] - RACY_NS:
                        stamp, hashed = hit[1], hit[2]
                    else:
                        stamp, hashed = _md5(path), now
                except OSError:
                    continue
                self.found[path] = stamp
                self._keep[path] = (key, stamp, hashed)

    def save(self) -> None:
        if self._file is not None and self._keep != self._kept:
            with contextlib.suppress(OSError):  # a cache that cannot be written only costs time
                _write_kept(self._file, self._keep)


def _write_kept(path: Path, files: Kept) -> None:
    temp = path.with_name(f".{path.name}.{os.getpid()}")
    with temp.open("wb") as handle:
        pickle.dump({"format": STAMPS_FORMAT, "files": files}, handle, pickle.HIGHEST_PROTOCOL)
    os.replace(temp, path)  # whole or not at all


class Clearing:
    """Removes the files of the spare tree in a child process while Pelican is set up, on the
    other core (a thread would fight the build for the interpreter lock), and before that reads
    the stamps of the content files (``Stamps``) that Pelican would compute one by one to
    know which cached articles still hold. The build takes the stamps when Pelican checks its
    first file (``stamps``), before it reads any, and waits for the clearing before anything is
    written to the output (``wait``); the child reports the spare's folders, so the build can
    remove those it left without files (``prune``)."""

    def __init__(self, folder: Path, content: Path | None = None, kept: Path | None = None) -> None:
        self._folder = folder
        # One file each: a file offset is shared with the child, so the parent must not read
        # a file the child may still write.
        self._stamps_file = tempfile.TemporaryFile()  # noqa: SIM115  (closed by ``join``)
        self._report = tempfile.TemporaryFile()  # noqa: SIM115
        read, write = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        self._pid = os.fork()
        if self._pid == 0:  # the child: stamps, then clearing; a byte on the pipe after each
            code = 1
            try:
                os.close(read)
                self._child(folder, content, write, kept)
                code = 0
            finally:
                os._exit(code)
        os.close(write)
        self._owner = os.getpid()  # only this process reads the pipe (see ``stamps``)
        self._read = read
        self._stamps: dict[str, bytes] | None = None
        self._result: dict[str, Any] = {}
        self._code = 1
        self.folders: list[str] = []

    def _child(self, folder: Path, content: Path | None, done: int, kept: Path | None) -> None:
        stamps = Stamps(content, kept) if content is not None else None
        pickle.dump(stamps.found if stamps is not None else {}, self._stamps_file)
        self._stamps_file.flush()
        os.write(done, b"s")
        if stamps is not None:
            stamps.save()  # for the next build, once this one has its stamps
        try:
            result: dict[str, Any] = {"folders": clear_files(folder)}
        except OSError as error:
            result = {"error": str(error)}
        pickle.dump(result, self._report)
        self._report.flush()
        os.write(done, b"c")

    def stamps(self) -> dict[str, bytes]:
        """The content files' stamps ({} when the child could not read them, or when a fork of
        the build asks first: the pipe's byte is the build's, and Pelican then reads the stamp
        itself)."""
        if self._stamps is None and os.getpid() != self._owner:
            return {}
        if self._stamps is None:
            self._stamps = {}
            if self._read >= 0 and os.read(self._read, 1) == b"s":
                self._stamps_file.seek(0)
                self._stamps = pickle.load(self._stamps_file)
        return self._stamps

    def join(self) -> dict[str, Any]:
        """Wait for the child; what it reported about the clearing."""
        self.stamps()
        result: dict[str, Any] = {}
        if self._read >= 0:
            if os.read(self._read, 1) == b"c":
                self._report.seek(0)
                with contextlib.suppress(Exception):
                    result = pickle.load(self._report)
            os.close(self._read)
            self._read = -1
            self._code = os.waitstatus_to_exitcode(os.waitpid(self._pid, 0)[1])
            self._report.close()
            self._stamps_file.close()
            self._result = result
        return self._result

    def wait(self) -> None:
        report = self.join()
        if self._code != 0 or "folders" not in report:
            raise OSError(report.get("error") or f"clearing {self._folder} failed ({self._code})")
        self.folders = report["folders"]


def prune(folders: list[str], used: set[str]) -> None:
    """Remove the spare's folders this build put no file in, deepest first. ``rmdir`` refuses
    a folder that is not empty, so a folder written some other way is never lost."""
    for path in sorted(folders, key=lambda f: f.count("/"), reverse=True):
        if path in used:
            continue
        with contextlib.suppress(OSError):  # not empty: it holds this build's files
            os.rmdir(path)
