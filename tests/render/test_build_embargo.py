"""Scheduled publication (issue 15 §4): a draft whose ``publish_at`` is ahead appears nowhere
on the built site — no page, list, category or tag page, feed, sitemap or search index entry —
and appears everywhere once the clock (``TERBIT_NOW``) has passed it, in the same cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.render.runner import build_site

SLUG = "vaksin-embargo"
TITLE = "Jadwal Vaksinasi Meningitis Embargo"
DRAFT = (
    "---\ntitle: {title}\ndate: 2026-12-01 08:00\npublish_at: {at}\ncategory: Berita\n"
    "tags: [embargotopik]\nauthor: Tim Humas\nsummary: Jadwal baru vaksinasi.\n---\n\n"
    "Vaksinasi meningitis dibuka pekan depan.\n"
)
# Every place of the built site an article shows up in.
PLACES = (
    f"artikel/{SLUG}/index.html",
    "index.html",
    "arsip/2026/index.html",
    "kategori/berita/index.html",
    "topik/embargotopik/index.html",
    "penulis/tim-humas/index.html",
    "feeds/kategori/berita.atom.xml",
    "feeds/semua.atom.xml",
    "feeds/semua.rss.xml",
    "sitemap.xml",
    "search.json",
)


def _mentions(site: Path) -> set[str]:
    """Every file of the built site that names the article (its address or its title)."""
    found = set()
    for file in site.rglob("*"):
        if file.is_file() and file.suffix in (".html", ".xml", ".json", ".txt"):
            text = file.read_text(encoding="utf-8", errors="replace")
            if SLUG in text or TITLE in text:
                found.add(file.relative_to(site).as_posix())
    return found


@pytest.mark.parametrize("at", ["2026-12-10 09:00", "2026-12-10T02:00:00+00:00"])
def test_an_embargoed_draft_is_nowhere_until_its_time(site: Path, monkeypatch, at: str):
    draft = site / "content" / "articles" / f"{SLUG}.md"
    draft.parent.mkdir(parents=True, exist_ok=True)
    draft.write_text(DRAFT.format(title=TITLE, at=at), encoding="utf-8")
    out = site / "output"

    monkeypatch.setenv("TERBIT_NOW", "2026-12-10T08:59:00+07:00")  # a minute early
    build_site(site, out)
    assert _mentions(out) == set()
    assert not (out / "topik" / "embargotopik").exists()  # its tag has no page either
    assert (out / "index.html").is_file()  # the rest of the site is there

    monkeypatch.setenv("TERBIT_NOW", "2026-12-10T09:00:00+07:00")  # due: the same cache
    build_site(site, out)
    assert set(PLACES) <= _mentions(out)

    monkeypatch.setenv("TERBIT_NOW", "2026-12-09T09:00:00+07:00")  # back: gone again
    build_site(site, out)
    assert _mentions(out) == set()

    # The writer moves the time earlier: the edited draft is read again, not taken from the
    # build's memory of its publish_at.
    draft.write_text(DRAFT.format(title=TITLE, at="2026-12-08 09:00"), encoding="utf-8")
    build_site(site, out)
    assert set(PLACES) <= _mentions(out)


PHOTO_DRAFT = (
    "---\ntitle: Foto Embargo\ndate: 2026-12-01 08:00\npublish_at: 2026-12-10 09:00\n"
    "category: Berita\nauthor: Tim Humas\nsummary: Foto baru.\nimages:\n"
    "  - src: images/embargo-sampul.png\n    alt: Sampul embargo\n---\n\n"
    "Isi.\n\n![Foto dalam teks]({{static}}/images/embargo-teks.png)\n\n"
    '<img src="../images/embargo-html.png" alt="Foto HTML">\n\n'
    "![Foto bersama]({{static}}/images/{shared})\n"
)
SHARED_DRAFT = (
    "---\ntitle: Foto Bersama\ndate: 2026-12-01 07:00\ncategory: Berita\nauthor: Tim Humas\n"
    "summary: Foto yang sudah tayang.\n---\n\n![Foto bersama]({static}/images/bersama.png)\n"
)


def test_an_embargoed_drafts_images_are_not_on_the_site_until_its_time(
    site: Path, monkeypatch
) -> None:
    """Its images (front matter, Markdown, ``<img>``) answer 404 before the time and 200 after;
    an image a published article also shows stays on the site all along."""
    from PIL import Image

    from pipeline.render.serve import serve_in_background

    images = site / "content" / "images"
    images.mkdir(parents=True, exist_ok=True)
    held = ("embargo-sampul.png", "embargo-teks.png", "embargo-html.png")
    for name in (*held, "bersama.png"):
        Image.new("RGB", (40, 30), (10, 120, 60)).save(images / name)
    articles = site / "content" / "articles"
    articles.mkdir(parents=True, exist_ok=True)
    (articles / "foto-embargo.md").write_text(
        PHOTO_DRAFT.format(shared="bersama.png"), encoding="utf-8"
    )
    (articles / "foto-bersama.md").write_text(SHARED_DRAFT, encoding="utf-8")
    out = site / "output"
    url, stop = serve_in_background(out)
    try:
        monkeypatch.setenv("TERBIT_NOW", "2026-12-10T08:59:00+07:00")
        build_site(site, out)
        assert {n: _status(f"{url}images/{n}") for n in held} == dict.fromkeys(held, 404)
        assert _status(f"{url}images/bersama.png") == 200

        monkeypatch.setenv("TERBIT_NOW", "2026-12-10T09:00:00+07:00")
        build_site(site, out)
        assert {n: _status(f"{url}images/{n}") for n in held} == dict.fromkeys(held, 200)
        assert _status(f"{url}images/bersama.png") == 200
    finally:
        stop()


def _status(url: str) -> int:
    import httpx

    return httpx.get(url, timeout=10).status_code


def test_a_draft_the_publication_holds_back_is_nowhere(site: Path, monkeypatch) -> None:
    """``hold``: a draft with no time of its own, held with its merge's others, is left out
    like one not yet due."""
    draft = site / "content" / "articles" / f"{SLUG}.md"
    draft.parent.mkdir(parents=True, exist_ok=True)
    draft.write_text(DRAFT.replace("publish_at: {at}\n", "").format(title=TITLE), "utf-8")
    out = site / "output"
    build_site(site, out, hold=[f"articles/{SLUG}.md"])
    assert _mentions(out) == set()
    build_site(site, out)
    assert set(PLACES) <= _mentions(out)
