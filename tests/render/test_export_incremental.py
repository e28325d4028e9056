"""The publication's export writes only what changed since its previous export (issue 16, P3).

Each case commits a change to a real repository, exports it over the previous export with its
mark, and compares the folder with a fresh full export of the same commit: every path, its
bytes and its mode, and no folder left over.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from pipeline import vcs
from pipeline.vcs import Repo


def _marked_as_walked(mark: Path, dest: Path) -> None:
    """The mark names every entry of the folder as a walk of it finds it now: the next export
    trusts it for what changed."""
    assert json.loads(mark.read_text(encoding="utf-8"))["files"] == vcs._manifest(dest)


def _tree(folder: Path) -> dict[str, tuple[str, bytes]]:
    """Every entry below ``folder``: kind and mode, and a file's bytes."""
    found: dict[str, tuple[str, bytes]] = {}
    for path in sorted(folder.rglob("*")):
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode):
            found[str(path.relative_to(folder))] = ("link", b"")
        elif path.is_dir():
            found[str(path.relative_to(folder))] = ("dir", b"")
        else:
            mode = oct(stat.S_IMODE(info.st_mode))
            found[str(path.relative_to(folder))] = (f"file {mode}", path.read_bytes())
    return found


@pytest.fixture
def site(make_repo: Callable[..., Path]) -> tuple[Path, Repo]:
    work = make_repo("kerja")
    for i in range(30):
        folder = work / "content" / f"bagian-{i % 3}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"artikel-{i}.md").write_text(f"Judul: {i}\n\nIsi {i}.\n", encoding="utf-8")
    (work / "content" / "images").mkdir()
    (work / "content" / "images" / "logo.png").write_bytes(bytes(range(256)) * 4)
    (work / "pelicanconf.py").write_text("SITENAME = 'Uji'\n", encoding="utf-8")
    repo = Repo(work)
    repo.run("add", "--all")
    repo.run("commit", "--quiet", "-m", "Awal")
    return work, repo


def _commit(repo: Repo, message: str) -> str:
    repo.run("add", "--all")
    repo.run("commit", "--quiet", "--allow-empty", "-m", message)
    return repo.run("rev-parse", "HEAD")


def _edit(work: Path) -> None:
    (work / "content" / "bagian-1" / "artikel-4.md").write_text("Judul: 4\n\nBaru.\n")


def _add(work: Path) -> None:
    (work / "content" / "bagian-baru").mkdir()
    (work / "content" / "bagian-baru" / "artikel-99.md").write_text("Judul: 99\n")


def _delete(work: Path) -> None:
    (work / "content" / "bagian-2" / "artikel-5.md").unlink()


def _delete_a_folders_last_file(work: Path) -> None:
    for path in (work / "content" / "bagian-0").iterdir():
        path.unlink()


def _rename(work: Path) -> None:
    old = work / "content" / "bagian-0" / "artikel-3.md"
    old.rename(work / "content" / "bagian-1" / "artikel-3-baru.md")


def _file_becomes_folder(work: Path) -> None:
    (work / "content" / "bagian-2" / "artikel-8.md").unlink()
    (work / "content" / "bagian-2" / "artikel-8.md").mkdir()
    (work / "content" / "bagian-2" / "artikel-8.md" / "isi.md").write_text("Dalam\n")


def _executable(work: Path) -> None:
    (work / "content" / "bagian-0" / "artikel-0.md").chmod(0o755)


def _becomes_a_link(work: Path) -> None:
    target = work / "content" / "bagian-1" / "artikel-1.md"
    target.unlink()
    target.symlink_to("/etc/passwd")


@pytest.mark.parametrize(
    "change",
    [
        _edit,
        _add,
        _delete,
        _delete_a_folders_last_file,
        _rename,
        _file_becomes_folder,
        _executable,
        _becomes_a_link,
    ],
)
def test_an_export_over_the_previous_one_equals_a_full_export(
    site: tuple[Path, Repo], change: Callable[[Path], None], tmp_path: Path
) -> None:
    work, repo = site
    dest, mark = tmp_path / "ekspor", tmp_path / "ekspor.json"
    assert repo.export_tree("HEAD", dest, mark=mark) == "full"  # no mark yet
    change(work)
    commit = _commit(repo, change.__name__)
    assert repo.export_tree(commit, dest, mark=mark) == "incremental"
    _marked_as_walked(mark, dest)
    fresh = tmp_path / "segar"
    repo.export_tree(commit, fresh)
    assert _tree(dest) == _tree(fresh)
    # And back: an older commit after a newer one is a diff too.
    assert repo.export_tree("HEAD~1", dest, mark=mark) == "incremental"
    _marked_as_walked(mark, dest)
    repo.export_tree("HEAD~1", fresh)
    assert _tree(dest) == _tree(fresh)


