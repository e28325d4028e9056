"""The sample site in real Chromium: WCAG 2.1 A/AA (axe-core), 390 px layout, page weight,
no request beyond 127.0.0.1, Indonesian dates and the client-side search."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("site")]

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
HOME_BUDGET = 150 * 1024

PAGES = {
    "home": "",
    "article": "artikel/pemeriksaan-kesehatan-jemaah-haji-kualanamu/",
    "article-inline-image": "artikel/layanan-icv-vaksinasi-internasional/",
    "category": "kategori/layanan/",
    "categories": "kategori/",
    "tag": "topik/haji/",
    "tags": "topik/",
    "archive": "arsip/",
    "archive-year": "arsip/2026/",
    "author": "penulis/rina/",
    "authors": "penulis/",
    "page": "profil/",
    "page-table": "layanan/",
    "search": "cari/?q=vaksinasi",
    "404": "artikel/tidak-ada/",  # a missing address at depth: the server answers with 404.html
}


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


@pytest.mark.parametrize("path", PAGES.values(), ids=PAGES.keys())
def test_page_is_accessible_and_fits_a_phone(sample_site, visit, axe, path: str) -> None:
    v = visit(width=1280)
    response = v.page.goto(sample_site.url + path, wait_until="networkidle")
    assert response is not None
    assert response.status == (404 if "tidak-ada" in path else 200)
    # The stylesheet applied (links resolve from this depth, 404 page included).
    header = "getComputedStyle(document.querySelector('.site-header')).backgroundColor"
    assert v.page.evaluate(header) == "rgb(11, 85, 99)"
    results = axe.run(v.page, options=WCAG)
    assert results.violations_count == 0, results.generate_report()
    v.page.set_viewport_size({"width": 390, "height": 844})
    widths = v.page.evaluate(
        "[document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"{path}: scrolls sideways at 390 px ({widths})"
    assert v.blocked == [], f"requests left 127.0.0.1: {v.blocked}"


def test_home_weighs_at_most_150_kb_without_images(sample_site, visit) -> None:
    v = visit()
    v.page.goto(sample_site.url, wait_until="load")
    entries = v.page.evaluate(
        """() => [...performance.getEntriesByType('navigation'),
                  ...performance.getEntriesByType('resource')]
              .map(e => [e.name, e.initiatorType, e.transferSize])"""
    )
    counted = [(name, size) for name, kind, size in entries if kind not in ("img", "image")]
    weight = sum(size for _, size in counted)
    print(f"home page weight without images: {weight} bytes over {len(counted)} requests")
    assert any(name.endswith("site.css") for name, _ in counted)
    assert all(size > 0 for _, size in counted)  # transferred, not from a cache
    assert weight <= HOME_BUDGET
    assert v.blocked == []


def test_article_shows_indonesian_date(sample_site, visit) -> None:
    v = visit()
    v.page.goto(sample_site.url + "artikel/penerbitan-sscec-pelabuhan-belawan/")
    assert v.page.locator("article.post header time").first.inner_text() == "10 Maret 2026"
    assert v.page.locator("html").get_attribute("lang") == "id"


def test_search_finds_an_article_by_a_word_in_its_title(sample_site, visit) -> None:
    v = visit(width=390)
    v.page.goto(sample_site.url + "cari/")
    v.page.locator("#q").fill("")
    v.page.locator("#q").press_sequentially("Belawan")
    v.page.locator("#q").press("Enter")
    results = v.page.locator("#search-results li a")
    results.first.wait_for()
    titles = results.all_inner_texts()
    assert "Pengendalian Nyamuk dan Tikus di Wilayah Pelabuhan Belawan" in titles
    assert all("Belawan" in t or "belawan" in t.lower() for t in titles[:1])
    assert "hasil ditemukan" in v.page.locator("#search-status").inner_text()
    results.filter(has_text="Pengendalian Nyamuk").first.click()
    v.page.wait_for_url("**/artikel/pengendalian-vektor-wilayah-pelabuhan/")
    assert v.blocked == []


def test_header_search_box_leads_to_results(sample_site, visit) -> None:
    v = visit()
    v.page.goto(sample_site.url + "profil/")
    v.page.get_by_label("Kata yang dicari").first.fill("haji")
    v.page.get_by_label("Kata yang dicari").first.press("Enter")
    v.page.locator("#search-results li").first.wait_for()
    assert v.page.locator("#search-results li").count() == 2
    assert v.page.locator("#q").input_value() == "haji"


def test_print_stylesheet_hides_navigation(sample_site, visit) -> None:
    v = visit()
    v.page.goto(sample_site.url + "artikel/penerbitan-sscec-pelabuhan-belawan/")
    assert v.page.locator("nav.site-nav").is_visible()
    v.page.emulate_media(media="print")
    assert not v.page.locator("nav.site-nav").is_visible()
    assert not v.page.locator(".quick-search").is_visible()
    footer = v.page.locator(".print-only")
    assert footer.is_visible()
    assert "artikel/penerbitan-sscec-pelabuhan-belawan/" in footer.inner_text()


def test_keyboard_user_gets_a_visible_skip_link_and_focus(sample_site, visit) -> None:
    v = visit()
    v.page.goto(sample_site.url + "profil/")
    skip = v.page.locator("a.skip")
    assert skip.bounding_box()["y"] < 0  # hidden until focused
    v.page.keyboard.press("Tab")
    assert v.page.evaluate("document.activeElement.className") == "skip"
    box = skip.bounding_box()
    assert box["y"] >= 0 and box["height"] > 0
    assert skip.evaluate("e => getComputedStyle(e).outlineStyle") == "solid"
    v.page.keyboard.press("Enter")
    assert v.page.evaluate("document.activeElement.id") == "konten"
