"""Drafts read on both cores before Pelican's own loop, which then finds them in its cache.

Reading (Markdown, front matter, sanitising) is most of a full build: 17 of 20 seconds at 5,000
articles. Before Pelican's loop over the articles runs, the drafts its cache lacks are read here
in two halves, one in a fork of this process, and stored in the generator's cache exactly as
that loop would store them: with the stamp of the file as it was read. Pelican's loop then
finds every one of them, in its order, with its signals. A draft whose reading fails, says
anything (a warning, an error) or is not a valid article is not stored: Pelican's loop reads it
again and reports it as a build in one process does. Used only when every receiver of the
signals sent while reading is known to keep nothing outside the article (``KNOWN``).
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import signal
import sys
import tempfile
from collections.abc import Iterator
from typing import Any

from pelican import signals
from pelican.contents import Article
from pelican.log import LimitFilter
from pelican.readers import SkipStub

from pipeline.render.incremental import IncrementalWriter
from pipeline.render.split import receiver_names

# Receivers of the reading signals that only look at or change the article being read.
KNOWN = frozenset(
    {
        "pipeline.render.plugins.sanitizing.clean_content",
        "pipeline.render.worker._build.<locals>.read",  # counts drafts read, for the progress
    }
)
READING_SIGNALS = (
    signals.article_generator_preread,
    signals.article_generator_context,
    signals.content_object_init,
)


def may_read_ahead(missing: int, least: int) -> bool:
    return (
        hasattr(os, "fork")
        and missing >= least
        and all(receiver_names(sent) <= KNOWN for sent in READING_SIGNALS)
    )


class _Said(logging.Handler):
    """Remembers that a warning or an error came while a draft was read ahead."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.said = False

    def emit(self, record: logging.LogRecord) -> None:
        self.said = True


def _drop(record: logging.LogRecord) -> bool:
    return False


@contextlib.contextmanager
def _quiet() -> Iterator[_Said]:
    """Nothing read ahead reaches the build's log: Pelican's loop says it again, in order.
    Pelican drops a message it has logged once, so what it noted here is forgotten again."""
    root = logging.getLogger()
    others = list(root.handlers)
    said = _Said()
    raised = set(LimitFilter._raised_messages)
    groups = dict(LimitFilter._group_count)
    for handler in others:
        handler.addFilter(_drop)
    root.addHandler(said)
    try:
        yield said
    finally:
        root.removeHandler(said)
        for handler in others:
            handler.removeFilter(_drop)
        if said.said:
            LimitFilter._raised_messages.clear()
            LimitFilter._raised_messages.update(raised)
            LimitFilter._group_count.clear()
            LimitFilter._group_count.update(groups)


def read_some(generator: Any, files: list[str]) -> list[tuple[str, Any, Any]]:
    """``(file, stamp, article)`` for each file read silently into a valid article."""
    found = []
    for name in files:
        stamp = generator._get_file_stamp(name)  # before reading: a later edit reads again
        with _quiet() as quiet:
            try:
                article = generator.readers.read_file(  # the call of Pelican's own loop
                    base_path=generator.path,
                    path=name,
                    content_class=Article,
                    context=generator.context,
                    preread_signal=signals.article_generator_preread,
                    preread_sender=generator,
                    context_signal=signals.article_generator_context,
                    context_sender=generator,
                )
            except Exception:
                continue
            if isinstance(article, SkipStub) or not article.is_valid() or quiet.said:
                continue
        found.append((name, stamp, article))
    return found


def read_ahead(generator: Any, files: list[str], pickler: Any, unpickler: Any) -> list[tuple]:
    """Read ``files`` in two halves, the second in a fork; ``pickler(handle)`` and
    ``unpickler(handle)`` carry articles across as the content cache does."""
    half = len(files) // 2
    with tempfile.TemporaryFile() as report:
        sys.stdout.flush()
        sys.stderr.flush()
        gc.freeze()
        pid = os.fork()
        if pid == 0:  # the fork: read, hand over, leave at once
            code = 1
            try:
                if IncrementalWriter.session is not None:  # its reads are counted here
                    IncrementalWriter.session.on_read = lambda: None
                found = read_some(generator, files[half:])
                pickler(report).dump(found)
                report.flush()
                code = 0
            finally:
                os._exit(code)
        try:
            found = read_some(generator, files[:half])
        except BaseException:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise
        finally:
            gc.unfreeze()
        theirs: list[tuple] = []
        if os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0:
            report.seek(0)
            with contextlib.suppress(Exception):  # not there: Pelican's loop reads them
                theirs = unpickler(report).load()
    if IncrementalWriter.session is not None:
        for _ in theirs:
            IncrementalWriter.session.on_read()
    return found + theirs
