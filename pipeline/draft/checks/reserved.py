"""Page slugs the site already uses for its built-in pages.

A page is written to ``{slug}/index.html`` (``pelicanconf.py``); a page named ``kategori`` or
``feeds`` would overwrite, or be overwritten by, a page the site generates itself, and the
build of every later publication would fail. The list mirrors the first path segment of every
``*_SAVE_AS``, the direct templates, the static folders and the theme's folder (a test keeps it
in step with ``pelicanconf.py``, read without importing it).
"""

from __future__ import annotations

from pipeline.draft.checks import slugs
from pipeline.draft.checks.base import Context, Draft, Finding
from pipeline.i18n import Catalog

MSG = Catalog(
    {
        "reserved": (
            "slug '{slug}' sudah dipakai halaman bawaan situs (/{slug}/); pilih slug lain",
            "slug '{slug}' is taken by a built-in page of the site (/{slug}/); choose another",
        ),
    }
)

RESERVED_PAGE_SLUGS = frozenset(
    {
        # *_SAVE_AS of pelicanconf.py
        "artikel", "kategori", "topik", "penulis", "arsip", "cari", "index",
        # direct templates, feeds, static and theme folders, Pelican's own defaults
        "404", "archives", "authors", "categories", "tags", "search", "feeds", "theme",
        "images", "drafts", "pages", "static", "author", "category", "tag",
    }
)  # fmt: skip


def check_reserved_slug(ctx: Context, draft: Draft) -> list[Finding]:
    if draft.kind != "page" or draft.parsed is None or not draft.yaml_ok:
        return []
    entry = slugs.entry(draft.rel, draft.kind, draft.parsed.doc)
    if entry.slug not in RESERVED_PAGE_SLUGS:
        return []
    return [draft.find(entry.line, "reserved_slug", MSG("reserved", slug=entry.slug))]
