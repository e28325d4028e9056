"""After a change's head moved: start the server's check of its pages (issue 15 §5).

The ``post-receive`` script runs ``python -m pipeline.hooks.page_check`` with the push's lines
when a ``refs/terbit/changes/<id>/head`` moved. The check builds the site and opens Chromium, so
it runs as its own detached process (``--run ID``, output to the server's log) and the push
returns at once; ``TERBIT_PAGE_CHECK=sync`` runs it inside the push (tests, the demo) and
``off`` skips it (then ``terbit check-pages`` runs it). Never fails the push: it has landed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import traceback

from pipeline.errors import TerbitError
from pipeline.forge.local.rules.push import ZERO, parse_updates
from pipeline.forge.local.store.events import REF_RE
from pipeline.forge.local.store.forge import main_settings
from pipeline.hooks.server import LOG_FILE, log, server_repo, use_language
from pipeline.i18n import Catalog
from pipeline.publication.priority import low_priority
from pipeline.vcs import Repo

MSG = Catalog(
    {
        "started": (
            "terbit: pemeriksaan halaman perubahan #{id} dimulai (log: {log})",
            "terbit: page check of change #{id} started (log: {log})",
        ),
        "failed": (
            "terbit: pemeriksaan halaman perubahan #{id} gagal: {error} (log: {log})",
            "terbit: page check of change #{id} failed: {error} (log: {log})",
        ),
        "unexpected": (
            "kesalahan tak terduga di server; rinciannya ada di log",
            "an unexpected error on the server; the details are in the log",
        ),
    }
)


def moved_changes(lines: list[str]) -> list[str]:
    """Ids of the changes whose head this push moved (not deleted)."""
    ids = []
    for update in parse_updates(lines):
        found = REF_RE.match(update.ref)
        if found and found.group(2) == "head" and update.new != ZERO:
            ids.append(found.group(1))
    return list(dict.fromkeys(ids))


def on_push(repo: Repo, lines: list[str]) -> int:
    mode = os.environ.get("TERBIT_PAGE_CHECK", "background")  # background | sync | off
    ids = moved_changes(lines)
    if mode == "off" or not ids:
        return 0
    try:
        if not main_settings(repo).forge.page_check:
            return 0
    except TerbitError:
        return 0  # main's terbit.yml is unreadable: the gate says so, not this hook
    path = repo.git_dir / LOG_FILE
    for change_id in ids:
        if mode == "sync":
            run(repo, change_id)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "pipeline.hooks.page_check", "--run", change_id]
        with path.open("a") as out:
            subprocess.Popen(  # detached: the push returns while the pages are checked
                low_priority(command),
                cwd=repo.git_dir, stdout=out, stderr=out, stdin=subprocess.DEVNULL,
                start_new_session=True,
            )  # fmt: skip
        print(MSG("started", id=change_id, log=path), file=sys.stderr)
    return 0


def run(repo: Repo, change_id: str) -> int:
    """Check one change now; one line to the pusher (or the log), problems to the log."""
    # Here, not at the top: every review push's hook imports this module only to decide whether
    # to check, and the check's build and browser imports doubled its start-up (0.9-1.6 s).
    from pipeline.publication.pagecheck import check_change

    try:
        outcome = check_change(repo.git_dir, change_id)
    except Exception as error:
        path = log(repo, f"page-check #{change_id}: " + traceback.format_exc())
        detail = str(error) if isinstance(error, TerbitError) else MSG("unexpected")
        print(MSG("failed", id=change_id, error=detail, log=path), file=sys.stderr)
        return 1
    log(repo, outcome.message)
    print(f"terbit: {outcome.message}", file=sys.stderr)
    return 0


def main(argv: list[str]) -> int:
    repo = server_repo()
    use_language(repo)
    if len(argv) == 2 and argv[0] == "--run":
        return run(repo, argv[1])
    try:
        return on_push(repo, sys.stdin.read().splitlines())
    except Exception:
        log(repo, "page-check: " + traceback.format_exc())
        return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
