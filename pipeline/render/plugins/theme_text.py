"""What the theme needs from Python: interface strings, long dates and article neighbours.

The interface speaks the site's language (``DEFAULT_LANG``, from terbit.yml ``site.language``):
Indonesian by default, English when set to ``en``. Templates use ``T.key`` for strings and
``|long_date`` for dates, so no string is written twice.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from pelican import signals

from pipeline.i18n import Lang, long_date

# key: (Indonesian, English)
STRINGS: dict[str, tuple[str, str]] = {
    "skip": ("Lewati ke konten utama", "Skip to main content"),
    "menu": ("Menu utama", "Main menu"),
    "home": ("Beranda", "Home"),
    "archives": ("Arsip", "Archives"),
    "categories": ("Kategori", "Categories"),
    "category": ("Kategori", "Category"),
    "tags": ("Topik", "Topics"),
    "tag": ("Topik", "Topic"),
    "authors": ("Penulis", "Authors"),
    "author": ("Penulis", "Author"),
    "search": ("Cari", "Search"),
    "search_title": ("Pencarian", "Search"),
    "search_label": ("Kata yang dicari", "Search for"),
    "search_button": ("Cari", "Search"),
    "search_hint": (
        "Ketik kata dari judul, ringkasan, kategori, atau topik.",
        "Type a word from a title, summary, category or topic.",
    ),
    "search_none": ("Tidak ada hasil untuk kata itu.", "No results for that word."),
    "search_count": ("{n} hasil ditemukan.", "{n} results found."),
    "search_error": (
        "Indeks pencarian tidak dapat dimuat. Silakan buka halaman Arsip.",
        "The search index could not be loaded. Please use the Archives page.",
    ),
    "search_nojs": (
        "Pencarian memerlukan JavaScript. Silakan buka halaman Arsip.",
        "Search needs JavaScript. Please use the Archives page.",
    ),
    "featured": ("Sorotan", "Highlights"),
    "latest": ("Berita Terbaru", "Latest News"),
    "published": ("Diterbitkan", "Published"),
    "updated": ("Diperbarui", "Updated"),
    "ralat": ("Ralat", "Correction"),
    "pembaruan": ("Pembaruan", "Update"),
    "history": ("Riwayat artikel", "Article history"),
    "version": ("Versi {n}", "Version {n}"),
    "first_version": ("terbit pertama", "first published"),
    "by": ("oleh", "by"),
    "read_more": ("Baca selengkapnya", "Read more"),
    "breadcrumb": ("Jejak halaman", "Breadcrumb"),
    "prev": ("Sebelumnya", "Previous"),
    "next": ("Berikutnya", "Next"),
    "all_articles": ("Semua artikel di Arsip", "All articles in the Archives"),
    "archives_intro": (
        "Semua artikel menurut tahun terbit.",
        "All articles by year of publication.",
    ),
    "n_articles": ("{n} artikel", "{n} articles"),
    "article_nav": ("Artikel lain", "More articles"),
    "articles_in": ("Artikel dalam kategori", "Articles in category"),
    "articles_tag": ("Artikel dengan topik", "Articles on topic"),
    "articles_by": ("Artikel oleh", "Articles by"),
    "not_found": ("Halaman tidak ditemukan", "Page not found"),
    "withdrawn": ("Artikel ini telah ditarik", "This article has been withdrawn"),
    "withdrawn_text": (
        "Artikel \u201c{title}\u201d tidak lagi tersedia di situs ini sejak {date}.",
        "The article \u201c{title}\u201d is no longer available on this site since {date}.",
    ),
    "withdrawn_reason": ("Alasan penarikan", "Reason for the withdrawal"),
    "withdrawn_instead": ("Informasi terbaru", "Current information"),
    "not_found_text": (
        "Maaf, halaman yang Anda cari tidak ada atau sudah dipindahkan.",
        "Sorry, the page you are looking for does not exist or has moved.",
    ),
    "back_home": ("Kembali ke Beranda", "Back to the home page"),
    "feeds": ("Umpan berita", "News feeds"),
    "contact": ("Kontak", "Contact"),
    "nota_dinas": ("Nota Dinas", "Memo"),
    "footer_note": (
        "Situs resmi {name}. Informasi di situs ini diterbitkan sesuai SOP publikasi.",
        "Official site of {name}. Information here is published under the publication SOP.",
    ),
    "print": ("Dicetak dari", "Printed from"),
    # The scrolling region around a table in an article body (plugins/tables.py).
    "table": ("Tabel", "Table"),
    "table_named": ("Tabel: {what}", "Table: {what}"),
}


class Strings(dict[str, str]):
    """``T.key`` in templates; ``T.fmt('key', n=3)`` fills fields."""

    def __getattr__(self, key: str) -> str:
        try:
            return self[key]
        except KeyError:  # AttributeError keeps copy/pickle and Jinja's lookups working
            raise AttributeError(key) from None

    def fmt(self, key: str, **fields: object) -> str:
        return self[key].format(**fields)


def strings_for(lang: str) -> Strings:
    index = 1 if lang == "en" else 0
    return Strings({key: pair[index] for key, pair in STRINGS.items()})


def configure(pelican: Any) -> None:
    """``initialized``: add the strings, the date filter and the locale to the Jinja setup."""
    settings = pelican.settings
    lang: Lang = "en" if str(settings.get("DEFAULT_LANG", "id")).startswith("en") else "id"
    # New dicts, not in-place updates: Pelican's defaults must not leak between builds.
    settings["JINJA_GLOBALS"] = {
        **settings.get("JINJA_GLOBALS", {}),
        "T": strings_for(lang),
        "OG_LOCALE": "en_US" if lang == "en" else "id_ID",
        # The 404 page is served at any depth, so it links from the server root instead.
        "SITE_ROOT_PATH": urlsplit(str(settings.get("SITEURL", ""))).path.rstrip("/"),
    }
    settings["JINJA_FILTERS"] = {
        **settings.get("JINJA_FILTERS", {}),
        "long_date": lambda value: long_date(value, lang),
    }


def link_neighbours(generator: Any) -> None:
    """``article_generator_finalized``: newer/older article on each article page."""
    ordered = sorted(generator.articles, key=lambda a: a.date, reverse=True)
    for index, article in enumerate(ordered):
        article.newer_article = ordered[index - 1] if index > 0 else None
        article.older_article = ordered[index + 1] if index + 1 < len(ordered) else None


def register() -> None:
    signals.initialized.connect(configure)
    signals.article_generator_finalized.connect(link_neighbours)
