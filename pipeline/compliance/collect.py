"""Read the completion records a report counts (from the work tree, else ``main``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from pipeline.errors import Problem
from pipeline.i18n import Catalog
from pipeline.record.assemble import YAML_NAME
from pipeline.record.verify import record_reader
from pipeline.vcs import Repo

# A record is a few kilobytes; anything far larger is not one and is not parsed.
MAX_RECORD_BYTES = 1_000_000

MSG = Catalog(
    {
        "unreadable": ("catatan tidak dapat dibaca: {error}", "the record cannot be read: {error}"),
        "too_big": ("berkas terlalu besar untuk sebuah catatan", "too large to be a record"),
    }
)


@dataclass
class Collected:
    records: list[dict[str, Any]] = field(default_factory=list)  # inside the period
    # The same records as read (folder, path, data untouched), for verification.
    loaded: list[tuple[str, str, Any]] = field(default_factory=list)
    read: Any = None  # the file reader, for the screenshots verification hashes
    everything: list[dict[str, Any]] = field(default_factory=list)  # all, for the trend
    problems: list[Problem] = field(default_factory=list)


def published_on(record: dict[str, Any], tz: ZoneInfo) -> date | None:
    """The office-local day a record's change was merged (its publication), else created."""
    change = record.get("change") or {}
    for value in (change.get("merged_at"), record.get("created_at")):
        if value:
            try:
                return datetime.fromisoformat(str(value)).astimezone(tz).date()
            except ValueError:
                continue
    return None


def collect(repo: Repo, records_path: str, tz: ZoneInfo, keep: Any) -> Collected:
    """Every record under ``records_path``; ``keep(day)`` says which are in the period."""
    out = Collected()
    folders, read = record_reader(repo, records_path.strip("/"))
    # The C loader: a year of records parses in a fraction of a second (records are plain data).
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for folder in folders:
        path = f"{folder}/{YAML_NAME}"
        raw = read(path)
        if raw is None:
            continue
        if len(raw) > MAX_RECORD_BYTES:
            out.problems.append(Problem(path, None, MSG("unreadable", error=MSG("too_big"))))
            continue
        try:
            data = yaml.load(raw.decode("utf-8"), Loader=loader)
        except (yaml.YAMLError, UnicodeDecodeError) as error:
            out.problems.append(Problem(path, None, MSG("unreadable", error=str(error)[:200])))
            continue
        if not isinstance(data, dict):
            continue
        day = published_on(data, tz)
        # A copy carries the report's own keys, so the record itself stays as its digest saw it.
        shown = {**data, "_folder": folder.rsplit("/", 1)[-1], "_day": day}
        out.everything.append(shown)
        if day is not None and keep(day):
            out.records.append(shown)
            out.loaded.append((folder, path, data))
    out.read = read
    return out
