"""The check of a push against the forge's rules, with what the pusher reads: run by the check
server (``hooks.checker``) for ``pre-receive``, or by ``pre-receive`` itself when that server
is not used. Takes no lock: the hook holds the push lock around it.
"""

from __future__ import annotations

import traceback
from typing import TextIO

from pipeline.errors import TerbitError
from pipeline.forge.local.rules.push import parse_updates
from pipeline.forge.local.rules.receive import Receiver
from pipeline.forge.local.store.forge import main_settings
from pipeline.hooks.server import log, use_language
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
        "checked_here": (
            "pre-receive: pemeriksaan server tidak dipakai ({why}); hook memeriksa sendiri",
            "pre-receive: the check server was not used ({why}); the hook checks on its own",
        ),
        "no_service": ("layanan tidak berjalan", "it is not running"),
        "stale": ("layanan dari versi kode lain", "it runs another code version"),
        "garbage": (
            "layanan tidak memberi putusan yang dapat dibaca",
            "it gave no verdict that could be read",
        ),
    }
)


def check(repo: Repo, lines: list[str], out: TextIO) -> int:
    """0 when the push may land; else 1, with the reasons (or the failure) written to ``out``."""
    try:
        use_language(repo)
        problems = Receiver(repo, lambda: main_settings(repo), parse_updates(lines)).check()
    except Exception as error:  # fail closed: an unchecked push must not land
        return failed(repo, error, out)
    if problems:
        print(MSG("refused"), file=out)
        for problem in problems:
            for line in problem.splitlines():
                print(f"terbit:   {line}", file=out)
        return 1
    return 0


def failed(repo: Repo, error: Exception, out: TextIO) -> int:
    """The check could not run: the details to the log, a sentence to the pusher, refused."""
    path = log(repo, "pre-receive: " + "".join(traceback.format_exception(error)))
    # A TerbitError is a sentence for people; anything else is told as such, not by name.
    detail = str(error) if isinstance(error, TerbitError) else MSG("unexpected")
    print(MSG("internal", error=detail, log=path), file=out)
    return 1


def checked_here(repo: Repo, why: str) -> None:
    """The server's log line of a push the hook checked on its own."""
    use_language(repo)
    log(repo, MSG("checked_here", why=MSG(why)))
