"""Start Chromium for Playwright: Playwright's own build where installed, else the system one."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from playwright.sync_api import Browser, Error, Playwright, sync_playwright

from pipeline.errors import ConfigError
from pipeline.evidence.screenshot import prepare_views
from pipeline.evidence.spare import Spares
from pipeline.evidence.visitor import prepare_check
from pipeline.i18n import Catalog

# Flags that keep Chromium quiet on a closed network and inside containers running as root.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
T = TypeVar("T")
SYSTEM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")

MSG = Catalog(
    {
        "no_browser": (
            "Chromium tidak ditemukan. Jalankan 'python -m playwright install chromium', atau "
            "'apt-get install -y chromium', atau atur TERBIT_CHROMIUM ke berkas programnya.",
            "Chromium not found. Run 'python -m playwright install chromium', or "
            "'apt-get install -y chromium', or set TERBIT_CHROMIUM to its executable.",
        ),
    }
)


def system_chromium() -> str | None:
    """The system Chromium (TERBIT_CHROMIUM wins), or None."""
    chosen = os.environ.get("TERBIT_CHROMIUM")
    if chosen:
        return chosen
    for candidate in SYSTEM_CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    return shutil.which("chromium")


def launch_options() -> dict[str, Any]:
    """Keyword arguments for ``chromium.launch``; also used by the pytest-playwright fixture."""
    options: dict[str, Any] = {"args": list(CHROMIUM_ARGS), "headless": True}
    preferred = os.environ.get("TERBIT_BROWSER", "auto")  # auto | playwright | system
    system = system_chromium()
    if preferred == "system" or (preferred == "auto" and system and not _playwright_has_own()):
        if not system:
            raise ConfigError(MSG("no_browser"))
        options["executable_path"] = system
    return options


def _playwright_has_own() -> bool:
    """Whether ``playwright install chromium`` has put a browser in its cache."""
    root = Path(
        os.environ.get("PLAYWRIGHT_BROWSERS_PATH") or Path.home() / ".cache" / "ms-playwright"
    )
    return root.is_dir() and any(root.glob("chromium*-*"))


@contextmanager
def chromium() -> Iterator[Browser]:
    """A headless Chromium, closed on exit."""
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(**launch_options())
        except Error:
            raise ConfigError(MSG("no_browser")) from None
        try:
            yield browser
        finally:
            with contextlib.suppress(Error):  # a crashed browser cannot be closed politely
                browser.close()


class SharedChromium:
    """One headless Chromium for all the evidence stages of a publication (screenshots, page
    check), or of every publication of the publication service (kept warm between them):
    started on first use, so stages whose results are kept start none, and started again when
    it died (a crash in one stage, or between two publications, leaves the next its own).
    ``spares``: its contexts made ready for the next publication (``prepare``)."""

    def __init__(self) -> None:
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self.spares = Spares()

    def get(self) -> Browser:
        if self._browser is not None and _alive(self._browser):
            return self._browser
        self.spares.clear()
        if self._browser is not None:
            with contextlib.suppress(Error):
                self._browser.close()
        if self._playwright is None:
            self._playwright = sync_playwright().start()
        self._browser = self.launch(self._playwright)
        return self._browser

    def launch(self, playwright: Playwright) -> Browser:
        try:
            return playwright.chromium.launch(**launch_options())
        except Error:
            raise ConfigError(MSG("no_browser")) from None

    def prepare(self, make: Callable[[Browser, Spares], None]) -> None:
        """``make`` the spare contexts of the next publication (started here if need be); a
        browser that cannot start or make them leaves the stage to say so when it runs."""
        with contextlib.suppress(Exception):
            make(self.get(), self.spares)

    def close(self) -> None:
        self.spares.clear()
        if self._browser is not None:
            with contextlib.suppress(Error):  # a crashed browser cannot be closed politely
                self._browser.close()
        if self._playwright is not None:
            self._playwright.stop()
        self._browser = self._playwright = None


def _alive(browser: Browser) -> bool:
    """Whether the browser still answers. ``is_connected`` alone is not enough: the sync API
    learns that a killed Chromium has gone only on its next round trip, so one is made."""
    if not browser.is_connected():
        return False
    try:
        browser.new_browser_cdp_session().detach()
    except Error:
        return False
    return True


@contextmanager
def shared_chromium() -> Iterator[SharedChromium]:
    """A ``SharedChromium``, its browser (if one started) closed on exit."""
    shared = SharedChromium()
    try:
        yield shared
    finally:
        shared.close()


class KeptBrowsers:
    """The publication service's Chromiums, kept warm between publications: ``shots`` (the
    screenshots) and ``pages`` (the page check), each on a thread of its own, so the two stages
    run at the same time. Two browsers, as Playwright's sync API keeps each one on the thread
    that started it; each is started again when it died. Between publications each makes its
    stage's clean contexts ready (``prepare``)."""

    def __init__(self) -> None:
        self.shots = SharedChromium()
        self.pages = SharedChromium()
        self._shots = ThreadPoolExecutor(max_workers=1, thread_name_prefix="screenshots")
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="page-check")

    def warm(self) -> None:
        """Start both now (together) with their spare contexts, so the first publication finds
        them ready; one that cannot start says so in that publication."""
        for started in self.prepare():
            started.result()

    def prepare(self) -> list[Future[None]]:
        """Make the next publication's spare contexts on both browsers' threads, without
        waiting: a stage asked for meanwhile runs after them on its thread."""
        return [
            self._shots.submit(self.shots.prepare, prepare_views),
            self._thread.submit(self.pages.prepare, prepare_check),
        ]

    def shooting(self, work: Callable[[SharedChromium], T]) -> Future[T]:
        """``work(shots)`` on the screenshots' thread."""
        return self._shots.submit(work, self.shots)

    def beside(self, work: Callable[[SharedChromium], T]) -> Future[T]:
        """``work(pages)`` on the page check's thread, while the caller goes on."""
        return self._thread.submit(work, self.pages)

    def close(self) -> None:
        closing = [self._shots.submit(self.shots.close), self._thread.submit(self.pages.close)]
        for closed in closing:
            closed.result()
        self._shots.shutdown()
        self._thread.shutdown()


@contextmanager
def browser_of(shared: SharedChromium | None) -> Iterator[Browser]:
    """The shared browser, or one of its own for a stage run alone."""
    if shared is None:
        with chromium() as browser:
            yield browser
    else:
        yield shared.get()
