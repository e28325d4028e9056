"""``pre-receive``: check a whole push against the forge's rules, or refuse it with the reasons.

Run as ``python -m pipeline.hooks.pre_receive`` by the script ``terbit init-server`` wrote. A
thin client first: the check server the publication service keeps (``hooks.checker``) has the
check's code loaded and answers; when it is not used, this process checks on its own
(``hooks.push_check``), as every push was checked before, and says so in the server's log.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from pipeline.forge.local.store import pushlock
from pipeline.hooks import checker


def pre_receive(git_dir: Path, lines: list[str]) -> int:
    """Check the push while holding the server's push lock; an accepted push keeps it until
    ``post-receive`` (or its receive-pack's end) so no other push lands in between."""
    try:
        pushlock.acquire(git_dir)
        code, text = checker.request(git_dir, lines, dict(os.environ))
        sys.stderr.write(text)
    except checker.Unused as why:
        code = _on_its_own(git_dir, lines, str(why.args[0]))
    except Exception as error:  # fail closed: an unchecked push must not land
        code = _failed(git_dir, error)
    if code:
        pushlock.release(git_dir)
    return code


def _on_its_own(git_dir: Path, lines: list[str], why: str) -> int:
    # start-up: the check's code (settings, GitPython, the rules) only when no server checks.
    from pipeline.hooks import push_check
    from pipeline.vcs import Repo

    try:
        repo = Repo(git_dir)
        push_check.checked_here(repo, why)
    except Exception as error:
        return _failed(git_dir, error)
    return push_check.check(repo, lines, sys.stderr)


def _failed(git_dir: Path, error: Exception) -> int:
    # start-up: as in ``_on_its_own``, only when the check failed.
    from pipeline.hooks import push_check
    from pipeline.vcs import Repo

    return push_check.failed(Repo(git_dir), error, sys.stderr)


if __name__ == "__main__":
    sys.exit(pre_receive(Path(os.environ.get("GIT_DIR", ".")), sys.stdin.read().splitlines()))
