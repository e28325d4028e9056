"""The other drafts' facts a change's draft check needs, kept by blob id between checks.

A change touches a few files; the checks compare them with every other draft of the site (its
slug, the pages it generates). The same bytes always give the same facts, so they are kept in
the repository's own state folder (``<git dir>/terbit/``: the server's, or a clone's ``.git``),
never in a tree a change can write. The file is SQLite holding JSON values (nothing a reader
executes); a value of the wrong shape, a damaged file or a version that is not this one's means
the whole file is dropped and every fact read again from the blobs, with the same result.

A long-running process (the web app, the server's check process) also keeps the facts it read
or wrote in memory while the file stays as it left it (same size, time and inode): the next
check reads from the file only the blobs it has not seen, not all of them again.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from contextlib import closing
from pathlib import Path

from pipeline.draft.checks.index import FACTS_VERSION, DraftFacts, facts_of
from pipeline.draft.checks.slugs import SlugFacts
from pipeline.vcs import Repo

CACHE_FILE = Path("terbit") / "draft-facts.sqlite3"
PRUNE_SLACK = 1000
_NONE = "null"  # a blob that is no readable draft: kept too, so it is not read again
BATCH = 500  # blob ids per query (SQLite's limit on a statement's parameters is far above)

Facts = dict[str, "DraftFacts | None"]
# Per cache file: its identity when this process last read or wrote it, and the facts known.
_KNOWN: dict[Path, tuple[tuple[int, ...] | None, Facts]] = {}


class Damaged(Exception):
    """The cache file cannot be trusted as it is."""


def cache_path(repo: Repo) -> Path:
    return repo.git_dir / CACHE_FILE


def draft_facts(repo: Repo, drafts: Mapping[str, str]) -> dict[str, DraftFacts]:
    """The facts of ``drafts`` (path -> blob id) that are readable drafts, by path: known ones
    from memory or the cache, the others read from their blobs (one batched read) and kept."""
    path = cache_path(repo)
    wanted = set(drafts.values())
    known = _known(path)
    unseen = wanted - known.keys()
    if unseen:
        try:
            loaded, kept = _load(path, unseen)
        except Damaged:
            path.unlink(missing_ok=True)
            known.clear()
            unseen, loaded, kept = wanted, {}, 0
        known.update(loaded)
        missing = unseen - loaded.keys()
        if missing:
            blobs = repo.blobs(missing)
            by_blob = {sha: rel for rel, sha in drafts.items()}
            new = {sha: facts_of(blobs.get(sha, b""), by_blob[sha]) for sha in missing}
            known.update(new)
            # Blobs no tree needs any more pile up with every edit: past twice what this tree
            # needs, only this tree's are kept.
            if kept > 2 * len(wanted) + PRUNE_SLACK:
                _store(path, {sha: known[sha] for sha in wanted}, anew=True)
            else:
                _store(path, new)
        if len(known) > 2 * len(wanted) + PRUNE_SLACK:  # memory, likewise
            known = {sha: known[sha] for sha in wanted}
        _KNOWN[path] = (_identity(path), known)
    return {rel: found for rel, sha in drafts.items() if (found := known.get(sha)) is not None}


def _identity(path: Path) -> tuple[int, ...] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)


def _known(path: Path) -> Facts:
    """The facts this process keeps for the cache ``path``; none when the file changed since
    (written by another process, damaged, removed): it is read again."""
    identity, known = _KNOWN.get(path, (None, {}))
    if identity is None or identity != _identity(path):
        return {}
    return known


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=10)
    connection.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
    connection.execute("CREATE TABLE IF NOT EXISTS facts (blob TEXT PRIMARY KEY, value TEXT)")
    return connection


def _load(path: Path, wanted: set[str]) -> tuple[Facts, int]:
    """The kept facts of ``wanted`` and how many facts the file keeps in all."""
    if not path.is_file():
        return {}, 0
    rows: list[tuple[str, object]] = []
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)) as db:
            version = db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
            if version != (FACTS_VERSION,):
                raise Damaged
            asked = sorted(wanted)
            for start in range(0, len(asked), BATCH):
                batch = asked[start : start + BATCH]
                marks = ",".join("?" * len(batch))
                # Only the "?" marks are formatted in: the ids are parameters.
                query = f"SELECT blob, value FROM facts WHERE blob IN ({marks})"
                rows += db.execute(query, batch).fetchall()
            (count,) = db.execute("SELECT COUNT(*) FROM facts").fetchone()
    except sqlite3.OperationalError as error:
        if "locked" in str(error):  # another check writing for longer than the timeout
            return {}, 0
        raise Damaged from None
    except sqlite3.Error:
        raise Damaged from None
    return {blob: _decoded(value) for blob, value in rows}, int(count)


def _decoded(value: object) -> DraftFacts | None:
    if value == _NONE:
        return None
    try:
        found = json.loads(value) if isinstance(value, str) else None
    except ValueError:
        raise Damaged from None
    if not isinstance(found, list) or len(found) != 4:
        raise Damaged
    slug, lang, line, terms = found
    sound = (
        (slug is None or isinstance(slug, str))
        and isinstance(lang, str)
        and (line is None or (isinstance(line, int) and not isinstance(line, bool)))
        and isinstance(terms, list)
        and all(isinstance(t, str) for t in terms)
    )
    if not sound:
        raise Damaged
    return DraftFacts(SlugFacts(slug, lang, line), frozenset(terms))


def _encoded(facts: DraftFacts | None) -> str:
    if facts is None:
        return _NONE
    slug = facts.slug
    return json.dumps([slug.slug, slug.lang, slug.line, sorted(facts.terms)])


def _store(path: Path, facts: Mapping[str, DraftFacts | None], *, anew: bool = False) -> None:
    """Keep ``facts`` (``anew``: and only them); a cache that cannot be written (a read-only
    repository, a lock held too long) only means the facts are read again next time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with closing(_connect(path)) as db, db:
            if anew:
                db.execute("DELETE FROM facts")
            db.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('version', ?)", (FACTS_VERSION,)
            )
            db.executemany(
                "INSERT OR REPLACE INTO facts (blob, value) VALUES (?, ?)",
                [(sha, _encoded(found)) for sha, found in facts.items()],
            )
    except (OSError, sqlite3.Error):
        pass
