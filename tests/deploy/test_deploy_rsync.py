"""Rsync target against a real OpenSSH server started on 127.0.0.1 for this module."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.config.settings import parse_settings
from pipeline.deploy import DeployError, RsyncTarget, open_target
from tests.support.sshd import SshServer

pytestmark = [
    pytest.mark.skipif(not shutil.which("rsync"), reason="rsync is not installed"),
    pytest.mark.xdist_group("sshd"),
]


def site(folder: Path, marker: str, big: bytes = b"x" * 50_000) -> Path:
    folder.mkdir(parents=True)
    (folder / "index.html").write_text(f"<title>{marker}</title>")
    (folder / "static.bin").write_bytes(big)  # unchanged across releases: hard-linked
    return folder


def target(sshd: SshServer, server_dir: Path, keep: int = 2) -> RsyncTarget:
    text = (
        "deploy:\n  target: rsync\n  rsync:\n    host: 127.0.0.1\n"
        f"    port: {sshd.port}\n    user: {sshd.user}\n    path: {server_dir}\n"
        f"    identity_file: {sshd.key}\n    known_hosts: {sshd.known_hosts}\n"
        f"    keep: {keep}\n"
    )
    made = open_target(server_dir.parent, parse_settings(text))
    assert isinstance(made, RsyncTarget)
    return made


def test_rsync_deploy_switch_prune_and_rollback(sshd: SshServer, tmp_path: Path) -> None:
    server = tmp_path / "srv/www"
    remote = target(sshd, server, keep=2)
    assert remote.current() is None
    for n in range(3):
        remote.deploy(site(tmp_path / f"s{n}", f"v{n}"), f"r{n}")
        live = server / "current"
        assert live.is_symlink() and (live / "index.html").read_text() == f"<title>v{n}</title>"
    assert [r.id for r in remote.releases()] == ["r1", "r2"]  # r0 pruned
    # --link-dest: the unchanged file is one inode shared by both releases.
    assert (server / "releases/r1/static.bin").stat().st_ino == (
        server / "releases/r2/static.bin"
    ).stat().st_ino
    assert not list((server / "releases").glob(".tmp-*"))
    back = remote.rollback()
    assert back.id == "r1" and remote.current().id == "r1"
    assert (server / "current/index.html").read_text() == "<title>v1</title>"
    log = (server / "deploy-log.jsonl").read_text().splitlines()
    assert len(log) == 4 and '"action": "rollback"' in log[-1]


def test_rsync_failure_leaves_previous_release_live(sshd: SshServer, tmp_path: Path) -> None:
    server = tmp_path / "srv/www"
    remote = target(sshd, server)
    remote.deploy(site(tmp_path / "a", "old"), "r1")
    wrong = RsyncTarget(
        host="127.0.0.1",
        port=sshd.port,
        user=sshd.user,
        path=str(server),
        identity_file=str(tmp_path / "missing-key"),
        known_hosts=sshd.known_hosts,
    )
    with pytest.raises(DeployError, match="gagal"):
        wrong.deploy(site(tmp_path / "b", "new"), "r2")
    assert (server / "current/index.html").read_text() == "<title>old</title>"


def test_unknown_host_key_is_refused(sshd: SshServer, tmp_path: Path) -> None:
    (tmp_path / "empty_known_hosts").write_text("")
    remote = RsyncTarget(
        host="127.0.0.1",
        port=sshd.port,
        user=sshd.user,
        path=str(tmp_path / "srv"),
        identity_file=sshd.key,
        known_hosts=str(tmp_path / "empty_known_hosts"),
    )
    with pytest.raises(DeployError):
        remote.deploy(site(tmp_path / "a", "x"), "r1")
    assert not (tmp_path / "srv").exists()
