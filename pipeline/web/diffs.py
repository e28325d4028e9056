"""The difference between a draft as published (on main) and as a change would land it.

Only for drafts the change edits (they exist on main): the reviewer sees what is new against
what readers see now. The text comes from Git objects (never a checkout) and is handed to the
page as plain lines, which the template escapes like everything else.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from pipeline.vcs import Repo

MAX_LINES = 1500  # a page stays readable; the rest is named, not shown
CONTEXT = 3


@dataclass(frozen=True)
class FileDiff:
    """One edited draft: ``lines`` of (kind, text), kind one of hunk / add / del / same."""

    path: str
    lines: list[tuple[str, str]]
    cut: int = 0  # lines left out past MAX_LINES


def published_diffs(repo: Repo, base: str, head: str, content_path: str) -> list[FileDiff]:
    """The drafts under ``content_path`` that merging ``head`` into ``base`` would change and
    that ``base`` already has, each as a unified diff (two batched git reads)."""
    prefix = content_path.strip("/") + "/"
    landed = repo.landed(base, head)
    edited = [
        e for status, e in landed.changes
        if status == "M" and e.path.startswith(prefix) and e.path.endswith(".md")
    ]  # fmt: skip
    if not edited:
        return []
    old_ids = repo.blob_ids(f"{base}:{e.path}" for e in edited)
    wanted = [e.sha for e in edited] + [s for s in old_ids.values() if s]
    texts = repo.blobs(wanted)
    found = []
    for entry in edited:
        old_id = old_ids.get(f"{base}:{entry.path}")
        old = texts.get(old_id, b"") if old_id else b""
        new = texts.get(entry.sha, b"")
        found.append(_diff(entry.path, old.decode("utf-8", "replace"),
                           new.decode("utf-8", "replace")))  # fmt: skip
    return found


def _diff(path: str, old: str, new: str) -> FileDiff:
    lines: list[tuple[str, str]] = []
    for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=CONTEXT):
        if line.startswith(("---", "+++")):
            continue
        kind = {"@": "hunk", "+": "add", "-": "del"}.get(line[:1], "same")
        lines.append((kind, line))
    cut = max(0, len(lines) - MAX_LINES)
    return FileDiff(path, lines[:MAX_LINES], cut)
