"""Pelican plugins for the office's site, loaded by module path from ``pelicanconf.py``.

Each module has a ``register()`` that connects to Pelican's signals:

- ``reader``: Markdown drafts with YAML front matter (the team's contract) -> Pelican metadata.
- ``sanitizing``: raw HTML from drafts through the project's sanitiser; unsafe SVG files dropped.
- ``theme_text``: Indonesian/English interface strings, long dates, prev/next links.
- ``search_index``: ``search.json`` for the client-side search page.
- ``sitemap``: ``sitemap.xml`` of articles, pages and index pages.
- ``history``: each article's versions from Git (read by Terbit), corrections, ``modified``.
- ``thumbnails``: resized copies of each article's first image for the news cards.
- ``withdrawn``: withdrawn articles off every list, a notice at their address, the 410 list.
"""

PLUGINS = [
    "pipeline.render.plugins.reader",
    "pipeline.render.plugins.sanitizing",
    "pipeline.render.plugins.theme_text",
    "pipeline.render.plugins.search_index",
    "pipeline.render.plugins.sitemap",
    "pipeline.render.plugins.thumbnails",
    "pipeline.render.plugins.history",
    "pipeline.render.plugins.withdrawn",
]
