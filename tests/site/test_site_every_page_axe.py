"""Every page of the built sample site passes axe-core (WCAG 2.1 A/AA) at desktop and 390 px.

The page list is the built output itself, not a hand-picked sample: a new template, a wide
table or a long word on any page shows up here. At 390 px a wide table scrolls sideways, and a
scrolling region keyboard users cannot reach is a WCAG failure (``scrollable-region-focusable``).
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("site")]

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


def _pages(output) -> list[str]:
    """Every HTML page of the output as the address a visitor opens (``x/index.html`` as
    ``x/``)."""
    found = []
    for path in sorted(output.rglob("*.html")):
        rel = path.relative_to(output).as_posix()
        found.append(rel.removesuffix("index.html"))
    return found


@pytest.mark.parametrize("view", WIDTHS, ids=WIDTHS.keys())
def test_every_page_passes_axe(sample_site, visit, view: str) -> None:
    width, height = WIDTHS[view]
    pages = _pages(sample_site.output)
    assert len(pages) >= 50 and "layanan/" in pages and "404.html" in pages
    v = visit(width=width, height=height)
    axe = Axe()
    failures: list[str] = []
    for path in pages:
        response = v.page.goto(sample_site.url + path, wait_until="networkidle")
        assert response is not None and response.status == 200, path
        results = axe.run(v.page, options=WCAG)
        failures += [
            f"{path} ({width} px): {violation['id']} — "
            + ", ".join(str(node.get("target")) for node in violation["nodes"])
            for violation in results.response["violations"]
        ]
    assert failures == [], "\n".join(failures)
    assert v.blocked == [], f"requests left 127.0.0.1: {v.blocked}"
