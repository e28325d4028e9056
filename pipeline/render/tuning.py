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
from pathlib import Path
from typing import Any

from pipeline.render.swap import clear_files


def file_stamps(folder: Path) -> dict[str, bytes]:
    """MD5 of every file under ``folder``: Pelican's content-cache stamps, read ahead."""
    stamps: dict[str, bytes] = {}
    for base, _, files in os.walk(folder):
        for name in files:
            path = os.path.join(base, name)
            with contextlib.suppress(OSError), open(path, "rb") as handle:
                stamps[path] = hashlib.md5(handle.read()).digest()
    return stamps


class Clearing:
    """Removes the files of the spare tree in a child process while Pelican is set up, on the
    other core (a thread would fight the build for the interpreter lock), and before that reads
    the stamps of the content files (``file_stamps``) that Pelican would compute one by one to
    know which cached articles still hold. The build takes the stamps when Pelican checks its
    first file (``stamps``), before it reads any, and waits for the clearing before anything is
    written to the output (``wait``); the child reports the spare's folders, so the build can
    remove those it left without files (``prune``)."""

    def __init__(self, folder: Path, content: Path | None = None) -> None:
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
                self._child(folder, content, write)
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

    def _child(self, folder: Path, content: Path | None, done: int) -> None:
        pickle.dump(file_stamps(content) if content is not None else {}, self._stamps_file)
        self._stamps_file.flush()
        os.write(done, b"s")
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
