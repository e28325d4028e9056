"""The office's server reached over real SSH (OpenSSH on 127.0.0.1), as offices deploy it.

The hooks must work when git-receive-pack is started by sshd (another environment, no
TERBIT_* variables): refusals still reach the pusher as `remote: terbit: …` lines.
"""

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
from forge_kit import Kit, make_source

from pipeline.forge.local.office import Office, create_office

SSHD = "/usr/sbin/sshd"
pytestmark = [
    pytest.mark.skipif(not Path(SSHD).exists(), reason="openssh-server is not installed"),
    pytest.mark.xdist_group("forge-ssh"),
    pytest.mark.slow,
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def ssh_office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Office]:
    folder = tmp_path_factory.mktemp("ssh")
    for name in ("host_key", "client_key"):
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(folder / name)], check=True
        )
    shutil.copy(folder / "client_key.pub", folder / "authorized_keys")
    port = _free_port()
    (folder / "sshd_config").write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {folder}/host_key\n"
        f"PidFile {folder}/sshd.pid\nAuthorizedKeysFile {folder}/authorized_keys\n"
        "StrictModes no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"
        "PubkeyAuthentication yes\nUsePAM no\nPermitRootLogin prohibit-password\n"
        "LogLevel ERROR\n"
    )
    host = (folder / "host_key.pub").read_text().split()[:2]
    (folder / "known_hosts").write_text(f"[127.0.0.1]:{port} {' '.join(host)}\n")
    if os.geteuid() == 0:
        Path("/run/sshd").mkdir(exist_ok=True)
    server = subprocess.Popen(
        [SSHD, "-D", "-e", "-f", str(folder / "sshd_config")],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail("sshd did not start")
            time.sleep(0.05)
    saved = {k: os.environ.get(k) for k in ("GIT_SSH_COMMAND", "TERBIT_PUBLISH")}
    os.environ["GIT_SSH_COMMAND"] = (
        f"ssh -i {folder}/client_key -o IdentitiesOnly=yes -o BatchMode=yes "
        f"-o UserKnownHostsFile={folder}/known_hosts"
    )
    os.environ["TERBIT_PUBLISH"] = "off"
    try:
        office = create_office(
            folder / "kantor", make_source(folder / "src"), seed_message="Isi awal"
        )
        url = f"ssh://{getpass.getuser()}@127.0.0.1:{port}{office.server}"
        for person in office.people:
            subprocess.run(
                ["git", "remote", "set-url", "origin", url],
                cwd=office.clone_path(person), check=True,
            )  # fmt: skip
        yield office
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        server.terminate()
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            server.kill()


def test_the_sop_runs_and_is_enforced_over_ssh(ssh_office: Office) -> None:
    kit = Kit(ssh_office, counter=7000)
    assert kit.forge("rina").repo.config("remote.origin.url", None).startswith("ssh://")
    change_id = kit.submit()
    kit.review("sari", change_id, "request_changes", "Perbaiki judul")
    refusal = kit.merge_refused(change_id)
    assert "meminta perbaikan" in refusal
    ok, output = kit.bypass_merge(change_id)
    assert not ok and "remote: terbit: dorongan ditolak" in output
    kit.approve_all(change_id)
    kit.merge(change_id)
    assert kit.change(change_id).state == "merged"
    ok, output = kit.push("dewi", ":refs/heads/main")
    assert not ok and "cabang main tidak boleh dihapus" in output
