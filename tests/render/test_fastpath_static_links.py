"""``fastpath.static_links``: the files an article links with ``{static}``/``{attach}``, as
Pelican's ``get_static_links`` finds them, looked for only where a link can be (every build
checks each of them against ``content/``, see ``confine.add_checked_links``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pelican.contents import Article
from pelican.settings import DEFAULT_CONFIG

from pipeline.render import fastpath


def article(body: str, **settings: Any) -> Article:
    config = {**DEFAULT_CONFIG, "PATH": "/kantor/content", **settings}
    return Article(
        body,
        metadata={"title": "Uji", "date": dt.datetime(2026, 12, 4, 8, 0)},
        settings=config,
        source_path="/kantor/content/articles/uji.md",
        context={},
    )


@pytest.mark.parametrize(
    "body",
    [
        '<p><img alt="a" src="{static}/images/a.png"></p>',
        '<p><a href="|attach|../images/b.pdf">b</a></p>',
        "<p>Tanpa tautan ke berkas.</p>",
        "<p>Kurung {kurawal} dan garis | tegak, tanpa tautan.</p>",
    ],
)
def test_the_links_are_pelicans_own(body: str) -> None:
    item = article(body)
    assert fastpath.static_links(item) == item.get_static_links()


def test_a_link_in_the_default_syntax_is_found() -> None:
    assert fastpath.static_links(article('<img src="{static}/images/a.png">')) == {"images/a.png"}


def test_a_site_with_its_own_link_syntax_is_searched_whole() -> None:
    # Neither "{" nor "|" in the body: only the default syntax needs one of them.
    item = article(
        '<img src="[static]/images/a.png">', INTRASITE_LINK_REGEX=r"\[(?P<what>static)\]"
    )
    assert fastpath.static_links(item) == {"images/a.png"}
