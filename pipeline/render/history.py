"""The public history of each article: its versions and their dates, read from Git by Terbit.

Read before the build, from the repository's objects (``vcs.Repo.file_versions``), never by the
confined build from the tree it builds: the tree cannot claim a history it does not have. The
build receives it as plain data (``TERBIT_HISTORY``: content-relative path -> versions, oldest
first, each ``{"commit", "date"}`` with the commit time in ISO 8601) and
``plugins.history`` puts it on the pages.

A commit's history never changes, so the last one read is kept in the build cache (outside the
repository, ``HISTORY_FILE``) with its commit; the next build reads only the commits after it
(a publication: one ``git log`` of one commit, not of every file of the site).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path

from pipeline.vcs import Repo

History = dict[str, list[dict[str, str]]]
HISTORY_FILE = "history.json"
FORMAT = 1


def _load(cache: Path | None, content: str) -> tuple[str | None, History]:
    """The cached ``(commit, history)``; nothing when missing, damaged or for another folder."""
    if cache is None:
        return None, {}
    try:
        kept = json.loads((cache / HISTORY_FILE).read_text(encoding="utf-8"))
        if kept["format"] == FORMAT and kept["content"] == content:
            return str(kept["commit"]), dict(kept["history"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return None, {}


def _save(cache: Path, commit: str, content: str, history: History) -> None:
    cache.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=cache, prefix=".history-")
    kept = {"format": FORMAT, "commit": commit, "content": content, "history": history}
    with os.fdopen(fd, "wb") as handle:
        handle.write(json.dumps(kept).encode())  # one write: json.dump writes piece by piece
    os.replace(tmp, cache / HISTORY_FILE)


def read_history(repo: Repo, rev: str, content: str, cache: Path | None = None) -> History:
    """Every file under ``content`` at ``rev`` with the first-parent commits that changed it."""
    tip = repo.rev_parse(rev)
    if tip is None:
        return {}  # a repository without commits yet
    prefix = content.strip("/") + "/"
    since, history = _load(cache, content)
    if since == tip:
        return history
    found = repo.file_versions(tip, prefix.rstrip("/"), since) if since else None
    if found is None:  # no cache, or main was rewritten: read it all
        history = {}
        found = repo.file_versions(tip, prefix.rstrip("/")) or {}
    for path, versions in found.items():
        history.setdefault(path.removeprefix(prefix), []).extend(
            {"commit": sha, "date": when.isoformat()} for sha, when in versions
        )
    if cache is not None:
        with contextlib.suppress(OSError):  # a cache that cannot be written only costs time
            _save(cache, tip, content, history)
    return history


def history_of_work_tree(root: Path, content: str, cache: Path | None = None) -> History:
    """The history at ``HEAD`` of the repository holding ``root`` (``terbit build``); none when
    ``root`` is not a Git work tree of its own."""
    if not (root / ".git").exists():
        return {}
    return read_history(Repo(root), "HEAD", content, cache)
