"""After a push: e-mail the people something now waits for (and any reminder that is due).

Run as ``python -m pipeline.hooks.notify`` by the post-receive script, in the background unless
``TERBIT_NOTIFY=sync`` (tests), never with ``TERBIT_NOTIFY=off``. The push has landed already:
nothing here fails it; problems go to the server's log.
"""

from __future__ import annotations

import sys
import traceback

from pipeline.hooks.server import log, server_repo, use_language
from pipeline.notify.people import switched_off
from pipeline.notify.remind import remind


def main() -> int:
    if switched_off():
        return 0
    repo = server_repo()
    try:
        use_language(repo)
        outcome = remind(repo.git_dir)
    except Exception:
        log(repo, "notify: " + traceback.format_exc())
        return 0
    for key, person in outcome.sent:
        log(repo, f"notify: {key} -> {person}")
    for problem in outcome.problems:
        log(repo, f"notify: {problem}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
