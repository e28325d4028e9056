"""Scheduled publication (embargo): a draft's ``publish_at`` and whether it is due.

One reading of the field for the build (what is left out of the site), the publication (when a
merge goes live) and the scheduler (what became due). Drafts are data: the front matter goes
through the safe parser and a draft whose ``publish_at`` cannot be read is not held back here
(``terbit check`` refuses it, located, before it can be merged).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import posixpath
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from pydantic_core import PydanticCustomError

from pipeline.draft.frontmatter import MAX_FRONT_MATTER, parse
from pipeline.draft.model import parse_publish_at
from pipeline.errors import InputError

FIELD = "publish_at"
DRAFT_SUFFIXES = (".md", ".markdown")
# Where a draft's body names an image: Markdown ``![alt](url)`` and HTML ``<img src=…>``.
IMAGE_REF = re.compile(
    r"!\[[^\]]*\]\(\s*<?([^)\s>]+)|<img\b[^>]*?\bsrc\s*=\s*[\"']?([^\"'\s>]+)", re.I
)
PLACEHOLDER = re.compile(r"^\{(?:static|attach|filename)\}")


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


def embargoed(
    content: Path, now: dt.datetime, zone: str, cache: Path | None = None
) -> dict[str, str]:
    """Drafts under ``content`` not yet due at ``now``: content-relative path -> ISO time.

    Every build asks, so ``cache`` (a JSON file outside the tree) keeps each draft's
    ``publish_at`` by its size and modification time: only drafts that changed are read again
    (reading every draft of a 1,000-article site took about 75 ms; the stat walk about 5 ms)."""
    known = _load(cache, zone)
    seen: dict[str, list[Any]] = {}
    found: dict[str, str] = {}
    for path, rel, stat in _drafts(content):
        stamp = [stat.st_mtime_ns, stat.st_size]
        entry = known.get(rel)
        if entry is not None and entry[:2] == stamp:
            at = entry[2]
        else:
            when = _read(Path(path), rel, zone)
            at = when.isoformat() if when is not None else None
        seen[rel] = [*stamp, at]
        if at is not None and dt.datetime.fromisoformat(at) > now:
            found[rel] = at
    if cache is not None and seen != known:
        _save(cache, zone, seen)
    return found


def _drafts(content: Path) -> Iterator[tuple[str, str, os.stat_result]]:
    """Each draft file under ``content`` with its content-relative path and its ``lstat``, in
    a stable order (a folder's files, then its folders, by name); never through a symbolic
    link. Every build walks them all: one system call a file, relative to its open folder
    (``fstatat``: a quarter less than a whole path's ``lstat``), and plain strings (paths made
    with ``pathlib`` cost a 5,000-article site about a third of a second a build)."""
    top = os.fspath(content)
    try:
        handle = os.open(top, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    yield from _drafts_in(handle, top, "")


def _drafts_in(handle: int, folder: str, prefix: str) -> Iterator[tuple[str, str, os.stat_result]]:
    """``_drafts`` of the open folder ``handle`` (closed here) at ``folder``."""
    try:
        with os.scandir(handle) as listing:
            entries = sorted(listing, key=_entry_name)
        folders = []
        for entry in entries:
            name = entry.name
            if entry.is_dir(follow_symlinks=False):
                folders.append(name)
            elif name.endswith(DRAFT_SUFFIXES) and not entry.is_symlink():
                yield f"{folder}/{name}", prefix + name, entry.stat(follow_symlinks=False)
        for name in folders:
            try:
                below = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=handle)
            except OSError:  # gone, or not readable: as ``os.walk`` did, left out
                continue
            yield from _drafts_in(below, f"{folder}/{name}", f"{prefix}{name}/")
    finally:
        os.close(handle)


def _entry_name(entry: os.DirEntry[str]) -> str:
    return entry.name


def _read(path: Path, rel: str, zone: str) -> dt.datetime | None:
    with path.open("rb") as handle:  # the front matter is at the top, and small
        head = handle.read(MAX_FRONT_MATTER + 8)
    if FIELD.encode() not in head:
        return None
    return publish_at(path.read_text(encoding="utf-8", errors="replace"), rel, zone)


def _load(cache: Path | None, zone: str) -> dict[str, list[Any]]:
    """The cache as written by ``_save`` for ``zone`` (times without a zone are office time);
    anything else is an empty cache (a full read)."""
    if cache is None:
        return {}
    try:
        found = json.loads(cache.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    data = found.get("drafts") if isinstance(found, dict) and found.get("zone") == zone else None
    if not isinstance(data, dict):
        return {}
    return {
        k: v for k, v in data.items()
        if isinstance(v, list) and len(v) == 3 and all(isinstance(x, int) for x in v[:2])
        and (v[2] is None or isinstance(v[2], str))
    }  # fmt: skip


def _save(cache: Path, zone: str, seen: dict[str, list[Any]]) -> None:
    cache.parent.mkdir(parents=True, exist_ok=True)
    temp = cache.with_name(f".{cache.name}.tmp-{os.getpid()}")
    temp.write_text(json.dumps({"zone": zone, "drafts": seen}), encoding="utf-8")
    os.replace(temp, cache)


def held_images(content: Path, hidden: Iterable[str]) -> set[str]:
    """The images only drafts not yet due show (content-relative paths): the build leaves them
    out too, or a photo of an embargoed article would be at its address before its time. An
    image a published draft also shows stays. Only read when something is held back."""
    hidden = set(hidden)
    if not hidden:
        return set()
    held: set[str] = set()
    others: list[tuple[str, str]] = []
    for path, rel, _ in _drafts(content):
        text = Path(path).read_text(encoding="utf-8", errors="replace")
        if rel in hidden:
            held |= draft_images(text, rel)
        else:
            others.append((text, rel))
    # Only a draft that names one of those files is parsed (YAML of every draft of a
    # 1,000-article site took 0.6-1.2 s; this test keeps it to the few that share a photo).
    names = {posixpath.basename(h) for h in held}
    names |= {n.replace(" ", "%20") for n in names}
    for text, rel in others:
        if held and any(name in text for name in names):
            held -= draft_images(text, rel)
    return held


def draft_images(text: str, rel: str) -> set[str]:
    """The local images a draft names, as paths relative to content/: front matter ``images``
    (relative to content/), ``{static}`` links and site-absolute paths (content/), and
    relative paths (the draft's folder). Other hosts and ``data:`` are not files of the site."""
    found: set[str] = set()
    try:
        meta = parse(text, rel).meta if text.startswith("---") else {}
    except (InputError, RecursionError):
        meta = {}
    images = meta.get("images")
    for item in images if isinstance(images, list) else ():
        if isinstance(item, dict) and isinstance(item.get("src"), str):
            found.add(posixpath.normpath(item["src"].lstrip("/")))
    folder = posixpath.dirname(rel)
    for match in IMAGE_REF.finditer(text):
        url = (match.group(1) or match.group(2) or "").strip()
        marked = PLACEHOLDER.match(url)
        try:
            parts = urlsplit(url[marked.end() :] if marked else url)
        except ValueError:
            continue
        if parts.scheme or parts.netloc or not parts.path:
            continue
        path = unquote(parts.path)
        base = "" if marked or path.startswith("/") else folder
        found.add(posixpath.normpath(posixpath.join(base, path.lstrip("/"))))
    return {f for f in found if f != "." and not f.startswith("../")}


def latest(times: Iterable[dt.datetime | None]) -> dt.datetime | None:
    """The last of the times given (a merge goes live when its last draft is due)."""
    known = [t for t in times if t is not None]
    return max(known) if known else None
