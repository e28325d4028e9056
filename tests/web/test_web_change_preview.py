"""The change page shows the article as the site will (built with the site's theme, served in
frames that run no script) and, for an edit of a published article, the difference from the
published version, escaped."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.web.sitepreview import PREVIEW_CSP
from tests.support.forge import COUNTER, Kit
from tests.support.web import Story, client, running, sign_in

pytestmark = pytest.mark.xdist_group("web-change_preview")
ROOT = Path(__file__).resolve().parents[2]

PUBLISHED = "content/articles/selamat-datang.md"
EDITED = (
    "---\ntitle: Selamat Datang di Situs Baru\ndate: 2026-01-05\nmodified: 2026-11-20\n"
    "category: Berita\nsummary: Situs baru.\nauthor: dewi\n---\nHalo.\n\n"
    'Jam layanan <em>berubah</em> & "kutip" mulai Desember.\n'
)


def test_an_edit_shows_its_difference_from_the_published_version_escaped(
    mutable: Story,
) -> None:
    kit = Kit(mutable.office, counter=next(COUNTER) * 100)
    change = kit.submit("rina", files={PUBLISHED: EDITED})
    with running(mutable.office.server) as web:
        page = sign_in(web, "sari").get(f"/perubahan/{change}").text
    assert "Perbedaan dengan versi yang tayang" in page
    diff = page.split('id="h-diff"', 1)[1].split("</section>", 1)[0]
    assert f"<code>{PUBLISHED}</code>" in diff
    assert '<span class="del">-title: Selamat Datang</span>' in diff
    assert '<span class="add">+title: Selamat Datang di Situs Baru</span>' in diff
    assert "+Jam layanan &lt;em&gt;berubah&lt;/em&gt; &amp; &#34;kutip&#34;" in diff
    assert "<em>berubah" not in diff
    # A new article has nothing published to compare with: its file is not in the diff.
    assert "artikel-rina-" not in diff


def test_the_change_page_frames_the_article_built_with_the_sites_theme(
    mutable: Story,
) -> None:
    kit = Kit(mutable.office, counter=next(COUNTER) * 100)
    change = kit.submit("rina")
    slug = f"artikel-rina-{kit.counter}"
    with running(mutable.office.server) as web:
        http = sign_in(web, "sari")
        page = http.get(f"/perubahan/{change}").text
        frames = re.findall(r'<iframe class="site (wide|phone)" src="([^"]+)" '
                            r'sandbox="allow-same-origin"', page)  # fmt: skip
        assert [kind for kind, _ in frames] == ["wide", "phone"]
        entry = http.get(frames[0][1])
        assert entry.status_code == 303
        where = entry.headers["location"]
        assert where.startswith(f"/perubahan/{change}/situs/")
        assert where.endswith(f"/artikel/{slug}/index.html")
        built = http.get(where)
        assert built.status_code == 200
        assert f"Artikel {kit.counter}" in built.text  # the draft's title, in the theme's page
        assert built.headers["content-security-policy"] == PREVIEW_CSP
        assert "script-src" not in PREVIEW_CSP and "default-src 'none'" in PREVIEW_CSP
        assert built.headers["x-frame-options"] == "SAMEORIGIN"
        css = re.search(r'<link rel="stylesheet" href="([^"]+)"', built.text)
        assert css, "the theme's stylesheet"
        base = where.rsplit("/", 1)[0] + "/"
        style = http.get(_join(base, css.group(1)))
        assert style.status_code == 200 and "text/css" in style.headers["content-type"]
        # Built once per head: the second visit is served from the same build.
        assert http.get(frames[1][1]).headers["location"] == where
        key = where.split("/")[4]
        for bad in (f"/perubahan/{change}/situs/{key}/../../../../users.json",
                    f"/perubahan/{change}/situs/{key}/%2e%2e/src/terbit.yml",
                    f"/perubahan/{change}/situs/{'0' * 40}-{'0' * 16}/index.html",
                    f"/perubahan/{change}/situs/bukan-kunci/index.html"):  # fmt: skip
            assert http.get(bad).status_code == 404, bad
        assert http.get("/perubahan/999/situs").status_code == 404
        assert client(web).get(where).headers["location"] == "/masuk"  # signed in only


def _join(base: str, relative: str) -> str:
    parts = base.rstrip("/").split("/")
    for piece in relative.split("/"):
        if piece == "..":
            parts.pop()
        elif piece not in (".", ""):
            parts.append(piece)
    return "/".join(parts)


def test_the_live_preview_wears_the_site_themes_stylesheet_from_main(mutable: Story) -> None:
    theme = (ROOT / "theme" / "static" / "css" / "site.css").read_text(encoding="utf-8")
    with running(mutable.office.server) as web:
        css = sign_in(web, "rina").get("/tulis/tema.css")
        page = sign_in(web, "rina").get("/tulis").text
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert css.text == theme
    assert '<iframe id="preview-frame" class="preview-frame" sandbox="allow-same-origin"' in page


def test_a_site_that_cannot_be_built_is_said_inside_the_frame(story: Story) -> None:
    """The shared office's main has no theme or Pelican settings: the frame says so, escaped,
    and may be framed by the application (no error page the frame would refuse)."""
    with running(story.office.server) as web:
        answer = sign_in(web, "sari").get(f"/perubahan/{story.plain}/situs")
    assert answer.status_code == 200
    assert "pelicanconf.py" in answer.text
    assert answer.headers["content-security-policy"] == PREVIEW_CSP
    assert answer.headers["x-frame-options"] == "SAMEORIGIN"
