"""`terbit verify` trusts a record only as the publication wrote it (its own commit on main).

A change that rewrote a record, or slipped in a record of its own, with a recomputed digest
verified until now (issue 11): the digest proves nothing about who wrote the bytes.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from test_record_store import sample

from pipeline.record.model import digest, dump, record_id
from pipeline.record.store import commit_message, commit_record
from pipeline.record.verify import verify_records
from pipeline.vcs import Repo


def _git(path: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(path), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


def _published(make_repo) -> tuple[Path, Repo, dict, str]:  # type: ignore[no-untyped-def]
    """A site whose main holds one merge and the record the publication committed for it."""
    path = make_repo("site")
    (path / "a.txt").write_text("a")
    _git(path, "add", "a.txt")
    _git(path, "commit", "-qm", "awal")
    repo = Repo(path)
    # Each step its own copy of the person (a shared dict would be dumped as a YAML alias).
    record = json.loads(json.dumps(sample(merge=repo.rev_parse("HEAD") or "")))
    record["digest"] = digest(record)
    folder = f"records/{record['id']}"
    commit_record(
        repo, folder, {"record.yml": dump(record).encode(), "record.md": b"# Lembar\n"},
        commit_message(record), name="Terbit", email="terbit@localhost",
    )  # fmt: skip
    assert verify_records(repo).problems == []
    return path, repo, record, folder


def _merge_branch(path: Path, files: dict[str, str]) -> str:
    """What a merged change does: a branch with ``files`` merged into main (no fast-forward)."""
    _git(path, "switch", "-q", "-c", "draft/catatan")
    for rel, text in files.items():
        (path / rel).parent.mkdir(parents=True, exist_ok=True)
        (path / rel).write_text(text)
    _git(path, "add", "--all")
    _git(path, "commit", "-qm", "Perbaiki catatan")
    _git(path, "switch", "-q", "main")
    _git(path, "merge", "-q", "--no-ff", "-m", "Gabung", "draft/catatan")
    return _git(path, "rev-parse", "HEAD")


def test_a_record_rewritten_by_a_merged_change_fails_verify(make_repo) -> None:  # type: ignore[no-untyped-def]
    path, repo, record, folder = _published(make_repo)
    forged = dict(record, judul="Judul Lain", yang_menyelesaikan=dict(record["mengetahui"]))
    forged["digest"] = digest(forged)
    merge = _merge_branch(path, {f"{folder}/record.yml": dump(forged)})
    problems = [str(p) for p in verify_records(repo).problems]
    assert any(
        p.startswith(f"{folder}/record.yml") and merge[:10] in p and "bukan commit publikasi" in p
        for p in problems
    ), problems


def test_a_record_slipped_in_by_a_change_fails_verify(make_repo) -> None:  # type: ignore[no-untyped-def]
    path, repo, record, _folder = _published(make_repo)
    other = dict(record, id=record_id("8", record["merge_commit"]))
    other["change"] = dict(record["change"], id="8")
    other["digest"] = digest(other)
    folder = f"records/{other['id']}"
    _merge_branch(path, {f"{folder}/record.yml": dump(other)})
    problems = [str(p) for p in verify_records(repo).problems]
    assert any(p.startswith(f"{folder}/record.yml") and "bukan commit publikasi" in p
               for p in problems), problems  # fmt: skip


def test_a_record_file_edited_in_the_work_tree_fails_verify(make_repo) -> None:  # type: ignore[no-untyped-def]
    path, repo, _record, folder = _published(make_repo)
    (path / folder / "record.md").write_text("# Lembar yang lain\n")
    problems = [str(p) for p in verify_records(repo).problems]
    assert any(f"{folder}/record.md" in p and "berbeda dari yang ditulis publikasi" in p
               for p in problems), problems  # fmt: skip
