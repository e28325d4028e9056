"""The built sample site: front matter mapping, dates, feeds, sitemap, search index, language."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from markupsafe import escape

from pipeline.config.roles import load_roles
from pipeline.draft.frontmatter import parse
from pipeline.errors import InputError
from pipeline.render.plugins.reader import FrontMatterReader
from pipeline.render.plugins.theme_text import STRINGS
from tests.support.site import REPO_ROOT, build_site

pytestmark = pytest.mark.xdist_group("site")

ARTICLES = sorted((REPO_ROOT / "content" / "articles").glob("*.md"))
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def front(path: Path) -> dict:
    return parse(path.read_text(encoding="utf-8"), str(path)).meta


def test_sample_content_is_what_the_brief_asks_for() -> None:
    metas = [front(p) for p in ARTICLES]
    assert len(metas) >= 12
    assert len({m["category"] for m in metas}) >= 4
    assert any(m.get("featured") for m in metas)
    assert {
        m["date"].year if hasattr(m["date"], "year") else int(str(m["date"])[:4]) for m in metas
    } >= {2025, 2026}
    pages = {p.stem for p in (REPO_ROOT / "content" / "pages").glob("*.md")}
    assert {"profil", "layanan", "informasi-publik", "kontak"} <= pages
    for image in (REPO_ROOT / "content" / "images").iterdir():
        assert image.stat().st_size < 60_000, image


def test_article_page_carries_front_matter(sample_site) -> None:
    html = sample_site.read("artikel/pemeriksaan-kesehatan-jemaah-haji-kualanamu/index.html")
    assert "<h1>Pemeriksaan Kesehatan Jemaah Haji Kloter Pertama di Bandara Kualanamu</h1>" in html
    # Indonesian long dates, office time zone.
    assert '<time datetime="2026-05-20T08:30:00+07:00">20 Mei 2026</time>' in html
    assert ">21 Mei 2026</time>" in html  # modified
    # Author id resolved to the display name from roles.yml, URL by id.
    rina = load_roles((REPO_ROOT / "roles.yml").read_text(encoding="utf-8")).get("rina")
    assert rina is not None
    assert f'href="../../penulis/rina/">{escape(rina.name)}</a>' in html
    assert 'href="../../kategori/berita/">Berita</a>' in html
    assert 'href="../../topik/haji/">haji</a>' in html
    assert 'alt="Ilustrasi jemaah haji mengantre' in html
    assert (
        "<figcaption>Alur pemeriksaan kesehatan jemaah sebelum naik pesawat.</figcaption>" in html
    )
    assert "ND-41/LPZI/V/2026" in html
    assert 'aria-label="Jejak halaman"' in html  # breadcrumbs
    assert (sample_site.output / "images" / "jemaah-haji.png").is_file()


def test_open_graph_tags_use_the_absolute_site_url(sample_site) -> None:
    html = sample_site.read("artikel/penerbitan-sscec-pelabuhan-belawan/index.html")
    og = dict(re.findall(r'<meta property="og:(\w+)" content="([^"]*)"', html))
    assert og["type"] == "article"
    assert og["url"] == "http://127.0.0.1:8000/artikel/penerbitan-sscec-pelabuhan-belawan/"
    assert og["image"] == "http://127.0.0.1:8000/images/kapal-belawan.png"
    assert og["title"].startswith("Layanan Sertifikat Sanitasi Kapal")
    assert og["locale"] == "id_ID" and og["description"]


def test_home_shows_featured_and_latest(sample_site) -> None:
    html = sample_site.read("index.html")
    featured = [front(p)["title"] for p in ARTICLES if front(p).get("featured")]
    sorotan = html.split('id="sorotan"')[1].split('id="terbaru"')[0]
    assert sum(title in sorotan for title in featured) == min(3, len(featured))
    assert "Pendaftaran Layanan Vaksinasi Internasional Kini Daring" in html  # newest


def year_of(meta: dict) -> int:
    date = meta["date"]
    return date.year if hasattr(date, "year") else int(str(date)[:4])


def listed(html: str) -> list[str]:
    """Article addresses in a page's compact list, in order."""
    return re.findall(
        r'<li><time datetime="[^"]+">[^<]+</time>\s*<a href="[./]*(artikel/[^"]+)"', html
    )


def test_home_shows_the_latest_ten_and_links_the_archive_without_numbered_pages(
    sample_site,
) -> None:
    html = sample_site.read("index.html")
    latest = html.split('id="terbaru"')[1]
    newest = sorted(ARTICLES, key=lambda p: str(front(p)["date"]), reverse=True)
    shown = re.findall(r'class="card-title"><a href="\./(artikel/[^"]+)/"', latest)
    assert shown == [f"artikel/{p.stem}" for p in newest[:10]]
    assert 'href="./arsip/"' in latest
    assert not (sample_site.output / "halaman").exists()
    assert not list(sample_site.output.rglob("halaman"))  # no numbered list pages anywhere


