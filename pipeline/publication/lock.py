"""One publication at a time per repository; later ones wait, bounded."""

from __future__ import annotations

import fcntl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pipeline.errors import TerbitError
from pipeline.i18n import Catalog

LOCK_WAIT_S = 900

MSG = Catalog(
    {
        "busy": (
            "publikasi lain masih berjalan lebih dari {s} detik; coba lagi nanti",
            "another publication has been running for more than {s} seconds; try again later",
        ),
    }
)


@contextmanager
def publish_lock(root: Path, busy: str | None = None) -> Iterator[None]:
    """Hold the publication lock in ``root`` (waiting up to ``LOCK_WAIT_S`` for it); ``busy``
    is what a wait too long says (another job's lock, e.g. the page checks')."""
    root.mkdir(parents=True, exist_ok=True)
    with (root / "lock").open("a") as handle:
        deadline = time.monotonic() + LOCK_WAIT_S
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TerbitError(busy or MSG("busy", s=LOCK_WAIT_S)) from None
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
