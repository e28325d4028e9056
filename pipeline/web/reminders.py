"""While ``terbit web`` runs, the same notification pass as ``terbit remind`` every few minutes
(a server without the systemd timer still sends reminders). ``TERBIT_NOTIFY=off`` stops it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool

from pipeline.errors import TerbitError
from pipeline.notify.people import switched_off
from pipeline.notify.remind import remind
from pipeline.web import buildworker

EVERY_S = 300
log = logging.getLogger("terbit.web")


async def _loop(server: Path) -> None:
    while True:
        await asyncio.sleep(EVERY_S)
        if switched_off():
            continue
        try:
            await run_in_threadpool(remind, server)
        except (TerbitError, OSError) as error:  # the next round tries again
            log.warning("terbit remind: %s", error)


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    task = asyncio.create_task(_loop(app.state.server))
    try:
        async with buildworker.kept_warm(app.state.server):
            yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        for child in app.state.children:  # publications the app started again, reaped
            child.poll()
