"""What ``post-receive`` does after main moved: record the merge on its change and start
publishing. Run by the check server (``hooks.checker``) for the thin ``hooks.post_receive``,
or by that hook itself when the server is not used.

The push has landed already, so this never fails it: problems go to the server's log and one
line to the pusher. Publishing runs in
the publication service when it is up (``hooks.publisher``, kept up by ``terbit web``), else as
its own process (``pipeline.hooks.publish``); detached unless ``TERBIT_PUBLISH=sync`` (tests,
the demo) or switched off with ``TERBIT_PUBLISH=off``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import traceback

from pipeline.errors import TerbitError
from pipeline.forge.local.rules.push import MAIN, ZERO, Update, parse_updates
from pipeline.forge.local.store import pushlock
from pipeline.forge.local.store.forge import LocalForge, main_settings
from pipeline.forge.local.store.verdicts import kept_verdicts
from pipeline.hooks import publisher
from pipeline.hooks.server import LOG_FILE, OUTCOME, log, use_language
from pipeline.i18n import Catalog
from pipeline.publication.state import unfinished
from pipeline.render import warm
from pipeline.vcs import Repo

MSG = Catalog(
    {
        "publishing": (
            "terbit: main diperbarui ke {sha}; publikasi dimulai (log: {log})",
            "terbit: main updated to {sha}; publishing started (log: {log})",
        ),
        "unexpected": (
            "kesalahan tak terduga di server; rinciannya ada di log",
            "an unexpected error on the server; the details are in the log",
        ),
        "service_unused": (
            "layanan publikasi tidak dipakai untuk {sha} ({why}); publikasi berjalan di proses "
            "baru",
            "publication service not used for {sha} ({why}); publishing runs in a new process",
        ),
        "no_service": ("layanan tidak berjalan", "it is not running"),
        "stale": ("layanan dari versi kode lain", "it runs another code version"),
        "stopped": (
            "layanan berhenti atau tidak menjawab sebelum selesai",
            "it stopped or did not answer before the end",
        ),
        "recorded_here": (
            "post-receive: server pemeriksaan tidak dipakai ({why}); hook mencatat sendiri",
            "post-receive: the check server was not used ({why}); the hook records on its own",
        ),
        "garbage": (
            "layanan tidak memberi jawaban yang dapat dibaca",
            "it gave no answer that could be read",
        ),
        "cut_off": (
            "post-receive: server pemeriksaan berhenti sebelum selesai ({sha}); lihat log ini",
            "post-receive: the check server stopped before the end ({sha}); see this log",
        ),
    }
)


def post_receive(repo: Repo, lines: list[str], owner: int | None = None) -> int:
    """Never fails the push (it has landed already): problems go to the log and one line.
    ``owner``: the push's receive-pack (this process's, unless run for the hook by the check
    server), whose push lock is given back."""
    try:
        return _record_and_publish(repo, lines, owner)
    except Exception as error:
        path = log(repo, "post-receive: " + traceback.format_exc())
        # A TerbitError is a sentence for people; anything else is told as such, not by name.
        detail = str(error) if isinstance(error, TerbitError) else MSG("unexpected")
        print(OUTCOME("publish_failed", sha="main", error=detail, log=path), file=sys.stderr)
        return 0
    finally:
        pushlock.release(repo.git_dir, owner)


def said_here(repo: Repo, key: str, **values: str) -> None:
    """The server's log line of a post-receive the check server did not (wholly) run."""
    use_language(repo)
    log(repo, MSG(key, **values))


def _record_and_publish(repo: Repo, lines: list[str], owner: int | None) -> int:
    use_language(repo)
    settings = main_settings(repo)
    updates = [u for u in parse_updates(lines) if u.ref == MAIN and u.new != ZERO]
    tip = repo.rev_parse(MAIN)
    if not updates and tip and unfinished(repo):
        # main did not move, but a publication was killed: this push resumes it.
        updates = [Update(tip, tip, MAIN)]
    for update in updates:
        if update.old != update.new:
            try:
                # The kept verdicts: pre-receive verified the merge commit's signature.
                forge = LocalForge(repo, settings, verdicts=kept_verdicts(repo))
                forge.record_merged(update.new)
            except Exception:
                log(repo, "record-merge: " + traceback.format_exc())
        pushlock.release(repo.git_dir, owner)  # main and its change's records agree again
        mode = os.environ.get("TERBIT_PUBLISH", "background")
        if mode != "off":
            _start_publishing(repo, update, sync=mode == "sync")
    return 0


def _start_publishing(repo: Repo, update: Update, *, sync: bool) -> None:
    path = repo.git_dir / LOG_FILE
    print(MSG("publishing", sha=update.new[:10], log=path), file=sys.stderr)
    if _by_service(repo, update, sync=sync):
        return
    args = [sys.executable, "-m", "pipeline.hooks.publish", update.old, update.new]
    if sync:
        done = subprocess.run(args, cwd=repo.git_dir, check=False, capture_output=True, text=True)
        log(repo, done.stdout + done.stderr)
        for line in done.stdout.splitlines():
            if line.startswith("terbit:"):
                print(line, file=sys.stderr)
        key = "published" if done.returncode == 0 else "publish_failed"
        print(OUTCOME(key, sha=update.new[:10], error=done.returncode, log=path), file=sys.stderr)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as out:
        subprocess.Popen(  # detached: the push returns while the site builds
            args, cwd=repo.git_dir, stdout=out, stderr=out, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip


def _by_service(repo: Repo, update: Update, *, sync: bool) -> bool:
    """Whether the publication service took the publication (and, waiting, finished it); when
    it did not, the log says why and the caller starts the publishing process."""
    path = repo.git_dir / LOG_FILE

    def relay(line: str) -> None:
        if line.startswith("terbit:"):
            print(line, file=sys.stderr)

    try:
        code = publisher.request(
            warm.folder_of(repo.git_dir), update.old, update.new, sync=sync, relay=relay
        )
    except publisher.Unused as why:
        log(repo, MSG("service_unused", sha=update.new[:10], why=MSG(str(why.args[0]))))
        return False
    if code is not None:
        key = "published" if code == 0 else "publish_failed"
        print(OUTCOME(key, sha=update.new[:10], error=code, log=path), file=sys.stderr)
    return True
