"""The server's own signing key: made by `terbit init-server`, named in terbit.yml, used for
every record commit, and rotated only through a change the head approved (issue 11)."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from pipeline.publication.server_key import KEY_DIR, create_server_key, record_signer
from pipeline.record.model import digest, dump, record_id
from pipeline.record.store import commit_message, commit_record
from pipeline.record.verify import verify_records
from pipeline.vcs import Repo
from tests.support.forge import Kit
from tests.support.record import sample

pytestmark = pytest.mark.xdist_group("forge-server-key")
TESTS = Path(__file__).resolve().parents[1]


def _sample(change: str, merge: str) -> dict:
    record = json.loads(json.dumps(sample(merge=merge)))
    record["id"] = record_id(change, merge)
    record["change"] = dict(record["change"], id=change)
    record["digest"] = digest(record)
    return record


def _publish_record(server: Path, change: str, merge: str) -> str:
    """What the publication's record stage does on the server: commit with the server's signer."""
    repo = Repo(server)
    record = _sample(change, merge)
    commit = commit_record(
        repo, f"records/{record['id']}", {"record.yml": dump(record).encode()},
        commit_message(record), name="Terbit", email="terbit@localhost",
        signer=record_signer(repo),
    )  # fmt: skip
    assert commit is not None
    return commit


def _signed_by(server: Path, commit: str, public: str, tmp: Path) -> bool:
    allowed = tmp / "allowed"
    allowed.write_text(f'x namespaces="git" {" ".join(public.split()[:2])}\n')
    done = subprocess.run(
        ["git", "-c", f"gpg.ssh.allowedSignersFile={allowed}", "verify-commit", commit],
        cwd=server, capture_output=True, text=True, check=False,
    )  # fmt: skip
    return done.returncode == 0


def _main_settings(server: Path) -> dict:
    text = Repo(server).show_file("refs/heads/main", "terbit.yml") or ""
    return yaml.safe_load(text)


def test_init_server_keeps_its_key_in_the_git_dir_and_prints_the_public_key(
    tmp_path: Path,
) -> None:
    path = tmp_path / "server.git"
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "init-server", str(path)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    key = path / KEY_DIR / "key-1"
    public = (path / KEY_DIR / "key-1.pub").read_text().strip()
    assert public.startswith("ssh-ed25519 ") and public in done.stdout
    assert "server_key:" in done.stdout and "terbit.yml" in done.stdout
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE((path / KEY_DIR).stat().st_mode) == 0o700
    rotated = subprocess.run(
        [sys.executable, "-m", "pipeline", "--lang", "en", "init-server", "--rotate-key",
         str(path)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert rotated.returncode == 0, rotated.stderr
    new = (path / KEY_DIR / "key-2.pub").read_text().strip()
    assert new != public and new in rotated.stdout and "head has approved" in rotated.stdout
    assert key.is_file()  # the old key stays: records before the rotation keep verifying


def test_records_are_signed_by_the_server_key_and_verify_across_a_rotation(
    kit: Kit, tmp_path: Path
) -> None:
    server = kit.office.server
    old_key = _main_settings(server)["forge"]["server_key"]
    first_key = (server / KEY_DIR / "key-1.pub").read_text()
    assert old_key and old_key.split()[:2] == first_key.split()[:2]
    # The office's demo set-up leaves no private key in any clone or tree.
    assert not Repo(server).tree_entries("refs/heads/main", "terbit")
    first = kit.submit("rina")
    kit.approve_all(first)
    merge_one = kit.merge(first)
    commit_one = _publish_record(server, first, merge_one)
    assert _signed_by(server, commit_one, old_key, tmp_path)
    assert verify_records(Repo(server)).problems == []

    # Rotation: a new key on the server, named by a change the head approved and merged.
    new_key = create_server_key(server, "terbit server (baru)")
    settings = _main_settings(server)
    settings["forge"]["server_key"] = new_key
    second = kit.submit("rina", {"terbit.yml": yaml.safe_dump(settings, allow_unicode=True)})
    kit.approve_all(second)
    merge_two = kit.merge(second)
    assert _main_settings(server)["forge"]["server_key"] == new_key
    commit_two = _publish_record(server, second, merge_two)
    assert _signed_by(server, commit_two, new_key, tmp_path)
    assert not _signed_by(server, commit_two, old_key, tmp_path)
    problems = [str(p) for p in verify_records(Repo(server)).problems]
    assert problems == []  # the old record against the old key, the new against the new

    # Verified offline from a clone, without the server or its keys.
    clone = tmp_path / "audit"
    subprocess.run(["git", "clone", "--quiet", str(server), str(clone)], check=True)
    assert verify_records(Repo(clone)).problems == []
