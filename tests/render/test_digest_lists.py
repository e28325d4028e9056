"""A list's digest (``fingerprint.Digester._mix``): one hash over its items, scalars as text and
everything else by its own digest, in order; the same whether an item was digested before
(most articles of a list page: taken from the memo in one pass) or not."""

from __future__ import annotations

from typing import Any

import pytest

from pipeline.render.fastpath import CONTENT_NAMES
from pipeline.render.fingerprint import SCALARS, Digester, _hash
from tests.render.test_digest_ahead import _article


def _reference(digester: Digester, items: list[Any]) -> bytes:
    text = [f"{type(i).__name__}:{i!r}" if isinstance(i, SCALARS) else "#" for i in items]
    parts = [digester.digest(i) for i in items if not isinstance(i, SCALARS)]
    return _hash(b"L", "\n".join(text).encode(), *parts)


@pytest.mark.parametrize("digested_first", [True, False])
def test_a_list_digest_is_the_hash_of_its_items_in_order(digested_first: bool) -> None:
    articles = [_article(f"a{i}") for i in range(5)]
    items: list[Any] = [*articles, 3, "teks", None, ("x", articles[0]), 2.5]
    digester = Digester(CONTENT_NAMES, "/situs/content")
    if digested_first:
        for article in articles:
            digester.digest(article)
    found = digester.digest(items)
    assert found == _reference(Digester(CONTENT_NAMES, "/situs/content"), items)
    assert digester.digest(list(reversed(items))) != found  # the order counts


def test_a_list_of_articles_only_changes_with_any_of_them() -> None:
    articles = [_article(f"a{i}") for i in range(4)]
    before = Digester(CONTENT_NAMES, "/situs/content").digest(articles)
    articles[2].title = "Judul lain"
    assert Digester(CONTENT_NAMES, "/situs/content").digest(articles) != before
