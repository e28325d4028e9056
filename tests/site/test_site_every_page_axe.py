"""Every page of the built sample site passes axe-core (WCAG 2.1 A/AA) at desktop and 390 px.

The page list is the built output itself, not a hand-picked sample: a new template, a wide
table or a long word on any page shows up here. At 390 px a wide table scrolls sideways, and a
scrolling region keyboard users cannot reach is a WCAG failure (``scrollable-region-focusable``).
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

# Each width is its own xdist group (a minute each): the two can run on both workers at once,
# each building the sample site once on its worker (a few seconds).
pytestmark = pytest.mark.browser

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
TABS = 6  # pages loaded at once in one browser context


def _pages(output) -> list[str]:
    """Every HTML page of the output as the address a visitor opens (``x/index.html`` as
    ``x/``)."""
    found = []
    for path in sorted(output.rglob("*.html")):
        rel = path.relative_to(output).as_posix()
        found.append(rel.removesuffix("index.html"))
    return found


VIEWS = [
    pytest.param("desktop", marks=pytest.mark.xdist_group("site-axe-desktop")),
    pytest.param("phone", marks=pytest.mark.xdist_group("site-axe-phone")),
]


@pytest.mark.parametrize("view", VIEWS)
def test_every_page_passes_axe(sample_site, visit, view: str) -> None:
    width, height = WIDTHS[view]
    pages = _pages(sample_site.output)
    assert len(pages) >= 50 and "layanan/" in pages and "404.html" in pages
    v = visit(width=width, height=height)
    tabs = [v.page] + [v.page.context.new_page() for _ in range(TABS - 1)]
    axe = Axe()
    failures: list[str] = []
    for start in range(0, len(pages), TABS):
        batch = list(zip(tabs, pages[start : start + TABS], strict=False))
        # Loaded side by side: each tab waits for its own network to be quiet (half a second
        # with no request), and those half seconds pass together instead of one after another.
        for tab, path in batch:
            response = tab.goto(sample_site.url + path, wait_until="commit")
            assert response is not None and response.status == 200, path
        for tab, path in batch:
            tab.wait_for_load_state("networkidle")
            results = axe.run(tab, options=WCAG)
            failures += [
                f"{path} ({width} px): {violation['id']} — "
                + ", ".join(str(node.get("target")) for node in violation["nodes"])
                for violation in results.response["violations"]
            ]
    assert failures == [], "\n".join(failures)
    assert v.blocked == [], f"requests left 127.0.0.1: {v.blocked}"
