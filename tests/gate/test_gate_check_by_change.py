"""The draft check of a change writes and reads only the change's drafts: the rest of the landed
tree comes from Git's listing and the other drafts' facts from a cache kept by blob id in the
repository's own state folder. What it says must equal the whole-tree check (every draft of
the site written out and read again) for every kind of change, with the cache warm, cold,
missing or damaged; both run here on real repositories."""

from __future__ import annotations

import sqlite3
import subprocess
from collections.abc import Iterable
from pathlib import Path

import pytest

from pipeline.gate import drafts, fact_cache
from pipeline.gate.drafts import ChangeCheck, check_change
from pipeline.gate.fact_cache import cache_path
from pipeline.vcs import Repo

ARTICLE = (
    "---\ntitle: {title}\ndate: 2026-11-20\ncategory: Berita\nsummary: Ringkas.\n"
    "author: rina\n{extra}---\n{body}\n"
)
SITE = {
    "terbit.yml": "site:\n  url: https://example.test\ncontent:\n  draft_max_kb: 2\n"
    "  image_max_kb: 1\n",
    "content/articles/lama.md": ARTICLE.format(title="Lama", extra="", body="Isi."),
    "content/articles/khusus.md": ARTICLE.format(
        title="Khusus", extra="slug: jadwal-khusus\ntags: [Vaksin Polio]\n", body="Isi."
    ),
    "content/articles/2025/arsip.md": ARTICLE.format(title="Arsip", extra="", body="Isi."),
    "content/pages/profil.md": ARTICLE.format(title="Profil", extra="", body="Isi."),
    # Read by neither check for the slug index: no front matter, hidden, too large.
    "content/articles/rusak.md": "tanpa front matter\n",
    "content/.arsip/tersembunyi.md": ARTICLE.format(title="T", extra="slug: rahasia\n", body="."),
    "content/articles/besar.md": ARTICLE.format(title="Besar", extra="", body="x" * 3000),
    "content/images/foto.png": "p" * 500,
    "content/images/besar.png": "p" * 1500,
}
LINKS = (
    "![Foto](../images/foto.png) ![Besar](../images/besar.png) ![Hilang](../images/tiada.png)\n"
    "[lama]({{filename}}lama.md) [arsip](2025/arsip.md) [tiada](tiada.md) [map](2025/)\n"
    "[topik](/topik/vaksin-polio/) [slug](/artikel/jadwal-khusus.html) [x](/topik/tak-ada/)\n"
    "[profil](/profil.html) [rahasia](/rahasia.html) [besar](/besar.html)\n"
)


