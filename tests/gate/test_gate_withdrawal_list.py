"""The withdrawals list a change lands, checked from Git's objects (what the server's
pre-receive and the gate run): each new entry names an article, a published entry is never
removed or edited on the short path, and a malformed list is refused at its line."""

from __future__ import annotations

import subprocess
from pathlib import Path

from pipeline.gate.drafts import check_change
from pipeline.vcs import Repo

ARTICLE = (
    "---\ntitle: {title}\ndate: 2026-11-20\ncategory: Berita\nsummary: Ringkas.\n"
    "author: rina\n{extra}---\nIsi.\n"
)
ENTRY = "  - slug: {slug}\n    alasan: Data keliru dan sudah tidak berlaku.\n"


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def site(tmp_path: Path, withdrawn: str | None = None) -> tuple[Repo, str]:
    root = tmp_path / "situs"
    (root / "content/articles").mkdir(parents=True)
    (root / "terbit.yml").write_text("site:\n  url: https://example.test\n")
    (root / "content/articles/lama.md").write_text(ARTICLE.format(title="Lama", extra=""))
    (root / "content/articles/x.md").write_text(
        ARTICLE.format(title="Khusus", extra="slug: jadwal-khusus\n")
    )
    if withdrawn is not None:
        (root / "content/withdrawn.yml").write_text(withdrawn)
    git(root, "init", "-q", "--initial-branch=main")
    git(root, "-c", "user.name=t", "-c", "user.email=t@example.test", "add", "-A")
    git(root, "-c", "user.name=t", "-c", "user.email=t@example.test", "commit", "-qm", "awal")
    return Repo(root), git(root, "rev-parse", "HEAD")


def change(repo: Repo, text: str) -> str:
    root = repo.work_tree
    assert root is not None
    (root / "content/withdrawn.yml").write_text(text)
    git(root, "add", "-A")
    git(root, "-c", "user.name=t", "-c", "user.email=t@example.test", "commit", "-qm", "tarik")
    return git(root, "rev-parse", "HEAD")


def test_new_entries_naming_articles_by_file_name_or_slug_pass(tmp_path):
    repo, base = site(tmp_path)
    both = ENTRY.format(slug="lama") + ENTRY.format(slug="jadwal-khusus")
    head = change(repo, "ditarik:\n" + both)
    assert check_change(repo, base, head).lines == []


def test_an_entry_naming_no_article_is_refused_at_its_line(tmp_path):
    repo, base = site(tmp_path)
    head = change(repo, "ditarik:\n" + ENTRY.format(slug="lama") + ENTRY.format(slug="tidak-ada"))
    assert check_change(repo, base, head).lines == [
        "content/withdrawn.yml:4: tidak ada artikel dengan slug 'tidak-ada' di situs"
    ]


def test_removing_a_published_withdrawal_is_refused(tmp_path):
    repo, base = site(tmp_path, "ditarik:\n" + ENTRY.format(slug="lama"))
    head = change(repo, "ditarik: []\n")
    lines = check_change(repo, base, head).lines
    assert len(lines) == 1 and "entri penarikan 'lama' dihapus" in lines[0]


def test_a_malformed_list_is_refused_located(tmp_path):
    repo, base = site(tmp_path)
    head = change(repo, "ditarik:\n  - slug: Lama Sekali\n    alasan: x\n")
    lines = check_change(repo, base, head).lines
    assert any(line.startswith("content/withdrawn.yml:") and "slug" in line for line in lines)
    assert all("Traceback" not in line for line in lines)
