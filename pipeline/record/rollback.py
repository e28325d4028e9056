"""The record of a rollback: who switched the live site back, when, from which release to which.

``terbit rollback`` commits ``records/rollback/<id>/rollback.yml`` on ``main`` like a completion
record: one-parent commit, ``Terbit-Record: <id>`` and the skip trailer, signed by the embedded
server's own key. ``terbit verify`` checks it the same way (its digest, the commit that wrote it,
that commit's signature by the key ``terbit.yml`` named at its parent) and the compliance report
counts the rollbacks of its period from these files (issue 14: "rolled back").
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

import yaml
from pydantic import Field, ValidationError

from pipeline.errors import Problem
from pipeline.i18n import Catalog
from pipeline.record.model import DIGEST_RE, UNSEALED, Part, Timestamp, digest
from pipeline.record.provenance import Provenance
from pipeline.record.store import RECORD_TRAILER, SKIP_TRAILER, commit_record
from pipeline.record.verify import digest_matches, record_reader
from pipeline.vcs import Repo

FORMAT = "terbit-rollback/1"
FOLDER = "rollback"  # under the records folder
FILE = "rollback.yml"
HEADER = "# Catatan pengembalian situs (rollback). Dibuat oleh Terbit; jangan diubah.\n"

MSG = Catalog(
    {
        "message": (
            "Catatan rollback: situs kembali ke {to} (dari {frm})",
            "Rollback record: the site is back on {to} (from {frm})",
        ),
        "shape": ("catatan rollback tidak sah: {error}", "invalid rollback record: {error}"),
        "digest": (
            "isi catatan rollback diubah setelah dibuat (digest tidak cocok)",
            "the rollback record was changed after it was written (digest mismatch)",
        ),
        "uncommitted": (
            "catatan rollback ini tidak pernah di-commit ke main oleh terbit rollback",
            "this rollback record was never committed to main by terbit rollback",
        ),
        "foreign": (
            "catatan rollback ini diubah oleh commit {sha} yang bukan commit terbit rollback "
            "untuknya",
            "this rollback record was changed by commit {sha}, which is not terbit rollback's "
            "commit for it",
        ),
    }
)


class Rollback(Part):
    """``rollback.yml``: one switch of the live site back to an earlier release."""

    format: Literal["terbit-rollback/1"]
    id: str
    oleh: str  # who ran it: a person id of roles.yml, else the account name
    nama: str  # their name (roles.yml), else the same as ``oleh``
    waktu: Timestamp
    target: str  # the deploy target (local, rsync, github-pages)
    dari: str | None  # the release that was live
    ke: str  # the release now live
    alasan: str = ""
    digest: str = Field(pattern=DIGEST_RE)

    def data(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def make(
    *, by: str, name: str, at: datetime, target: str, from_release: str | None, to_release: str,
    reason: str = "",
) -> Rollback:  # fmt: skip
    rid = f"{at.strftime('%Y%m%dT%H%M%S')}-{to_release}"
    draft = Rollback(format=FORMAT, id=rid, oleh=by, nama=name, waktu=at, target=target,
                     dari=from_release, ke=to_release, alasan=reason, digest=UNSEALED)  # fmt: skip
    return draft.model_copy(update={"digest": digest(draft.data())})


def commit(
    repo: Repo,
    records_path: str,
    rollback: Rollback,
    *,
    name: str,
    email: str,
    signer: Callable[[str], str | None] | None = None,
    remote: str | None = None,
) -> str | None:
    """Commit ``rollback.yml`` on ``main`` (signed with the key ``signer`` names)."""
    folder = f"{records_path.strip('/')}/{FOLDER}/{rollback.id}"
    text = HEADER + yaml.safe_dump(rollback.data(), sort_keys=False, allow_unicode=True)
    message = (
        f"{MSG('message', to=rollback.ke, frm=rollback.dari or '-')}\n\n"
        f"{RECORD_TRAILER}: {rollback.id}\n{SKIP_TRAILER}: true\n"
    )
    return commit_record(repo, folder, {FILE: text.encode("utf-8")}, message, name=name,
                         email=email, remote=remote, signer=signer)  # fmt: skip


def load(repo: Repo, records_path: str) -> list[tuple[str, dict[str, Any]]]:
    """Every rollback record as ``(path, data)`` (data as written, unvalidated)."""
    folders, read = record_reader(repo, f"{records_path.strip('/')}/{FOLDER}", FILE)
    out = []
    for folder in folders:
        raw = read(f"{folder}/{FILE}")
        try:
            data = yaml.safe_load(raw.decode("utf-8")) if raw else None
        except (yaml.YAMLError, UnicodeDecodeError):
            data = None
        out.append((f"{folder}/{FILE}", data if isinstance(data, dict) else {}))
    return out


def within(items: list[tuple[str, dict[str, Any]]], tz: ZoneInfo, keep: Callable[[date], bool]) -> (
    list[tuple[str, dict[str, Any]]]
):  # fmt: skip
    """The rollbacks done on an office-local day ``keep`` accepts."""
    out = []
    for path, data in items:
        try:
            day = datetime.fromisoformat(str(data.get("waktu"))).astimezone(tz).date()
        except ValueError:
            continue
        if keep(day):
            out.append((path, data))
    return out


def verify(repo: Repo, items: list[tuple[str, dict[str, Any]]]) -> list[Problem]:
    """Each rollback record: its shape and digest, and that only ``terbit rollback``'s own
    commit wrote it, signed by the server key (``provenance`` as for completion records)."""
    main = repo.rev_parse("refs/heads/main") or repo.head()
    facts = Provenance(repo, main, [path.rsplit("/", 1)[0] for path, _ in items])
    problems: list[Problem] = []
    for path, data in items:
        try:
            Rollback.model_validate(data)
        except ValidationError as error:
            problems.append(Problem(path, None, MSG("shape", error=str(error).splitlines()[0])))
            continue
        if not digest_matches(data):
            problems.append(Problem(path, None, MSG("digest")))
        touching = facts.touching.get(path.rsplit("/", 1)[0], [])
        if not touching:
            problems.append(Problem(path, None, MSG("uncommitted")))
        for touch in touching:
            if len(touch.parents) != 1 or touch.trailers.get(RECORD_TRAILER) != data.get("id"):
                problems.append(Problem(path, None, MSG("foreign", sha=touch.sha[:10])))
            elif problem := facts.signature_problem(touch):
                problems.append(Problem(path, None, problem))
    return problems