def git(root: Path, *args: str) -> str:
    who = ["-c", "user.name=t", "-c", "user.email=t@example.test"]
    done = subprocess.run(
        ["git", *who, *args], cwd=root, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def commit(root: Path, files: dict[str, str | None], message: str) -> str:
    for rel, text in files.items():
        path = root / rel
        if text is None:
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-qm", message)
    return git(root, "rev-parse", "HEAD")


class CountingRepo(Repo):
    """A real repository that remembers which blobs the check asked Git for."""

    asked: list[str]

    def blobs(self, shas: Iterable[str]) -> dict[str, bytes]:
        wanted = list(shas)
        self.asked = [*getattr(self, "asked", []), *wanted]
        return super().blobs(wanted)


@pytest.fixture
def site(tmp_path: Path) -> tuple[Path, str]:
    root = tmp_path / "situs"
    root.mkdir()
    git(root, "init", "-q", "--initial-branch=main")
    return root, commit(root, dict(SITE), "awal")


def change(root: Path, base: str, files: dict[str, str | None]) -> str:
    git(root, "switch", "-q", "-C", "ubah", base)
    head = commit(root, files, "ubah")
    git(root, "switch", "-q", "main")
    return head


def said(checked: ChangeCheck) -> tuple[list[str], list[str], list[str]]:
    return checked.lines, [str(w) for w in checked.warnings], checked.landed


CHANGES: dict[str, dict[str, str | None]] = {
    "add": {
        "content/articles/baru.md": ARTICLE.format(title="Baru", extra="", body=LINKS),
    },
    "edit": {
        "content/articles/lama.md": ARTICLE.format(title="Lama", extra="", body=LINKS),
    },
    "delete": {
        # One draft goes; another now links to it and takes its slug (no longer a duplicate).
        "content/articles/lama.md": None,
        "content/articles/ganti.md": ARTICLE.format(
            title="Ganti", extra="slug: lama\n", body="[lama](lama.md)\n" + LINKS
        ),
    },
    "rename": {
        "content/articles/2025/arsip.md": None,
        "content/articles/2026/lama.md": ARTICLE.format(title="Arsip", extra="", body=LINKS),
    },
    "duplicate slugs": {
        "content/articles/kembar.md": ARTICLE.format(
            title="Kembar", extra="slug: jadwal-khusus\n", body="Isi."
        ),
        "content/articles/arsip.md": ARTICLE.format(title="Arsip lagi", extra="", body="Isi."),
        "content/articles/rahasia.md": ARTICLE.format(title="R", extra="", body="Isi."),
        "content/articles/rusak-lagi.md": ARTICLE.format(
            title="R", extra="slug: rusak\n", body="Isi."
        ),
        "content/pages/lama.md": ARTICLE.format(title="Halaman", extra="", body="Isi."),
        "content/articles/2025/besar.md": ARTICLE.format(title="B", extra="", body="Isi."),
    },
}


@pytest.mark.parametrize("kind", list(CHANGES))
def test_the_check_by_change_says_what_the_whole_tree_check_says(site, kind) -> None:
    root, base = site
    head = change(root, base, CHANGES[kind])
    whole = said(check_change(Repo(root), base, head, whole_tree=True))
    assert whole[0], "each change has problems to find"
    assert said(check_change(Repo(root), base, head)) == whole  # the cache filled
    assert cache_path(Repo(root)).is_file()
    assert said(check_change(Repo(root), base, head)) == whole  # the cache read


def test_the_duplicates_found_are_the_expected_ones(site) -> None:
    root, base = site
    head = change(root, base, CHANGES["duplicate slugs"])
    lines = check_change(Repo(root), base, head).lines
    duplicated = sorted(line.split(":")[0] for line in lines if "juga dipakai" in line)
    # Neither a hidden draft, an unreadable one nor a page of the same name counts.
    assert duplicated == ["content/articles/arsip.md", "content/articles/kembar.md"]


def test_with_the_cache_warm_only_the_changes_drafts_are_read(site) -> None:
    root, base = site
    check_change(CountingRepo(root), base, change(root, base, CHANGES["add"]))  # fills it
    head = change(root, base, CHANGES["edit"])
    repo = CountingRepo(root)
    check_change(repo, base, head)
    edited = git(root, "rev-parse", f"{head}:content/articles/lama.md")
    assert repo.asked == [edited]


@pytest.mark.parametrize("damage", ["garbage", "wrong shape", "old version", "missing"])
def test_a_damaged_or_missing_cache_gives_the_same_result(site, damage) -> None:
    root, base = site
    head = change(root, base, CHANGES["duplicate slugs"])
    whole = said(check_change(Repo(root), base, head, whole_tree=True))
    check_change(Repo(root), base, head)
    path = cache_path(Repo(root))
    if damage == "garbage":
        path.write_bytes(b"bukan basis data" * 100)
    elif damage == "missing":
        path.unlink()
    else:
        with sqlite3.connect(path) as db:
            if damage == "wrong shape":
                db.execute("UPDATE facts SET value = '[1, 2]'")
            else:
                db.execute("UPDATE meta SET value = 'lama' WHERE key = 'version'")
    repo = CountingRepo(root)
    assert said(check_change(repo, base, head)) == whole
    assert len(repo.asked) > len(CHANGES["duplicate slugs"])  # every fact read again
    assert said(check_change(Repo(root), base, head)) == whole  # and kept anew


def test_the_cache_lives_in_the_repositorys_state_not_in_a_tree(site) -> None:
    root, base = site
    head = change(root, base, CHANGES["add"])
    check_change(Repo(root), base, head)
    path = cache_path(Repo(root))
    assert path.is_relative_to(root / ".git")
    assert git(root, "status", "--porcelain") == ""


class ListingRepo(Repo):
    """A real repository that counts the whole content folders the check listed."""

    listed = 0

    def tree_entries(self, tree: str, *prefixes: str) -> dict:
        self.listed += prefixes == ("content/",)
        return super().tree_entries(tree, *prefixes)


def test_the_content_folder_is_listed_once_then_patched_with_each_change(
    site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long-running process (the web app, the server's check process) lists main's content
    folder once; the check of every change against it, and against main once a change is
    merged, patches that listing with the files the change lands, and says what the whole-tree
    check says."""
    monkeypatch.setattr(drafts, "_LISTINGS", drafts._KeptListings())  # this process kept none
    root, base = site
    repo = ListingRepo(root)
    for kind in CHANGES:
        head = change(root, base, CHANGES[kind])
        whole = said(check_change(Repo(root), base, head, whole_tree=True))
        assert said(check_change(repo, base, head)) == whole, kind
    assert repo.listed == 1  # main's content folder, once
    added = change(root, base, CHANGES["add"])
    git(root, "merge", "-q", "--no-ff", "-m", "gabung", added)
    main = git(root, "rev-parse", "HEAD")
    head = change(root, main, CHANGES["duplicate slugs"])
    whole = said(check_change(Repo(root), main, head, whole_tree=True))
    assert said(check_change(repo, main, head)) == whole
    assert repo.listed == 1  # main after the merge: the merged change's listing, kept


def test_a_process_reads_from_the_cache_only_the_facts_it_has_not_seen(
    site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The facts a check read or wrote stay known to the process while the cache file is as it
    left it: checking the change again (its page in the web app, the merge) reads none of
    them again; a file another process wrote meanwhile is read again."""
    root, base = site
    decoded: list[object] = []
    decode = fact_cache._decoded
    monkeypatch.setattr(fact_cache, "_decoded", lambda v: decoded.append(v) or decode(v))
    check_change(Repo(root), base, change(root, base, CHANGES["add"]))  # fills the file
    monkeypatch.setattr(fact_cache, "_KNOWN", {})  # a new process: the file is read
    head = change(root, base, CHANGES["edit"])
    whole = said(check_change(Repo(root), base, head, whole_tree=True))
    assert said(check_change(Repo(root), base, head)) == whole
    assert decoded
    decoded.clear()
    assert said(check_change(Repo(root), base, head)) == whole
    assert decoded == []  # all known
    with sqlite3.connect(cache_path(Repo(root))) as db:  # another process's write
        db.execute("INSERT INTO facts (blob, value) VALUES ('0' || hex(randomblob(19)), 'null')")
    assert said(check_change(Repo(root), base, head)) == whole
    assert decoded  # read again from the file
