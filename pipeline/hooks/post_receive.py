"""``post-receive``: after main moved, record the merge on its change and start publishing.

Run as ``python -m pipeline.hooks.post_receive`` by the script ``terbit init-server`` wrote (the
script skips Python for pushes that leave main alone). A thin client, as ``pre-receive`` is: the
check server (``hooks.checker``) runs ``hooks.merged`` with this push's settings and its lines
come back as they are said; when that server is not used, this process runs it itself, as
before, with a line in the server's log. Never fails the push (it has landed already).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from pipeline.forge.local.store import pushlock
from pipeline.hooks import checker


def post_receive(git_dir: Path, lines: list[str]) -> int:
    owner = pushlock.push_owner()
    try:
        checker.record(git_dir, lines, dict(os.environ), owner, _say)
    except checker.Unused as why:
        return _on_its_own(git_dir, lines, str(why.args[0]))
    except checker.CutOff:
        # Started, then gone: what it did stays done (the merge's record is written once).
        _said_here(git_dir, "cut_off", sha="main")
    finally:
        pushlock.release(git_dir, owner)
    return 0


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _on_its_own(git_dir: Path, lines: list[str], why: str) -> int:
    # start-up: recording and the publication hand-off only when no server runs them.
    from pipeline.hooks import merged
    from pipeline.vcs import Repo

    repo = Repo(git_dir)
    merged.said_here(repo, "recorded_here", why=merged.MSG(why))
    return merged.post_receive(repo, lines)


def _said_here(git_dir: Path, key: str, **values: str) -> None:
    # start-up: as in ``_on_its_own``, only when there is something to say.
    from pipeline.hooks import merged
    from pipeline.vcs import Repo

    merged.said_here(Repo(git_dir), key, **values)


if __name__ == "__main__":
    sys.exit(post_receive(Path(os.environ.get("GIT_DIR", ".")), sys.stdin.read().splitlines()))
