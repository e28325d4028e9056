"""Own digests computed before the build (``fingerprint.Ahead``): the warm process digests the
articles it holds as loaded; a build uses such a digest only while the article would pickle to
the same bytes, and then it is the digest the build itself computes. Any change made to the
article after it was held (replaced, changed in place, reordered, a wrapper renamed) means the
build computes the digest again: a stale digest would keep a page that must change."""

from __future__ import annotations

import datetime as dt
import pickle
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pelican.contents import Article
from pelican.settings import DEFAULT_CONFIG
from pelican.urlwrappers import Author, Category, Tag

from pipeline.render.fastpath import CONTENT_NAMES
from pipeline.render.fingerprint import Digester

SETTINGS: dict[str, Any] = dict(DEFAULT_CONFIG)


def _article(name: str = "a", *, slugs: bool = True) -> Article:
    """An article as a build reads it, then as the cache loads it (a pickle round trip)."""
    author = Author("Sari Lubis, S.K.M.", SETTINGS)
    category = Category("Berita", SETTINGS)
    tags = [Tag("haji", SETTINGS), Tag("bandara kualanamu", SETTINGS)]
    if slugs:
        for wrapper in (author, category, *tags):
            assert wrapper.slug  # made when read, as Pelican's reader does
    metadata = {
        "title": "Judul berita",
        "date": dt.datetime(2026, 11, 1, 9, 30, tzinfo=ZoneInfo("Asia/Jakarta")),
        "author": author,
        "authors": [author],
        "category": category,
        "tags": tags,
        "summary": "Ringkasan berita.",
    }
    article = Article(
        "<p>Isi berita.</p>",
        metadata=metadata,
        settings=SETTINGS,
        source_path=f"/situs/content/articles/{name}.md",
        context={},
    )
    return pickle.loads(pickle.dumps(article))  # type: ignore[no-any-return]


def _late(article: Article, newer: Article | None) -> None:
    """What a build sets on every article (``CONTENT_NAMES.late``), and Pelican's new list."""
    article.translations = []
    article.versions = [{"number": 1, "date": article.date, "commit": "abc123"}]
    article.correction = None
    article.newer_article = newer
    article.older_article = None
    article.thumbnail = None


def _held(article: Article) -> Digester:
    """A build's digester given ``article``'s digest computed ahead, as the warm process does."""
    ahead = Digester(CONTENT_NAMES).ahead(article)
    assert ahead is not None
    digester = Digester(CONTENT_NAMES, "/situs/content")
    digester.take_ahead({id(article): ahead})
    return digester


def _cold(article: Article) -> bytes:
    return Digester(CONTENT_NAMES, "/situs/content").own(article)[0]


def test_a_digest_taken_ahead_is_the_builds_own() -> None:
    article, newer = _article(), _article("b")
    digester = _held(article)
    _late(article, newer)
    own, refs = digester.own(article)
    assert digester.ahead_used == 1
    assert own == _cold(article)
    assert refs == [newer]  # the late attributes still point to other articles


def test_an_equal_string_in_place_of_the_held_one_still_holds() -> None:
    article = _article()
    digester = _held(article)
    _late(article, None)
    article.title = "".join(["Judul ", "berita"])  # equal, not the same object
    assert article.title is not article.metadata["title"]
    own = digester.own(article)[0]
    assert digester.ahead_used == 1 and own == _cold(article)


def _replace_title(article: Article) -> None:
    article.title = "Judul lain"


def _metadata_in_place(article: Article) -> None:
    article.metadata["title"] = "Judul lain"


def _metadata_reordered(article: Article) -> None:
    article.metadata = dict(reversed(article.metadata.items()))


def _tag_added_in_place(article: Article) -> None:
    tag = Tag("umrah", SETTINGS)
    assert tag.slug
    article.tags.append(tag)


def _tag_renamed_in_place(article: Article) -> None:
    article.tags[0].name = "umrah"


def _slug_set(article: Article) -> None:
    article.category.slug = "berita-lain"


def _same_instant_other_zone(article: Article) -> None:
    article.date = article.date.astimezone(dt.UTC)  # equal by ==, printed otherwise


def _attribute_added(article: Article) -> None:
    article.featured_image = "foto.jpg"


def _attribute_removed(article: Article) -> None:
    del article.lang


def _flag_flipped(article: Article) -> None:
    article.in_default_lang = not article.in_default_lang


def _translation_added(article: Article) -> None:
    article.translations.append(_article("en"))


def _tags_as_an_equal_tuple(article: Article) -> None:
    article.metadata["tags"] = tuple(article.metadata["tags"])


@pytest.mark.parametrize(
    "change",
    [
        _replace_title,
        _metadata_in_place,
        _metadata_reordered,
        _tag_added_in_place,
        _tag_renamed_in_place,
        _slug_set,
        _same_instant_other_zone,
        _attribute_added,
        _attribute_removed,
        _flag_flipped,
        _translation_added,
        _tags_as_an_equal_tuple,
    ],
    ids=lambda f: f.__name__.strip("_"),
)
def test_a_change_after_the_digest_was_taken_ahead_means_it_is_computed_again(
    change: Callable[[Article], None],
) -> None:
    article = _article()
    digester = _held(article)
    _late(article, None)
    before = _cold(article)
    change(article)
    own = digester.own(article)[0]
    assert digester.ahead_used == 0
    assert own == _cold(article)
    assert own != before


def test_ahead_never_makes_a_slug() -> None:
    """Making a slug needs the build's settings and stays in the wrapper: a wrapper whose slug
    was never made is left alone, and the article is digested in the build."""
    article = _article(slugs=False)
    assert article.category._slug is None
    assert Digester(CONTENT_NAMES).ahead(article) is None
    assert article.category._slug is None and article.tags[0]._slug is None


def test_an_article_that_points_to_another_is_digested_in_the_build() -> None:
    article = _article()
    article.related = _article("b")  # another article's path depends on the build
    assert Digester(CONTENT_NAMES).ahead(article) is None


def test_a_set_is_digested_in_the_build() -> None:
    article = _article()
    article.keywords = {"haji", "bandara"}  # printed in an order only the build can fix
    assert Digester(CONTENT_NAMES).ahead(article) is None
