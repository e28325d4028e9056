"""The confined walk of content/ (``confine.Content.walk``): which files a build may read, and
every file it refuses, named once, on a real tree with links, a pipe and bad names."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from pipeline.render import confine


@pytest.fixture(autouse=True)
def _fresh_reports() -> None:
    confine._reported.clear()  # a build is one process; each test is one build here


def refused(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        f"{record.terbit.path}: {record.getMessage()}"  # type: ignore[attr-defined]
        for record in caplog.records
        if record.name == confine.__name__
    ]


def test_only_regular_files_are_walked_and_every_other_kind_is_named(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    content = tmp_path / "content"
    (content / "articles" / "2026").mkdir(parents=True)
    (content / "articles" / "a.md").write_text("a", encoding="utf-8")
    (content / "articles" / "2026" / "b.md").write_text("b", encoding="utf-8")
    (content / "articles" / "nbsp\u00a0folder").mkdir()  # not printable, yet a fine name
    (content / "articles" / "nbsp\u00a0folder" / "c.md").write_text("c", encoding="utf-8")
    (content / "articles" / ".#a.md").write_text("editor's lock", encoding="utf-8")
    (content / "articles" / "link.md").symlink_to(content / "articles" / "a.md")
    (content / "articles" / "broken.md").symlink_to(tmp_path / "nowhere")
    (content / "articles" / "folder-link").symlink_to(tmp_path)
    os.mkfifo(content / "articles" / "pipe.md")
    (content / "articles" / "bad\nname.md").write_text("x", encoding="utf-8")
    (content / "articles" / "bad\x01folder").mkdir()
    (content / "articles" / "bad\x01folder" / "hidden.md").write_text("x", encoding="utf-8")
    (content / "drafts").mkdir()
    (content / "drafts" / "skipped-link.md").symlink_to(tmp_path)

    with caplog.at_level(logging.ERROR, logger=confine.__name__):
        found = list(confine.Content(content).walk("", {"drafts"}, [".#*"]))

    nbsp = "articles/nbsp\u00a0folder/c.md"
    assert sorted(found) == ["articles/2026/b.md", "articles/a.md", nbsp]
    link, other = confine.MSG("symlink"), confine.MSG("not_file")
    bad_folder = confine.MSG("bad_name", name="bad\\x01folder")
    bad_file = confine.MSG("bad_name", name="bad\\x0aname.md")
    assert sorted(refused(caplog)) == sorted(
        [
            f"content/articles/broken.md: {link}",
            f"content/articles/folder-link: {link}",
            f"content/articles/link.md: {link}",
            f"content/articles/pipe.md: {other}",
            f"content/articles: {bad_folder}",
            f"content/articles: {bad_file}",
        ]
    )


def test_a_tree_deeper_than_pythons_recursion_limit_is_walked(tmp_path: Path) -> None:
    # A change may hold folders of any depth; the walk must neither stop nor fail on them.
    content = tmp_path / "content"
    folder = content / "articles"
    folder.mkdir(parents=True)
    for _ in range(1_100):
        folder = folder / "d"
        folder.mkdir()
    (folder / "deep.md").write_text("x", encoding="utf-8")

    try:
        found = list(confine.Content(content).walk("articles", set(), []))
    finally:  # bottom up: pytest's clean-up (``shutil.rmtree``) recurses too
        (folder / "deep.md").unlink()
        while folder != content:
            folder.rmdir()
            folder = folder.parent

    assert found == ["articles/" + "d/" * 1_100 + "deep.md"]