def test_archive_lists_years_with_counts_and_each_year_its_articles(sample_site) -> None:
    by_year: dict[int, list[Path]] = {}
    for path in ARTICLES:
        by_year.setdefault(year_of(front(path)), []).append(path)
    years = re.findall(
        r'<a href="\.\./arsip/(\d{4})/">\1</a>\s*<span class="count">(\d+) artikel</span>',
        sample_site.read("arsip/index.html"),
    )
    assert [(int(y), int(n)) for y, n in years] == [
        (y, len(by_year[y])) for y in sorted(by_year, reverse=True)
    ]
    for year, paths in by_year.items():
        html = sample_site.read(f"arsip/{year}/index.html")
        assert f"<h1>Arsip {year}</h1>" in html
        expected = sorted(paths, key=lambda p: str(front(p)["date"]), reverse=True)
        assert listed(html) == [f"artikel/{p.stem}/" for p in expected]


def test_category_tag_and_author_pages_list_all_their_articles_by_year(sample_site) -> None:
    metas = {p.stem: front(p) for p in ARTICLES}
    newest_first = sorted(metas, key=lambda s: str(metas[s]["date"]), reverse=True)
    cases = {
        "kategori/layanan/index.html": lambda m: m["category"] == "Layanan",
        "topik/haji/index.html": lambda m: "haji" in (m.get("tags") or []),
        "penulis/rina/index.html": lambda m: m["author"] == "rina",
    }
    for page, member in cases.items():
        html = sample_site.read(page)
        expected = [f"artikel/{s}/" for s in newest_first if member(metas[s])]
        assert expected and listed(html) == expected, page
        headings = re.findall(r'<h2 id="y(\d{4})">', html)
        assert headings == sorted({str(year_of(metas[s])) for s in metas if member(metas[s])},
                                  reverse=True)  # fmt: skip


def test_index_pages_list_each_category_tag_and_author_with_its_count(sample_site) -> None:
    metas = [front(p) for p in ARTICLES]
    categories: dict[str, int] = {}
    tags: dict[str, int] = {}
    for meta in metas:
        categories[meta["category"]] = categories.get(meta["category"], 0) + 1
        for tag in meta.get("tags") or []:
            tags[tag] = tags.get(tag, 0) + 1
    chip = re.compile(r'<a href="([^"]+)">([^<]+) <span class="count">\((\d+)\)</span></a>')
    for page, expected in (("kategori/index.html", categories), ("topik/index.html", tags)):
        found = chip.findall(sample_site.read(page))
        assert {name: int(n) for _, name, n in found} == {
            str(escape(k)): v for k, v in expected.items()
        }
        for href, _, _ in found:  # relative links from a page one folder deep
            assert (
                (sample_site.output / page).parent.joinpath(href, "index.html").resolve().is_file()
            )
    authors = chip.findall(sample_site.read("penulis/index.html"))
    assert sum(int(n) for _, _, n in authors) == len(metas)


def test_feeds_parse_and_list_every_article(sample_site) -> None:
    titles = {front(p)["title"] for p in ARTICLES}
    atom = ET.parse(sample_site.output / "feeds" / "semua.atom.xml").getroot()
    assert {e.findtext(f"{ATOM}title") for e in atom.iter(f"{ATOM}entry")} == titles
    links = {e.find(f"{ATOM}link").get("href") for e in atom.iter(f"{ATOM}entry")}
    assert all(link.startswith("http://127.0.0.1:8000/artikel/") for link in links)
    rss = ET.parse(sample_site.output / "feeds" / "semua.rss.xml").getroot()
    assert {i.findtext("title") for i in rss.iter("item")} == titles
    category = ET.parse(sample_site.output / "feeds" / "kategori" / "layanan.atom.xml").getroot()
    assert len(list(category.iter(f"{ATOM}entry"))) == sum(
        front(p)["category"] == "Layanan" for p in ARTICLES
    )


def test_sitemap_lists_articles_pages_and_index_pages(sample_site) -> None:
    root = ET.parse(sample_site.output / "sitemap.xml").getroot()
    locs = {u.findtext(f"{SITEMAP}loc") for u in root.iter(f"{SITEMAP}url")}
    base = "http://127.0.0.1:8000/"
    slugs = {p.stem for p in ARTICLES}
    assert {f"{base}artikel/{slug}/" for slug in slugs} <= locs
    expected = ["", "profil/", "kontak/", "informasi-publik/", "arsip/", "arsip/2025/", "cari/",
                "kategori/kesiapsiagaan/", "topik/haji/", "penulis/budi/"]  # fmt: skip
    assert {base + path for path in expected} <= locs
    for loc in locs:  # every listed address exists in the output
        path = loc.removeprefix(base)
        assert (sample_site.output / path / "index.html").is_file(), loc


