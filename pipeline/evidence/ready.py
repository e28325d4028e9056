"""When a page of the live site is ready to be judged or captured, told by what the page did
rather than by a quiet period.

A page is ready when its ``load`` event has fired, every ``<img>`` has settled (lazy ones are
made eager, so an image below the fold counts too), its web fonts are loaded
(``document.fonts.ready``), and no request of the page is in flight after a rendered frame
(counted from Playwright's ``request``/``requestfinished``/``requestfailed`` events, so a
late answer is waited for however late it is, up to the timeout). For the office's static
pages this is at least what the old wait for 500 ms of network quiet proved, without spending
the 500 ms: the pages load nothing on timers, and what they load is all counted.
"""

from __future__ import annotations

import time

from playwright.sync_api import Page, Request

# Load lazy images now and wait (bounded) for every image and web font to settle, then list
# the broken images.
SETTLE_JS = """
async (limitMs) => {
  const imgs = Array.from(document.images);
  imgs.forEach(i => { i.loading = 'eager'; });
  await Promise.race([
    Promise.all([
      ...imgs.map(i => i.complete ? null : new Promise(r => {
        i.addEventListener('load', r); i.addEventListener('error', r); })),
      document.fonts.ready,
    ]),
    new Promise(r => setTimeout(r, limitMs)),
  ]);
  return imgs.filter(i => !i.complete || i.naturalWidth === 0)
             .map(i => i.currentSrc || i.src || i.outerHTML.slice(0, 80));
}
"""
# Two animation frames: style and layout have run, so whatever they start to load (a
# background image, a font used only now) has been asked for before the count is read again.
# Bounded: a page that renders no frame (hidden) is not waited for.
FRAME_JS = """() => Promise.race([
  new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r))),
  new Promise(r => setTimeout(r, 200)),
])"""
IMAGES_LIMIT_MS = 10_000
POLL_MS = 10  # how often the count of requests in flight is read while some are


class InFlight:
    """The requests of one page that have started and not yet finished or failed."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.pending: dict[Request, None] = {}  # ordered: the oldest is named first
        page.on("request", self._started)
        page.on("requestfinished", self._ended)
        page.on("requestfailed", self._ended)

    def _started(self, request: Request) -> None:
        self.pending[request] = None

    def _ended(self, request: Request) -> None:
        self.pending.pop(request, None)

    def settle(self, timeout_ms: float) -> tuple[list[str], list[str]]:
        """Wait (up to ``timeout_ms`` after the ``load`` event) until the page is ready;
        ``(broken images, addresses still loading)``, both empty for a page that is."""
        end = time.monotonic() + timeout_ms / 1000
        limit = min(IMAGES_LIMIT_MS, timeout_ms)
        broken: list[str] = self.page.evaluate(SETTLE_JS, limit)
        while True:
            while self.pending and time.monotonic() < end:
                self.page.wait_for_timeout(POLL_MS)
            if self.pending:
                return broken, [r.url for r in self.pending]
            self.page.evaluate(FRAME_JS)
            if not self.pending:
                return broken, []
