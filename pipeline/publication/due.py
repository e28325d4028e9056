"""Scheduled publications that became due: ``terbit publish --due`` and ``terbit schedule``.

Nothing is kept between rounds: main itself says what is due. A draft on main whose
``publish_at`` has passed, last changed by a merge made before that time (so the merge's own
publication held it back), and whose merge has no completion record yet, is published now by
the ordinary path (build, deploy, live check, screenshots, notice, record). The record's commit
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
from pipeline.draft.schedule import FIELD, publish_at
from pipeline.evidence.articles import changed_articles
from pipeline.forge import open_forge
from pipeline.publication.merges import repo_settings
from pipeline.publication.run import publish
from pipeline.publication.stages import scheduled_time
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


def held_until(repo: Repo, merge: str, settings: Settings) -> datetime | None:
    """When a merge's drafts go live if they were still ahead when it was merged (its own
    publication deployed the site without them), else None: what ``terbit status`` and the
    change page say of a merged change without a record yet. The rule is the publication's."""
    if not repo.rev_parse(merge):
        return None  # a clone that has not fetched the merge yet
    merged_at = repo.commit_info(merge).committed_at
    articles = changed_articles(repo, merge, settings.content.path)
    at = scheduled_time(repo, merge, articles, merged_at, settings)
    return datetime.fromisoformat(at) if at else None


def due_merges(repo: Repo, settings: Settings, when: datetime) -> list[Due]:
    """The merges whose held drafts are due at ``when``, oldest scheduled time first."""
    tip = _main(repo)
    if tip is None:
        return []
    content = settings.content.path.strip("/")
    # Only drafts that name the field are read at all (git grep over main's objects).
    listed = repo.try_run("grep", "-l", "-F", FIELD, tip, "--", f"{content}/") or ""
    records = settings.publish.records_path.strip("/")
    recorded = {name.rsplit("-", 1)[-1] for *_, name in repo.ls_tree(tip, records) if "-" in name}
    found: dict[str, Due] = {}
    for line in listed.splitlines():
        path = line.split(":", 1)[1] if line.startswith(tip + ":") else line
        at = publish_at(repo.show_file(tip, path) or "", path, settings.site.timezone)
        if at is None or at > when:
            continue
        merge = repo.try_run("log", "--first-parent", "-1", "--format=%H", tip, "--", path)
        if not merge or len(repo.parents(merge)) < 2 or merge[:12] in recorded:
            continue
        if repo.commit_info(merge).committed_at >= at:
            continue  # merged after its time: its own publication published it
        before = found.get(merge)
        paths = (*before.paths, path) if before else (path,)
        found[merge] = Due(merge, max(at, before.scheduled_at) if before else at, paths)
    return sorted(found.values(), key=lambda d: d.scheduled_at)


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
