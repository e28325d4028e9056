"""Where a completion record came from: only the publication's own commit on ``main`` counts.

A digest proves the bytes agree with themselves, not who wrote them: a change could rewrite a
record (or add one) and recompute the digest. The publication commits each record as a plain,
one-parent commit on ``main`` carrying ``Terbit-Record: <id>`` and ``Terbit-Merge: <merge>``;
``main`` itself only moves by merges of changes (the server refuses everything else, and refuses
changes touching the records folder). So every first-parent commit that touched a record's folder
must be such a commit for that very record, and the files read now must be the bytes of the
newest one.

On the embedded forge each such commit must also carry a valid SSH signature by the server's own
key, as named by ``forge.server_key`` in ``terbit.yml`` at the commit's parent (a file only a
head-approved change can alter): the shape alone can be imitated by anyone who can push. On
GitHub the publish workflow commits the records and the branch rules guard ``main`` instead.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import sshsig

from pipeline.config.settings import SETTINGS_FILE, Settings, parse_settings
from pipeline.errors import TerbitError
from pipeline.i18n import Catalog
from pipeline.record.store import MERGE_TRAILER, RECORD_TRAILER
from pipeline.vcs import GITLINK_MODE, Repo, Touch, TreeEntry

MSG = Catalog(
    {
        "foreign": (
            "catatan ini diubah oleh commit {sha} yang bukan commit publikasi untuk catatan "
            "ini; catatan penyelesaian hanya ditulis oleh publikasi itu sendiri",
            "this record was changed by commit {sha}, which is not the publication's commit for "
            "it; completion records are written only by the publication itself",
        ),
        "uncommitted": (
            "catatan ini tidak pernah di-commit oleh publikasi ke main",
            "this record was never committed to main by the publication",
        ),
        "unsigned": (
            "commit catatan {sha} tidak ditandatangani kunci server; catatan penyelesaian hanya "
            "ditulis oleh publikasi dengan commit yang ditandatangani server",
            "record commit {sha} is not signed by the server key; completion records are written "
            "only by the publication in a commit the server signed",
        ),
        "wrong_key": (
            "commit catatan {sha} ditandatangani kunci lain, bukan kunci server "
            "(forge.server_key di terbit.yml pada commit {parent})",
            "record commit {sha} is signed by another key, not the server key "
            "(forge.server_key in terbit.yml at commit {parent})",
        ),
        "no_server_key": (
            "terbit.yml pada commit {parent} tidak menyebut kunci server (forge.server_key); "
            "tanda tangan commit catatan {sha} tidak dapat diperiksa",
            "terbit.yml at commit {parent} names no server key (forge.server_key); the "
            "signature of record commit {sha} cannot be checked",
        ),
        "bad_settings": (
            "terbit.yml pada commit {parent} tidak dapat dibaca: {error}",
            "terbit.yml at commit {parent} cannot be read: {error}",
        ),
        "differs": (
            "berkas {file} berbeda dari yang ditulis publikasi (commit {sha})",
            "file {file} differs from what the publication wrote (commit {sha})",
        ),
    }
)


class Provenance:
    """The git facts the checks need, asked once for all records: one ``git log`` for the
    commits touching every record folder, ``terbit.yml`` parsed once per distinct blob, and
    the signatures of all record commits in one ``git log``: asked per record, these questions
    would cost half a minute for a year of records."""

    def __init__(self, repo: Repo, main: str | None, folders: list[str]):
        self.repo = repo
        self.touching: dict[str, list[Touch]] = {}
        roots = sorted({f.rsplit("/", 1)[0] for f in folders if "/" in f})
        for root in roots if main else []:
            history = repo.first_parent_history(main or "", root, (RECORD_TRAILER, MERGE_TRAILER))
            self.touching.update(history)
        self._keys: dict[str, str | None] = {}  # record commit -> key its parent names
        self._key_problems: dict[str, str | None] = {}  # parent -> why no key can be checked
        self._signed: dict[str, tuple[bool, bool]] = {}  # commit -> (good, signed at all)
        self._tree: dict[str, TreeEntry] = {}
        if main and roots:
            self._tree = repo.tree_entries(main, *roots)

    def _settings(self, parents: list[str]) -> dict[str, Settings | TerbitError]:
        """``settings_at`` for each parent, parsed once per distinct ``terbit.yml`` blob."""
        ids = self.repo.blob_ids(f"{p}:{SETTINGS_FILE}" for p in parents)
        texts = self.repo.blobs(i for i in ids.values() if i)
        parsed: dict[str | None, Settings | TerbitError] = {None: Settings()}
        for blob, data in texts.items():
            text = data.decode("utf-8", "replace")
            try:
                parsed[blob] = parse_settings(text, SETTINGS_FILE) if text else Settings()
            except TerbitError as error:
                parsed[blob] = error
        return {p: parsed[ids.get(f"{p}:{SETTINGS_FILE}")] for p in parents}

    def verify_signatures(self, commits: list[Touch]) -> None:
        """Check the signatures of ``commits`` (record commits with one parent) in one go: the
        objects from one ``git cat-file --batch``, each SSH signature verified in-process (a
        process per commit would cost more than everything else) against the key named at
        ITS parent, so a key named at another time does not count."""
        commits = [c for c in commits if c.sha not in self._keys]
        settings = self._settings(sorted({c.parents[0] for c in commits}))
        for commit in commits:
            parent = commit.parents[0]
            where = {"sha": commit.sha[:10], "parent": parent[:10]}
            found = settings[parent]
            self._keys[commit.sha] = None
            if isinstance(found, TerbitError):
                problem = MSG("bad_settings", parent=parent[:10], error=str(found))
            elif found.forge.kind != "local":
                problem = None  # GitHub: the publish workflow's commit, guarded by branch rules
            elif not found.forge.server_key:
                problem = MSG("no_server_key", **where)
            else:
                self._keys[commit.sha] = found.forge.server_key
                problem = None
            self._key_problems[commit.sha] = problem
        wanted = [sha for sha in self._keys if self._keys[sha] and sha not in self._signed]
        for sha, (payload, armored) in self.repo.commit_signatures(wanted).items():
            good = armored is not None and _ssh_signed(payload, armored, self._keys[sha] or "")
            self._signed[sha] = (good, armored is not None)

    def signature_problem(self, commit: Touch) -> str | None:
        """Why the record commit is not signed by the server key its parent names, if so."""
        self.verify_signatures([commit])
        if self._key_problems[commit.sha] or not self._keys[commit.sha]:
            return self._key_problems[commit.sha]
        good, signed = self._signed.get(commit.sha, (False, False))
        if good:
            return None
        where = {"sha": commit.sha[:10], "parent": commit.parents[0][:10]}
        return MSG("wrong_key" if signed else "unsigned", **where)

    def files(self, folder: str) -> list[TreeEntry]:
        """The files directly in ``folder`` on main: the bytes of its newest touching commit,
        as no later first-parent commit changed the folder."""
        prefix = f"{folder}/"
        return [
            e
            for path, e in self._tree.items()
            if path.startswith(prefix) and "/" not in path[len(prefix) :]
            and e.mode != GITLINK_MODE
        ]  # fmt: skip


def _ssh_signed(payload: bytes, armored: bytes, public: str) -> bool:
    """Whether ``armored`` is a good SSH signature (namespace ``git``) of ``payload`` by the
    key ``public``: what ``git verify-commit`` asks ``ssh-keygen -Y verify``."""
    if b"BEGIN SSH SIGNATURE" not in armored:
        return False  # a GPG or X.509 signature is not the server's SSH key
    try:
        key = sshsig.PublicKey.from_openssh_str(" ".join(public.split()[:2]))
        sshsig.verify(payload, armored, [key], namespace="git")
    except (sshsig.InvalidSignature, NotImplementedError, ValueError, IndexError, EOFError):
        # A malformed signature is a bad signature, never a traceback.
        return False
    return True


def _object_id(data: bytes | None, like: str) -> str | None:
    """Git's blob id of ``data`` (SHA-1, or SHA-256 when ``like`` is one): comparing ids
    compares the bytes without asking git for each blob."""
    if data is None:
        return None
    algorithm = hashlib.sha256 if len(like) == 64 else hashlib.sha1
    return algorithm(b"blob %d\0" % len(data) + data).hexdigest()


def _by_publication(touch: Touch, record: dict[str, Any]) -> bool:
    return (
        len(touch.parents) == 1
        and touch.trailers.get(RECORD_TRAILER) == str(record.get("id"))
        and touch.trailers.get(MERGE_TRAILER) == str(record.get("merge_commit"))
    )


def provenance_problems(
    facts: Provenance,
    folder: str,
    record: dict[str, Any],
    read: Callable[[str], bytes | None],
) -> list[tuple[str, str]]:
    """``(path, message)`` for each way the record at ``folder`` is not the publication's."""
    yaml_path = f"{folder}/record.yml"
    touching = facts.touching.get(folder, [])
    if not touching:
        return [(yaml_path, MSG("uncommitted"))]
    out = [
        (yaml_path, MSG("foreign", sha=touch.sha[:10]))
        for touch in touching
        if not _by_publication(touch, record)
    ]
    if out:
        return out
    for touch in touching:
        problem = facts.signature_problem(touch)
        if problem:
            out.append((yaml_path, problem))
    if out:
        return out
    newest = touching[0].sha
    for entry in facts.files(folder):
        name = entry.path[len(folder) + 1 :]
        if _object_id(read(f"{folder}/{name}"), entry.sha) != entry.sha:
            out.append((f"{folder}/{name}", MSG("differs", file=name, sha=newest[:10])))
    return out
