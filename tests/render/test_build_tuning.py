"""The build's shortcuts give Pelican's own answers: translations, paths, pruning, search text."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import random
from collections.abc import Iterator
from pathlib import Path

import blinker
import pelican.generators
import pytest
from markupsafe import Markup
from pelican.contents import Article
from pelican.settings import DEFAULT_CONFIG
from pelican.utils import get_relative_path, path_to_url, sanitised_join

from pipeline.render import fastpath, tuning
from pipeline.render.incremental import Session, relative_root
from pipeline.render.plugins.search_index import plain


def _articles(seed: int, slugs: int = 25) -> list[Article]:
    """Articles in groups sharing a slug: some with a translation in another language, some
    with two in one language (Pelican warns and keeps one), some marked as translations, some
    alone (most, with many ``slugs``: a news site has few translations)."""
    rng = random.Random(seed)
    settings = {**DEFAULT_CONFIG, "DEFAULT_LANG": "id"}
    out = []
    for i in range(60):
        slug = f"berita-{rng.randrange(slugs)}"
        meta = {"title": f"Judul {i}", "slug": slug, "lang": rng.choice(["id", "id", "en"])}
        if rng.random() < 0.2:
            meta["translation"] = "true"
        out.append(Article(f"<p>{i}</p>", metadata=meta, settings=settings))
    return out


@contextlib.contextmanager
def _said_afresh(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Warnings captured as a fresh build process says them: Pelican says a message once per
    process (its ``LimitFilter``), so what an earlier test said is forgotten meanwhile."""
    from pelican.log import LimitFilter

    with fastpath.forgetting_logged(), caplog.at_level(logging.WARNING):
        LimitFilter._raised_messages.clear()
        LimitFilter._group_count.clear()
        yield


@pytest.mark.parametrize("slugs", [25, 200])
@pytest.mark.parametrize("seed", range(5))
def test_per_group_translations_match_pelican(
    seed: int, slugs: int, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    original = pelican.generators.process_translations
    expected_items = _articles(seed, slugs)
    with _said_afresh(caplog):
        index, translations = original(expected_items, translation_id="slug")
    expected = (
        [a.title for a in index],
        [a.title for a in translations],
        {a.title: [t.title for t in a.translations] for a in expected_items},
        [r.getMessage() for r in caplog.records],  # e.g. one marked article alone in its group
    )
    caplog.clear()
    monkeypatch.setattr(pelican.generators, "process_translations", original)
    fastpath.linear_translations()
    items = _articles(seed, slugs)
    with _said_afresh(caplog):
        index, translations = pelican.generators.process_translations(items, translation_id="slug")
    got = (
        [a.title for a in index],
        [a.title for a in translations],
        {a.title: [t.title for t in a.translations] for a in items},
        [r.getMessage() for r in caplog.records],
    )
    assert got == expected
    assert [a.title for a in items] == [a.title for a in expected_items]  # sorted in place too


def test_relative_source_paths_match_pelican(tmp_path: Path) -> None:
    content = tmp_path / "content"
    settings = {**DEFAULT_CONFIG, "PATH": str(content)}
    paths = [
        str(content / "articles" / "a.md"),
        str(content / "articles" / ".." / "pages" / "b.md"),
        str(tmp_path / "elsewhere" / "c.md"),
        "articles/d.md",
    ]
    article = Article("<p>x</p>", metadata={"title": "x"}, settings=settings)
    expected = [article.get_relative_source_path(p) for p in paths]
    saved = Article.get_relative_source_path
    try:
        fastpath.memoize_relative_paths()
        assert [article.get_relative_source_path(p) for p in paths] == expected
    finally:
        Article.get_relative_source_path = saved  # type: ignore[method-assign]


def test_prune_removes_only_folders_left_empty(tmp_path: Path) -> None:
    for folder in ("gone/deeper", "kept", "used", "mixed/gone"):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "kept" / "index.html").write_text("x", encoding="utf-8")
    (tmp_path / "mixed" / "index.html").write_text("x", encoding="utf-8")
    folders = [str(tmp_path / f) for f in ("gone", "gone/deeper", "kept", "used", "mixed")]
    folders.append(str(tmp_path / "mixed" / "gone"))
    tuning.prune(folders, used={str(tmp_path / "used")})
    left = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*"))
    assert left == ["kept", "kept/index.html", "mixed", "mixed/index.html", "used"]


