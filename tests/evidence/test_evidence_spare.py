"""Spare contexts made between publications (issue 16, P3): each is used by one capture only,
shows nothing of an earlier one, and gives the same files and findings as a context made at
the moment of use. Real Chromium, a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import functools
import hashlib
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser

from pipeline.evidence.browser import SharedChromium
from pipeline.evidence.screenshot import VIEWPORTS, capture, prepare_views
from pipeline.evidence.spare import Spares
from pipeline.evidence.visitor import SPARE, VIEWPORT, check_pages, prepare_check

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("evidence")]

PAGE = """<!doctype html><html lang="id"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Foto</title>
<style>body {{ margin: 0 }}</style></head><body><main><h1>Foto kegiatan</h1>
<img src="foto.png" alt="Petugas" width="300" height="300">{body}</main></body></html>"""
RED, BLUE = (255, 0, 0), (0, 0, 255)


class Cached(SimpleHTTPRequestHandler):
    """Static files a browser may keep for an hour: a context that had loaded the page once
    shows its old image again without asking."""

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "public, max-age=3600")
        super().end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    root = tmp_path / "www"
    root.mkdir()
    Image.new("RGB", (300, 300), RED).save(root / "foto.png")
    (root / "artikel.html").write_text(PAGE.format(body="<p>Kegiatan.</p>"), encoding="utf-8")
    (root / "tanpa-alt.html").write_text(PAGE.format(body='<img src="foto.png">'), "utf-8")
    (root / "index.html").write_text(PAGE.format(body='<a href="hilang/">x</a>'), "utf-8")
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Cached, directory=root))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/", root
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def shared() -> Iterator[SharedChromium]:
    kept = SharedChromium()
    try:
        yield kept
    finally:
        kept.close()


def _colour_pixels(path: Path, colour: tuple[int, int, int]) -> int:
    with Image.open(path) as image:
        counts = image.convert("RGB").getcolors(1 << 24) or []
    return sum(count for count, pixel in counts if pixel == colour)


def test_an_edited_image_is_never_shown_from_an_earlier_capture(
    site: tuple[str, Path], shared: SharedChromium, tmp_path: Path
) -> None:
    """The article's image is replaced under the same address between two publications whose
    contexts were made ready beforehand: the second capture shows the new image only."""
    base, root = site
    url = base + "artikel.html"
    browser = shared.get()
    # What a reused context would do: the old image again, from its cache.
    context = browser.new_context(**VIEWPORTS["desktop"])
    page = context.new_page()
    page.goto(url, wait_until="load")
    Image.new("RGB", (300, 300), BLUE).save(root / "foto.png")
    page.goto(url, wait_until="load")
    reused = tmp_path / "reused.png"
    page.screenshot(path=reused, full_page=True)
    context.close()
    assert _colour_pixels(reused, RED) > 80_000, "the server's cache header has no effect"
    Image.new("RGB", (300, 300), RED).save(root / "foto.png")

    shared.prepare(prepare_views)
    first = capture(browser, url, tmp_path / "1", "artikel", spares=shared.spares)
    Image.new("RGB", (300, 300), BLUE).save(root / "foto.png")
    shared.prepare(prepare_views)
    made = {name: spare.context for name, spare in shared.spares._kept.items()}
    second = capture(browser, url, tmp_path / "2", "artikel", spares=shared.spares)
    assert sorted(made) == sorted(VIEWPORTS)  # the spares were there, and were taken
    assert not shared.spares._kept and not browser.contexts  # used once, then closed
    for old, new in zip(first, second, strict=True):
        assert _colour_pixels(old.file, RED) > 80_000, old.view
        assert _colour_pixels(new.file, BLUE) > 80_000, new.view
        assert _colour_pixels(new.file, RED) == 0, new.view


def test_captures_and_checks_from_spares_equal_those_from_new_contexts(
    site: tuple[str, Path], shared: SharedChromium, tmp_path: Path
) -> None:
    base, root = site
    url = base + "artikel.html"
    browser = shared.get()
    fresh = capture(browser, url, tmp_path / "baru", "artikel")
    shared.prepare(prepare_views)
    spared = capture(browser, url, tmp_path / "cadangan", "artikel", spares=shared.spares)
    assert [hashlib.sha256(s.file.read_bytes()).digest() for s in spared] == [
        hashlib.sha256(s.file.read_bytes()).digest() for s in fresh
    ]
    # One page fewer and one more than the spare's two tabs, and the usual two.
    found = []
    for names in (["tanpa-alt.html"], ["artikel.html", ""], ["tanpa-alt.html", "", "artikel.html"]):
        pages = [base + name for name in names]
        alone = check_pages(browser, pages, root, base.rstrip("/")).data()
        shared.prepare(prepare_check)
        spare = check_pages(browser, pages, root, base.rstrip("/"), spares=shared.spares).data()
        assert spare == alone, names
        assert spare["pages"] == pages
        found += [f["rule"] for f in spare["violations"]] + [
            b["href"] for b in spare["broken_links"]
        ]
    assert "image-alt" in found and base + "hilang/" in found  # findings were compared
    assert not browser.contexts


def test_a_spare_is_used_only_by_its_own_browser_and_only_while_blank(
    site: tuple[str, Path], shared: SharedChromium
) -> None:
    """A spare of another browser (the first one died and was started again) or one whose
    page has loaded something is closed, and a new context is made."""
    base, _ = site
    spares = Spares()
    browser: Browser = shared.get()
    assert shared._playwright is not None
    other = shared.launch(shared._playwright)
    try:
        spares.make(other, SPARE, VIEWPORT, 2)
        context, pages = spares.take(browser, SPARE, VIEWPORT, 2)
        assert context.browser is browser and len(pages) == 2
        assert not other.contexts  # the other browser's spare was closed
        context.close()
    finally:
        other.close()
    spares.make(browser, SPARE, VIEWPORT, 2)
    kept = spares._kept[SPARE].context
    spares._kept[SPARE].pages[0].goto(base + "artikel.html")
    context, pages = spares.take(browser, SPARE, VIEWPORT, 1)
    assert context is not kept and [p.url for p in pages] == ["about:blank"]
    assert browser.contexts == [context]
    context.close()
