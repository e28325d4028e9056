"""Local and GitHub Pages targets on real folders."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

import pytest

from pipeline.config.settings import parse_settings
from pipeline.deploy import LocalTarget, PagesTarget, new_release_id, open_target
from pipeline.errors import ConfigError


def make_site(folder: Path, marker: str, pages: int = 3) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(pages):
        (folder / f"p{i}.html").write_text(f"<h1>{marker}</h1>", encoding="utf-8")
    (folder / "index.html").write_text(f"<title>{marker}</title>", encoding="utf-8")
    return folder


def test_deploy_switches_current_and_keeps_last_n(tmp_path: Path) -> None:
    target = LocalTarget(tmp_path / "live", keep=2)
    assert target.current() is None
    for n in range(4):
        target.deploy(make_site(tmp_path / f"site{n}", f"v{n}"), f"2026112{n}T000000Z-abc")
    assert target.current().id == "20261123T000000Z-abc"
    assert (target.live_dir / "index.html").read_text() == "<title>v3</title>"
    assert [r.id for r in target.releases()] == ["20261122T000000Z-abc", "20261123T000000Z-abc"]
    # The link is relative, so the folder can be mounted anywhere.
    assert (tmp_path / "live/current").readlink() == Path("releases/20261123T000000Z-abc")
    log = [json.loads(x) for x in (tmp_path / "live/deploy-log.jsonl").read_text().splitlines()]
    assert [e["action"] for e in log] == ["deploy"] * 4
    assert log[-1]["previous"] == "20261122T000000Z-abc"


def test_rollback_is_fast_and_recorded(tmp_path: Path) -> None:
    target = LocalTarget(tmp_path / "live", keep=5)
    target.deploy(make_site(tmp_path / "a", "old"), "r1")
    target.deploy(make_site(tmp_path / "b", "new"), "r2")
    started = time.perf_counter()
    back = target.rollback()
    elapsed = time.perf_counter() - started
    assert back.id == "r1" and target.current().id == "r1"
    assert (target.live_dir / "index.html").read_text() == "<title>old</title>"
    assert elapsed < 1.0
    entry = target.log.entries()[-1]
    assert entry["action"] == "rollback" and entry["previous"] == "r2" and entry["release"] == "r1"
    assert target.rollback("r2").id == "r2"
    with pytest.raises(ConfigError, match="r9"):
        target.rollback("r9")


def test_rollback_without_earlier_release_is_a_clear_error(tmp_path: Path) -> None:
    target = LocalTarget(tmp_path / "live")
    target.deploy(make_site(tmp_path / "a", "only"), "r1")
    with pytest.raises(ConfigError, match="sebelumnya"):
        target.rollback()


def test_readers_never_see_a_mix_while_deploying(tmp_path: Path) -> None:
    """A reader opening pages through ``current`` sees one release's files, never two."""
    target = LocalTarget(tmp_path / "live", keep=3)
    target.deploy(make_site(tmp_path / "s0", "v0", pages=20), "r00")
    seen: set[str] = set()
    mixed: list[set[str]] = []
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            release = (tmp_path / "live/current").resolve()  # one resolution per "request"
            try:
                texts = {(release / f"p{i}.html").read_text() for i in range(20)}
            except FileNotFoundError:
                continue  # pruned under the reader: a 404, never a mix
            seen.update(texts)
            if len(texts) != 1:
                mixed.append(texts)

    thread = threading.Thread(target=reader)
    thread.start()
    for n in range(1, 8):
        target.deploy(make_site(tmp_path / f"s{n}", f"v{n}", pages=20), f"r{n:02d}")
    stop.set()
    thread.join(timeout=10)
    assert not mixed
    assert len(seen) >= 2


def test_redeploying_the_same_release_reuses_it(tmp_path: Path) -> None:
    target = LocalTarget(tmp_path / "live")
    site = make_site(tmp_path / "a", "x")
    target.deploy(site, "r1")
    target.deploy(site, "r1")
    assert [r.id for r in target.releases()] == ["r1"]


