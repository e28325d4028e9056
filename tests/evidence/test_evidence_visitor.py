"""The visitor's check of changed pages: axe, internal links and images, external links listed,
against a real HTTP server on 127.0.0.1 and a real Chromium."""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser

from pipeline.evidence.browser import chromium
from pipeline.evidence.findings import findings
from pipeline.evidence.visitor import check_pages, site_file

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("evidence")]

PAGE = """<!doctype html><html lang="id"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Berita</title></head><body><main><h1>Berita</h1>{body}</main></body></html>"""


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    root = tmp_path_factory.mktemp("www")
    base = root / "current"
    (base / "artikel" / "ada").mkdir(parents=True)
    Image.new("RGB", (40, 30), (20, 120, 90)).save(base / "foto.png")
    (base / "artikel" / "ada" / "index.html").write_text(PAGE.format(body="<p>Ada.</p>"))
    clean = '<p><a href="artikel/ada/">Ada</a> <a href="https://kemkes.go.id/">Kemenkes</a></p>'
    (base / "bersih.html").write_text(
        PAGE.format(body=clean + '<img src="foto.png" alt="Petugas">')
    )
    bad = '<img src="foto.png"><p><a href="artikel/tidak-ada/">Hilang</a></p>'
    (base / "buruk.html").write_text(PAGE.format(body=bad))
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=root))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/current", base
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def test_a_clean_page_has_no_violations_and_lists_external_links(site, browser) -> None:
    base, root = site
    report = check_pages(browser, [f"{base}/bersih.html"], root, base)
    assert report.pages == [f"{base}/bersih.html"]
    assert report.violations == [] and report.broken_links == [] and report.problems == []
    assert report.external_links == ["https://kemkes.go.id/"]


def test_an_image_without_alt_and_a_broken_link_are_both_reported(site, browser) -> None:
    base, root = site
    report = check_pages(browser, [f"{base}/buruk.html"], root, base)
    assert "image-alt" in {v["rule"] for v in report.violations}
    assert report.broken_links == [
        {"page": f"{base}/buruk.html", "href": f"{base}/artikel/tidak-ada/"}
    ]
    found = findings(report.data())
    assert any("pelanggaran aksesibilitas" in p and "image-alt" in p for p in found)
    assert any("tautan/gambar internal rusak" in p for p in found)


def test_an_address_never_leads_out_of_the_built_site(site) -> None:
    base, root = site
    (root.parent / "rahasia.txt").write_text("x")
    assert site_file(root, base, f"{base}/foto.png") == root.resolve() / "foto.png"
    assert site_file(root, base, f"{base}/artikel/ada/") is not None
    assert site_file(root, base, f"{base}/%2E%2E/rahasia.txt") is None
    assert site_file(root, base, "https://kemkes.go.id/") is False


@pytest.fixture(scope="module")
def pelican_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The project's real site built by Pelican, one article given an image without ``alt``
    and a broken internal link after the build (a change's mistakes, as the check sees them)."""
    from tests.support.site import QuietHandler, build_site

    output = build_site(tmp_path_factory.mktemp("pelican") / "output").output
    article = sorted(output.glob("artikel/*/index.html"))[0]
    html = article.read_text(encoding="utf-8")
    mistakes = '<img src="/theme/images/og.png"><a href="/artikel/tidak-ada/">Hilang</a>'
    article.write_text(html.replace("</main>", mistakes + "</main>", 1), encoding="utf-8")
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(output))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/", output
    server.shutdown()
    server.server_close()


def test_pages_checked_side_by_side_find_what_each_checked_alone_finds(
    pelican_site: tuple[str, Path], browser: Browser
) -> None:
    """Issue 16, P3: the pages load in tabs of one context, side by side, each judged when it
    is ready; the report is the one each page checked on its own gives, in the pages' order
    (a page that does not exist included)."""
    base, output = pelican_site
    articles = sorted(output.glob("artikel/*/index.html"))[:3]
    pages = [base + p.parent.relative_to(output).as_posix() + "/" for p in articles]
    pages += [base, base + "tidak-ada/", base + "kategori/"]
    together = check_pages(browser, pages, output, base).data()
    alone: dict[str, list] = {key: [] for key in together}
    external: set[str] = set()
    for url in pages:
        one = check_pages(browser, [url], output, base).data()
        for key, value in one.items():
            if key == "external_links":
                external.update(value)
            else:
                alone[key] += value
    alone["external_links"] = sorted(external)
    assert together == alone
    assert {v["rule"] for v in together["violations"]} >= {"image-alt"}
    assert together["broken_links"] == [{"page": pages[0], "href": base + "artikel/tidak-ada/"}]
    assert len(together["problems"]) == 1 and "tidak-ada" in together["problems"][0]
    assert not browser.contexts


