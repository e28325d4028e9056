"""Publishing after main moved on the server (steps 6-8), started by ``post-receive``.

Run as ``python -m pipeline.hooks.publish OLD NEW`` in the server repository; its output goes to
the server's log, and its ``terbit:`` lines are relayed to the pusher when publishing is
synchronous.
"""

from __future__ import annotations

import os
import sys
import traceback

from pipeline.evidence.browser import KeptBrowsers
from pipeline.forge.local.store.forge import main_settings
from pipeline.hooks.server import LOG_FILE, OUTCOME, log, server_repo
from pipeline.i18n import Catalog, set_lang
from pipeline.publication.run import on_main_updated
from pipeline.publication.state import PublishResult
from pipeline.vcs import Repo

MSG = Catalog(
    {
        "complete": ("lengkap", "complete"),
        "incomplete": ("BELUM LENGKAP", "INCOMPLETE"),
        "skipped": ("dilewati", "skipped"),
        "failed": ("GAGAL", "FAILED"),
        "scheduled": ("DIJADWALKAN", "SCHEDULED"),
        "result": (
            "terbit: perubahan #{id}: publikasi {status} {urls}",
            "terbit: change #{id}: publishing {status} {urls}",
        ),
        "usage": (
            "penggunaan: python -m pipeline.hooks.publish LAMA BARU",
            "usage: python -m pipeline.hooks.publish OLD NEW",
        ),
    }
)


def publish(repo: Repo, old: str, new: str, browsers: KeptBrowsers | None = None) -> int:
    """Publish every new merge between ``old`` and ``new``; one line per published change.
    ``browsers``: the publication service's warm Chromiums (``hooks.publisher``)."""
    set_lang(os.environ.get("TERBIT_LANG") or main_settings(repo).site.language)
    try:
        results = on_main_updated(repo.git_dir, old, new, browsers)
    except Exception as error:
        log(repo, f"publish {new}: " + traceback.format_exc())
        print(OUTCOME("publish_failed", sha=new[:10], error=error, log=repo.git_dir / LOG_FILE))
        return 1
    for result in results:
        print(_line(result))
        for problem in result.problems:
            print(f"terbit:   {problem}")
    log(repo, OUTCOME("published", sha=new[:10]))
    return 0


def _line(result: PublishResult) -> str:
    return MSG("result", id=result.change_id or "?", status=MSG(result.status),
               urls=" ".join(result.urls))  # fmt: skip


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(MSG("usage"))
        return 2
    return publish(server_repo(), argv[0], argv[1])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
