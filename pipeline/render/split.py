"""The articles generator's pages on both cores: a fork writes most article pages while this
process writes the rest and the lists.

Once the site model is final, every page depends on it alone, so a fork of the build process
can write article pages while this process writes the archives, topic, category and author
lists. Both need the digest of every article (see ``fingerprint``): each computes half
and hands it to the other. The fork then reports what the writer must know (pages, digests,
counts, files written) and this process takes it in. A fork is used only when nothing can tell
the difference: no plugin listens to the signals sent while these pages are written, and no
article overrides another page (``fastpath.can_split``). When the fork fails for any reason,
this process writes its part again itself, so errors are reported as one process would report
them. The fork's work is reported (``Session.on_fork``), so tests can tell that it ran.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import pickle
import signal
import sys
import tempfile
from collections.abc import Callable
from typing import IO, Any, Protocol

from pipeline.render.incremental import Session

# Below this many articles a fork costs more than it saves. Tests lower it.
MIN_PAGES = int(os.environ.get("TERBIT_SPLIT_MIN", "400"))
# The share of article pages written here rather than in the fork, which also writes the topic
# pages: this process writes the other lists, then the search index and sitemap. Measured at
# 5,000 articles: when most pages are reused, lists and indexes weigh as much as the article
# pages; in a full build rendering article pages is most of the work.
HERE_SHARE = {"incremental": 0.2, "full": 0.48}


def here_share(session: Session) -> float:
    return HERE_SHARE["incremental" if session.previous else "full"]


class Files(Protocol):
    """The writer's record of the files it wrote (see ``fastpath.WrittenFiles``)."""

    def current(self) -> set[str]: ...

    def clash(self, paths: set[str]) -> set[str]: ...

    def add(self, paths: set[str]) -> None: ...


