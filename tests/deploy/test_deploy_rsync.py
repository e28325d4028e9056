"""Rsync target against a real OpenSSH server started on 127.0.0.1 for this module."""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.config.settings import parse_settings
from pipeline.deploy import DeployError, RsyncTarget, open_target

SSHD = "/usr/sbin/sshd"
pytestmark = [
    pytest.mark.skipif(not Path(SSHD).exists() or not shutil.which("rsync"), reason="no sshd"),
    pytest.mark.xdist_group("sshd"),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _keygen(path: Path) -> None:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True)


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    folder = tmp_path_factory.mktemp("sshd")
    _keygen(folder / "host_key")
    _keygen(folder / "client_key")
    shutil.copy(folder / "client_key.pub", folder / "authorized_keys")
    port = _free_port()
    (folder / "sshd_config").write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {folder}/host_key\n"
        f"PidFile {folder}/sshd.pid\nAuthorizedKeysFile {folder}/authorized_keys\n"
        "StrictModes no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"
        "PubkeyAuthentication yes\nUsePAM no\nPermitRootLogin prohibit-password\n"
        "LogLevel ERROR\n"
    )
    host_pub = (folder / "host_key.pub").read_text().split()[:2]
    (folder / "known_hosts").write_text(f"[127.0.0.1]:{port} {' '.join(host_pub)}\n")
    if os.geteuid() == 0:
        Path("/run/sshd").mkdir(exist_ok=True)  # privilege-separation folder sshd insists on
    server = subprocess.Popen(
        [SSHD, "-D", "-e", "-f", str(folder / "sshd_config")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if server.poll() is not None:
                pytest.fail(f"sshd did not start: {server.stderr.read().decode()}")
            time.sleep(0.05)
    else:
        server.kill()
        pytest.fail("sshd did not listen within 10 s")
    try:
        yield {
            "port": port,
            "key": str(folder / "client_key"),
            "known_hosts": str(folder / "known_hosts"),
            "user": getpass.getuser(),
        }
    finally:
        server.terminate()
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            server.kill()


def site(folder: Path, marker: str, big: bytes = b"x" * 50_000) -> Path:
    folder.mkdir(parents=True)
    (folder / "index.html").write_text(f"<title>{marker}</title>")
    (folder / "static.bin").write_bytes(big)  # unchanged across releases: hard-linked
    return folder


def target(sshd: dict[str, object], server_dir: Path, keep: int = 2) -> RsyncTarget:
    text = (
        "deploy:\n  target: rsync\n  rsync:\n    host: 127.0.0.1\n"
        f"    port: {sshd['port']}\n    user: {sshd['user']}\n    path: {server_dir}\n"
        f"    identity_file: {sshd['key']}\n    known_hosts: {sshd['known_hosts']}\n"
        f"    keep: {keep}\n"
    )
    made = open_target(server_dir.parent, parse_settings(text))
    assert isinstance(made, RsyncTarget)
    return made


def test_rsync_deploy_switch_prune_and_rollback(sshd: dict, tmp_path: Path) -> None:
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


def test_rsync_failure_leaves_previous_release_live(sshd: dict, tmp_path: Path) -> None:
    server = tmp_path / "srv/www"
    remote = target(sshd, server)
    remote.deploy(site(tmp_path / "a", "old"), "r1")
    wrong = RsyncTarget(
        host="127.0.0.1",
        port=sshd["port"],
        user=sshd["user"],
        path=str(server),
        identity_file=str(tmp_path / "missing-key"),
        known_hosts=sshd["known_hosts"],
    )
    with pytest.raises(DeployError, match="gagal"):
        wrong.deploy(site(tmp_path / "b", "new"), "r2")
    assert (server / "current/index.html").read_text() == "<title>old</title>"


def test_unknown_host_key_is_refused(sshd: dict, tmp_path: Path) -> None:
    (tmp_path / "empty_known_hosts").write_text("")
    remote = RsyncTarget(
        host="127.0.0.1",
        port=sshd["port"],
        user=sshd["user"],
        path=str(tmp_path / "srv"),
        identity_file=sshd["key"],
        known_hosts=str(tmp_path / "empty_known_hosts"),
    )
    with pytest.raises(DeployError):
        remote.deploy(site(tmp_path / "a", "x"), "r1")
    assert not (tmp_path / "srv").exists()
