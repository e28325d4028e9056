"""Which drafts name ``publish_at`` (issue 16, P3): the answer ``git grep -l -F`` gives over
the tip's objects, but each blob read once per server (its answer kept by blob id in the build
cache), so a publication reads the one new article, not the site's 5,000 drafts. Real Git
repositories; every answer is compared with ``git grep`` itself."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from pipeline.publication.stages import SCHEDULED_FILE, build_cache, naming_field
from pipeline.vcs import Repo

NAMED = b"---\ntitle: A\npublish_at: 2026-12-10T09:00:00+07:00\n---\nIsi.\n"
PLAIN = b"---\ntitle: B\n---\nIsi tanpa jadwal.\n"


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(root), "-c", "user.name=T", "-c", "user.email=t@x",
                           *args], check=True, capture_output=True, text=True)  # fmt: skip
    return done.stdout


def _commit(root: Path, files: dict[str, bytes | None], links: dict[str, str] | None = None) -> str:
    for name, data in files.items():
        path = root / name
        if data is None:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    for name, target in (links or {}).items():
        (root / name).symlink_to(target)
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "--allow-empty", "-m", "x")
    return _git(root, "rev-parse", "HEAD").strip()


def _grep(root: Path, tip: str) -> list[str]:
    """What the publication asked git before: ``git grep -l -F publish_at <tip> -- content/``."""
    done = subprocess.run(["git", "-C", str(root), "grep", "-l", "-F", "publish_at", tip, "--",
                           "content/"], capture_output=True, text=True)  # fmt: skip
    return sorted(line.split(":", 1)[1] for line in done.stdout.splitlines())


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Path, Repo]:
    root = tmp_path / "kantor"
    root.mkdir()
    _git(root, "init", "-q", "-b", "main")
    return root, Repo(root)


class Counting(Repo):
    """The repository, counting the blobs read."""

    read: list[str]

    def blobs(self, shas):  # type: ignore[no-untyped-def]
        wanted = list(shas)
        self.read = [*getattr(self, "read", []), *wanted]
        return super().blobs(wanted)


def test_the_drafts_named_are_those_git_grep_finds_through_every_kind_of_change(
    repo: tuple[Path, Repo],
) -> None:
    root, git = repo
    first = _commit(
        root,
        {
            "content/articles/a.md": NAMED,
            "content/articles/b.md": PLAIN,
            "content/articles/sub/c.markdown": NAMED,
            "content/images/d.bin": b"\x00\x01publish_at\x00",  # binary: git grep lists it
            "content/e.md": b"PUBLISH_AT: besar\n",  # another case: not named
            "content/f.md": b"publish_\nat\n",  # split over two lines: not named
            "content/g.md": NAMED,  # the same blob as a.md: one read, two paths
            "content/x.sh": NAMED,
            "outside.md": NAMED,  # outside content/: never
        },
        links={"content/link.md": "publish_at"},  # a link's target text: git grep skips it
    )
    os.chmod(root / "content/x.sh", 0o755)
    first = _commit(root, {})
    assert naming_field(git, first, "content") == _grep(root, first) != []
    assert "content/link.md" not in naming_field(git, first, "content")
    # The field removed, added, a file renamed, another deleted: each tip as git grep says.
    second = _commit(root, {"content/articles/a.md": PLAIN, "content/articles/b.md": NAMED,
                            "content/g.md": None, "content/h.md": NAMED})  # fmt: skip
    _git(root, "mv", "content/articles/sub/c.markdown", "content/c.md")
    third = _commit(root, {})
    for tip in (second, third, first, third):
        assert naming_field(git, tip, "content") == _grep(root, tip), tip
    assert naming_field(git, third, "/content/") == _grep(root, third)
    assert naming_field(git, third, "kosong") == []


def test_each_blob_is_read_once_and_a_damaged_cache_only_costs_a_reading(
    repo: tuple[Path, Repo],
) -> None:
    root, _ = repo
    site = {f"content/articles/artikel-{i}.md": PLAIN + str(i).encode() for i in range(40)}
    first = _commit(root, {**site, "content/articles/jadwal.md": NAMED})
    git = Counting(root)
    assert naming_field(git, first, "content") == ["content/articles/jadwal.md"]
    assert len(git.read) == 41  # the first time: every draft
    second = _commit(root, {"content/articles/baru.md": NAMED + b"Baru.\n"})
    git.read = []
    assert naming_field(git, second, "content") == _grep(root, second)
    assert len(git.read) == 1  # then only the new article's blob (before: all 42 drafts)
    git.read = []
    assert naming_field(git, second, "content") == _grep(root, second)
    assert git.read == []
    cache = build_cache(git) / SCHEDULED_FILE
    # Garbage, another shape, another version or another field: every blob is read again.
    for bad in ("{", "[]", json.dumps({"format": 2}), json.dumps({"format": 1, "field": "x",
                                                                  "blobs": {}})):  # fmt: skip
        cache.write_text(bad, encoding="utf-8")
        git.read = []
        assert naming_field(git, second, "content") == _grep(root, second)
        assert len(git.read) == 42
    kept = json.loads(cache.read_text(encoding="utf-8"))["blobs"]
    assert len(kept) == 42 and sum(kept.values()) == 2  # only this tree's blobs, bounded


def test_the_cache_keeps_only_the_blobs_of_the_tree_when_paths_share_one(
    repo: tuple[Path, Repo],
) -> None:
    # Two drafts with the same text are one blob: the cache is pruned to the tree's blobs,
    # not kept while it holds no more answers than the tree has paths.
    root, git = repo
    first = _commit(root, {"content/a.md": NAMED, "content/b.md": PLAIN, "content/c.md": PLAIN})
    assert naming_field(git, first, "content") == ["content/a.md"]
    second = _commit(root, {"content/a.md": None})
    assert naming_field(git, second, "content") == _grep(root, second) == []
    kept = json.loads((build_cache(git) / SCHEDULED_FILE).read_text(encoding="utf-8"))["blobs"]
    plain = _git(root, "rev-parse", f"{second}:content/b.md").strip()
    assert kept == {plain: False}
