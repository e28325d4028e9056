"""The server's page check compares a change's pages with main's same pages: a finding main
already has is reported as known, only the change's own are new (real Pelican, real Chromium)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.hooks.install import copy_site
from pipeline.publication.pagecheck import _check
from pipeline.vcs import Repo

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # one test, its own repository: no group

ROOT = Path(__file__).resolve().parents[2]
ARTICLE = "content/articles/tautan-lama.md"


def text(body: str) -> str:
    return (
        "---\ntitle: Tautan Lama\ndate: 2026-11-20\ncategory: Berita\nsummary: Ringkasan.\n"
        f"author: rina\n---\n{body}\n"
    )


def test_findings_main_already_has_are_known_and_the_rest_new(tmp_path: Path) -> None:
    work = tmp_path / "situs"
    work.mkdir()
    repo = Repo.init(work)
    repo.config("user.name", "Uji")
    repo.config("user.email", "uji@example.invalid")
    copy_site(ROOT, work)
    (work / ARTICLE).write_text(text("Lihat [arsip](/tag/arsip-lama/)."))
    repo.run("add", "--all")
    repo.run("commit", "--quiet", "-m", "main")
    main = repo.rev_parse("HEAD")
    assert main
    (work / ARTICLE).write_text(text("Lihat [arsip](/tag/arsip-lama/) dan [baru](/tag/baru-x/)."))
    repo.run("commit", "--quiet", "-am", "ubah")
    head = repo.rev_parse("HEAD")
    assert head

    data = _check(repo, tmp_path / "periksa", main, head, "content")

    page = "/artikel/tautan-lama/"
    assert data["head"] == head and data["main"] == main
    assert data["pages"] == ["/", page]
    assert data["new"] == [{"page": page, "rule": "broken-link", "target": "/tag/baru-x/"}]
    assert {"page": page, "rule": "broken-link", "target": "/tag/arsip-lama/"} in data["known"]
    assert data["problems"] == []