def test_the_stamps_read_ahead_are_the_builds_and_a_fork_asking_first_gets_none(
    tmp_path: Path,
) -> None:
    """The clearing child's MD5s reach the build however late it asks (they are asked for at
    Pelican's first file, after the caches are loaded), and a fork of the build that asks
    first (a read-ahead fork) gets none, so Pelican computes them itself: the pipe's byte that
    says they are ready is the build's alone."""
    content, spare = tmp_path / "content", tmp_path / "spare"
    (content / "articles").mkdir(parents=True)
    texts = {"articles/a.md": b"Title: A\n", "articles/b.md": b"Title: B\n", "c.md": b"C"}
    for name, data in texts.items():
        (content / name).write_bytes(data)
    (spare / "artikel" / "lama").mkdir(parents=True)
    (spare / "artikel" / "lama" / "index.html").write_text("lama", encoding="utf-8")
    clearing = tuning.Clearing(spare, content)
    pid = os.fork()
    if pid == 0:  # a fork of the build, asking before the build did
        os._exit(0 if clearing.stamps() == {} else 3)
    assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0, "the fork read the stamps"
    expected = {str(content / n): hashlib.md5(d).digest() for n, d in texts.items()}
    assert clearing.stamps() == expected
    clearing.wait()
    assert [p for p in spare.rglob("*") if p.is_file()] == []
    assert str(spare / "artikel" / "lama") in clearing.folders


NAMES = [
    "index.html",
    "artikel/berita/index.html",
    "a/b/c/d.html",
    "./index.html",
    "a/./b.html",
    "a//b.html",
    "a/b/",
    "/abs/x.html",
    "a/../b.html",
    "..hidden/x.html",
    "feeds/all.atom.xml",
]


@pytest.mark.parametrize("name", NAMES)
def test_page_paths_match_pelican(name: str, tmp_path: Path) -> None:
    assert relative_root(name) == path_to_url(get_relative_path(name))
    settings = {**DEFAULT_CONFIG}
    session = Session(
        tmp_path / "out", None, {}, settings, fastpath.reads_context, fastpath.CONTENT_NAMES
    )
    writer = fastpath.FastWriter(str(tmp_path / "out"), settings=settings, session=session)
    try:
        expected = sanitised_join(str(tmp_path / "out"), name)
    except RuntimeError:
        with pytest.raises(RuntimeError):
            writer._join(name)
        return
    assert writer._join(name) == expected


@pytest.mark.parametrize(
    "text", ["a  b", " x\n y ", "<p>a &amp; b</p>", "a &lt; b", "<!-- c -->x", "", None, "t\tu"]
)
def test_search_text_matches_stripping_tags(text: str | None) -> None:
    assert plain(text, 1000) == " ".join(Markup(text or "").striptags().split())


@pytest.mark.parametrize(
    "found",
    [
        [("https://x.go.id/", None)],
        [("https://x.go.id/a?b=1&c=<2>", "2026-12-02T10:00:00+07:00"), ("/", "")],
        [("https://x.go.id/berita/kesiapsiagaan-ü-é/", "2026-01-01"), ("/\udcff/", None)],
        [("'\"\r\n\t", "x&y")],
    ],
)
def test_sitemap_text_is_what_elementtree_writes(found: list, tmp_path: Path) -> None:
    from xml.etree import ElementTree as ET

    from pipeline.render.plugins.sitemap import NS, document

    urlset = ET.Element("urlset", xmlns=NS)
    for loc, lastmod in found:
        node = ET.SubElement(urlset, "url")
        ET.SubElement(node, "loc").text = loc
        if lastmod:
            ET.SubElement(node, "lastmod").text = lastmod
    ET.ElementTree(urlset).write(tmp_path / "s.xml", encoding="utf-8", xml_declaration=True)
    assert document(found) == (tmp_path / "s.xml").read_bytes()


def _digest_session(tmp_path: Path, settings: dict) -> Session:
    return Session(
        tmp_path / "out", None, {}, settings, fastpath.reads_context, fastpath.CONTENT_NAMES
    )


