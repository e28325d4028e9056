"""A deploy proportional to what changed (issue 16, P3): the release that falls out of
retention is turned into the new one, and built files hashed before are not read again; every
kept release stays exactly its own build, on real Pelican output."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.sitegen import extra_article, make_site
from pipeline.deploy import LocalTarget
from pipeline.deploy.manifest import BUILT, manifest_path
from pipeline.render.runner import build_site

ROOT = Path(__file__).resolve().parents[2]


def _tree(folder: Path) -> dict[str, tuple[str, int, bytes]]:
    """Everything below ``folder`` as a visitor's server sees it: each entry's kind,
    permissions and bytes (folders too: an extra empty folder is a difference)."""
    found: dict[str, tuple[str, int, bytes]] = {}
    for path in sorted(folder.rglob("*")):
        info = path.lstat()
        name = str(path.relative_to(folder))
        if path.is_symlink():
            found[name] = ("link", 0, os.readlink(path).encode())
        elif path.is_dir():
            found[name] = ("folder", info.st_mode & 0o7777, b"")
        else:
            found[name] = ("file", info.st_mode & 0o7777, path.read_bytes())
    return found


def _entries(target: LocalTarget) -> list[dict[str, object]]:
    return [e for e in target.log.entries() if e["action"] == "deploy"]


def _check_every_release(target: LocalTarget, built: dict[str, dict[str, tuple[str, int, bytes]]]):
    for release in target.releases():
        assert _tree(Path(release.location)) == built[release.id], release.id


def test_every_kept_release_stays_its_own_build_through_recycling(tmp_path: Path) -> None:
    """Six real builds (add, edit, delete, rename an article, a page's image replaced) with
    ``keep=3``: from the fourth deploy on, the oldest release is recycled; after each deploy
    every kept release is exactly the build it was deployed from, unchanged files are shared by
    hard link, and a rollback to each kept release serves exactly that release's bytes."""
    site = make_site(tmp_path / "situs", 12)
    articles = site / "content" / "articles"
    output = site / "output"
    target = LocalTarget(tmp_path / "live", keep=3)
    built: dict[str, dict[str, tuple[str, int, bytes]]] = {}
    first = sorted(articles.glob("*.md"))

    def add() -> None:
        item = extra_article()
        (articles / f"{item.slug}.md").write_text(item.text, encoding="utf-8")

    def edit() -> None:
        text = first[1].read_text(encoding="utf-8")
        first[1].write_text(text + "\n\nParagraf tambahan hasil suntingan.\n", encoding="utf-8")

    def delete() -> None:
        first[2].unlink()

    def rename() -> None:
        first[3].rename(articles / "artikel-berganti-nama.md")  # its address changes

    def image() -> None:
        photos = sorted((site / "content" / "images").glob("*.png"))
        photos[0].write_bytes(photos[1].read_bytes())  # another picture, same name

    steps = [lambda: None, add, edit, delete, rename, image]
    for n, step in enumerate(steps):
        step()
        build_site(site)
        release = f"r{n}"
        built[release] = _tree(output)
        target.deploy(output, release)
        target.wait_pruned(timeout=30)
        assert [r.id for r in target.releases()] == [f"r{i}" for i in range(max(0, n - 2), n + 1)]
        _check_every_release(target, built)
        entry = _entries(target)[-1]
        assert entry["recycled"] == (f"r{n - 3}" if n >= 3 else None)
        if n >= 1:
            # Unchanged files are one inode across releases (linked, or kept from the recycled
            # one, which shared them already).
            live, before = (
                Path(target.releases()[-1].location),
                tmp_path / f"live/releases/r{n - 1}",
            )
            same = [
                name for name, (kind, _m, data) in built[release].items()
                if kind == "file" and built[f"r{n - 1}"].get(name) == (kind, _m, data)
            ]  # fmt: skip
            assert same and all(
                (live / name).stat().st_ino == (before / name).stat().st_ino for name in same
            )
    assert {e["recycled"] for e in _entries(target)[3:]} == {"r0", "r1", "r2"}
    for release in reversed(target.releases()):
        target.rollback(release.id)
        assert _tree(target.live_dir) == built[release.id]


def _site(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for i in range(6):
        (folder / f"p{i}.html").write_text(f"<h1>halaman {i}</h1>", encoding="utf-8")
    for name in ("berita", "galeri"):
        (folder / name).mkdir()
        (folder / name / "index.html").write_text(f"<p>{name}</p>", encoding="utf-8")
    (folder / "logo.png").write_bytes(os.urandom(3000))
    return folder


def _rewrite(path: Path, text: str) -> None:
    """As the build writes a page: a new file (a new inode), never into the old one."""
    temp = path.with_name(f".{path.name}.baru")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)


def _three(
    tmp_path: Path,
) -> tuple[LocalTarget, Path, dict[str, dict[str, tuple[str, int, bytes]]]]:
    site = _site(tmp_path / "site")
    target = LocalTarget(tmp_path / "live", keep=3)
    built = {}
    for n in range(3):
        _rewrite(site / "p0.html", f"<h1>versi {n}</h1>")
        target.deploy(site, f"r{n}")
        built[f"r{n}"] = _tree(site)
    return target, site, built


def test_a_tampered_recycled_release_becomes_exactly_the_build(tmp_path: Path) -> None:
    """Whatever was done to the release that is recycled (a file of its own edited in place,
    one chmod-ed, one deleted, one added, a link planted, a folder turned into a file, an
    empty folder added), the new release is exactly the build; the live one is untouched."""
    target, site, built = _three(tmp_path)
    old = tmp_path / "live/releases/r0"
    (old / "p0.html").write_text("<h1>diubah!</h1>", encoding="utf-8")  # r0's own file
    _rewrite(site / "p0.html", "<h1>versi 0</h1>")  # what r0 held: kept, were it not edited
    (old / "p1.html").chmod(0o600)  # shared by hard link: r1 and r2 see it too
    (old / "p2.html").unlink()
    (old / "berita" / "sisipan.html").write_text("sisipan", encoding="utf-8")
    (old / "tautan.html").symlink_to(tmp_path / "rahasia")
    shutil.rmtree(old / "galeri")
    (old / "galeri").write_text("bukan folder", encoding="utf-8")
    (old / "kosong").mkdir()
    (site / "p1.html").chmod(0o644)
    built["r2"]["p1.html"] = ("file", 0o600, built["r2"]["p1.html"][2])  # what r2 holds now
    _rewrite(site / "p5.html", "<h1>baru</h1>")
    target.deploy(site, "r3")
    assert _entries(target)[-1]["recycled"] == "r0"
    assert _tree(tmp_path / "live/releases/r3") == _tree(site)
    assert _tree(tmp_path / "live/releases/r2") == built["r2"]
    # The chmod-ed shared file was replaced by a new inode, never chmod-ed back in place.
    assert (tmp_path / "live/releases/r2/p1.html").stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("damage", ["missing", "garbage", "wrong shape"])
def test_a_release_without_a_sound_manifest_is_pruned_not_recycled(
    tmp_path: Path, damage: str
) -> None:
    target, site, _built = _three(tmp_path)
    path = manifest_path(tmp_path / "live", "r0")
    if damage == "missing":
        path.unlink()
    elif damage == "garbage":
        path.write_bytes(b"\x00{bukan json")
    else:
        path.write_text(json.dumps({"version": 1, "files": {"p0.html": "sama"}}))
    _rewrite(site / "p5.html", "<h1>baru</h1>")
    target.deploy(site, "r3")
    target.wait_pruned(timeout=30)
    assert _entries(target)[-1]["recycled"] is None
    assert [r.id for r in target.releases()] == ["r1", "r2", "r3"]
    assert _tree(tmp_path / "live/releases/r3") == _tree(site)


def test_built_files_hashed_before_are_not_read_again(tmp_path: Path) -> None:
    """Only the files the build wrote anew since the last deploy are read; a file written in
    place (same inode) or moved to another folder is read; damaged stamps cost time only."""
    target, site, _built = _three(tmp_path)
    assert _entries(target)[-1]["hashed"] == 1  # p0.html, written anew each time
    _rewrite(site / "p3.html", "<h1>tiga</h1>")
    (site / "p4.html").write_text("<h1>empat, di tempat</h1>", encoding="utf-8")
    target.deploy(site, "r3")
    entry = _entries(target)[-1]
    assert entry["hashed"] == 2 and entry["copied"] == 2
    assert _tree(tmp_path / "live/releases/r3") == _tree(site)
    (tmp_path / "live" / BUILT).write_text("{rusak", encoding="utf-8")
    target.deploy(site, "r4")
    assert _entries(target)[-1]["hashed"] == len([p for p in site.rglob("*") if p.is_file()])
    assert _tree(tmp_path / "live/releases/r4") == _tree(site)
    moved = tmp_path / "site-lain"
    shutil.copytree(site, moved, copy_function=os.link)  # the same inodes, another folder
    (moved / "p2.html").unlink()
    target.deploy(moved, "r5")
    assert _entries(target)[-1]["hashed"] == len([p for p in moved.rglob("*") if p.is_file()])
    assert _tree(tmp_path / "live/releases/r5") == _tree(moved)


def test_a_kill_while_recycling_leaves_the_live_site_whole(tmp_path: Path) -> None:
    """SIGKILL in the middle of turning the oldest release into the new one: the live release
    and every listed one are whole; the next deploy is correct and clears what was left."""
    target, site, built = _three(tmp_path)
    _rewrite(site / "p5.html", "<h1>baru</h1>")
    _rewrite(site / "berita" / "index.html", "<p>berita baru</p>")
    script = """
import os, signal, sys
from pathlib import Path
from pipeline.deploy import manifest, local

real = manifest.Copier._file
def dying(self, *args):
    real(self, *args)
    os.kill(os.getpid(), signal.SIGKILL)  # one file replaced, the rest not

manifest.Copier._file = dying
local.LocalTarget(Path(sys.argv[2]), keep=3).deploy(Path(sys.argv[1]), "r3")
"""
    killed = subprocess.run(
        [sys.executable, "-c", script, str(site), str(tmp_path / "live")],
        cwd=ROOT, check=False, timeout=60,
    )  # fmt: skip
    assert killed.returncode == -9
    assert [r.id for r in target.releases()] == ["r1", "r2"]  # r0 was taken, never half-listed
    assert _tree(target.live_dir) == built["r2"]
    _check_every_release(target, built)
    target.deploy(site, "r3")
    target.wait_pruned(timeout=30)
    assert _tree(target.live_dir) == _tree(site)
    assert not [p for p in (tmp_path / "live/releases").iterdir() if p.name.startswith(".")]
