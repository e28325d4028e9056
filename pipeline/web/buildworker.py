"""While ``terbit web`` runs, the server's warm build process (``render.warm``) is kept up: a
publication started by a push builds in it, a second or more sooner. ``TERBIT_WARM=off`` stops
it (the publications then build in a fresh process, as without the web application)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.concurrency import run_in_threadpool

from pipeline.publication.stages import warm_folder
from pipeline.render import warm
from pipeline.vcs import Repo

CHECK_S = 5  # a killed or stale worker is started again within this many seconds


async def _watch(service: warm.Service) -> None:
    while True:
        await run_in_threadpool(service.check)
        await asyncio.sleep(CHECK_S)


@asynccontextmanager
async def kept_warm(server: Path) -> AsyncIterator[None]:
    if warm.switched_off():
        yield
        return
    service = warm.Service(warm_folder(Repo(server)))
    task = asyncio.create_task(_watch(service))
    try:
        yield
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await run_in_threadpool(service.stop)
