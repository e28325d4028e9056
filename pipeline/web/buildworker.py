"""While ``terbit web`` runs, the server's warm build process (``render.warm``) and the
publication service (``hooks.publisher``) are kept up: a publication started by a push runs in
the service, with its code imported and Chromium started, and builds in the warm process, seconds
sooner. ``TERBIT_WARM=off`` stops both (the publications then run in a fresh process and build
in another, as without the web application)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.concurrency import run_in_threadpool

from pipeline.publication.stages import warm_folder
from pipeline.render import warm
from pipeline.vcs import Repo

CHECK_S = 5  # a killed or stale process is started again within this many seconds


async def _watch(services: list[warm.Service]) -> None:
    while True:
        for service in services:
            await run_in_threadpool(service.check)
        await asyncio.sleep(CHECK_S)


@asynccontextmanager
async def kept_warm(server: Path) -> AsyncIterator[None]:
    services = warm.services(warm_folder(Repo(server)))
    if not services:
        yield
        return
    task = asyncio.create_task(_watch(services))
    try:
        yield
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        for service in services:
            await run_in_threadpool(service.stop)
