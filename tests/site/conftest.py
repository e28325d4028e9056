"""Fixtures for the site: real Pelican builds served over HTTP on 127.0.0.1, real Chromium.

Builds and servers are session-scoped; the modules using the sample site share the xdist group
"site" (the hostile site has its own group), so one worker builds each site once; the axe check
of every page takes a group per width, so both widths can run at once, on a worker each.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Error

from tests.support.site import BuiltSite, QuietHandler, build_site

# A published article corrected once (``render.history``'s shape; the dates of two merges).
HISTORY = {
    "articles/laporan-layanan-informasi-publik-2025.md": [
        {"commit": "1" * 40, "date": "2026-01-28T07:05:00+00:00"},
        {"commit": "2" * 40, "date": "2026-02-02T03:30:00+00:00"},
    ]
}


@pytest.fixture(scope="session")
def serve() -> Iterator[Callable[[BuiltSite], str]]:
    """Serve a built site on 127.0.0.1 (free port) in a thread; returns its base URL."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def _serve(site: BuiltSite) -> str:
        handler = functools.partial(QuietHandler, directory=str(site.output))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        site.url = f"http://127.0.0.1:{server.server_port}/"
        return site.url

    yield _serve
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory: pytest.TempPathFactory, serve: Callable) -> BuiltSite:
    """The repository's real content built with the real theme and plugins; one article with
    the history Terbit would read from Git (two versions), so its correction note and history
    list are on the pages every check visits."""
    site = build_site(tmp_path_factory.mktemp("site") / "output", TERBIT_HISTORY=HISTORY)
    serve(site)
    return site


@pytest.fixture(scope="module")  # not the session: a Playwright left open blocks every later one
def site_browser() -> Iterator:
    from pipeline.evidence.browser import chromium

    with chromium() as browser:
        yield browser


@dataclass
class Visit:
    """A browser page whose every request is checked: only 127.0.0.1 is let through."""

    page: object
    blocked: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


@pytest.fixture
def visit(site_browser) -> Iterator[Callable[..., Visit]]:
    contexts = []

    def _open(width: int = 1280, height: int = 900) -> Visit:
        context = site_browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        result = Visit(page=context.new_page())

        def guard(route) -> None:
            host = urlsplit(route.request.url).hostname
            if route.request.url.startswith(("data:", "blob:")) or host == "127.0.0.1":
                route.continue_()
            else:
                result.blocked.append(route.request.url)
                route.abort()

        context.route("**/*", guard)

        def on_dialog(dialog) -> None:
            result.dialogs.append(dialog.message)
            with contextlib.suppress(Error):  # the page may already have moved on
                dialog.dismiss()

        result.page.on("dialog", on_dialog)
        return result

    yield _open
    for context in contexts:
        context.close()
