"""Article pages on both cores: a fork writes a share of them while the build goes on.

An article page depends only on the finished site model, so a fork of the build process can
render (or reuse) a share of the article pages while this process writes the rest, then the
archives, lists and feeds. The fork reports what the writer must know (pages, digests, counts,
files written) and this process takes it in at the end of the articles' output. A fork is used
only when nothing can tell the difference: no plugin listens to the signals sent while article
pages are written, and no article overrides another page. When the fork fails for any reason,
this process writes its share again itself, so errors are reported as a single process would.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import signal
import sys
import tempfile
from collections.abc import Callable
from typing import Any

from pelican import signals

from pipeline.build.incremental import IncrementalWriter

# Below this many article pages a fork costs more than it saves. Tests lower it.
MIN_PAGES = int(os.environ.get("TERBIT_SPLIT_MIN", "400"))
# The fork's share: this process also writes the archives, lists and feeds afterwards.
FORK_SHARE = 0.6


class _ErrorCount(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


def can_split(writer: Any, items: list[Any]) -> bool:
    return (
        hasattr(os, "fork")
        and len(items) >= MIN_PAGES
        and isinstance(writer, IncrementalWriter)
        and writer.session is not None
        and not signals.article_generator_write_article.receivers
        and not signals.content_written.receivers
        and not any(hasattr(item, "override_save_as") for item in items)
    )


class Share:
    """Article pages written by a fork of this process; ``join`` takes in what it did."""

    def __init__(
        self,
        everything: list[Any],
        items: list[Any],
        write: Callable[[list[Any]], None],
        writer: IncrementalWriter,
        context: dict[str, Any],
    ) -> None:
        self._all = everything  # ``items`` is its tail
        self.items = items
        self._write = write
        self._writer = writer
        self._context = context
        self._report = tempfile.TemporaryFile()  # noqa: SIM115  (closed by join/abandon)
        self._digests = tempfile.TemporaryFile()  # noqa: SIM115
        self._ready, ready = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        self.pid = os.fork()
        if self.pid == 0:
            os.close(self._ready)
            self._child(ready)
        os.close(ready)

    def _child(self, ready: int) -> None:
        code = 1
        try:
            session = self._writer.session
            assert session is not None
            self._send_digests(session.digester, ready)
            session.on_write = lambda path, reused: None  # progress: counted by the parent
            session.digests, session.kept = {}, set()
            session.rendered = session.reused = 0
            before = set(self._writer._written_files)
            errors = _ErrorCount()
            logging.getLogger().addHandler(errors)
            self._write(self.items)
            pickle.dump(
                {
                    "digests": session.digests,
                    "kept": session.kept,
                    "rendered": session.rendered,
                    "reused": session.reused,
                    "written": self._writer._written_files - before,
                    "errors": errors.count,
                    "localsiteurl": self._context.get("localsiteurl"),
                },
                self._report,
            )
            self._report.flush()
            code = 0
        finally:
            os._exit(code)  # no clean-up of the parent's objects, no flush of its buffers

    def _send_digests(self, digester: Any, ready: int) -> None:
        """The own digests of the fork's articles first: the archives and lists this process
        writes next digest every article, and would otherwise compute these again."""
        position = {id(item): i for i, item in enumerate(self._all)}
        found = []
        for i, item in enumerate(self.items, start=len(self._all) - len(self.items)):
            own, refs = digester.own(item)
            where = [position.get(id(ref)) for ref in refs]
            if None not in where:
                found.append((i, own, where))
        pickle.dump(found, self._digests)
        self._digests.flush()
        os.write(ready, b"1")
        os.close(ready)

    def take_digests(self, digester: Any) -> None:
        """Wait for the fork's digests (ready long before this process needs them)."""
        ok = os.read(self._ready, 1) == b"1"
        os.close(self._ready)
        self._ready = -1
        if not ok:
            return  # the fork stopped early; the digests are computed here when needed
        self._digests.seek(0)
        for i, own, where in pickle.load(self._digests):
            digester.remember(self._all[i], own, [self._all[j] for j in where])

    def join(self) -> None:
        """Take in the fork's pages; write them here when the fork did not finish."""
        status = os.waitpid(self.pid, 0)[1]
        self.pid = 0
        report = None
        if os.waitstatus_to_exitcode(status) == 0:
            self._report.seek(0)
            with contextlib.suppress(Exception):
                report = pickle.load(self._report)
        self._close()
        if report is None:
            self._write(self.items)
            return
        session = self._writer.session
        assert session is not None
        clash = report["written"] & self._writer._written_files
        if clash:  # Pelican's own check, had one process written both
            raise RuntimeError(f"File {sorted(clash)[0]} is to be overwritten")
        self._writer._written_files |= report["written"]
        session.digests.update(report["digests"])
        session.kept |= report["kept"]
        session.rendered += report["rendered"]
        session.reused += report["reused"]
        for rel in report["digests"]:
            session.on_write(rel, rel in report["kept"])
        for handler in logging.getLogger().handlers:
            if isinstance(getattr(handler, "errors", None), int):
                handler.errors += report["errors"]  # type: ignore[attr-defined]
        if report["localsiteurl"] is not None:
            self._context["localsiteurl"] = report["localsiteurl"]  # as after the last article

    def abandon(self) -> None:
        """The build failed meanwhile: stop the fork before the output is thrown away."""
        if self.pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            self.pid = 0
        self._close()

    def _close(self) -> None:
        self._report.close()
        self._digests.close()
        if self._ready >= 0:
            os.close(self._ready)
            self._ready = -1