def test_refuses_bad_release_names_and_empty_sites(tmp_path: Path) -> None:
    target = LocalTarget(tmp_path / "live")
    with pytest.raises(ConfigError):
        target.deploy(make_site(tmp_path / "a", "x"), "../escape")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError, match="kosong"):
        target.deploy(tmp_path / "empty", "r1")
    assert target.current() is None


def test_pages_target_leaves_a_complete_folder(tmp_path: Path) -> None:
    settings = parse_settings("deploy:\n  target: github-pages\n  github_pages:\n    path: _site\n")
    target = open_target(tmp_path, settings)
    assert isinstance(target, PagesTarget)
    target.deploy(make_site(tmp_path / "a", "one"), "r1")
    target.deploy(make_site(tmp_path / "b", "two", pages=1), "r2")
    folder = tmp_path / "_site"
    assert (folder / ".nojekyll").exists()
    assert (folder / "index.html").read_text() == "<title>two</title>"
    assert not (folder / "p2.html").exists()  # nothing left over from the older release
    assert target.current().id == "r2"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("._site.")) == []
    with pytest.raises(ConfigError, match="revert"):
        target.rollback()


def test_release_ids_sort_by_time_and_name_the_merge() -> None:
    from datetime import UTC, datetime

    first = new_release_id("a" * 40, datetime(2026, 11, 28, 6, 0, tzinfo=UTC))
    second = new_release_id("b" * 40, datetime(2026, 11, 28, 6, 1, tzinfo=UTC))
    assert first == "20261128T060000Z-aaaaaaaaaaaa" and first < second


def test_a_kill_while_pruning_never_leaves_a_half_deleted_release_listed(tmp_path: Path) -> None:
    """The process is SIGKILLed in the middle of deleting an old release (after its first
    file is gone): ``terbit rollback --list`` (``releases()``) must not offer what is left."""
    import os
    import subprocess
    import sys

    root = tmp_path / "live"
    target = LocalTarget(root, keep=2)
    for n in range(2):
        target.deploy(make_site(tmp_path / f"s{n}", f"v{n}", pages=30), f"r{n}")
    # Without its manifest r0 is deleted by the prune (with one it would be recycled).
    (root / "manifests" / "r0.json").unlink()
    script = """
import os, shutil, signal, sys
from pathlib import Path
import pipeline.deploy.local as local

real_rmtree = shutil.rmtree

def dying_rmtree(path, *args, **kwargs):
    if Path(path).name.startswith(".tmp-") or not Path(path).is_dir():
        return real_rmtree(path, *args, **kwargs)  # staging, not the prune
    first = sorted(Path(path).iterdir())[0]
    first.unlink()  # a part is gone, then the process is killed
    os.kill(os.getpid(), signal.SIGKILL)

local.shutil.rmtree = dying_rmtree
site = Path(sys.argv[1])
local.LocalTarget(Path(sys.argv[2]), keep=2).deploy(site, "r2")
"""
    killed = subprocess.run(
        [sys.executable, "-c", script, str(make_site(tmp_path / "s2", "v2", pages=30)), str(root)],
        cwd=Path(__file__).resolve().parents[2], check=False, timeout=60,
    )  # fmt: skip
    assert killed.returncode == -9
    listed = [r.id for r in target.releases()]
    assert "r0" not in listed  # half-deleted: never offered
    for release in target.releases():
        assert (Path(release.location) / "index.html").is_file()
        assert len(list(Path(release.location).iterdir())) == 31  # whole
    target.deploy(make_site(tmp_path / "s3", "v3"), "r3")  # the next deploy clears the trash
    target.wait_pruned(timeout=30)  # deleted after the switch, in the background
    assert not [p for p in (root / "releases").iterdir() if p.name.startswith(".")]
    assert os.readlink(root / "current") == "releases/r3"


