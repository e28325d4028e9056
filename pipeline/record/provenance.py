"""Where a completion record came from: only the publication's own commit on ``main`` counts.

A digest proves the bytes agree with themselves, not who wrote them: a change could rewrite a
record (or add one) and recompute the digest. The publication commits each record as a plain,
one-parent commit on ``main`` carrying ``Terbit-Record: <id>`` and ``Terbit-Merge: <merge>``;
``main`` itself only moves by merges of changes (the server refuses everything else, and refuses
changes touching the records folder). So every first-parent commit that touched a record's folder
must be such a commit for that very record, and the files read now must be the bytes of the
newest one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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
    newest = touching[0][0]
    if out:
        return out
    for _mode, kind, blob, name in repo.ls_tree(newest, f"{folder}/"):
        if kind == "blob" and read(f"{folder}/{name}") != repo.blob(blob):
            out.append((f"{folder}/{name}", MSG("differs", file=name, sha=newest[:10])))
    return out
