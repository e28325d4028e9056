"""Reading and appending a change's metadata chain (one commit per event, linear, append-only)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pipeline.forge.local.store.events import (
    ATTACH_DIR,
    EVENT_FILE,
    SIG_FILE,
    Event,
    EventError,
    iso,
    parse_event,
)
from pipeline.i18n import Catalog
from pipeline.vcs import Repo

MSG = Catalog(
    {
        "no_event": ("commit {sha} tidak memuat event.json", "commit {sha} has no event.json"),
        "extra": (
            "commit {sha} memuat berkas '{name}' yang tidak dikenal",
            "commit {sha} holds an unknown file '{name}'",
        ),
    }
)


@dataclass(frozen=True)
class Stored:
    """One meta commit as found in the repository."""

    sha: str
    parents: tuple[str, ...]
    raw: bytes
    signature: bytes | None
    event: Event | None
    error: str | None = None
    attachments: dict[str, str] = field(default_factory=dict)  # name -> blob sha


def read_commit(repo: Repo, sha: str, parents: tuple[str, ...]) -> Stored:
    entries = {name: (kind, blob) for _mode, kind, blob, name in repo.ls_tree(sha)}
    raw, signature, attachments, error = b"", None, {}, None
    for name, (kind, blob) in entries.items():
        if name == EVENT_FILE and kind == "blob":
            raw = repo.run("cat-file", "blob", blob, strip=False).encode()
        elif name == SIG_FILE and kind == "blob":
            signature = repo.run("cat-file", "blob", blob, strip=False).encode()
        elif name == ATTACH_DIR and kind == "tree":
            attachments = {n: b for _m, _k, b, n in repo.ls_tree(blob)}
        else:
            error = MSG("extra", sha=sha[:10], name=name)
    event = None
    if not raw:
        error = error or MSG("no_event", sha=sha[:10])
    else:
        try:
            event = parse_event(raw)
        except EventError as bad:
            error = error or str(bad)
    return Stored(sha, parents, raw, signature, event, error, attachments)


def next_time(repo: Repo, tip: str | None, wanted: datetime) -> datetime:
    """``wanted``, but never earlier than the record at ``tip``: the server refuses a chain
    going back in time, and a clock a little behind another person's must not block anyone."""
    last = read_commit(repo, tip, ()).event if tip else None
    return max(wanted, last.at) if last else wanted


def walk(repo: Repo, tip: str, stop: str | None = None) -> list[Stored]:
    """Commits of the chain ending at ``tip`` (after ``stop`` when given), oldest first."""
    rev = f"{stop}..{tip}" if stop else tip
    out = repo.run("rev-list", "--reverse", "--topo-order", "--parents", rev)
    stored = []
    for line in out.splitlines():
        sha, *parents = line.split()
        stored.append(read_commit(repo, sha, tuple(parents)))
    return stored


def append(
    repo: Repo,
    event: Event,
    *,
    signature: bytes | None,
    name: str,
    email: str,
    attachments: list[Path] | None = None,
    named: Mapping[str, bytes] | None = None,
) -> str:
    """Write ``event`` as a new meta commit on top of ``event.prev``; return its id. Files go
    beside it: ``attachments`` under their own names, ``named`` under the names given."""
    entries = [("100644", repo.hash_blob(event.to_bytes()), EVENT_FILE)]
    if signature:
        entries.append(("100644", repo.hash_blob(signature), SIG_FILE))
    files = [("100644", repo.hash_blob(p.read_bytes()), p.name) for p in attachments or []]
    files += [("100644", repo.hash_blob(data), name) for name, data in (named or {}).items()]
    if files:
        entries.append(("040000", repo.mktree(files), ATTACH_DIR))
    tree = repo.mktree(entries)
    stamp = f"{int(event.at.timestamp())} +0000"
    summary = f"terbit {event.type} #{event.change} oleh {event.by} {iso(event.at)}"
    return repo.commit_tree_signed(
        tree,
        [event.prev] if event.prev else [],
        summary + "\n",
        name=name,
        email=email,
        key=None,
        env={"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp},
    )
