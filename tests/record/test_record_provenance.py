"""`terbit verify` trusts a record only as the publication wrote it (its own commit on main).

A change that rewrote a record, or slipped in a record of its own, with a recomputed digest
verified until now (issue 11): the digest proves nothing about who wrote the bytes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from pipeline.record.model import digest, dump, record_id
from pipeline.record.store import commit_message, commit_record
from pipeline.record.verify import verify_records
from pipeline.vcs import Repo
from tests.support.record import sample


def _git(path: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(path), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


def _key(folder: Path, name: str) -> tuple[Path, str]:
    """A real ed25519 key pair made by ssh-keygen: (private key file, public line)."""
    path = folder / name
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(path)],
                   check=True, capture_output=True)  # fmt: skip
    return path, Path(f"{path}.pub").read_text().strip()


def _sign_tip(path: Path, key: Path | None) -> None:
    """Replace main's newest commit by the same tree, parent and message, signed by ``key``
    (real ``git commit-tree -S`` with an SSH key) or unsigned."""
    tree, parent = _git(path, "rev-parse", "HEAD^{tree}"), _git(path, "rev-parse", "HEAD^")
    message = _git(path, "log", "-1", "--format=%B")
    sign = ["-c", "gpg.format=ssh", "-c", f"user.signingkey={key}"] if key else []
    new = subprocess.run(
        ["git", "-C", str(path), *sign, "commit-tree", tree, "-p", parent,
         *(["-S"] if key else []), "-m", message],
        check=True, capture_output=True, text=True,
        env={**os.environ, "GIT_AUTHOR_NAME": "Terbit", "GIT_AUTHOR_EMAIL": "terbit@localhost",
             "GIT_COMMITTER_NAME": "Terbit", "GIT_COMMITTER_EMAIL": "terbit@localhost"},
    ).stdout.strip()  # fmt: skip
    _git(path, "update-ref", "refs/heads/main", new)


def _published(make_repo) -> tuple[Path, Repo, dict, str]:  # type: ignore[no-untyped-def]
    """A site whose main holds one merge and the record the publication committed for it,
    signed by the server key its terbit.yml names."""
    path = make_repo("site")
    keys = path.parent / f"{path.name}-keys"
    keys.mkdir()
    server_key, public = _key(keys, "server")
    (path / "a.txt").write_text("a")
    (path / "terbit.yml").write_text(f'forge:\n  kind: local\n  server_key: "{public}"\n')
    _git(path, "add", "a.txt", "terbit.yml")
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
    _sign_tip(path, server_key)  # what the server does with its own key
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


def _second_record(repo: Repo, record: dict, change: str = "8") -> str:
    """The same shape and trailers the publication writes, for a record of ``change``."""
    other = dict(record, id=record_id(change, record["merge_commit"]))
    other["change"] = dict(record["change"], id=change)
    other["digest"] = digest(other)
    folder = f"records/{other['id']}"
    commit_record(
        repo, folder, {"record.yml": dump(other).encode()}, commit_message(other),
        name="Terbit", email="terbit@localhost",
    )  # fmt: skip
    return folder


def test_an_unsigned_record_commit_with_the_publications_shape_fails_verify(make_repo) -> None:  # type: ignore[no-untyped-def]
    _path, repo, record, _folder = _published(make_repo)
    folder = _second_record(repo, record)  # anyone who can move main can imitate the shape
    problems = [str(p) for p in verify_records(repo).problems]
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{folder}/record.yml")
    assert "tidak ditandatangani kunci server" in problems[0], problems


def test_a_record_commit_signed_by_a_staff_key_fails_verify(make_repo) -> None:  # type: ignore[no-untyped-def]
    path, repo, record, _folder = _published(make_repo)
    staff_key, _public = _key(path.parent / f"{path.name}-keys", "rina")
    folder = _second_record(repo, record)
    _sign_tip(path, staff_key)
    problems = [str(p) for p in verify_records(repo).problems]
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{folder}/record.yml")
    assert "ditandatangani kunci lain, bukan kunci server" in problems[0], problems
    english = subprocess.run(
        [sys.executable, "-m", "pipeline", "--lang", "en", "verify", "--repo", str(path)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert english.returncode == 1, english.stderr
    assert f"{folder}/record.yml" in english.stderr
    assert "signed by another key, not the server key" in english.stderr
    assert "Traceback" not in english.stderr


def test_a_record_signed_while_no_server_key_is_named_fails_verify(make_repo) -> None:  # type: ignore[no-untyped-def]
    path, repo, record, _folder = _published(make_repo)
    (path / "terbit.yml").write_text("forge:\n  kind: local\n")
    _git(path, "commit", "-qam", "tanpa kunci server")
    folder = _second_record(repo, record)
    _sign_tip(path, path.parent / f"{path.name}-keys" / "server")
    problems = [str(p) for p in verify_records(repo).problems]
    assert len(problems) == 1 and problems[0].startswith(f"{folder}/record.yml"), problems
    assert "tidak menyebut kunci server (forge.server_key)" in problems[0], problems


def test_a_server_key_that_is_not_a_public_key_is_a_located_error(make_repo) -> None:  # type: ignore[no-untyped-def]
    path, repo, record, _folder = _published(make_repo)
    (path / "terbit.yml").write_text('forge:\n  kind: local\n  server_key: "kunci server"\n')
    _git(path, "commit", "-qam", "kunci rusak")
    folder = _second_record(repo, record)
    _sign_tip(path, path.parent / f"{path.name}-keys" / "server")
    problems = [str(p) for p in verify_records(repo).problems]
    assert len(problems) == 1 and problems[0].startswith(f"{folder}/record.yml"), problems
    assert "terbit.yml:3" in problems[0] and "bukan satu baris kunci publik SSH" in problems[0]


def _rotate(path: Path, public: str) -> None:
    """A head-approved change naming another server key (committed straight to main here)."""
    (path / "terbit.yml").write_text(f'forge:\n  kind: local\n  server_key: "{public}"\n')
    _git(path, "commit", "-qam", "kunci server baru")


def test_a_rotated_server_key_counts_only_for_records_after_it(make_repo) -> None:  # type: ignore[no-untyped-def]
    path, repo, record, first = _published(make_repo)
    keys = path.parent / f"{path.name}-keys"
    new_key, new_public = _key(keys, "server-2")
    _rotate(path, new_public)
    second = _second_record(repo, record)
    _sign_tip(path, new_key)  # the key terbit.yml names now: good, and the first stays good
    assert verify_records(repo).problems == []
    third = _second_record(repo, record, change="9")
    _sign_tip(path, keys / "server")  # the old key, named at another time: does not count
    problems = [str(p) for p in verify_records(repo).problems]
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{third}/record.yml"), problems
    assert "ditandatangani kunci lain, bukan kunci server" in problems[0], problems
    assert first != second != third


def test_the_batch_gives_each_record_the_problems_it_gives_alone(make_repo) -> None:  # type: ignore[no-untyped-def]
    """Genuine, unsigned, signed by another key, signed after a key rotation, signed by the
    old key after it, and a foreign commit: the one batch over all records finds exactly what
    asking about each record by itself finds."""
    from pipeline.record.provenance import Provenance, provenance_problems

    path, repo, record, genuine = _published(make_repo)
    keys = path.parent / f"{path.name}-keys"
    staff_key, _staff = _key(keys, "rina")
    new_key, new_public = _key(keys, "server-2")
    records = {genuine: record}

    def add(change: str, key: Path | None) -> str:
        other = dict(record, id=record_id(change, record["merge_commit"]))
        other["change"] = dict(record["change"], id=change)
        other["digest"] = digest(other)
        folder = f"records/{other['id']}"
        commit_record(
            repo, folder, {"record.yml": dump(other).encode()}, commit_message(other),
            name="Terbit", email="terbit@localhost",
        )  # fmt: skip
        _sign_tip(path, key)
        records[folder] = other
        return folder

    unsigned = add("8", None)
    staff = add("9", staff_key)
    _rotate(path, new_public)
    rotated = add("10", new_key)
    old_key = add("11", keys / "server")
    foreign = add("12", new_key)
    forged = dict(records[foreign], judul="Judul Lain")
    forged["digest"] = digest(forged)
    merge = _merge_branch(path, {f"{foreign}/record.yml": dump(forged)})
    main = repo.rev_parse("refs/heads/main")

    def read(rel: str) -> bytes | None:
        file = path / rel
        return file.read_bytes() if file.is_file() else None

    batch = Provenance(repo, main, sorted(records))
    together = {f: provenance_problems(batch, f, records[f], read) for f in records}
    alone = {
        f: provenance_problems(Provenance(repo, main, [f]), f, records[f], read) for f in records
    }
    assert together == alone
    assert together[genuine] == [] and together[rotated] == [], together
    messages = {f: " ".join(m for _w, m in together[f]) for f in records}
    assert "tidak ditandatangani kunci server" in messages[unsigned]
    assert "ditandatangani kunci lain, bukan kunci server" in messages[staff]
    assert "ditandatangani kunci lain, bukan kunci server" in messages[old_key]
    assert f"diubah oleh commit {merge[:10]}" in messages[foreign]
    shown = sorted(str(p) for p in verify_records(repo).problems)
    assert len(shown) == 4, shown