class _ErrorCount(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


class _Handoff:
    """One side's half of the digests: a file, and a pipe that says it is complete."""

    def __init__(self) -> None:
        self.file: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115  (closed by ``close``)
        self._ends = dict(zip(("read", "write"), os.pipe(), strict=True))

    def close_end(self, which: str) -> None:
        """Close one end of the pipe once (a number closed twice may be another file's)."""
        end = self._ends.pop(which, None)
        if end is not None:
            os.close(end)

    def send(self, found: list[tuple[int, bytes, list[int]]]) -> None:
        pickle.dump(found, self.file)
        self.file.flush()
        os.write(self._ends["write"], b"1")

    def receive(self) -> list[tuple[int, bytes, list[int]]] | None:
        if os.read(self._ends["read"], 1) != b"1":
            return None  # the other side stopped before it was done
        self.file.seek(0)
        return pickle.load(self.file)

    def close(self) -> None:
        self.file.close()
        self.close_end("read")
        self.close_end("write")


class Share:
    """Pages written by a fork of this process (``write``) while this one writes others; made
    in the fork, it does the fork's part and leaves, so only this process returns from it."""

    def __init__(
        self,
        items: list[Any],
        session: Session,
        files: Files,
        context: dict[str, Any],
        write: Callable[[], None],
    ) -> None:
        self.items = items
        self._write = write
        self._session = session
        self._files = files
        self._context = context
        self._report = tempfile.TemporaryFile()  # noqa: SIM115  (closed by ``_close``)
        self._mine, self._theirs = _Handoff(), _Handoff()  # as seen from this process
        sys.stdout.flush()
        sys.stderr.flush()
        gc.freeze()  # the collector must not walk (and so copy) every object in the fork
        self.pid = os.fork()
        self.in_fork = self.pid == 0
        if self.in_fork:  # the fork sends what this process receives, and back
            self._mine, self._theirs = self._theirs, self._mine
        self._mine.close_end("read")
        self._theirs.close_end("write")
        if self.in_fork:
            self._fork_part()  # never returns

    def send_digests(self) -> None:
        """Compute this side's half of the articles' own digests and hand it over."""
        session = self._session
        half = len(self.items) // 2
        mine = range(half, len(self.items)) if self.in_fork else range(half)
        position = {id(item): i for i, item in enumerate(self.items)}
        found = []
        for i in mine:
            own, refs = session.digester.own(self.items[i])
            where = [position.get(id(ref)) for ref in refs]
            if None not in where:
                found.append((i, own, where))
        self._mine.send(found)  # type: ignore[arg-type]

    def receive_digests(self) -> None:
        """Take the other half (ready at about the same time: the halves cost the same)."""
        session = self._session
        for i, own, where in self._theirs.receive() or []:
            session.digester.remember(self.items[i], own, [self.items[j] for j in where])

    def _fork_part(self) -> None:
        """In the fork: its half of the digests, its pages, a report, and leave at once,
        whatever happens (nothing of the build that called it may run twice)."""
        code = 1
        try:
            self.send_digests()
            self.receive_digests()
            session = self._session
            session.on_write = lambda path, reused: None  # progress: counted by the parent
            session.digests, session.kept = {}, set()
            session.rendered = session.reused = 0
            before = self._files.current()
            errors = _ErrorCount()
            logging.getLogger().addHandler(errors)
            self._write()
            pickle.dump(
                {
                    "digests": session.digests,
                    "kept": session.kept,
                    "rendered": session.rendered,
                    "reused": session.reused,
                    "written": self._files.current() - before,
                    "errors": errors.count,
                    "localsiteurl": self._context.get("localsiteurl"),
                    "templates": session.needs.parsed if session.needs else {},
                },
                self._report,
            )
            self._report.flush()
            code = 0
        finally:
            os._exit(code)  # no clean-up of the parent's objects, no flush of its buffers

    def join(self) -> None:
        """Take in the fork's pages; write them here when it did not finish. Once only."""
        if not self.pid:
            return
        status = os.waitpid(self.pid, 0)[1]
        self.pid = 0
        report = None
        if os.waitstatus_to_exitcode(status) == 0:
            self._report.seek(0)
            with contextlib.suppress(Exception):
                report = pickle.load(self._report)
        self._close()
        session = self._session
        if report is None:
            session.on_fork("pages", 0, False)
            self._write()
            return
        session.on_fork("pages", len(report["digests"]), True)
        clash = self._files.clash(report["written"])
        if clash:  # Pelican's own check, had one process written both
            error = RuntimeError(f"File {sorted(clash)[0]} is to be overwritten")
            output = os.path.relpath(sorted(clash)[0], session.output)
            error.terbit_output = output  # type: ignore[attr-defined]  # see ``worker``
            raise error
        self._files.add(report["written"])
        session.digests.update(report["digests"])
        session.kept |= report["kept"]
        session.rendered += report["rendered"]
        session.reused += report["reused"]
        for rel in report["digests"]:
            session.on_write(rel, rel in report["kept"])
        for handler in logging.getLogger().handlers:
            if isinstance(getattr(handler, "errors", None), int):
                handler.errors += report["errors"]  # type: ignore[attr-defined]
        if session.needs is not None:
            for name, parsed in report["templates"].items():
                session.needs.parsed.setdefault(name, parsed)
        else:
            session.templates.update(report["templates"])
        if report["localsiteurl"] is not None:
            self._context["localsiteurl"] = report["localsiteurl"]

    def abandon(self) -> None:
        """The build failed meanwhile: stop the fork before the output is thrown away."""
        if self.pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            self.pid = 0
        self._close()

    def _close(self) -> None:
        gc.unfreeze()
        self._report.close()
        self._mine.close()
        self._theirs.close()


class Forked:
    """A function run in a fork of this process; ``wait`` says whether it finished."""

    def __init__(self, pid: int) -> None:
        self.pid = pid

    def wait(self) -> bool:
        if not self.pid:
            return False
        status = os.waitpid(self.pid, 0)[1]
        self.pid = 0
        return os.waitstatus_to_exitcode(status) == 0


def in_fork(function: Callable[[], None]) -> Forked:
    """Run ``function`` in a fork (which then leaves at once) while this process goes on."""
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            function()
            code = 0
        finally:
            os._exit(code)
    return Forked(pid)
