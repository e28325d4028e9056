"""News cards show a thumbnail of the article's first image, resized at build (issue 15 §6).

Real builds of a small site with real images: the home page's cards carry ``srcset``,
``sizes``, ``width``/``height`` and the image's alt text, images below the fold load lazily, the
resized files exist at the sizes named, the originals are published untouched, and the resized
files are kept in the build's cache outside the repository.
"""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

from PIL import Image

from pipeline.render.runner import build_site
from tests.render.test_build_equivalence import REPO

ALT = "Foto petugas memeriksa penumpang"


class Images(HTMLParser):
    """Every ``<img>`` of a page with its attributes, and the class of the element around it."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.found.append(dict(attrs))


def images_of(page: Path) -> list[dict[str, str | None]]:
    parser = Images()
    parser.feed(page.read_text(encoding="utf-8"))
    return [i for i in parser.found if "thumbs/" in (i.get("src") or "")]


def draft(slug: str, day: int, image: str | None) -> str:
    pictured = f"images:\n  - src: images/{image}\n    alt: {ALT} {slug}\n" if image else ""
    return (
        f"---\ntitle: Berita {slug}\ndate: 2025-03-{day:02d} 09:00\ncategory: Berita\n"
        f"author: Tim Humas\nsummary: Ringkasan berita {slug}.\n{pictured}---\n\nIsi berita.\n"
    )


def make_site(folder: Path) -> Path:
    folder.mkdir()
    for name in ("pelicanconf.py", "terbit.yml", "roles.yml"):
        shutil.copy2(REPO / name, folder / name)
    shutil.copytree(REPO / "theme", folder / "theme")
    shutil.copytree(REPO / "content" / "pages", folder / "content" / "pages")
    images = folder / "content" / "images"
    images.mkdir()
    Image.new("RGB", (1200, 800), (20, 120, 140)).save(images / "besar.jpg", quality=90)
    Image.new("RGB", (200, 100), (200, 60, 60)).save(images / "kecil.png")
    articles = folder / "content" / "articles"
    articles.mkdir()
    for day in range(1, 7):
        image = "besar.jpg" if day % 2 else ("kecil.png" if day == 2 else None)
        (articles / f"berita-{day}.md").write_text(draft(f"b{day}", day, image), encoding="utf-8")
    return folder


def test_cards_show_resized_first_image_with_srcset_and_size(tmp_path: Path) -> None:
    site = make_site(tmp_path / "situs")
    cache = tmp_path / "cache"
    result = build_site(site, cache_base=cache)
    out = result.output

    cards = images_of(out / "index.html")
    # Six articles, newest first: 6 (none), 5 (besar), 4 (none), 3 (besar), 2 (kecil), 1 (besar).
    assert [c["alt"] for c in cards] == [f"{ALT} b{d}" for d in (5, 3, 2, 1)]
    big = cards[0]
    srcset = [part.strip().split(" ") for part in (big["srcset"] or "").split(",")]
    assert [w for _, w in srcset] == ["320w", "640w"]
    assert big["sizes"] and big["width"] == "320" and big["height"] == "213"
    for url, width in srcset:
        file = out / url.removeprefix("../").lstrip("./")
        with Image.open(file) as thumb:
            assert thumb.size == (int(width[:-1]), round(800 * int(width[:-1]) / 1200))
            assert thumb.format == "JPEG"
    small = cards[2]  # narrower than every width: its own size, never enlarged
    assert (small["width"], small["height"]) == ("200", "100")
    assert len((small["srcset"] or "").split(",")) == 1
    # Only the first three cards (6, 5, 4) are above the fold when no panel is featured.
    assert [c.get("loading") for c in cards] == [None, "lazy", "lazy", "lazy"]
    # The originals are published untouched.
    assert (out / "images" / "besar.jpg").read_bytes() == (
        site / "content" / "images" / "besar.jpg"
    ).read_bytes()
    # Resized once, kept outside the repository, by the original's digest.
    # (Beside them, what was learnt of each original: see ``test_thumbnail_cache``.)
    kept = sorted(p.name for p in cache.rglob("thumbs/*") if p.suffix in (".jpg", ".png"))
    assert len(kept) == 3 and all(re.match(r"[0-9a-f]{64}-\d+x\d+-", k) for k in kept)
    assert not list(site.rglob("thumbs")) or all(
        p.is_relative_to(out) for p in site.rglob("thumbs")
    )


def test_article_without_image_has_no_thumbnail_and_rebuild_is_identical(
    tmp_path: Path,
) -> None:
    site = make_site(tmp_path / "situs")
    cache = tmp_path / "cache"
    first = build_site(site, cache_base=cache).output
    before = {p.relative_to(first): p.read_bytes() for p in first.rglob("*") if p.is_file()}
    (site / "content" / "images" / "besar.jpg").unlink()
    Image.new("RGB", (900, 300), (0, 0, 0)).save(site / "content" / "images" / "besar.jpg")
    again = build_site(site, cache_base=cache).output
    cards = images_of(again / "index.html")
    assert cards[0]["height"] == str(round(300 * 320 / 900))  # the new image, not the cached one
    files = {p.relative_to(again): p for p in again.rglob("*") if p.is_file()}
    thumbs = [p for p in files if p.parts[0] == "thumbs"]
    assert len(thumbs) == 3  # the old image's thumbnails are gone
    old = {p for p in before if p.parts[0] == "thumbs"}
    assert len(old - set(thumbs)) == 2  # the old image's two sizes are gone from the site


def test_damaged_or_huge_image_is_a_warning_and_the_card_goes_without(tmp_path: Path) -> None:
    site = make_site(tmp_path / "situs")
    images = site / "content" / "images"
    (images / "besar.jpg").write_bytes(b"\xff\xd8\xff\xe0 bukan jpeg")
    # 9000×9000 of one colour: a few KB of PNG, 81 megapixels decoded.
    Image.new("1", (9000, 9000)).save(images / "kecil.png")
    result = build_site(site, cache_base=tmp_path / "cache")
    assert images_of(result.output / "index.html") == []
    said = {str(p.path): p.message for p in result.warnings}
    assert "tidak dapat dibaca untuk gambar kecil" in said["content/images/besar.jpg"]
    assert "9000×9000 piksel" in said["content/images/kecil.png"]
    assert (result.output / "artikel" / "berita-1" / "index.html").is_file()
