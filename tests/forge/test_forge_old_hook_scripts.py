"""A server whose hook scripts were written by an earlier version (``python -m
pipeline.forge.local.hooks HOOK``) keeps accepting and checking pushes until the admin
reinstalls them with ``terbit init-server --hooks-only``."""

from __future__ import annotations

import os
import subprocess
import sys

from pipeline.forge.local.rules.push import ZERO


def _old_script(git_dir: str, *args: str, stdin: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipeline.forge.local.hooks", *args], input=stdin, cwd=git_dir,
        env={**os.environ, "GIT_DIR": git_dir, "TERBIT_LANG": "en", "TERBIT_PUBLISH": "off"},
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip


def test_an_old_pre_receive_script_still_checks_the_push(make_repo) -> None:
    server = str(make_repo("office.git", bare=True))
    refused = _old_script(server, "pre-receive", stdin=f"{ZERO} {'1' * 40} refs/heads/odd\n")
    assert refused.returncode == 1
    assert "ref 'refs/heads/odd' is not allowed" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_an_old_post_receive_script_still_runs(make_repo) -> None:
    server = str(make_repo("office.git", bare=True))
    done = _old_script(server, "post-receive", stdin="")
    assert done.returncode == 0 and "Traceback" not in done.stderr


def test_an_old_script_naming_no_hook_gets_the_usage(make_repo) -> None:
    server = str(make_repo("office.git", bare=True))
    done = _old_script(server, "update", stdin="")
    assert done.returncode == 2 and "pipeline.hooks" in done.stdout
