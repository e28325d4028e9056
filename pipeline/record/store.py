"""Commit the completion record to ``main`` as the pipeline's own identity, exactly once.

The record lands in ``records/<change>-<merge>/`` (a name derived from the merge, so a second
publication of the same merge finds it). The commit carries trailers that make the hook skip it,
and it is written with plumbing and a compare-and-swap on ``refs/heads/main`` (or a plain push
from a clone), retried when another publication moved ``main`` first, so no record is lost.
"""

from __future__ import annotations

import fcntl
import random
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import yaml

from pipeline.i18n import Catalog
from pipeline.record.model import record_id
from pipeline.vcs import GitError, Repo

RECORD_TRAILER = "Terbit-Record"
MERGE_TRAILER = "Terbit-Merge"
SKIP_TRAILER = "Terbit-Skip-Publish"
BRANCH = "main"
RECORD_FILE = "record.yml"

MSG = Catalog(
    {
        "message": (
            "Catatan penyelesaian: {title} (#{change})",
            "Completion record: {title} (#{change})",
        ),
        "lost_race": (
            "catatan {id} tidak dapat ditulis ke main setelah {n} percobaan: {error}",
            "record {id} could not be written to main after {n} attempts: {error}",
        ),
    }
)


class RecordError(GitError):
    exit_code = 1


def commit_message(record: Mapping[str, Any]) -> str:
    """The record commit's message from the record's data; its trailers make the hook skip it
    and name the record and the merge it belongs to (``provenance`` checks both)."""
    title = MSG("message", title=record["judul"], change=record["change"]["id"])
    return (
        f"{title}\n\n{RECORD_TRAILER}: {record['id']}\n"
        f"{MERGE_TRAILER}: {record['merge_commit']}\n{SKIP_TRAILER}: true\n"
    )


def is_record_commit(repo: Repo, sha: str) -> bool:
    """Commits the pipeline made itself: the hook must not publish them again."""
    return bool(repo.trailer(sha, RECORD_TRAILER) or repo.trailer(sha, SKIP_TRAILER))


def existing_record(repo: Repo, rev: str, folder: str) -> dict[str, Any] | None:
    """The data of the record in ``folder`` on ``rev`` as written, unvalidated (None when
    there is none or it is not YAML): enough to tell whether that publication finished."""
    text = repo.show_file(rev, f"{folder}/{RECORD_FILE}")
    if text is None:
        return None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    return data if isinstance(data, dict) else None


def publication_outcome(
    repo: Repo, rev: str, records_path: str, change_id: str, merge_sha: str
) -> dict[str, object] | None:
    """The state of a merged change's publication as its record on ``rev`` states it
    (``status``: complete / incomplete / failed, ``reasons``); None before any record."""
    folder = f"{records_path.strip('/')}/{record_id(change_id, merge_sha)}"
    found = existing_record(repo, rev, folder)
    if found is None:
        return None
    reasons = found.get("reasons")
    return {
        "status": str(found.get("status")),
        "reasons": [str(r) for r in reasons] if isinstance(reasons, list) else [],
        "folder": folder,
    }


STATES = ("complete", "incomplete", "failed")


def outcome_for(forge: Any, change: Any) -> dict[str, object] | None:
    """A merged change's publication as its record on the forge's ``main`` states it; None
    before any record. A status Terbit never writes reads as incomplete, never as complete."""
    if not change.merge_sha:
        return None
    outcome = publication_outcome(
        forge.repo, forge.base_tip(), forge.settings.publish.records_path, change.id,
        change.merge_sha,
    )  # fmt: skip
    if outcome is not None and outcome["status"] not in STATES:
        outcome["status"] = "incomplete"
    return outcome


@contextmanager
def _lock(repo: Repo) -> Iterator[None]:
    """Serialise record writers on this machine; the ref update still guards other machines."""
    path = repo.git_dir / "terbit-record.lock"
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def commit_record(
    repo: Repo,
    folder: str,
    files: Mapping[str, bytes],
    message: str,
    *,
    name: str,
    email: str,
    remote: str | None = None,
    attempts: int = 8,
    signer: Callable[[str], str | None] | None = None,
) -> str | None:
    """Add ``files`` (names inside ``folder``) on top of ``main``; None when already there.

    A complete record already on ``main`` is never replaced (idempotent); an incomplete one is
    replaced by a newer publication of the same merge. ``signer`` names the SSH key file that
    signs a commit on top of a given tip (the embedded server's own key), None: unsigned.
    """
    paths = {f"{folder}/{name_}": data for name_, data in files.items()}
    error = ""
    with _lock(repo):
        for attempt in range(attempts):
            if remote:
                repo.fetch(remote, f"+refs/heads/{BRANCH}:refs/remotes/{remote}/{BRANCH}")
                base_ref = f"refs/remotes/{remote}/{BRANCH}"
            else:
                base_ref = f"refs/heads/{BRANCH}"
            tip = repo.rev_parse(base_ref)
            if tip is None:
                raise RecordError(MSG("lost_race", id=folder, n=attempt, error=base_ref))
            found = existing_record(repo, tip, folder)
            if found is not None and found.get("status") == "complete":
                return None
            tree = repo.tree_with_files(tip, paths)
            if tree == repo.tree_of(tip):
                return None
            key = signer(tip) if signer else None
            if key:
                commit = repo.commit_tree_signed(
                    tree, [tip], message, name=name, email=email, key=key
                )
            else:
                commit = repo.commit_tree(tree, [tip], message, name=name, email=email)
            if _publish_ref(repo, commit, tip, remote):
                return commit
            error = f"{BRANCH} moved"
            time.sleep(min(0.05 * 2**attempt, 1.0) * (0.5 + random.random()))
    raise RecordError(MSG("lost_race", id=folder, n=attempts, error=error))


def _publish_ref(repo: Repo, commit: str, tip: str, remote: str | None) -> bool:
    if remote:
        ok, _out = repo.push_result(remote, f"{commit}:refs/heads/{BRANCH}", atomic=False)
        if ok:
            repo.update_ref(f"refs/remotes/{remote}/{BRANCH}", commit)
        return ok
    try:
        repo.update_ref(f"refs/heads/{BRANCH}", commit, tip)  # compare-and-swap
    except GitError:
        return False
    if not repo.bare and repo.current_branch() == BRANCH:
        repo.advance_checkout(tip, commit)
    return True
