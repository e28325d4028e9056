"""Scheduled publication (embargo): a draft's ``publish_at`` and whether it is due.

One reading of the field for the build (what is left out of the site), the publication (when a
merge goes live) and the scheduler (what became due). Drafts are data: the front matter goes
through the safe parser and a draft whose ``publish_at`` cannot be read is not held back here
(``terbit check`` refuses it, located, before it can be merged).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic_core import PydanticCustomError

from pipeline.draft.frontmatter import parse
from pipeline.draft.model import parse_publish_at
from pipeline.errors import InputError

FIELD = "publish_at"
DRAFT_SUFFIXES = (".md", ".markdown")


def publish_at(text: str, rel: str, zone: str) -> dt.datetime | None:
    """The draft's publication time in UTC, or None (no field, or one that does not read)."""
    if FIELD not in text:  # most drafts: no YAML parsed at all
        return None
    try:
        value = parse(text, rel).meta.get(FIELD)
        if value is None:
            return None
        moment = parse_publish_at(value)
    except (InputError, PydanticCustomError, RecursionError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    return moment.astimezone(dt.UTC)


def embargoed(content: Path, now: dt.datetime, zone: str) -> dict[str, str]:
    """Drafts under ``content`` not yet due at ``now``: content-relative path -> ISO time."""
    found: dict[str, str] = {}
    for folder, dirs, files in os.walk(content):  # never follows a symbolic link
        dirs.sort()
        for name in sorted(files):
            path = Path(folder, name)
            if not name.endswith(DRAFT_SUFFIXES) or path.is_symlink():
                continue
            rel = path.relative_to(content).as_posix()
            when = publish_at(path.read_text(encoding="utf-8", errors="replace"), rel, zone)
            if when is not None and when > now:
                found[rel] = when.isoformat()
    return found


def latest(times: Iterable[dt.datetime | None]) -> dt.datetime | None:
    """The last of the times given (a merge goes live when its last draft is due)."""
    known = [t for t in times if t is not None]
    return max(known) if known else None