def test_an_incremental_export_walks_its_folder_once(
    site: tuple[Path, Repo], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two walks of 5,000 exported files were two thirds of the publication's export (0.09 of
    0.14 s): the one before writing (what changed in the folder) also gives the new mark."""
    work, repo = site
    dest, mark = tmp_path / "ekspor", tmp_path / "ekspor.json"
    repo.export_tree("HEAD", dest, mark=mark)
    walked: list[Path] = []
    walk = vcs._manifest

    def counted(folder: Path) -> dict[str, list[int]]:
        walked.append(folder)
        return walk(folder)

    monkeypatch.setattr(vcs, "_manifest", counted)
    _add(work)
    _delete_a_folders_last_file(work)
    assert repo.export_tree(_commit(repo, "Ubah"), dest, mark=mark) == "incremental"
    assert walked == [dest]
    monkeypatch.undo()
    _marked_as_walked(mark, dest)


def test_an_export_touches_only_the_changed_files(site: tuple[Path, Repo], tmp_path: Path) -> None:
    work, repo = site
    dest, mark = tmp_path / "ekspor", tmp_path / "ekspor.json"
    repo.export_tree("HEAD", dest, mark=mark)
    kept = dest / "content" / "bagian-0" / "artikel-0.md"
    before = kept.stat()
    _edit(work)
    repo.export_tree(_commit(repo, "Ubah"), dest, mark=mark)
    after = kept.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def _damage_a_file(dest: Path, mark: Path) -> None:
    path = dest / "content" / "bagian-0" / "artikel-0.md"
    path.write_text("diubah di folder ekspor\n")  # same commit, other bytes: not the export


def _add_a_stray_file(dest: Path, mark: Path) -> None:
    (dest / "content" / "sisipan.md").write_text("Judul: sisipan\n")


def _compile_the_settings(dest: Path, mark: Path) -> None:
    """What a build does: Python caches the settings file it ran beside it."""
    (dest / "__pycache__").mkdir()
    (dest / "__pycache__" / "pelicanconf.cpython-312.pyc").write_bytes(b"\x00" * 64)


def _remove_a_file(dest: Path, mark: Path) -> None:
    (dest / "pelicanconf.py").unlink()


def _remove_a_folder(dest: Path, mark: Path) -> None:
    import shutil

    shutil.rmtree(dest / "content" / "bagian-1")


def _put_a_link(dest: Path, mark: Path) -> None:
    os.symlink("/etc", dest / "content" / "bagian-1" / "tautan")


def _replace_a_folder_by_a_link(dest: Path, mark: Path) -> None:
    import shutil

    shutil.rmtree(dest / "content" / "bagian-2")
    os.symlink("/etc", dest / "content" / "bagian-2")


MENDED = [
    _damage_a_file,
    _add_a_stray_file,
    _compile_the_settings,
    _remove_a_file,
    _remove_a_folder,
    _put_a_link,
    _replace_a_folder_by_a_link,
]


def _chmod_a_folder(dest: Path, mark: Path) -> None:
    (dest / "content" / "bagian-0").chmod(0o700)


def _lose_the_mark(dest: Path, mark: Path) -> None:
    mark.unlink()


def _garble_the_mark(dest: Path, mark: Path) -> None:
    mark.write_text('{"commit": "bukan', encoding="utf-8")


def _unknown_commit(dest: Path, mark: Path) -> None:
    text = mark.read_text(encoding="utf-8")
    start = text.index('"commit":"') + len('"commit":"')
    mark.write_text(text[:start] + "0" * 40 + text[start + 40 :], encoding="utf-8")


@pytest.mark.parametrize(
    "damage",
    [*MENDED, _chmod_a_folder, _lose_the_mark, _garble_the_mark, _unknown_commit],
)
def test_an_export_not_as_its_mark_says_is_mended_or_written_whole(
    site: tuple[Path, Repo], damage: Callable[[Path, Path], None], tmp_path: Path
) -> None:
    """What changed in the folder after the export is put back as the commit has it (a few
    entries), or the whole folder is written again (no usable mark, a folder changed)."""
    work, repo = site
    dest, mark = tmp_path / "ekspor", tmp_path / "ekspor.json"
    repo.export_tree("HEAD", dest, mark=mark)
    damage(dest, mark)
    _edit(work)
    commit = _commit(repo, "Ubah")
    how = repo.export_tree(commit, dest, mark=mark)
    _marked_as_walked(mark, dest)
    fresh = tmp_path / "segar"
    repo.export_tree(commit, fresh)
    assert _tree(dest) == _tree(fresh)
    assert how == ("incremental" if damage in MENDED else "full")


def test_an_export_killed_in_the_middle_is_written_whole_next_time(
    site: tuple[Path, Repo], tmp_path: Path
) -> None:
    """The mark is removed before the folder changes: a kill leaves no mark, not a wrong one."""
    import subprocess
    import sys

    work, repo = site
    dest, mark = tmp_path / "ekspor", tmp_path / "ekspor.json"
    repo.export_tree("HEAD", dest, mark=mark)
    _edit(work)
    _add(work)
    commit = _commit(repo, "Ubah")
    script = """
import os, signal, sys
from pathlib import Path
from pipeline.vcs import Repo

real = Path.write_bytes
def dying(self, data):
    real(self, data)
    os.kill(os.getpid(), signal.SIGKILL)  # after the first file written
Path.write_bytes = dying
Repo(sys.argv[1]).export_tree(sys.argv[2], Path(sys.argv[3]), mark=Path(sys.argv[4]))
"""
    killed = subprocess.run(
        [sys.executable, "-c", script, str(work), commit, str(dest), str(mark)],
        cwd=Path(__file__).resolve().parents[2], check=False, timeout=60,
    )  # fmt: skip
    assert killed.returncode == -9
    assert not mark.exists()
    assert repo.export_tree(commit, dest, mark=mark) == "full"
    fresh = tmp_path / "segar"
    repo.export_tree(commit, fresh)
    assert _tree(dest) == _tree(fresh)
