"""Corrections and the public history of each article (issue 15 §3).

Terbit reads every article's versions from Git before the build (``render.history``) and hands
them over as ``TERBIT_HISTORY``; this plugin only puts them on the articles:

- ``article.versions``: ``[{"number", "date", "commit"}]``, oldest first, dates in the site's
  zone (the time of the commit on main that published each version, never the build's clock);
- an article published more than once gets ``article.modified`` = the newest version's date,
  so its page says "Diperbarui" and the Atom feed marks the entry ``updated``;
- ``article.correction``: ``{"kind": "ralat"|"pembaruan", "text", "date"}`` when the newest
  version carries a ``ralat:`` or ``pembaruan:`` field and is not the first version; its date is
  that version's.

The plain ``pelican`` command has no history (no ``TERBIT_HISTORY``): no versions, no notes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from pelican import signals
from pelican.generators import ArticlesGenerator

KINDS = ("ralat", "pembaruan")


def versions_of(found: list[dict[str, str]], zone: ZoneInfo) -> list[dict[str, Any]]:
    return [
        {
            "number": number,
            "date": dt.datetime.fromisoformat(item["date"]).astimezone(zone),
            "commit": item["commit"][:10],
        }
        for number, item in enumerate(found, 1)
    ]


def add_history(generator: Any) -> None:
    """``article_generator_finalized``: before any page or feed is written."""
    if not isinstance(generator, ArticlesGenerator):
        return
    history: dict[str, list[dict[str, str]]] = generator.settings.get("TERBIT_HISTORY") or {}
    zone = ZoneInfo(generator.settings.get("TIMEZONE") or "Asia/Jakarta")
    for article in generator.articles:
        versions = versions_of(history.get(article.relative_source_path, []), zone)
        article.versions = versions
        article.correction = None
        if len(versions) < 2:
            # Not yet published, or published once: nothing was corrected. The writer's own
            # ``modified`` again (an article from the cache may carry an earlier build's).
            if article.metadata.get("modified") is not None:
                article.modified = article.metadata["modified"]
            elif hasattr(article, "modified"):
                del article.modified
            continue
        newest = versions[-1]["date"]
        article.modified = newest
        for kind in KINDS:
            text = getattr(article, kind, None)
            if text:
                article.correction = {"kind": kind, "text": text, "date": newest}
                break


def register() -> None:
    signals.article_generator_finalized.connect(add_history)
