"""A merge whose push passed the server's check while main moved under it (the server
committing a completion record in that second): git refuses the ref update after the hook, and
`terbit merge` merges again onto the new main instead of failing."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tests.support.forge import Kit, git

pytestmark = pytest.mark.xdist_group("forge-main-moved")

# After the real check accepts, move main once with a commit of the server's own (as a
# publication's record commit does), outside the push's quarantine, before git updates the ref.
WRAPPER = """#!/bin/sh
input=$(cat)
printf '%s\\n' "$input" | "$(dirname "$0")/pre-receive.checked" || exit $?
if [ ! -e terbit-test-moved ]; then
    touch terbit-test-moved
    unset GIT_QUARANTINE_PATH GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES
    tip=$(git rev-parse refs/heads/main)
    moved=$(git commit-tree -p "$tip" -m "Catatan server" "$tip^{tree}")
    git update-ref refs/heads/main "$moved" "$tip"
fi
"""


def _move_main_during_the_next_push(server: Path) -> None:
    hook = server / "hooks" / "pre-receive"
    hook.rename(hook.with_name("pre-receive.checked"))
    hook.write_text(WRAPPER)
    hook.chmod(hook.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def test_a_merge_is_made_again_when_main_moves_after_the_servers_check(kit: Kit) -> None:
    change_id = kit.submit()
    kit.approve_all(change_id)
    server = kit.office.server
    _move_main_during_the_next_push(server)

    merge = kit.merge(change_id)

    assert (server / "terbit-test-moved").exists(), "main was not moved during the push"
    main = git(server, "rev-parse", "refs/heads/main").stdout.strip()
    assert main == merge
    first_parent = git(server, "rev-parse", f"{merge}^1").stdout.strip()
    assert git(server, "log", "-1", "--format=%s", first_parent).stdout.strip() == "Catatan server"
    assert kit.change(change_id).state == "merged"
