"""Costs of a big Pelican build that do not change a single page, taken out of the worker.

Everything here patches or runs inside the build process only (a worker process or the fork of
``terbit build``) and leaves the pages exactly as Pelican would write them.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipeline.build.swap import clear_files


class Clearing:
    """Removes the files of the spare tree in a thread while Pelican is imported and set up
    (unlink and scandir wait in the kernel, so this uses the second core). The build waits for
    it before Pelican runs, that is before anything is written to the output."""

    def __init__(self, folder: Path) -> None:
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(folder,), name="terbit-clear")
        self._thread.start()

    def _run(self, folder: Path) -> None:
        try:
            clear_files(folder)
        except BaseException as error:  # reported by ``wait``, in the build's own thread
            self.error = error

    def join(self) -> None:
        self._thread.join()

    def wait(self) -> None:
        self._thread.join()
        if self.error is not None:
            raise self.error


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
    (the worker's folder does not change once the build starts)."""
    from pelican.contents import Content

    compute = Content.get_relative_source_path
    memo: dict[tuple[str, str], str | None] = {}

    def relative(self: Any, source_path: str | None = None) -> str | None:
        path = source_path or self.source_path
        if path is None:
            return None
        key = (path, self.settings["PATH"])
        if key not in memo:
            memo[key] = compute(self, path)
        return memo[key]

    Content.get_relative_source_path = relative  # type: ignore[method-assign]


def remember_folders() -> Callable[..., None]:
    """Pelican asks for every page's folder to be made; on a big site most already exist by
    then, and each failed mkdir is a system call. Returns the real ``os.makedirs``, which the
    build puts back when it ends."""
    made: set[str] = set()
    real = os.makedirs

    def makedirs(name: Any, mode: int = 0o777, exist_ok: bool = False) -> None:
        key = os.fspath(name)
        if exist_ok and key in made:
            return
        real(name, mode, exist_ok)
        made.add(key)

    os.makedirs = makedirs  # type: ignore[assignment]
    return real
