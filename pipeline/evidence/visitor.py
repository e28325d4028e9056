"""Check the changed pages as a visitor would: axe (WCAG 2.1 A/AA) in the real browser, every
internal link and image of the page, and the external links listed (never fetched: the check
runs offline).

An internal address counts when it names a file of the built site (``x/`` is ``x/index.html``);
the built site is only read, and an address that climbs out of it (``../``) is broken.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, JSHandle, Page, Response
from playwright.sync_api import Error as PlaywrightError

from pipeline.evidence.ready import InFlight
from pipeline.evidence.spare import Spares
from pipeline.i18n import Catalog

# The rule tags of WCAG 2.1 levels A and AA, as tests/site/test_site_every_page_axe.py runs them.
# Only the violations come back with their elements: passes are not sent over (the findings
# are the same, in half the bytes).
WCAG = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
_AXE_READY = "() => typeof axe === 'object' && typeof axe.run === 'function'"
_AXE_START = "o => ({ run: new Promise(r => setTimeout(r)).then(() => axe.run(document, o)) })"
# Every address a visitor's browser follows or loads from the page (resolved by the browser).
_ADDRESSES = """() => [
  ...[...document.querySelectorAll('a[href]')].map(e => e.href),
  ...[...document.querySelectorAll('img[src]')].map(e => e.currentSrc || e.src),
  ...[...document.querySelectorAll('link[href][rel~="stylesheet"], link[href][rel~="icon"]')]
      .map(e => e.href),
  ...[...document.querySelectorAll('script[src]')].map(e => e.src),
]"""
PAGE_TIMEOUT_MS = 30_000
TABS = 4  # pages loaded side by side in one context
VIEWPORT = {"viewport": {"width": 1280, "height": 900}}
SPARE = "check"  # the name of the check's spare context
USUAL_PAGES = 2  # a publication checks one changed page and the home page

MSG = Catalog(
    {
        "no_answer": ("tidak menjawab", "no answer"),
        "no_page": (
            "pemeriksaan halaman: {url} tidak dapat dibuka ({status})",
            "page check: {url} could not be opened ({status})",
        ),
    }
)


@dataclass
class PageReport:
    """What the check found on the pages it opened (the record's "Pemeriksaan halaman")."""

    pages: list[str] = field(default_factory=list)
    violations: list[dict[str, Any]] = field(default_factory=list)  # page, rule, impact, targets
    broken_links: list[dict[str, str]] = field(default_factory=list)  # page, href
    external_links: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # pages that could not be checked

    def data(self) -> dict[str, Any]:
        return asdict(self)


def site_file(site_dir: Path, base_url: str, address: str) -> Path | bool | None:
    """The built file ``address`` names; False when it is on another host (external), None
    when it is on the site's host but names no file of the build."""
    base = urlsplit(base_url.rstrip("/") + "/")
    parts = urlsplit(address)
    if parts.scheme not in ("http", "https") or parts.netloc != base.netloc:
        return False
    if not parts.path.startswith(base.path):
        return None  # the site's own host, outside the site: nothing of the build answers it
    rel = PurePosixPath(unquote(parts.path[len(base.path) :]))
    if ".." in rel.parts:
        return None  # never followed out of the built site
    root = site_dir.resolve()
    for candidate in (
        (rel / "index.html",) if parts.path.endswith("/") else (rel, rel / "index.html")
    ):
        path = root.joinpath(*candidate.parts)
        # A symlink in the build could point anywhere: only real files inside the site count.
        if path.is_file() and not path.is_symlink() and path.resolve().is_relative_to(root):
            return path
    return None


def check_pages(
    browser: Browser,
    pages: list[str],
    site_dir: Path,
    base_url: str,
    *,
    timeout_ms: int = PAGE_TIMEOUT_MS,
    spares: Spares | None = None,
) -> PageReport:
    """Open each page of ``pages`` (absolute URLs of the live site) and check it.

    The pages load side by side, ``TABS`` at a time in tabs of one context (a clean spare made
    before, ``prepare_check``, or made now), and axe runs in every ready tab at once; each
    page is judged in its own tab, once it is ready (``evidence.ready``), and reported in the
    order of ``pages``."""
    report = PageReport()
    external: set[str] = set()
    width = min(TABS, len(pages))
    context, blank = (spares or Spares()).take(browser, SPARE, VIEWPORT, width, _axe_on_load())
    try:
        tabs = [_Tab(page, timeout_ms) for page in blank]
        for start in range(0, len(pages), TABS):
            batch = pages[start : start + TABS]
            for tab, url in zip(tabs, batch, strict=False):
                tab.open(url)
            running = [(tab, tab.start_axe()) for tab in tabs[: len(batch)]]
            for tab, axe in running:
                if tab.problem is not None:
                    report.problems.append(tab.problem)
                    continue
                _judge(tab, axe, site_dir, base_url, report, external)
    finally:
        context.close()
    report.external_links = sorted(external)
    return report


class _Tab:
    """One tab of the check's context, reused for the next page of its column."""

    def __init__(self, page: Page, timeout_ms: int) -> None:
        self.page = page
        self.page.set_default_timeout(timeout_ms)
        self.requests = InFlight(self.page)
        self.timeout_ms = timeout_ms
        self.url = ""
        self.answer: Response | None = None
        self.problem: str | None = None

    def open(self, url: str) -> None:
        """Start loading ``url``: returns once its answer has come."""
        self.url, self.answer, self.problem = url, None, None
        try:
            self.answer = self.page.goto(url, wait_until="commit")
        except PlaywrightError:  # a page that never answers (timeout, refused): a finding
            self.problem = MSG("no_page", url=url, status=MSG("no_answer"))

    def start_axe(self) -> JSHandle | None:
        """Once the page is ready, axe started in it (not awaited: the tabs run theirs at the
        same time); None, with ``problem`` set, for a page that cannot be checked."""
        if self.problem is None and (self.answer is None or self.answer.status != 200):
            status = self.answer.status if self.answer is not None else "-"
            self.problem = MSG("no_page", url=self.url, status=status)
        if self.problem is not None:
            return None
        try:
            self.page.wait_for_load_state("load")
        except PlaywrightError:
            self.problem = MSG("no_page", url=self.url, status=MSG("no_answer"))
            return None
        # Judged as it is at the timeout if it never gets quiet: the screenshots report that.
        self.requests.settle(self.timeout_ms)
        if not self.page.evaluate(_AXE_READY):  # a page that removed it: injected as before
            self.page.evaluate(_axe_script())
        # Wrapped, so the handle is the running promise, not its awaited result; started on
        # the page's next task, as most of axe's work runs before its promise is returned:
        # this thread goes on to the next tab, whose axe then runs beside this one.
        return self.page.evaluate_handle(_AXE_START, WCAG)


def _judge(
    tab: _Tab,
    axe: JSHandle | None,
    site_dir: Path,
    base_url: str,
    report: PageReport,
    external: set[str],
) -> None:
    url, page = tab.url, tab.page
    report.pages.append(url)
    results = axe.evaluate("h => h.run") if axe is not None else {"violations": []}
    for violation in results["violations"]:
        report.violations.append(
            {
                "page": url,
                "rule": violation["id"],
                "impact": violation.get("impact") or "",
                "targets": [str(n.get("target")) for n in violation["nodes"]],
            }
        )
    for address in dict.fromkeys(page.evaluate(_ADDRESSES)):
        found = site_file(site_dir, base_url, address.split("#", 1)[0])
        if found is None:
            report.broken_links.append({"page": url, "href": address})
        elif found is False and urlsplit(address).scheme in ("http", "https"):
            external.add(address)


def prepare_check(browser: Browser, spares: Spares) -> None:
    """A spare context with the usual publication's tabs, for the next ``check_pages``."""
    spares.make(browser, SPARE, VIEWPORT, USUAL_PAGES, _axe_on_load())


@cache
def _axe_on_load() -> str:
    """axe-core as the check's context runs it in every page it loads: sent to Chromium once
    per context (570 KB; before, once per page after its load) and compiled while the page
    loads. Only in the top frame, as the injection after the load did: frames are not checked.
    A page's own script could meddle with it either way; the office's pages have none."""
    return f"if (window.top === window) {{\n{_axe_script()}\n}}"


@cache
def _axe_script() -> str:
    """axe-core's source, read once per process (570 KB)."""
    return str(Axe().axe_script)
