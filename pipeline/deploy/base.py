"""The one interface every deploy target offers, and the log that records what went live.

A target keeps whole releases side by side and switches which one is live in one atomic step,
so a visitor sees either the old site or the new one, never a mix, and a rollback is a switch.
"""

from __future__ import annotations

import json
import os
import re
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol, runtime_checkable

from pipeline.errors import ConfigError, TerbitError
from pipeline.i18n import Catalog

MSG = Catalog(
    {
        "bad_id": (
            "nama rilis '{id}' tidak sah; hanya huruf, angka, '.', '_' dan '-'",
            "release name '{id}' is not valid; only letters, digits, '.', '_' and '-'",
        ),
        "unknown": (
            "rilis '{id}' tidak ada; rilis yang tersedia: {known}",
            "release '{id}' does not exist; available releases: {known}",
        ),
        "none_before": (
            "tidak ada rilis sebelumnya untuk dikembalikan (rilis aktif: {current})",
            "there is no earlier release to roll back to (live release: {current})",
        ),
        "no_site": (
            "folder situs {path} tidak ada atau kosong; jalankan build dulu",
            "site folder {path} is missing or empty; run the build first",
        ),
    }
)


class DeployError(TerbitError):
    """The target refused or could not be reached; the previous release stays live."""

    exit_code = 1


RELEASE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


@dataclass(frozen=True)
class Release:
    """One complete copy of the site on a target."""

    id: str
    location: str  # folder (local path, or user@host:path for rsync)
    target: str  # "local", "rsync", "github-pages"


@runtime_checkable
class Target(Protocol):
    """A place the site is published to."""

    name: str

    def deploy(self, site_dir: Path, release_id: str) -> Release:
        """Upload ``site_dir`` as release ``release_id`` and make it live atomically."""
        ...

    def current(self) -> Release | None:
        """The live release, or None before the first deploy."""
        ...

    def releases(self) -> list[Release]:
        """Kept releases, oldest first."""
        ...

    def rollback(self, to: str | None = None) -> Release:
        """Make ``to`` (default: the release before the live one) live again."""
        ...


def new_release_id(merge_sha: str | None, when: datetime | None = None) -> str:
    """Sortable by time, traceable to the merge: ``20261128T063600Z-1a2b3c4d5e6f``."""
    stamp = (when or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{merge_sha[:12]}" if merge_sha else stamp


def check_release_id(release_id: str) -> str:
    if not RELEASE_ID.match(release_id):
        raise ConfigError(MSG("bad_id", id=release_id))
    return release_id


def check_site(site_dir: Path) -> None:
    if not site_dir.is_dir() or not any(site_dir.iterdir()):
        raise ConfigError(MSG("no_site", path=str(site_dir)))


def pick_rollback(ids: list[str], current: str | None, to: str | None) -> str:
    """The release a rollback switches to; ``ids`` oldest first."""
    if to is not None:
        if to not in ids:
            raise ConfigError(MSG("unknown", id=to, known=", ".join(ids) or "-"))
        return to
    earlier = ids[: ids.index(current)] if current in ids else ids[:-1]
    if not earlier:
        raise ConfigError(MSG("none_before", current=current or "-"))
    return earlier[-1]


def to_prune(ids: list[str], keep: int, protect: set[str]) -> list[str]:
    """Oldest releases beyond ``keep``; never one in ``protect`` (live, just deployed)."""
    excess = len(ids) - keep
    doomed = []
    for release_id in ids:
        if excess <= 0:
            break
        if release_id in protect:
            continue
        doomed.append(release_id)
        excess -= 1
    return doomed


class DeployLog:
    """Append-only JSON lines: every deploy and rollback, who, when, how long."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def append(self, action: str, **fields: object) -> dict[str, object]:
        entry: dict[str, object] = {
            "action": action,
            "at": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "by": os.environ.get("TERBIT_ACTOR") or _whoami(),
            **fields,
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n"
        # One write() of a short line in append mode: concurrent writers never interleave.
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(line)
        return entry

    def entries(self) -> list[dict[str, object]]:
        if not self.path.is_file():
            return []
        rows = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                continue  # a torn last line after a crash is not fatal
        return rows


def _whoami() -> str:
    try:
        user = os.environ.get("USER") or os.getlogin()
    except OSError:
        user = str(os.getuid())
    return f"{user}@{socket.gethostname()}"
