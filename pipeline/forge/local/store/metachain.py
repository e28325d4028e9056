"""Reading and appending a change's metadata chain (one commit per event, linear, append-only)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Mapping
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
from pipeline.vcs import GitError, Repo

MSG = Catalog(
    {
        "no_event": ("commit {sha} tidak memuat event.json", "commit {sha} has no event.json"),
        "extra": (
            "commit {sha} memuat berkas '{name}' yang tidak dikenal",
            "commit {sha} holds an unknown file '{name}'",
        ),
        "missing": ("objek Git {name} tidak ada", "Git object {name} is missing"),
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
    return _read(repo, [(sha, parents)])[0]


def _read(repo: Repo, commits: list[tuple[str, tuple[str, ...]]]) -> list[Stored]:
    """The records of ``commits`` from two ``git cat-file --batch`` (their trees, then the
    files a record holds), however many there are; GitError when an object is missing."""
    keyed = [(sha, parents, f"{sha}^{{tree}}") for sha, parents in commits]
    objects = repo.blobs(tree for _s, _p, tree in keyed)
    objects.update(repo.blobs(_wanted(_found(objects, tree) for _s, _p, tree in keyed)))
    return _records(keyed, objects)


def _wanted(trees: Iterable[bytes]) -> list[str]:
    """The objects a record's tree names that reading it needs (not an unknown file's)."""
    needed = ((EVENT_FILE, "blob"), (SIG_FILE, "blob"), (ATTACH_DIR, "tree"))
    return [b for tree in trees for _m, k, b, n in _tree_rows(tree) if (n, k) in needed]


def _records(
    commits: list[tuple[str, tuple[str, ...], str]], objects: dict[str, bytes]
) -> list[Stored]:
    """``Stored`` of each ``(sha, parents, tree)`` from objects already read."""

    def blob(sha: str) -> bytes:
        # As ``git cat-file blob`` read as text gave it (the bytes a signature covers).
        return _found(objects, sha).decode("utf-8", "replace").encode()

    def tree(sha: str) -> dict[str, str]:
        try:
            return {n: b for _m, _k, b, n in _tree_rows(_found(objects, sha))}
        except ValueError:  # named as a folder, but not a tree
            raise GitError(MSG("missing", name=sha)) from None

    return [
        _stored(sha, parents,
                {n: (k, b) for _m, k, b, n in _tree_rows(_found(objects, root))}, blob, tree)
        for sha, parents, root in commits
    ]  # fmt: skip


def _found(objects: dict[str, bytes], name: str) -> bytes:
    if name not in objects:
        raise GitError(MSG("missing", name=name))
    return objects[name]


def _stored(
    sha: str,
    parents: tuple[str, ...],
    entries: dict[str, tuple[str, str]],
    blob: Callable[[str], bytes],
    tree: Callable[[str], dict[str, str]],
) -> Stored:
    raw, signature, attachments, error = b"", None, {}, None
    for name, (kind, found) in entries.items():
        if name == EVENT_FILE and kind == "blob":
            raw = blob(found)
        elif name == SIG_FILE and kind == "blob":
            signature = blob(found)
        elif name == ATTACH_DIR and kind == "tree":
            attachments = tree(found)
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
    """Commits of the chain ending at ``tip`` (after ``stop`` when given), oldest first: one
    ``git rev-list`` and two ``git cat-file --batch``, however long the chain."""
    rev = f"{stop}..{tip}" if stop else tip
    out = repo.run("rev-list", "--reverse", "--topo-order", "--parents", rev)
    commits = [(sha, tuple(parents)) for sha, *parents in map(str.split, out.splitlines())]
    return _read(repo, commits) if commits else []


def walk_many(repo: Repo, tips: Iterable[str]) -> dict[str, list[Stored]]:
    """``walk`` of many chains with one ``git cat-file --batch`` per round (each round reads
    one more commit of every chain, then their trees, then their files), instead of three
    processes per commit. A chain that is not a simple line is read by ``walk``; one whose
    objects are missing is left out (``walk`` of that chain says what is wrong)."""
    objects: dict[str, bytes] = {}

    def read(shas: Iterable[str]) -> None:
        wanted = [s for s in dict.fromkeys(shas) if s not in objects]
        objects.update(repo.blobs(wanted))

    lines: dict[str, list[tuple[str, tuple[str, ...], str]]] = {t: [] for t in dict.fromkeys(tips)}
    odd: set[str] = set()
    ends = {tip: tip for tip in lines}  # tip -> the next commit to read of its chain
    while ends:
        read(ends.values())
        following = {}
        for tip, sha in ends.items():
            commit = _commit_fields(objects.get(sha))
            if commit is None or len(commit[1]) > 1:
                odd.add(tip)
                continue
            lines[tip].append((sha, commit[1], commit[0]))
            if commit[1]:
                following[tip] = commit[1][0]
        ends = following
    trees = {t for tip in lines if tip not in odd for _s, _p, t in lines[tip]}
    read(trees)
    read(_wanted(objects[t] for t in trees if t in objects))
    found: dict[str, list[Stored]] = {}
    for tip, commits in lines.items():
        if tip in odd or any(t not in objects for _s, _p, t in commits):
            with contextlib.suppress(GitError):  # left out: the reader of that chain says why
                found[tip] = walk(repo, tip)
            continue
        with contextlib.suppress(GitError):  # a file of the chain is missing: left out too
            found[tip] = _records(list(reversed(commits)), objects)
    return found


def _commit_fields(data: bytes | None) -> tuple[str, tuple[str, ...]] | None:
    """``(tree, parents)`` of a raw commit object (None: not one)."""
    if data is None:
        return None
    tree, parents = "", []
    for line in data.split(b"\n"):
        if not line:
            break
        name, _, value = line.partition(b" ")
        if name == b"tree":
            tree = value.decode("ascii", "replace")
        elif name == b"parent":
            parents.append(value.decode("ascii", "replace"))
    return (tree, tuple(parents)) if tree else None


def _tree_rows(data: bytes) -> list[tuple[str, str, str, str]]:
    """``(mode, type, sha, name)`` of a raw tree object, as ``Repo.ls_tree`` gives them."""
    rows, pos = [], 0
    while pos < len(data):
        space = data.index(b" ", pos)
        zero = data.index(b"\0", space)
        mode = data[pos:space].decode("ascii")
        kind = "tree" if mode == "40000" else "commit" if mode == "160000" else "blob"
        rows.append((mode.zfill(6), kind, data[zero + 1 : zero + 21].hex(),
                     data[space + 1 : zero].decode("utf-8", "replace")))  # fmt: skip
        pos = zero + 21
    return rows


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
