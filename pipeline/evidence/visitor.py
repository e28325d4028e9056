"""Check the changed pages as a visitor would: axe (WCAG 2.1 A/AA) in the real browser, every
internal link and image of the page, and the external links listed (never fetched: the check
runs offline).

An internal address counts when it names a file of the built site (``x/`` is ``x/index.html``);
the built site is only read, and an address that climbs out of it (``../``) is broken.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser
from playwright.sync_api import Error as PlaywrightError

from pipeline.i18n import Catalog

# The rule tags of WCAG 2.1 levels A and AA, as tests/site/test_site_every_page_axe.py runs them.
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
# Every address a visitor's browser follows or loads from the page (resolved by the browser).
_ADDRESSES = """() => [
  ...[...document.querySelectorAll('a[href]')].map(e => e.href),
  ...[...document.querySelectorAll('img[src]')].map(e => e.currentSrc || e.src),
  ...[...document.querySelectorAll('link[href][rel~="stylesheet"], link[href][rel~="icon"]')]
      .map(e => e.href),
  ...[...document.querySelectorAll('script[src]')].map(e => e.src),
]"""
PAGE_TIMEOUT_MS = 30_000

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


def check_pages(browser: Browser, pages: list[str], site_dir: Path, base_url: str) -> PageReport:
    """Open each page of ``pages`` (absolute URLs of the live site) and check it."""
    report = PageReport()
    external: set[str] = set()
    axe = Axe()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(PAGE_TIMEOUT_MS)
        for url in pages:
            try:
                answer = page.goto(url, wait_until="load")
            except PlaywrightError:  # a page that never loads (timeout, refused): a finding
                report.problems.append(MSG("no_page", url=url, status=MSG("no_answer")))
                continue
            if answer is None or answer.status != 200:
                status = answer.status if answer is not None else "-"
                report.problems.append(MSG("no_page", url=url, status=status))
                continue
            report.pages.append(url)
            for violation in axe.run(page, options=WCAG).response["violations"]:
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
    finally:
        context.close()
    report.external_links = sorted(external)
    return report
