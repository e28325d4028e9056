"""When a merge's drafts go live, if their ``publish_at`` was still ahead when it was merged.

The publication's rule (``pipeline.publication`` holds a merge back by it), kept here, beside
what a merge changed, so ``terbit status`` and the change page can say it without loading the
publication (its build, deploy and their libraries).
"""

from __future__ import annotations

from datetime import datetime

from pipeline.config.settings import Settings
from pipeline.draft.schedule import latest, publish_at
from pipeline.evidence.articles import ArticleFact, changed_articles
from pipeline.vcs import Repo


def scheduled_time(
    repo: Repo, merge: str, articles: list[ArticleFact], merged_at: datetime, settings: Settings
) -> str | None:
    """When the merge's drafts are due (the last ``publish_at`` of them), if that was still
    ahead when it was merged: a scheduled publication. None for an ordinary one."""
    zone = settings.site.timezone
    due = latest(
        publish_at(repo.show_file(merge, a.path) or "", a.path, zone) for a in articles if a.url
    )
    return due.isoformat() if due is not None and due > merged_at else None


def held_until(repo: Repo, merge: str, settings: Settings) -> datetime | None:
    """When a merge's drafts go live if they were still ahead when it was merged (its own
    publication deployed the site without them), else None: what ``terbit status`` and the
    change page say of a merged change without a record yet."""
    if not repo.rev_parse(merge):
        return None  # a clone that has not fetched the merge yet
    merged_at = repo.commit_info(merge).committed_at
    articles = changed_articles(repo, merge, settings.content.path)
    at = scheduled_time(repo, merge, articles, merged_at, settings)
    return datetime.fromisoformat(at) if at else None
