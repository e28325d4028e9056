"""Drafts read on both cores before Pelican's own loop, which then finds them in its cache.

Reading (Markdown, front matter, sanitising) is most of a full build: 17 of 20 seconds at 5,000
articles. Before Pelican's loop over the articles runs, the drafts its cache lacks are read here
in two halves, one in a fork of this process, and stored in the generator's cache exactly as
that loop would store them: with the stamp of the file as it was read. Pelican's loop then
finds every one of them, in its order, with its signals. A draft whose reading fails, says
anything (a warning, an error) or is not a valid article is not stored: Pelican's loop reads it
again and reports it as a build in one process does. Used only when every receiver of the
signals sent while reading is known to keep nothing outside the article
(``fastpath.may_read_ahead``, which also reads each draft: ``read_one``).
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import signal
import sys
import tempfile
from collections.abc import Callable, Iterator
from typing import Any

from pipeline.render.incremental import Session


class Said(logging.Handler):
    """Remembers that a warning or an error came while a draft was read ahead."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.said = False

    def emit(self, record: logging.LogRecord) -> None:
        self.said = True


def _drop(record: logging.LogRecord) -> bool:
    return False


@contextlib.contextmanager
def quiet() -> Iterator[Said]:
    """Nothing read ahead reaches the build's log: Pelican's loop says it again, in order."""
    root = logging.getLogger()
    others = list(root.handlers)
    said = Said()
    for handler in others:
        handler.addFilter(_drop)
    root.addHandler(said)
    try:
        yield said
    finally:
        root.removeHandler(said)
        for handler in others:
            handler.removeFilter(_drop)


ReadOne = Callable[[str], "tuple[Any, Any] | None"]


def read_some(files: list[str], read_one: ReadOne) -> list[tuple[str, Any, Any]]:
    """``(file, stamp, article)`` for each file ``read_one`` read silently into an article."""
    found = []
    for name in files:
        read = read_one(name)
        if read is not None:
            found.append((name, *read))
    return found


def read_ahead(
    files: list[str], read_one: ReadOne, pickler: Any, unpickler: Any, session: Session
) -> list[tuple]:
    """Read ``files`` in two halves, the second in a fork; ``pickler(handle)`` and
    ``unpickler(handle)`` carry articles across as the content cache does. The fork's work is
    reported to ``session.on_fork`` ("read": the drafts it read, and whether it finished)."""
    half = len(files) // 2
    with tempfile.TemporaryFile() as report:
        sys.stdout.flush()
        sys.stderr.flush()
        gc.freeze()
        pid = os.fork()
        if pid == 0:  # the fork: read, hand over, leave at once
            code = 1
            try:
                session.on_read = lambda: None  # its reads are counted by this process
                found = read_some(files[half:], read_one)
                pickler(report).dump(found)
                report.flush()
                code = 0
            finally:
                os._exit(code)
        try:
            found = read_some(files[:half], read_one)
        except BaseException:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise
        finally:
            gc.unfreeze()
        theirs: list[tuple] = []
        finished = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0
        if finished:
            report.seek(0)
            try:
                theirs = unpickler(report).load()
            except Exception:  # not there: Pelican's loop reads them
                finished = False
    for _ in theirs:
        session.on_read()
    session.on_fork("read", len(theirs), finished)
    return found + theirs
