"""Progress of a build: a live display on a terminal, silence elsewhere.

The build itself runs in a worker process and reports events; the parent turns them into calls
on a ``Progress``. Anything can implement the protocol (the CLI, tests, the demo).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Protocol

from pipeline.i18n import Catalog

if TYPE_CHECKING:
    from rich.console import Console

MSG = Catalog(
    {
        "reading": ("Membaca naskah", "Reading drafts"),
        "writing": ("Menulis halaman", "Writing pages"),
        "reused": ("{n} dipakai ulang", "{n} reused"),
    }
)


class Progress(Protocol):
    def start(self, total_read: int) -> None: ...

    def update(self, read: int, written: int, reused: int) -> None:
        """Totals so far: files read, pages written (reused ones included), pages reused."""

    def stop(self) -> None: ...

    def fork(self, job: str, items: int, ok: bool) -> None:
        """A fork of the build finished its ``job`` ("read" drafts, "pages"): ``items`` done,
        ``ok`` when it did its whole share (else this process did it again)."""


class QuietProgress:
    """No output: for pipes, CI logs and library use."""

    def start(self, total_read: int) -> None:
        pass

    def update(self, read: int, written: int, reused: int) -> None:
        pass

    def stop(self) -> None:
        pass

    def fork(self, job: str, items: int, ok: bool) -> None:
        pass


class TerminalProgress:
    """Two live bars (files read, pages written) drawn on stderr with rich."""

    def __init__(self, console: Console | None = None) -> None:
        # Imported here: a build that is not on a terminal never needs rich (a tenth of the
        # start-up of a one-article build).
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as RichBar

        self._console = console or Console(stderr=True)
        self._bar = RichBar(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[note]}"),
            TimeElapsedColumn(),
            console=self._console,
            transient=True,
        )

    def start(self, total_read: int) -> None:
        self._bar.start()
        self._read = self._bar.add_task(MSG("reading"), total=total_read or None, note="")
        self._write = self._bar.add_task(MSG("writing"), total=None, note="")

    def update(self, read: int, written: int, reused: int) -> None:
        self._bar.update(self._read, completed=read)
        self._bar.update(self._write, completed=written, note=MSG("reused", n=reused))

    def stop(self) -> None:
        self._bar.stop()

    def fork(self, job: str, items: int, ok: bool) -> None:
        pass  # how the work was shared is not the user's concern


def default_progress() -> Progress:
    """A live display when stderr is a terminal, nothing otherwise."""
    return TerminalProgress() if sys.stderr.isatty() else QuietProgress()
