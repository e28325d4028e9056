"""``pre-receive``: check a whole push against the forge's rules, or refuse it with the reasons.

Run as ``python -m pipeline.hooks.pre_receive`` by the script ``terbit init-server`` wrote.
"""

from __future__ import annotations

import sys
import traceback

from pipeline.errors import TerbitError
from pipeline.forge.local.rules.push import parse_updates
from pipeline.forge.local.rules.receive import Receiver
from pipeline.forge.local.store import pushlock
from pipeline.forge.local.store.forge import main_settings
from pipeline.hooks.server import log, server_repo, use_language
from pipeline.i18n import Catalog
from pipeline.vcs import Repo

MSG = Catalog(
    {
        "refused": ("terbit: dorongan ditolak:", "terbit: push refused:"),
        "internal": (
            "terbit: pemeriksaan server gagal ({error}); dorongan ditolak. Lihat {log}",
            "terbit: the server check failed ({error}); push refused. See {log}",
        ),
        "unexpected": (
            "kesalahan tak terduga di server; rinciannya ada di log",
            "an unexpected error on the server; the details are in the log",
        ),
    }
)


def pre_receive(repo: Repo, lines: list[str]) -> int:
    """Check the push while holding the server's push lock; an accepted push keeps it until
    ``post-receive`` (or its receive-pack's end) so no other push lands in between."""
    try:
        use_language(repo)
        pushlock.acquire(repo.git_dir)
        problems = Receiver(repo, lambda: main_settings(repo), parse_updates(lines)).check()
    except Exception as error:  # fail closed: an unchecked push must not land
        pushlock.release(repo.git_dir)
        path = log(repo, "pre-receive: " + traceback.format_exc())
        # A TerbitError is a sentence for people; anything else is told as such, not by name.
        detail = str(error) if isinstance(error, TerbitError) else MSG("unexpected")
        print(MSG("internal", error=detail, log=path), file=sys.stderr)
        return 1
    if problems:
        pushlock.release(repo.git_dir)
        print(MSG("refused"), file=sys.stderr)
        for problem in problems:
            for line in problem.splitlines():
                print(f"terbit:   {line}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(pre_receive(server_repo(), sys.stdin.read().splitlines()))