def _axe_after_load(browser: Browser, url: str) -> list[tuple[str, list[str]]]:
    """axe as the check ran it before: injected into the top frame once the page has loaded."""
    from axe_playwright_python.sync_playwright import Axe

    from pipeline.evidence.visitor import VIEWPORT, WCAG

    context = browser.new_context(**VIEWPORT)
    try:
        page = context.new_page()
        page.goto(url, wait_until="load")
        page.evaluate(str(Axe().axe_script))
        found = page.evaluate("o => axe.run(document, o)", WCAG)
    finally:
        context.close()
    return [(v["id"], [str(n.get("target")) for n in v["nodes"]]) for v in found["violations"]]


def test_axe_loaded_with_the_page_finds_what_axe_injected_after_the_load_finds(
    site, browser
) -> None:
    """Issue 16, P3: axe comes with the check's context (run by each page as it loads, top
    frame only) instead of being sent after the load: the same findings, frames still not
    checked, and a page that removes it is checked all the same."""
    base, root = site
    (root / "bingkai.html").write_text(PAGE.format(body='<img src="foto.png">'))
    framed = '<img src="foto.png"><iframe src="bingkai.html" title="Bingkai"></iframe>'
    (root / "berbingkai.html").write_text(PAGE.format(body=framed))
    removed = '<img src="foto.png"><script>delete window.axe</script>'
    (root / "tanpa-axe.html").write_text(PAGE.format(body=removed))
    for name in ("buruk.html", "berbingkai.html", "tanpa-axe.html"):
        url = f"{base}/{name}"
        report = check_pages(browser, [url], root, base).data()
        got = [(v["rule"], v["targets"]) for v in report["violations"]]
        assert got == _axe_after_load(browser, url), name
        assert got and not report["problems"], report
        assert all("iframe" not in str(targets) for _, targets in got), got
    assert not browser.contexts


SLOW_AXE_S = 2.5  # how long each page below keeps its renderer busy before axe runs
SLOW_AXE = """<img src="foto.png"><script>
const run = axe.run;
axe.run = function (...args) {
  const mark = new XMLHttpRequest();  // synchronous: the server notes when this run began
  mark.open("GET", "mark?page={n}", false);
  mark.send();
  const end = Date.now() + {ms};
  while (Date.now() < end) {}
  return run.apply(axe, args);
};
</script>"""


def test_the_tabs_axe_runs_side_by_side(tmp_path: Path, browser: Browser) -> None:
    """Issue 16, P3: each tab's axe starts on its page's next task, so the check goes on to
    the next tab while axe runs: two pages whose axe keeps its renderer busy for 2.5 s start
    their runs together (before, the second started only once the first's busy part ended),
    and each still finds its own violation."""
    began: dict[str, float] = {}

    class Marking(Quiet):
        def do_GET(self) -> None:
            if self.path.startswith("/mark?"):
                began[self.path.rsplit("=", 1)[1]] = time.monotonic()
                self.send_response(204)
                self.end_headers()
                return
            super().do_GET()

    Image.new("RGB", (40, 30), (20, 120, 90)).save(tmp_path / "foto.png")
    for n in ("1", "2"):
        body = SLOW_AXE.replace("{n}", n).replace("{ms}", str(int(SLOW_AXE_S * 1000)))
        (tmp_path / f"lambat-{n}.html").write_text(PAGE.format(body=body))
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Marking, directory=tmp_path))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        pages = [f"{base}/lambat-1.html", f"{base}/lambat-2.html"]
        report = check_pages(browser, pages, tmp_path, base)
    finally:
        server.shutdown()
        server.server_close()
    assert [v["page"] for v in report.violations if v["rule"] == "image-alt"] == pages
    assert sorted(began) == ["1", "2"]
    assert abs(began["2"] - began["1"]) < SLOW_AXE_S * 0.8, began