@pytest.fixture
def tiny_disk(tmp_path: Path):
    """A 256 KB tmpfs (the machine runs tests as root); unmounted afterwards."""
    import subprocess

    mount = tmp_path / "tiny"
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)],
        capture_output=True, check=False,
    )  # fmt: skip
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_is_one_clear_error_and_the_live_release_stays(
    tmp_path: Path, tiny_disk: Path
) -> None:
    from pipeline.deploy import DeployError

    target = LocalTarget(tiny_disk / "live", keep=3)
    target.deploy(make_site(tmp_path / "small", "v1", pages=2), "r1")
    big = make_site(tmp_path / "big", "v2", pages=2)
    for i in range(200):  # about 800 KB: far more than the disk holds
        (big / f"blob{i}.html").write_bytes(os.urandom(4096))
    with pytest.raises(DeployError) as caught:
        target.deploy(big, "r2")
    message = str(caught.value)
    assert "disk penuh" in message and "r2" in message
    assert len(message) < 400 and "\n" not in message  # one line, not one per file
    assert target.current().id == "r1"
    assert (target.live_dir / "index.html").read_text() == "<title>v1</title>"
    assert [p.name for p in (tiny_disk / "live" / "releases").iterdir()] == ["r1"]  # no staging


def _files(folder: Path) -> dict[str, tuple[int, bytes]]:
    """Every file below ``folder``: permissions and bytes (what a visitor and a copy see)."""
    return {
        str(path.relative_to(folder)): (path.stat().st_mode & 0o7777, path.read_bytes())
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_a_release_links_the_unchanged_files_and_copies_the_changed_ones(tmp_path: Path) -> None:
    """Issue 16, P3: a new release shares the previous release's identical files (hard links)
    and is still byte for byte the built site; the earlier release is never changed."""
    import shutil

    target = LocalTarget(tmp_path / "live", keep=3)
    site = make_site(tmp_path / "site", "v1", pages=40)
    (site / "berita").mkdir()
    for i in range(10):
        (site / "berita" / f"b{i}.html").write_text(f"<p>berita {i}</p>", encoding="utf-8")
    (site / "logo.png").write_bytes(os.urandom(5000))
    (site / "alat.sh").write_text("echo\n", encoding="utf-8")
    target.deploy(site, "r1")
    first = tmp_path / "live" / "releases" / "r1"
    before = _files(first)
    # The next build: one page edited, one edited to other bytes of the same size, one
    # removed, one added, one made executable; the build writes its files in place.
    (site / "p3.html").write_text("<h1>v2, lebih panjang</h1>", encoding="utf-8")
    (site / "berita" / "b4.html").write_text("<p>BERITA 4</p>", encoding="utf-8")
    (site / "p7.html").unlink()
    (site / "baru.html").write_text("<p>baru</p>", encoding="utf-8")
    (site / "alat.sh").chmod(0o755)
    target.deploy(site, "r2")
    second = tmp_path / "live" / "releases" / "r2"
    assert _files(target.live_dir) == _files(site)  # the same as a full copy
    assert _files(first) == before  # the earlier release as it was
    changed = {"p3.html", "berita/b4.html", "baru.html", "alat.sh"}
    for name in _files(second):
        old = first / name
        shared = old.exists() and (second / name).stat().st_ino == old.stat().st_ino
        assert shared == (name not in changed), name
    entry = target.log.entries()[-1]
    assert (entry["copied"], entry["linked"]) == (4, len(_files(second)) - 4)
    # The build writes the next site in place: no release sees it.
    (site / "p0.html").write_text("<h1>v3</h1>", encoding="utf-8")
    assert (second / "p0.html").read_text() == "<h1>v1</h1>"
    # Old releases go (after the switch) while the linked files stay whole in the others.
    shutil.rmtree(site / "berita")
    target.deploy(site, "r3")
    target.deploy(site, "r4")
    target.wait_pruned(timeout=30)
    assert [r.id for r in target.releases()] == ["r2", "r3", "r4"]
    assert _files(target.live_dir) == _files(site)
    assert (second / "berita" / "b1.html").read_text() == "<p>berita 1</p>"
    assert not [p for p in (tmp_path / "live" / "releases").iterdir() if p.name.startswith(".")]
