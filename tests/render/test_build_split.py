"""Article pages shared between the build and its fork as they go (``split.Runs``): whichever
side is free writes the next run, so a side held up by its other pages writes fewer articles,
and the site is the one a single process builds."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.sitegen import extra_article
from pipeline.render.runner import build_site
from tests.support.forks import ForkLog
from tests.support.tree import tree

# About a second of Jinja work for the page of one template: the side that writes it is busy.
BUSY = "{% for _ in range(1500000) %}{% endfor %}"


def _slow(site: Path, template: str) -> None:
    path = site / "theme" / "templates" / template
    path.write_text(BUSY + path.read_text(encoding="utf-8"), encoding="utf-8")


def _pages(site: Path, folder: str, *, lists: bool = False) -> int:
    """Files under ``folder`` of the output (its own index, a list of this process, left out
    unless ``lists``)."""
    found = [p for p in (site / "output" / folder).rglob("*.html")]
    return len([p for p in found if lists or p.parent != site / "output" / folder])


def _fork_pages(log: ForkLog) -> int:
    done = [n for job, n, ok in log.forks if job == "pages" and ok]
    assert len(done) == 1, log.forks
    return done[0]


def _reference(site: Path, where: Path) -> dict[str, str]:
    """The same site built in one process (no fork, Pelican's own order)."""
    import shutil

    copy = where / "satu-proses"
    shutil.copytree(site, copy, ignore=shutil.ignore_patterns("output", ".terbit"))
    with pytest.MonkeyPatch.context() as env:
        env.delenv("TERBIT_SPLIT_MIN", raising=False)
        build_site(copy, full=True)
    return tree(copy / "output")


@pytest.mark.parametrize("full", [True, False], ids=["full", "incremental"])
def test_the_fork_writes_every_article_page_while_this_process_is_busy(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, full: bool
) -> None:
    monkeypatch.setenv("TERBIT_SPLIT_MIN", "1")
    if not full:
        build_site(site)
        extra = extra_article()
        (site / "content" / "articles" / f"{extra.slug}.md").write_text(extra.text, "utf-8")
    _slow(site, "archives.html")  # a list only this process writes
    log = ForkLog()
    result = build_site(site, full=full, progress=log)
    # A fixed share (before: 48 % of a full build's article pages here, 20 % of an incremental
    # one's) leaves the fork idle while this process renders its lists and then its articles.
    assert _fork_pages(log) == _pages(site, "artikel") + _pages(site, "topik")
    assert result.articles == _pages(site, "artikel")
    assert tree(site / "output") == _reference(site, tmp_path)


def test_this_process_writes_the_article_pages_while_the_fork_is_busy(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TERBIT_SPLIT_MIN", "1")
    _slow(site, "tag.html")  # the topic pages: the fork's alone
    log = ForkLog()
    build_site(site, full=True, progress=log)
    # The fork keeps only its own run (the oldest article) and its topic pages.
    assert _fork_pages(log) == 1 + _pages(site, "topik")
    assert tree(site / "output") == _reference(site, tmp_path)
