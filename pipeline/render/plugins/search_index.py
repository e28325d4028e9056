"""``search.json``: the small index the search page reads in the browser (no external service).

One entry per article and page, newest first, with short keys to keep the file small:
``t`` title, ``u`` URL (relative to the site root), ``s`` summary (plain text, shortened),
``d`` display date, ``c`` category, ``g`` tags.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from markupsafe import Markup
from pelican import signals
from pelican.generators import ArticlesGenerator

from pipeline.i18n import Lang, long_date

INDEX_FILE = "search.json"
SUMMARY_CHARS = 160


def plain(html: str | None, limit: int = SUMMARY_CHARS) -> str:
    html = html or ""
    # Without a tag or an entity, stripping tags only collapses spaces (most titles, many
    # summaries): thousands of entries, a tenth of a second.
    stripped = Markup(html).striptags() if "<" in html or "&" in html else html
    text = " ".join(stripped.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def entry(item: Any, lang: Lang) -> dict[str, Any]:
    data: dict[str, Any] = {"t": plain(item.title, 300), "u": item.url, "s": plain(item.summary)}
    if getattr(item, "date", None) and hasattr(item, "category"):
        data["d"] = long_date(item.date, lang)
        data["c"] = item.category.name
        data["g"] = [tag.name for tag in getattr(item, "tags", [])]
    return data


def write_index(generator: Any, writer: Any = None) -> None:
    """``article_writer_finalized``: write the index next to the pages it points to. By then
    the pages are written, so every URL has been formatted once (the build keeps them)."""
    if not isinstance(generator, ArticlesGenerator):
        return
    settings = generator.settings
    articles = sorted(generator.articles, key=lambda a: a.date, reverse=True)
    pages = list(generator.context.get("pages") or [])  # the published pages' generator's
    lang: Lang = "en" if str(settings.get("DEFAULT_LANG", "id")).startswith("en") else "id"
    items = [entry(item, lang) for item in [*articles, *pages]]
    target = Path(settings["OUTPUT_PATH"]) / INDEX_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(
        json.dumps(items, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
    )


def register() -> None:
    signals.article_writer_finalized.connect(write_index)
