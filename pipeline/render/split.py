"""The articles generator's pages on both cores: a fork writes article pages while this
process writes the lists, then both take what is left.

Once the site model is final, every page depends on it alone, so a fork of the build process
can write article pages while this process writes the archives, topic, category and author
lists. Both need the digest of every article (see ``fingerprint``): each computes half
and hands it to the other. The article pages are handed out in runs from one queue (``Runs``):
the fork starts on them at once, this process joins in once its lists are written, so both
finish together however the machine shares its cores between them. The fork then reports what
the writer must know (pages, digests, counts, files written) and this process takes it in.

A fork is used only when nothing can tell the difference: no plugin listens to the signals
sent while these pages are written, and no article overrides another page
(``fastpath.can_split``). When the fork fails for any reason, this process writes the fork's
runs and pages again itself, so errors are reported as one process would report them. The
fork's work is reported (``Session.on_fork``), so tests can tell that it ran.
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
# Article pages per run taken from the queue (about 64 runs on a site of fewer than 2,048): the
# side that finishes last waits for one run at most (32 reused pages: a few milliseconds).
RUN = 32
TOKEN = 4  # bytes per run number in the queue's pipe


class Runs:
    """The article pages still to write, as runs of consecutive items in a pipe both processes
    read: each read takes one run, whole (a pipe read of a few bytes is atomic), and the end of
    the pipe means all are taken. The last run (the oldest articles) is the fork's alone, so its
    share is never empty (a failure there is reported as this process would report it, see
    ``Share.join``)."""

    def __init__(self, count: int) -> None:
        # One pipe buffer (64 KiB) holds 16,384 run numbers: runs grow on a bigger site.
        self.size = max(1, min(RUN, count // 64), -(-count // 16_000))
        self.count = count
        read, write = os.pipe()
        with os.fdopen(write, "wb") as handle:  # all written, the end closed, before the fork
            starts = range(0, count, self.size)
            handle.write(b"".join(start.to_bytes(TOKEN, "big") for start in starts[:-1]))
        self.last = range(starts[-1], count) if starts else range(0)  # the fork's own
        self._read = read
        self.mine: list[int] = []  # the runs this process took

    def take(self) -> range | None:
        """The next run (its items' positions), or None when all are taken."""
        if self._read < 0:
            return None
        token = os.read(self._read, TOKEN)
        if len(token) != TOKEN:
            return None
        start = int.from_bytes(token, "big")
        self.mine.append(start)
        return range(start, min(start + self.size, self.count))

    def not_mine(self) -> list[range]:
        """The runs this process did not take (the fork's, and any left), in order."""
        taken = set(self.mine)
        return [
            range(start, min(start + self.size, self.count))
            for start in range(0, self.count, self.size)
            if start not in taken
        ]

    def close(self) -> None:
        if self._read >= 0:
            os.close(self._read)
            self._read = -1


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
        write: Callable[[list[Any]], None],
        lists: Callable[[], None],
    ) -> None:
        self.items = items
        self._write_items = write  # the pages of these items
        self._lists = lists  # the fork's other pages (topics)
        self._runs = Runs(len(items))
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
            self._write_run(self._runs.last)
            self._lists()
            self._write_taken()
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

    def _write_run(self, run: range) -> None:
        self._write_items(self.items[run.start : run.stop])

    def _write_taken(self) -> None:
        """Write runs from the queue until none is left."""
        while (run := self._runs.take()) is not None:
            self._write_run(run)

    def finish(self) -> None:
        """Here: write runs until none is left, then take in the fork's pages (``join``)."""
        if self.pid:
            self._write_taken()
        self.join()

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
            for run in self._runs.not_mine():  # the fork's runs, in the items' order
                self._write_run(run)
            self._lists()
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
        self._runs.close()
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
