"""Costs of a big Pelican build that do not change a single page, taken out of the worker.

Everything here patches or runs inside the build process only (a worker process or the fork of
``terbit build``) and leaves the pages exactly as Pelican would write them.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Callable
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
    know which cached articles still hold. The build takes the stamps before it reads the
    content (``stamps``) and waits for the clearing before anything is written to the output
    (``wait``); the child reports the spare's folders, so the build can remove those it left
    without files (``prune``)."""

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
        """The content files' stamps ({} when the child could not read them)."""
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


def linear_translations() -> None:
    """Pelican's ``process_translations`` ends with ``x not in index`` over lists: quadratic
    (a quarter of a second at 5,000 articles, every build). The same function called once per
    translation group gives the same lists, in the same order, and the same ``translations``."""
    from itertools import groupby
    from operator import attrgetter

    import pelican.generators

    original = pelican.generators.process_translations

    def per_group(content_list: list[Any], translation_id: Any = None) -> Any:
        if not translation_id:
            return original(content_list, translation_id)
        ids = {translation_id} if isinstance(translation_id, str) else translation_id
        try:
            content_list.sort(key=attrgetter(*ids))  # in place, as Pelican does
        except (TypeError, AttributeError):
            return original(content_list, translation_id)  # its own error message
        index: list[Any] = []
        translations: list[Any] = []
        for _, items in groupby(content_list, attrgetter(*ids)):
            origs, extra = original(list(items), translation_id)
            index += origs
            translations += extra
        return index, translations

    pelican.generators.process_translations = per_group


def memoize_urls() -> None:
    """``url`` and ``save_as`` of articles and pages are formatted from settings on every
    access (tens of thousands of times on a big site); once output starts they cannot change."""
    from pelican.contents import Content

    memo: dict[tuple[int, str], tuple[Any, str]] = {}
    for name in ("url", "save_as"):
        compute = Content.__dict__[name].fget

        def cached(self: Any, _compute: Any = compute, _name: str = name) -> str:
            key = (id(self), _name)
            hit = memo.get(key)
            if hit is None or hit[0] is not self:
                hit = (self, _compute(self))
                memo[key] = hit
            return hit[1]

        setattr(Content, name, property(cached))


def memoize_relative_paths() -> None:
    """Pelican turns an article's source path into one relative to the content folder (two
    ``abspath`` and a ``relpath``) on every URL it formats; the answer depends on nothing else
    (the worker's folder does not change once the build starts). A normalised absolute path
    under a normalised absolute content folder is simply cut."""
    from pelican.contents import Content

    compute = Content.get_relative_source_path
    memo: dict[tuple[str, str], str | None] = {}
    normpath = os.path.normpath

    def relative(self: Any, source_path: str | None = None) -> str | None:
        path = source_path or self.source_path
        if path is None:
            return None
        base = self.settings["PATH"]
        key = (path, base)
        if key not in memo:
            prefix = base + "/"
            if (
                path.startswith(prefix)
                and base.startswith("/")
                and normpath(base) == base
                and normpath(path) == path
            ):
                memo[key] = path[len(prefix) :]
            else:
                memo[key] = compute(self, path)
        return memo[key]

    Content.get_relative_source_path = relative


def remember_folders(existing: set[str]) -> tuple[Callable[..., None], set[str]]:
    """Pelican asks for every page's folder to be made; on a big site they exist already (the
    spare tree's ``existing`` folders, or made for an earlier page), and each failed mkdir is
    a few system calls. Returns the real ``os.makedirs``, which the build puts back when it
    ends, and the folders asked for (pages were written there)."""
    asked: set[str] = set()
    real = os.makedirs

    def makedirs(name: Any, mode: int = 0o777, exist_ok: bool = False) -> None:
        key = os.fspath(name)
        asked.add(key)
        if exist_ok and key in existing:
            return
        real(name, mode, exist_ok)
        existing.add(key)

    os.makedirs = makedirs
    return real, asked