def test_page_digests_kept_by_identity_are_those_of_each_page_alone(tmp_path: Path) -> None:
    """Thousands of pages of one template: each name's piece of the digest is kept while the
    page's value is the very object the last page had. Whatever the order of pages, every
    digest is the one a session that never saw another page gives, so a kept piece is never
    that of another value (an object replaced, a page value over the context, a value that
    cannot be digested in between)."""
    from jinja2 import DictLoader, Environment

    env = Environment(
        loader=DictLoader(
            {"article.html": "{{ article }}{{ tags }}{{ SITENAME }}{{ items[:2] }}{{ n }}{{ f }}"}
        )
    )
    template = env.get_template("article.html")
    settings = {**DEFAULT_CONFIG, "SITENAME": "Situs"}
    rng = random.Random(17)
    shared = {"tags": ["a", "b"], "items": [1, 2, 3]}
    session = _digest_session(tmp_path, settings)
    seen: set[bytes | None] = set()
    for i in range(300):
        context = {"SITENAME": settings["SITENAME"], "n": rng.randrange(3), **shared}
        if rng.random() < 0.2:  # the same values, as new objects: the same digest
            shared = {"tags": list(shared["tags"]), "items": list(shared["items"])}
        if rng.random() < 0.1:  # other values
            shared = {"tags": [*shared["tags"], str(i)], "items": [i, *shared["items"]]}
        if rng.random() < 0.1:
            context["f"] = lambda: None  # cannot be digested: the page is rendered
        page = {"article": f"artikel {rng.randrange(5)}", "output_file": f"a{rng.randrange(4)}"}
        if rng.random() < 0.3:
            page["n"] = rng.randrange(3)  # a page's own value over the site's
        digest = session.page_digest(template, context, page)
        alone = _digest_session(tmp_path, settings).page_digest(template, context, page)
        assert digest == alone
        assert (digest is None) == ("f" in context)
        seen.add(digest)
    assert len(seen) > 20  # the digests do tell pages apart


def test_a_page_digest_changes_with_what_the_template_reads(tmp_path: Path) -> None:
    from jinja2 import DictLoader, Environment

    env = Environment(loader=DictLoader({"t.html": "{{ a }}{{ dates[:1] }}{{ SITENAME }}"}))
    template = env.get_template("t.html")
    settings = {**DEFAULT_CONFIG, "SITENAME": "Situs"}
    session = _digest_session(tmp_path, settings)

    def digest(**context: object) -> bytes | None:
        return session.page_digest(template, {"SITENAME": settings["SITENAME"], **context})

    first = digest(a="x", dates=[1, 2])
    assert digest(a="x", dates=[1, 3]) == first  # only the head of ``dates`` is read
    assert digest(a="y", dates=[1, 2]) != first
    assert digest(a="x", dates=[2, 2]) != first
    assert digest(a="x", dates=[1, 2], c="not read") == first
    assert session.page_digest(template, {"SITENAME": "Lain", "a": "x", "dates": [1, 2]}) != first


@pytest.mark.parametrize(
    "patterns",
    [[], [".#*"], [".#*", "__pycache__"], ["*.md~", "[!a]*", "?x", "a[bc].txt", "*|*", "(x)"]],
)
def test_ignored_names_are_those_fnmatch_matches(patterns: list[str]) -> None:
    import fnmatch

    from pipeline.render.confine import ignoring

    names = [".#draf.md", "__pycache__", "a.md~", "abc", "bx", "xx", "ab.txt", "ad.txt", "a|b"]
    names += ["(x)", "x", "", ".", "draf.md", "__pycache__x", "ác.md", "a\nb", "A.MD~"]
    ignored = ignoring(patterns)
    for name in names:
        assert ignored(name) == any(fnmatch.fnmatch(name, p) for p in patterns), name


def test_model_only_receivers_finish_while_the_fork_writes_and_the_others_after_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``article_writer_finalized`` on two cores: the search index and sitemap (which read the
    model only) do not wait for the fork's pages; any other receiver (the withdrawn notices,
    a plugin that reads pages) runs after the fork is joined, in its order of connection."""
    finalized = blinker.Signal()  # a signal of its own: the real one has the real plugins
    monkeypatch.setattr(fastpath.signals, "article_writer_finalized", finalized)
    events: list[str] = []

    def model(sender: object, writer: object) -> None:
        events.append("model")

    def pages(sender: object, writer: object) -> None:
        events.append("pages")

    def other(sender: object, writer: object) -> None:
        events.append("other")

    for receiver in (pages, model, other):
        finalized.connect(receiver)
    monkeypatch.setattr(fastpath, "MODEL_ONLY", frozenset({fastpath._name(model)}))
    fastpath.finalize_articles(object(), object(), lambda: events.append("join"))
    assert events == ["model", "join", "pages", "other"]
