"""``Repo.show_file`` keeps what it read at a commit id (it never changes) and asks Git again
for a branch or any other name, whose commit moves."""

from __future__ import annotations

import subprocess
from pathlib import Path

from pipeline.vcs import Repo


def _commit(folder: Path, text: str) -> str:
    (folder / "terbit.yml").write_text(text, encoding="utf-8")
    subprocess.run(["git", "add", "-A"], cwd=folder, check=True)
    subprocess.run(
        ["git", "-c", "user.name=Uji", "-c", "user.email=uji@localhost", "commit", "-qm", text],
        cwd=folder, check=True,
    )  # fmt: skip
    return subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=folder, check=True, capture_output=True, text=True
    ).stdout.strip()


def test_files_read_by_commit_id_and_by_branch(tmp_path: Path) -> None:
    repo = Repo.init(tmp_path / "repo")
    first = _commit(tmp_path / "repo", "versi: 1\n")
    assert repo.show_file(first, "terbit.yml") == "versi: 1\n"
    assert repo.show_file("main", "terbit.yml") == "versi: 1\n"
    assert repo.show_file(first, "tidak-ada.yml") is None
    second = _commit(tmp_path / "repo", "versi: 2\n")
    # The branch moved: read again; the first commit still holds its own text.
    assert repo.show_file("main", "terbit.yml") == "versi: 2\n"
    assert repo.show_file(second, "terbit.yml") == "versi: 2\n"
    assert repo.show_file(first, "terbit.yml") == "versi: 1\n"
    # A file that appears later at a name is not remembered as missing at another commit.
    (tmp_path / "repo" / "tidak-ada.yml").write_text("ada\n", encoding="utf-8")
    third = _commit(tmp_path / "repo", "versi: 3\n")
    assert repo.show_file(third, "tidak-ada.yml") == "ada\n"
    assert repo.show_file(first, "tidak-ada.yml") is None
