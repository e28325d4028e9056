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

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipeline.errors import TerbitError
from pipeline.i18n import Catalog
from pipeline.record.store import MERGE_TRAILER, RECORD_TRAILER
from pipeline.vcs import Repo

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


def _by_publication(repo: Repo, sha: str, parents: list[str], record: dict[str, Any]) -> bool:
    return (
        len(parents) == 1
        and repo.trailer(sha, RECORD_TRAILER) == str(record.get("id"))
        and repo.trailer(sha, MERGE_TRAILER) == str(record.get("merge_commit"))
    )


def _signature_problem(repo: Repo, sha: str, parent: str) -> str | None:
    """Why the record commit ``sha`` is not signed by the server key its parent names, if so."""
    from pipeline.forge.local.server_key import PRINCIPAL, allowed_signers_line, settings_at

    where = {"sha": sha[:10], "parent": parent[:10]}
    try:
        forge = settings_at(repo, parent).forge
    except TerbitError as error:
        return MSG("bad_settings", parent=parent[:10], error=str(error))
    if forge.kind != "local":
        return None  # GitHub: the publish workflow's commit, guarded by the branch rules
    if not forge.server_key:
        return MSG("no_server_key", **where)
    with tempfile.TemporaryDirectory(prefix="terbit-verify-") as folder:
        allowed = Path(folder) / "allowed_signers"
        allowed.write_text(allowed_signers_line(forge.server_key))
        if repo.commit_signer(sha, allowed) == PRINCIPAL:
            return None
    return MSG("wrong_key" if repo.is_signed(sha) else "unsigned", **where)


def provenance_problems(
    repo: Repo,
    main: str | None,
    folder: str,
    record: dict[str, Any],
    read: Callable[[str], bytes | None],
) -> list[tuple[str, str]]:
    """``(path, message)`` for each way the record at ``folder`` is not the publication's."""
    yaml_path = f"{folder}/record.yml"
    touching = repo.first_parent_touching(main, folder) if main else []
    if not touching:
        return [(yaml_path, MSG("uncommitted"))]
    out = [
        (yaml_path, MSG("foreign", sha=sha[:10]))
        for sha, parents in touching
        if not _by_publication(repo, sha, parents, record)
    ]
    if out:
        return out
    for sha, parents in touching:
        problem = _signature_problem(repo, sha, parents[0])
        if problem:
            out.append((yaml_path, problem))
    if out:
        return out
    newest = touching[0][0]
    for _mode, kind, blob, name in repo.ls_tree(newest, f"{folder}/"):
        if kind == "blob" and read(f"{folder}/{name}") != repo.blob(blob):
            out.append((f"{folder}/{name}", MSG("differs", file=name, sha=newest[:10])))
    return out
