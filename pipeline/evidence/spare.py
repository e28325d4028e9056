"""Browser contexts made ready before a publication needs them, each used by one capture.

Making a context and its page costs a warm Chromium 0.15-0.5 s, and a publication needs three
(two views, the page check): the publication service makes them between publications, so the
stages find them ready. A spare is as clean as a context made at the moment of use: it is made
with the same options, its page has loaded nothing (``about:blank``: no cookie, storage or
cached file), and it is handed out once and closed by its user (``take`` removes it), never
kept after a capture: an edited article's old image cannot come from an earlier capture's
cache. A spare of a browser that has since died or been replaced is closed, not used.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Page
from playwright.sync_api import Error as PlaywrightError

BLANK = "about:blank"


@dataclass
class _Spare:
    browser: Browser
    options: dict[str, Any]
    script: str | None
    context: BrowserContext
    pages: list[Page]


class Spares:
    """The spare contexts of one browser's stages, by name (``desktop``, ``check``, ...)."""

    def __init__(self) -> None:
        self._kept: dict[str, _Spare] = {}

    def make(
        self,
        browser: Browser,
        name: str,
        options: Mapping[str, Any],
        tabs: int = 1,
        script: str | None = None,
    ) -> None:
        """A new spare ``name`` (the one it replaces is closed); ``script``: run by every
        document of it before the document's own scripts (``add_init_script``)."""
        self.drop(name)
        context = _context(browser, options, script)
        spare = _Spare(browser, dict(options), script, context, [])
        self._kept[name] = spare
        spare.pages = [context.new_page() for _ in range(tabs)]

    def take(
        self,
        browser: Browser,
        name: str,
        options: Mapping[str, Any],
        tabs: int = 1,
        script: str | None = None,
    ) -> tuple[BrowserContext, list[Page]]:
        """A context of ``browser`` made with ``options``, ``script`` and ``tabs`` blank pages:
        the spare when it fits, else made now. The caller closes it."""
        spare = self._kept.pop(name, None)
        if spare is not None and _fits(spare, browser, options, script):
            pages = spare.pages[:tabs]
            for extra in spare.pages[tabs:]:
                with contextlib.suppress(PlaywrightError):
                    extra.close()
            pages += [spare.context.new_page() for _ in range(tabs - len(pages))]
            return spare.context, pages
        if spare is not None:
            _close(spare)
        context = _context(browser, options, script)
        return context, [context.new_page() for _ in range(tabs)]

    def drop(self, name: str) -> None:
        spare = self._kept.pop(name, None)
        if spare is not None:
            _close(spare)

    def clear(self) -> None:
        for name in list(self._kept):
            self.drop(name)


def _context(browser: Browser, options: Mapping[str, Any], script: str | None) -> BrowserContext:
    context = browser.new_context(**options)
    if script is not None:
        context.add_init_script(script)
    return context


def _fits(spare: _Spare, browser: Browser, options: Mapping[str, Any], script: str | None) -> bool:
    """Made by this browser, still connected, with these options and script, every page blank
    and open."""
    return (
        spare.browser is browser
        and browser.is_connected()
        and spare.options == dict(options)
        and spare.script == script
        and all(not page.is_closed() and page.url == BLANK for page in spare.pages)
    )


def _close(spare: _Spare) -> None:
    with contextlib.suppress(PlaywrightError):  # gone with a browser that died
        spare.context.close()
