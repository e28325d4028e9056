"""The public history of each article: its versions and their dates, read from Git by Terbit.

Read before the build, from the repository's objects (``vcs.Repo.file_versions``), never by the
confined build from the tree it builds: the tree cannot claim a history it does not have. The
build receives it as plain data (``TERBIT_HISTORY``: content-relative path -> versions, oldest
first, each ``{"commit", "date"}`` with the commit time in ISO 8601) and
``plugins.history`` puts it on the pages.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.vcs import Repo

History = dict[str, list[dict[str, str]]]


def read_history(repo: Repo, rev: str, content: str) -> History:
    """Every file under ``content`` at ``rev`` with the first-parent commits that changed it."""
    if repo.rev_parse(rev) is None:
        return {}  # a repository without commits yet
    prefix = content.strip("/") + "/"
    return {
        path.removeprefix(prefix): [
            {"commit": sha, "date": when.isoformat()} for sha, when in versions
        ]
        for path, versions in repo.file_versions(rev, prefix.rstrip("/")).items()
    }


def history_of_work_tree(root: Path, content: str) -> History:
    """The history at ``HEAD`` of the repository holding ``root`` (``terbit build``); none when
    ``root`` is not a Git work tree of its own."""
    if not (root / ".git").exists():
        return {}
    return read_history(Repo(root), "HEAD", content)
