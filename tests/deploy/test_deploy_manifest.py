"""A local release links the previous release's files its manifest vouches for, and is still
byte for byte the built site whatever the manifest or the old release has become."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from benchmarks.sitegen import extra_article, make_site
from pipeline.deploy import DeployError, LocalTarget
from pipeline.deploy.manifest import manifest_path
from pipeline.render.runner import build_site


def _files(folder: Path) -> dict[str, tuple[int, bytes]]:
    """Every file below ``folder``: permissions and bytes (what a visitor and a copy see)."""
    return {
        str(path.relative_to(folder)): (path.stat().st_mode & 0o7777, path.read_bytes())
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _shared(new: Path, old: Path) -> set[str]:
    """Files of release ``new`` that are the same inode as ``old``'s."""
    return {
        name
        for name in _files(new)
        if (old / name).is_file() and (new / name).stat().st_ino == (old / name).stat().st_ino
    }


def _site(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for i in range(6):
        (folder / f"p{i}.html").write_text(f"<h1>halaman {i}</h1>", encoding="utf-8")
    (folder / "berita").mkdir()
    (folder / "berita" / "index.html").write_text("<p>berita</p>", encoding="utf-8")
    (folder / "logo.png").write_bytes(os.urandom(3000))
    return folder


def test_a_release_of_a_real_build_equals_it_and_shares_what_did_not_change(
    tmp_path: Path,
) -> None:
    """Two real builds (one article added between them): the second release is exactly the
    second build, its unchanged files are the first release's, and its manifest states each
    file's true hash."""
    site = make_site(tmp_path / "situs", 12)
    build_site(site)
    output = site / "output"
    target = LocalTarget(tmp_path / "live")
    target.deploy(output, "r1")
    item = extra_article()
    (site / "content" / "articles" / f"{item.slug}.md").write_text(item.text, encoding="utf-8")
    build_site(site)
    target.deploy(output, "r2")
    first, second = tmp_path / "live/releases/r1", tmp_path / "live/releases/r2"
    built = _files(output)
    assert _files(second) == built
    shared = _shared(second, first)
    before = _files(first)
    changed = {name for name in built if before.get(name) != built[name]}
    assert changed and shared == set(built) - changed
    entry = target.log.entries()[-1]
    assert (entry["copied"], entry["linked"]) == (len(changed), len(shared))
    files = json.loads(manifest_path(tmp_path / "live", "r2").read_text())["files"]
    assert set(files) == set(built)
    for name, (_mode, data) in built.items():
        assert files[name][4] == hashlib.sha256(data).hexdigest(), name
        assert files[name][0] == len(data), name


def test_a_live_file_changed_in_place_is_never_linked(tmp_path: Path) -> None:
    """Someone edits a file of the live release (same size, other bytes): the next release of
    the build copies the build's bytes instead of sharing the edited file."""
    site = _site(tmp_path / "site")
    target = LocalTarget(tmp_path / "live")
    target.deploy(site, "r1")
    live = tmp_path / "live/releases/r1"
    (live / "p2.html").write_text("<h1>HALAMAN 2</h1>", encoding="utf-8")
    target.deploy(site, "r2")
    second = tmp_path / "live/releases/r2"
    assert _files(second) == _files(site)
    assert _shared(second, live) == set(_files(site)) - {"p2.html"}


@pytest.mark.parametrize(
    "damage",
    ["missing", "garbage", "other version", "wrong shape", "wrong hash"],
)
def test_a_missing_or_damaged_manifest_costs_time_never_correctness(
    tmp_path: Path, damage: str
) -> None:
    """Without a manifest Terbit can trust, identical files are found by comparing bytes:
    the release still equals the build and still shares the unchanged files."""
    site = _site(tmp_path / "site")
    target = LocalTarget(tmp_path / "live")
    target.deploy(site, "r1")
    path = manifest_path(tmp_path / "live", "r1")
    data = json.loads(path.read_text())
    if damage == "missing":
        path.unlink()
    elif damage == "garbage":
        path.write_bytes(b"\x00{not json")
    elif damage == "other version":
        path.write_text(json.dumps({**data, "version": 99}))
    elif damage == "wrong shape":
        path.write_text(json.dumps({**data, "files": {"p0.html": "semua sama"}}))
    else:  # a manifest whose hash for p1.html names other bytes: p1.html is not vouched for
        data["files"]["p1.html"][4] = "0" * 64
        path.write_text(json.dumps(data))
    (site / "p3.html").write_text("<h1>baru</h1>", encoding="utf-8")
    target.deploy(site, "r2")
    first, second = tmp_path / "live/releases/r1", tmp_path / "live/releases/r2"
    assert _files(second) == _files(site)
    shared = _shared(second, first)
    assert "p3.html" not in shared
    if damage == "wrong hash":
        assert shared == set(_files(site)) - {"p3.html", "p1.html"}
    else:
        assert shared == set(_files(site)) - {"p3.html"}
    # The new release has a whole manifest of its own again.
    assert set(json.loads(manifest_path(tmp_path / "live", "r2").read_text())["files"]) == set(
        _files(site)
    )


def test_manifests_go_with_their_releases(tmp_path: Path) -> None:
    site = _site(tmp_path / "site")
    target = LocalTarget(tmp_path / "live", keep=2)
    # A manifest left by a killed run whose release never appeared.
    manifest_path(tmp_path / "live", "mati").parent.mkdir(parents=True)
    manifest_path(tmp_path / "live", "mati").write_text("{}")
    for n in range(4):
        (site / "index.html").write_text(f"<title>v{n}</title>", encoding="utf-8")
        target.deploy(site, f"r{n}")
    target.wait_pruned(timeout=30)
    kept = sorted(p.name for p in (tmp_path / "live" / "manifests").iterdir())
    assert kept == ["r2.json", "r3.json"]
    assert [r.id for r in target.releases()] == ["r2", "r3"]
    # A manifest is never inside a release: the release is the site, nothing more.
    shutil.rmtree(site / "berita")
    target.deploy(site, "r4")
    assert _files(target.live_dir) == _files(site)


def test_folder_and_file_permissions_are_the_builds(tmp_path: Path) -> None:
    """Folders keep the build's permissions, narrower or wider than the umask gives."""
    site = _site(tmp_path / "site")
    (site / "rahasia").mkdir()
    (site / "rahasia" / "x.html").write_text("x", encoding="utf-8")
    (site / "rahasia").chmod(0o700)
    (site / "berita").chmod(0o775)
    (site / "p0.html").chmod(0o600)
    target = LocalTarget(tmp_path / "live")
    target.deploy(site, "r1")
    target.deploy(site, "r2")
    for release in ("r1", "r2"):
        folder = tmp_path / "live/releases" / release
        for name in ("rahasia", "berita", "p0.html", "."):
            assert (folder / name).stat().st_mode & 0o7777 == (site / name).stat().st_mode & 0o7777
    assert _files(tmp_path / "live/releases/r2") == _files(site)


def test_a_symbolic_link_in_the_output_is_never_followed(tmp_path: Path) -> None:
    """A link in what was built (the build writes none) would copy whatever it points at onto
    the site: the release is refused, naming the link, and the live release stays."""
    target = LocalTarget(tmp_path / "live")
    site = _site(tmp_path / "out")
    target.deploy(site, "r1")
    secret = tmp_path / "rahasia.txt"
    secret.write_text("kunci server", encoding="utf-8")
    (site / "berita" / "bocor.txt").symlink_to(secret)
    with pytest.raises(DeployError) as refused:
        target.deploy(site, "r2")
    assert "berita/bocor.txt" in str(refused.value)
    current = target.current()
    assert current is not None and current.id == "r1"
    assert not (tmp_path / "live" / "releases" / "r2").exists()
    assert not any("kunci server" in p.read_text(errors="replace")
                   for p in (tmp_path / "live").rglob("*") if p.is_file())  # fmt: skip
