"""``terbit publish`` in a person's clone: refused, saying which host and which server path."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def _clone_with_origin(make_repo, url: str) -> Path:
    path = make_repo("klon")
    (path / "a.txt").write_text("a", encoding="utf-8")
    subprocess.run(["git", "-C", str(path), "add", "a.txt"], check=True)
    subprocess.run(["git", "-C", str(path), "commit", "-qm", "awal"], check=True)
    subprocess.run(["git", "-C", str(path), "remote", "add", "origin", url], check=True)
    return path


def _publish(path: Path, sha: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipeline", "publish", sha, "--resume"], cwd=path,
        capture_output=True, text=True, env={**os.environ, "TERBIT_LANG": "id"}, timeout=120,
        check=False,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("url", "host", "server_path"),
    [
        ("ssh://terbit@web.bbkk.example:2222/srv/terbit/office.git", "web.bbkk.example",
         "/srv/terbit/office.git"),
        ("terbit@web.bbkk.example:/srv/terbit/office.git", "web.bbkk.example",
         "/srv/terbit/office.git"),
    ],
)  # fmt: skip
def test_an_ssh_origin_is_shown_as_host_and_server_path(make_repo, url, host, server_path):
    clone = _clone_with_origin(make_repo, url)
    done = _publish(clone, "d" * 40)
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"--repo {server_path}" in done.stderr and f"server {host}" in done.stderr
    assert f"--repo {url}" not in done.stderr and "Traceback" not in done.stderr
