"""Drafts of one merge go live together (issue 15 §4): merged before the last ``publish_at``
among them, every new draft of the merge — an earlier time, or none — is left out of every
build (another merge's publication too) until that time, and the scheduler finds the merge
due only then. Real Git repository with a real merge commit; the clock is ``TERBIT_NOW``."""

from __future__ import annotations

import os
import subprocess
from datetime import datetime
from pathlib import Path

import pytest

from pipeline.config.settings import Settings
from pipeline.publication.due import due_merges
from pipeline.publication.stages import held_drafts
from pipeline.vcs import Repo

DRAFT = (
    "---\ntitle: {title}\ndate: 2026-12-01 08:00\n{extra}category: Berita\n"
    "summary: Ringkasan.\nauthor: rina\n---\nIsi {title}.\n"
)
EARLY, LATE = "2026-12-10T09:00:00+07:00", "2026-12-12T09:00:00+07:00"


def _git(root: Path, *args: str, when: str = "2026-12-01T10:00:00+07:00") -> None:
    stamp = {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True,
                   env={**os.environ, **stamp})  # fmt: skip


@pytest.fixture
def merged(tmp_path: Path) -> tuple[Repo, str]:
    root = tmp_path / "kantor"
    (root / "content" / "articles").mkdir(parents=True)
    (root / "content" / "articles" / "lama.md").write_text(
        DRAFT.format(title="Lama", extra=""), encoding="utf-8"
    )
    _git(root, "init", "-q", "-b", "main")
    _git(root, "-c", "user.name=T", "-c", "user.email=t@x", "commit", "-q", "--allow-empty",
         "-m", "awal")  # fmt: skip
    _git(root, "add", "-A")
    _git(root, "-c", "user.name=T", "-c", "user.email=t@x", "commit", "-q", "-m", "lama")
    _git(root, "switch", "-q", "-c", "draf")
    articles = root / "content" / "articles"
    (articles / "awal.md").write_text(
        DRAFT.format(title="Awal", extra=f'publish_at: "{EARLY}"\n'), encoding="utf-8"
    )
    (articles / "akhir.md").write_text(
        DRAFT.format(title="Akhir", extra=f'publish_at: "{LATE}"\n'), encoding="utf-8"
    )
    (articles / "biasa.md").write_text(DRAFT.format(title="Biasa", extra=""), encoding="utf-8")
    (articles / "lama.md").write_text(  # an article already on the site, edited
        DRAFT.format(title="Lama diperbarui", extra=""), encoding="utf-8"
    )
    _git(root, "add", "-A")
    _git(root, "-c", "user.name=T", "-c", "user.email=t@x", "commit", "-q", "-m", "draf")
    _git(root, "switch", "-q", "main")
    _git(root, "-c", "user.name=T", "-c", "user.email=t@x", "merge", "-q", "--no-ff",
         "-m", "gabung", "draf")  # fmt: skip
    repo = Repo(root)
    return repo, repo.rev_parse("refs/heads/main") or ""


def test_a_merges_new_drafts_wait_for_its_last_time_and_it_is_due_only_then(
    merged: tuple[Repo, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, merge = merged
    settings = Settings()
    monkeypatch.setenv("TERBIT_NOW", "2026-12-11T09:00:00+07:00")  # after the first time
    assert held_drafts(repo, merge, settings) == ["articles/akhir.md", "articles/awal.md",
                                                  "articles/biasa.md"]  # fmt: skip
    assert due_merges(repo, settings, datetime.fromisoformat(EARLY)) == []
    assert due_merges(repo, settings, datetime.fromisoformat("2026-12-11T09:00:00+07:00")) == []
    (due,) = due_merges(repo, settings, datetime.fromisoformat(LATE))
    assert (due.merge, due.scheduled_at) == (merge, datetime.fromisoformat(LATE))

    monkeypatch.setenv("TERBIT_NOW", LATE)  # its time: nothing is held
    assert held_drafts(repo, merge, settings) == []
