"""The English interface in real Chromium, published under a sub-path its configured address
lacks (as a GitHub Pages project site may be): WCAG 2.1 A/AA on each page type,
<html lang="en">, and a 404 page whose links resolve wherever the server answers with it."""

from __future__ import annotations

import http.server
import shutil
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin

import pytest
import yaml
from axe_playwright_python.sync_playwright import Axe

from tests.support.site import REPO_ROOT, BuiltSite, QuietHandler, build_site

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("site-en")]

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
PREFIX = "/repo"
COPY = ("content", "theme", "pelicanconf.py", "publishconf.py", "terbit.yml", "roles.yml")
COPY += ("sop.yml",)
PAGES = {
    "home": "",
    "article": "artikel/pemeriksaan-kesehatan-jemaah-haji-kualanamu/",
    "category": "kategori/layanan/",
    "search": "cari/?q=vaksinasi",
    "404": "artikel/tidak-ada/",
}


class _SubPath(QuietHandler):
    """The site folder answers under /repo/ only; anything else gets the site's 404 page."""

    def translate_path(self, path: str) -> str:
        if path == PREFIX or path.startswith(PREFIX + "/"):
            return super().translate_path(path[len(PREFIX) :] or "/")
        return str(Path(self.directory) / "no such file")


@pytest.fixture(scope="module")
def english_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuiltSite]:
    """The sample repository copied, switched to English and built with publishconf.py, then
    served under /repo/: a sub-path its configured address does not include."""
    repo = tmp_path_factory.mktemp("site-en")
    for name in COPY:
        src = REPO_ROOT / name
        if src.is_dir():
            shutil.copytree(src, repo / name)
        elif src.exists():
            shutil.copy2(src, repo / name)
    output = repo / "output"
    output.mkdir()

    def handler(*args: object, **kwargs: object) -> _SubPath:
        return _SubPath(*args, directory=str(output), **kwargs)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    base = f"http://127.0.0.1:{server.server_port}{PREFIX}/"
    conf = yaml.safe_load((repo / "terbit.yml").read_text(encoding="utf-8"))
    conf["site"]["language"] = "en"
    conf["site"]["url"] = f"http://127.0.0.1:{server.server_port}"  # no /repo
    conf.setdefault("publish", {}).pop("live_url", None)
    (repo / "terbit.yml").write_text(yaml.safe_dump(conf, allow_unicode=True), encoding="utf-8")
    # publishconf.py imports "pelicanconf" by name: take the copy's, not one already loaded.
    sys.modules.pop("pelicanconf", None)
    saved_path = list(sys.path)
    try:
        site = build_site(output, conf=repo / "publishconf.py")
    finally:
        sys.path[:] = saved_path
        sys.modules.pop("pelicanconf", None)
    site.url = base
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield site
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


@pytest.mark.parametrize("path", PAGES.values(), ids=PAGES.keys())
def test_english_page_is_accessible(english_site, visit, axe, path: str) -> None:
    v = visit()
    response = v.page.goto(english_site.url + path, wait_until="networkidle")
    assert response is not None
    assert response.status == (404 if "tidak-ada" in path else 200)
    assert v.page.locator("html").get_attribute("lang") == "en"
    header = "getComputedStyle(document.querySelector('.site-header')).backgroundColor"
    assert v.page.evaluate(header) == "rgb(11, 85, 99)"  # the stylesheet loaded from /repo/
    results = axe.run(v.page, options=WCAG)
    assert results.violations_count == 0, results.generate_report()
    assert v.blocked == [], f"requests left 127.0.0.1: {v.blocked}"


@pytest.mark.parametrize("missing", ["artikel/tidak-ada/", "a/b/c/d.html", "topik/haji/x/"])
def test_404_links_resolve_under_a_sub_path(english_site, visit, missing: str) -> None:
    v = visit()
    response = v.page.goto(urljoin(english_site.url, missing), wait_until="networkidle")
    assert response is not None and response.status == 404
    assert v.page.locator("h1").inner_text() == "Page not found"
    links = v.page.eval_on_selector_all("header a, nav a, main a", "els => els.map(e => e.href)")
    assert len(links) >= 6, links
    for href in links:
        assert href.startswith(english_site.url), f"{href} leaves the site under {PREFIX}/"
        status = v.page.request.get(href).status
        assert status == 200, f"{href} -> {status}"
