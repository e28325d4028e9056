"""``terbit web`` from the command line: accounts, clear errors, and the served application."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.support.web import Story

pytestmark = pytest.mark.xdist_group("web-cli")


def terbit(*args: str, stdin: str = "", cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args], input=stdin, capture_output=True, text=True,
        cwd=cwd, timeout=120, env={**os.environ, "TERBIT_LANG": "id"},
    )  # fmt: skip


def test_user_add_and_reset_keep_only_a_hash_outside_the_repository(mutable: Story) -> None:
    server = str(mutable.office.server)
    again = terbit("web", "user", "add", "rina", "--server", server, "--password-stdin",
                   stdin="kata-sandi-baru-1\n")  # fmt: skip
    assert again.returncode == 1
    assert "sudah punya akun" in again.stderr
    reset = terbit("web", "user", "reset", "rina", "--server", server, "--password-stdin",
                   stdin="kata-sandi-uji-123\n")  # fmt: skip
    assert reset.returncode == 0, reset.stderr
    users = mutable.office.server / "terbit" / "web" / "users.json"
    assert oct(users.stat().st_mode & 0o777) == "0o600"
    text = users.read_text()
    assert "$argon2id$" in text and "kata-sandi-uji-123" not in text
    assert "users.json" not in subprocess.run(
        ["git", "-C", server, "ls-tree", "-r", "--name-only", "main"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip


def test_user_errors_are_clear_and_located(story: Story, tmp_path: Path) -> None:
    server = str(story.office.server)
    unknown = terbit("web", "user", "add", "zaki", "--server", server, "--password-stdin",
                     stdin="kata-sandi-baru-1\n")  # fmt: skip
    assert unknown.returncode == 2
    assert "'zaki' bukan orang aktif di roles.yml" in unknown.stderr
    short = terbit("web", "user", "reset", "rina", "--server", server, "--password-stdin",
                   stdin="pendek\n")  # fmt: skip
    assert short.returncode == 1
    assert "minimal 10 karakter" in short.stderr
    nowhere = terbit("web", "--server", str(tmp_path), "--lang", "en")
    assert nowhere.returncode == 2
    assert "is not an embedded-forge server repository" in nowhere.stderr
    assert "Traceback" not in unknown.stderr + short.stderr + nowhere.stderr


def test_busy_port_is_a_message_not_a_traceback(story: Story) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        done = terbit("web", "--server", str(story.office.server), "--port", str(port))
    assert done.returncode == 2
    assert f"127.0.0.1:{port} tidak dapat dipakai" in done.stderr
    assert "Traceback" not in done.stderr


def test_terbit_web_serves_the_application(story: Story) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "web", "--server", str(story.office.server),
         "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert "Aplikasi web tersedia di http://127.0.0.1:" in line, process.stderr
        url = line.split(" di ", 1)[1].split()[0]
        page = httpx.get(url + "masuk", timeout=60)
        assert page.status_code == 200
        assert "ID pegawai" in page.text
    finally:
        process.terminate()
        process.wait(timeout=60)


def test_signing_keys_are_stored_encrypted_with_the_persons_passphrase(mutable: Story) -> None:
    from cryptography.hazmat.primitives.serialization import load_ssh_private_key

    server = str(mutable.office.server)
    made = terbit("web", "key", "new", "dewi", "--server", server, "--passphrase-stdin",
                  stdin="frasa-sandi-dewi-1\n")  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert "ssh-ed25519 AAAA" in made.stdout
    stored = mutable.office.server / "terbit" / "web" / "keys" / "dewi"
    assert oct(stored.stat().st_mode & 0o777) == "0o600"
    with pytest.raises((TypeError, ValueError)):
        load_ssh_private_key(stored.read_bytes(), password=None)  # useless without it
    load_ssh_private_key(stored.read_bytes(), password=b"frasa-sandi-dewi-1")
    again = terbit("web", "key", "new", "dewi", "--server", server, "--passphrase-stdin",
                   stdin="frasa-sandi-dewi-2\n")  # fmt: skip
    assert again.returncode == 1
    assert "sudah punya kunci" in again.stderr
    short = terbit("web", "key", "new", "dewi", "--replace", "--server", server,
                   "--passphrase-stdin", stdin="pendek\n")  # fmt: skip
    assert short.returncode == 1
    assert "frasa sandi minimal 10 karakter" in short.stderr
    own = mutable.office.key_path("dewi")
    imported = terbit("web", "key", "import", "dewi", "--key", str(own), "--replace",
                      "--server", server, "--passphrase-stdin",
                      stdin="frasa-sandi-dewi-3\n")  # fmt: skip
    assert imported.returncode == 0, imported.stderr
    public = " ".join(Path(f"{own}.pub").read_text().split()[:2])
    assert public in imported.stdout  # the key roles.yml already names
