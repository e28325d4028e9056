"""Start Chromium for Playwright: Playwright's own build where installed, else the system one."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Error, sync_playwright

from pipeline.errors import ConfigError
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
