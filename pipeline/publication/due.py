"""Scheduled publications that became due: ``terbit publish --due`` and ``terbit schedule``.

Nothing is kept between rounds: main itself says what is due. A merge made before the last
``publish_at`` of its drafts (so its own publication held them back), without a completion
record yet, is published once that time has passed by the ordinary path (build, deploy, live
check, screenshots, notice, record); its drafts go live together. The record's commit
is what makes a second round find nothing, so a round is idempotent, and a server that was down
at the time publishes on its first round after the restart (the record says how late).
"""

from __future__ import annotations

import fcntl
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pipeline.clock import now
from pipeline.config.settings import Settings
from pipeline.evidence.schedule import held_until
from pipeline.forge import open_forge
from pipeline.publication.merges import repo_settings
from pipeline.publication.run import publish
from pipeline.publication.stages import unrecorded_scheduled
from pipeline.publication.state import PublishResult, state_root
from pipeline.vcs import Repo

LOCK = "due.lock"


@dataclass(frozen=True)
class Due:
    merge: str
    scheduled_at: datetime
    paths: tuple[str, ...]


def _main(repo: Repo) -> str | None:
    return repo.rev_parse("refs/heads/main") or repo.head()


def due_merges(repo: Repo, settings: Settings, when: datetime) -> list[Due]:
    """The held merges due at ``when``, oldest scheduled time first. A merge is due when the
    last ``publish_at`` of its drafts is (they go live together: see ``held_drafts``), so a
    round between its drafts' times publishes nothing and deploys nothing."""
    tip = _main(repo)
    if tip is None:
        return []
    found: dict[str, list[str]] = {}
    for path, merge in unrecorded_scheduled(repo, tip, settings):
        found.setdefault(merge, []).append(path)
    due = []
    for merge, paths in found.items():
        at = held_until(repo, merge, settings)
        if at is not None and at <= when:
            due.append(Due(merge, at, tuple(paths)))
    return sorted(due, key=lambda d: d.scheduled_at)


@contextmanager
def _round_lock(repo: Repo) -> Iterator[bool]:
    """One round at a time (a timer and a service, or two timers): True when this one may run."""
    folder = state_root(repo)
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / LOCK).open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True


def publish_due(repo_root: Path, say: Callable[[str], None]) -> tuple[bool, list[PublishResult]]:
    """One round: publish every due merge. ``(ran, results)``; ``ran`` is False when another
    round holds the lock (it publishes them)."""
    repo = Repo(repo_root)
    with _round_lock(repo) as mine:
        if not mine:
            return False, []
        settings = repo_settings(repo)
        results = []
        for due in due_merges(repo, settings, now()):
            forge = open_forge(repo_root, settings)
            results.append(publish(repo_root, due.merge, settings=settings, forge=forge, say=say))
        return True, results


def run_schedule(
    repo_root: Path,
    interval: float,
    rounds: int,
    report: Callable[[bool, list[PublishResult]], None],
    say: Callable[[str], None],
) -> None:
    """``terbit schedule``: a round now (what a restart missed), then one every ``interval``
    seconds; ``rounds`` > 0 stops after that many (tests, a timer's single shot)."""
    done = 0
    while True:
        report(*publish_due(repo_root, say))
        done += 1
        if rounds and done >= rounds:
            return
        time.sleep(interval)