def test_search_index_is_small_and_complete(sample_site) -> None:
    raw = sample_site.read("search.json")
    entries = json.loads(raw)
    assert len(raw.encode()) < 20_000
    by_url = {e["u"]: e for e in entries}
    entry = by_url["artikel/pengendalian-vektor-wilayah-pelabuhan/"]
    assert entry["t"] == "Pengendalian Nyamuk dan Tikus di Wilayah Pelabuhan Belawan"
    assert entry["d"] == "15 September 2025" and entry["c"] == "Kesiapsiagaan"
    assert "belawan" in entry["g"] and entry["s"]
    assert len([u for u in by_url if u.startswith("artikel/")]) == len(ARTICLES)
    assert "kontak/" in by_url


def test_english_interface_when_site_language_is_en(tmp_path: Path) -> None:
    site = build_site(tmp_path / "en", DEFAULT_LANG="en")
    html = site.read("artikel/pemeriksaan-kesehatan-jemaah-haji-kualanamu/index.html")
    assert '<html lang="en">' in html
    assert ">20 May 2026</time>" in html and "Skip to main content" in html
    assert "Lewati ke konten utama" not in html


def test_broken_front_matter_gives_a_located_error(tmp_path: Path) -> None:
    draft = tmp_path / "content" / "rusak.md"
    draft.parent.mkdir()
    draft.write_text("---\ntitle: Rusak\ndate: 2026-13-45 10:00\n---\nIsi.\n", encoding="utf-8")
    reader = FrontMatterReader({"PATH": str(tmp_path / "content"), "TIMEZONE": "Asia/Jakarta"})
    with pytest.raises(InputError) as error:
        reader.read(str(draft))
    assert str(error.value).startswith("content/rusak.md:3: tanggal 'date' tidak dapat dibaca")
    draft.write_text("---\ntitle: [tidak ditutup\n", encoding="utf-8")
    with pytest.raises(InputError) as error:
        reader.read(str(draft))
    assert error.value.line == 1


def test_every_interface_string_in_the_theme_exists_in_both_languages() -> None:
    used: set[str] = set()
    for template in (REPO_ROOT / "theme" / "templates").glob("*.html"):
        text = template.read_text(encoding="utf-8")
        used |= set(re.findall(r"\bT\.(\w+)", text)) - {"fmt"}
        used |= set(re.findall(r"\bT\.fmt\('(\w+)'", text))
    assert used, "the theme uses no interface strings?"
    missing = used - set(STRINGS)
    assert not missing, f"strings used by the theme but not defined: {missing}"
    assert all(indonesian and english for indonesian, english in STRINGS.values())


def test_every_table_sits_in_a_named_region_keyboard_users_can_scroll(sample_site) -> None:
    html = sample_site.read("layanan/index.html")
    assert (
        '<div class="table-scroll" role="region" tabindex="0" '
        'aria-label="Tabel: Layanan, Tempat, Waktu"><table>' in html
    )
    for page in sample_site.output.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert text.count("<table") == text.count('<div class="table-scroll"'), page


def test_table_regions_are_placed_by_tags_never_by_text() -> None:
    from pipeline.render.plugins.tables import scrollable_tables

    # "<table" in text or in an attribute value is not a table: nothing is inserted there.
    quiet = '<p title="&lt;table x=&quot;">a &lt;table&gt; b</p>'
    assert scrollable_tables(quiet) == quiet
    nested = (
        "<table><caption>Jadwal &amp; tempat</caption><tr><th>A</th></tr><tr><td>"
        "<table><tr><th>Dalam</th></tr></table></td></tr></table><table><tr><td>1</td></tr>"
        "</table>"
    )
    out = scrollable_tables(nested, "en")
    region = '<div class="table-scroll" role="region" tabindex="0" aria-label="{}">'
    assert out == (
        region.format("Table: Jadwal &amp; tempat")
        + "<table><caption>Jadwal &amp; tempat</caption><tr><th>A</th></tr><tr><td>"
        + region.format("Table: Dalam")
        + "<table><tr><th>Dalam</th></tr></table></div></td></tr></table></div>"
        + region.format("Table")
        + "<table><tr><td>1</td></tr></table></div>"
    )


def test_corrected_article_shows_note_and_history(sample_site) -> None:
    """Issue 15 §3 on the sample site (history as Terbit hands it over, see ``conftest``)."""
    html = sample_site.read("artikel/laporan-layanan-informasi-publik-2025/index.html")
    assert (
        '<strong>Pembaruan</strong> <time datetime="2026-02-02T10:30:00+07:00">2 Februari 2026'
        "</time>: Ditambahkan tautan ke halaman Informasi Publik." in html
    )
    assert "Versi 2: <time" in html and "(terbit pertama)" in html
    home = sample_site.read("index.html")
    assert 'srcset="' in home and 'loading="lazy"' in home
