"""The same synthetic articles as a Hugo site, for a reference timing.

Hugo gets equivalent content (same titles, dates, categories, tags, authors, bodies) and a
small theme of its own with the same kinds of pages: articles, a home page with the latest ten,
category, tag and author lists of all their articles (no numbered pages, as in the site's
theme), an archive-like section list, RSS.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml

CONFIG = """\
baseURL = "http://127.0.0.1:8000/"
languageCode = "id"
title = "Situs Uji"
timeZone = "Asia/Jakarta"
disableKinds = ["robotsTXT"]
[taxonomies]
  category = "kategori"
  tag = "topik"
  author = "penulis"
"""

LAYOUTS = {
    "_default/baseof.html": (
        '<!doctype html><html lang="id"><head><meta charset="utf-8"><title>{{ .Title }} - '
        '{{ site.Title }}</title></head><body><header><a href="{{ site.Home.RelPermalink }}">'
        '{{ site.Title }}</a></header><main>{{ block "main" . }}{{ end }}</main></body></html>'
    ),
    "_default/single.html": (
        '{{ define "main" }}<article><h1>{{ .Title }}</h1><p>{{ .Date.Format "2 January 2006" }}'
        "</p><p>{{ .Params.summary }}</p>{{ .Content }}<p>{{ range .Params.kategori }}{{ . }}"
        " {{ end }}{{ range .Params.topik }}{{ . }} {{ end }}</p>"
        '{{ with .PrevInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}'
        '{{ with .NextInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}'
        "</article>{{ end }}"
    ),
    # Like the site's theme: every list shows all its articles compactly (date and title,
    # under a heading per year), no numbered pages.
    "_default/list.html": (
        '{{ define "main" }}<h1>{{ .Title }}</h1>{{ range .Pages.GroupByDate "2006" }}<h2>'
        '{{ .Key }}</h2><ul>{{ range .Pages }}<li><time>{{ .Date.Format "2 January 2006" }}'
        '</time> <a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}'
        "{{ end }}"
    ),
    "_default/terms.html": (
        '{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Data.Terms.ByCount }}<li><a '
        'href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>{{ end }}'
        "</ul>{{ end }}"
    ),
    "index.html": (
        '{{ define "main" }}{{ range first 10 (where site.RegularPages "Type" "posts") }}'
        '<article><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2><p>'
        '{{ .Params.summary }}</p></article>{{ end }}<a href="/posts/">Arsip</a>{{ end }}'
    ),
}

FRONT = re.compile(r"\A---\n(.*?)\n---\n", re.S)


def convert(markdown: str) -> str:
    """A draft with the team's front matter as a Hugo post with taxonomies."""
    match = FRONT.match(markdown)
    assert match, "synthetic drafts always have front matter"
    meta = yaml.safe_load(match.group(1))
    out = {
        "title": meta["title"],
        "date": meta["date"].strftime("%Y-%m-%dT%H:%M:00+07:00")
        if hasattr(meta["date"], "strftime")
        else f"{meta['date'].replace(' ', 'T')}:00+07:00",
        "summary": meta["summary"],
        "kategori": [meta["category"]],
        "topik": meta.get("tags") or [],
        "penulis": [meta["author"]],
    }
    front = yaml.safe_dump(out, allow_unicode=True, sort_keys=False)
    return f"---\n{front}---\n{markdown[match.end() :]}"


def write_hugo_site(source: Path, target: Path) -> None:
    """Hugo site at ``target`` with the articles of the Terbit site at ``source``."""
    shutil.rmtree(target, ignore_errors=True)
    posts = target / "content" / "posts"
    posts.mkdir(parents=True)
    (target / "hugo.toml").write_text(CONFIG, encoding="utf-8")
    for name, text in LAYOUTS.items():
        path = target / "layouts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for draft in sorted((source / "content" / "articles").glob("*.md")):
        (posts / draft.name).write_text(convert(draft.read_text(encoding="utf-8")), "utf-8")
