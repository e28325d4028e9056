"""Reading a change costs a few processes, not a few per record: its chain is read in one batch,
and the signature verdicts a clone or the server's hooks reached are kept in the repository's
own state folder (``<git dir>/terbit/forge/verdicts.sqlite3``), so a record is verified once.

A kept verdict answers exactly the question it was reached for (the allowed signers, the person,
the signed bytes with their signature): a changed or revoked key, other bytes or another
signature is another question, verified again by ``ssh-keygen``. Real office, real hooks.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

from pipeline.cli.demo.office import with_keys
from pipeline.config.roles import load_roles
from pipeline.forge.local.client.session import open_at
from pipeline.forge.local.store import metachain
from pipeline.forge.local.store.events import meta_ref
from pipeline.forge.local.store.signing import Verifier, generate_key, sign
from pipeline.forge.local.store.verdicts import Verdicts, kept_verdicts
from pipeline.vcs import Repo
from tests.support.forge import Kit

pytestmark = pytest.mark.xdist_group("forge-office-verdict-cache")

ROOT = Path(__file__).resolve().parents[2]


def _git_processes(trace: Path) -> list[str]:
    """The git commands started while ``GIT_TRACE`` wrote to ``trace`` (one line each)."""
    if not trace.exists():
        return []
    return [line.split("built-in: ", 1)[1] for line in trace.read_text().splitlines()
            if "built-in: git " in line]  # fmt: skip


def _counting_keygen(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An ``ssh-keygen`` first on PATH that logs each call and runs the real one."""
    log = folder / "keygen.log"
    real = shutil.which("ssh-keygen")
    assert real
    script = folder / "bin" / "ssh-keygen"
    script.parent.mkdir(parents=True)
    script.write_text(f'#!/bin/sh\necho "$*" >> "{log}"\nexec "{real}" "$@"\n')
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{script.parent}{os.pathsep}{os.environ['PATH']}")
    return log


def _verifications(log: Path) -> int:
    return sum("-Y verify" in line for line in log.read_text().splitlines()) if log.exists() else 0


def test_a_chain_is_read_in_the_same_few_git_processes_however_long_it_is(
    kit: Kit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    change_id = kit.submit()
    for body in ("Satu.", "Dua.", "Tiga.", "Empat."):
        kit.review("sari", change_id, "comment", body)
    forge = kit.forge("andi")
    forge.sync()
    tip = forge.ref(meta_ref(change_id))
    assert tip
    trace = tmp_path / "trace"
    monkeypatch.setenv("GIT_TRACE", str(trace))
    chain = metachain.walk(forge.repo, tip)
    assert len(_git_processes(trace)) <= 3, _git_processes(trace)
    monkeypatch.delenv("GIT_TRACE")
    assert [s.event.type for s in chain if s.event] == ["opened", *["review"] * 4]
    bodies = [s.event.get("body") for s in chain[1:] if s.event]
    assert bodies == ["Satu.", "Dua.", "Tiga.", "Empat."]
    assert all(s.error is None and s.signature for s in chain)
    assert [s.parents for s in chain] == [(), *((s.sha,) for s in chain[:-1])]
    # The same records as one commit at a time would give.
    assert chain == [metachain.read_commit(forge.repo, s.sha, s.parents) for s in chain]
    # The tail after a known record only.
    assert metachain.walk(forge.repo, tip, chain[2].sha) == chain[3:]


def test_a_clone_and_the_server_verify_each_record_once(
    kit: Kit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = _counting_keygen(tmp_path, monkeypatch)
    change_id = kit.submit()
    kit.review("sari", change_id)
    server_file = kept_verdicts(Repo(kit.office.server)).store
    assert server_file is not None and server_file.is_file()  # the hooks kept theirs
    assert server_file.stat().st_mode & 0o077 == 0
    clone = kit.forge("andi")
    kept = kept_verdicts(clone.repo).store
    assert kept is not None and kept.parent == clone.repo.git_dir / "terbit" / "forge"
    kept.unlink(missing_ok=True)
    before = _verifications(log)
    first = kit.change(change_id, "andi")
    assert _verifications(log) - before >= 2  # the opened record and the review
    assert kept.is_file() and kept.stat().st_mode & 0o077 == 0
    before = _verifications(log)
    again = kit.change(change_id, "andi")  # a new command in the same clone
    assert _verifications(log) == before
    assert again.reviews[0].signature_ok is True and again.author == "rina"
    assert again == first


def test_a_kept_verdict_never_makes_another_signature_or_key_good(tmp_path: Path) -> None:
    own = generate_key(tmp_path / "keys" / "sari", "sari")
    other = generate_key(tmp_path / "keys" / "lain", "lain")
    text = (ROOT / "roles.yml").read_text(encoding="utf-8")
    roles = load_roles(with_keys(text, {"sari": own}))
    store = tmp_path / "git" / "terbit" / "forge" / "verdicts.sqlite3"
    data = b'{"type": "review", "by": "sari"}'
    signature = sign(data, tmp_path / "keys" / "sari")
    forged = sign(data, tmp_path / "keys" / "lain")

    def check(signed: bytes, sig: bytes, key: str = own) -> bool:
        keyed = roles if key == own else load_roles(with_keys(text, {"sari": key}))
        verdicts = Verdicts(store)  # a new command: only the file is shared
        ok = Verifier(keyed, tmp_path / "tmp", verdicts).check(signed, sig, "sari")[0]
        verdicts.flush()
        return ok

    assert check(data, signature) is True
    assert store.is_file()
    assert check(data, forged) is False  # another key's signature of the same bytes
    assert check(data + b" ", signature) is False  # other bytes under the kept signature
    assert check(data, signature[:-40] + b"A" * 40) is False  # a damaged signature
    assert check(data, signature, key=other) is False  # sari's key replaced (revoked)
    assert check(data, forged, key=other) is True  # ... and only the new key counts
    assert check(data, signature) is True


def test_an_audit_trusts_no_kept_verdict(kit: Kit) -> None:
    change_id = kit.submit()
    forged = kit.raw_event("andi", change_id, "review",
                           {"state": "approve", "commit": kit.change(change_id).head_sha,
                            "body": ""}, by="sari")  # fmt: skip
    clone = kit.forge("andi")
    clone.repo.update_ref(meta_ref(change_id), forged)  # in andi's clone only, never pushed
    stored = metachain.read_commit(clone.repo, forged, ())
    assert stored.signature
    verifier = clone.verifier(clone.base_tip())
    digest = hashlib.sha256(len(stored.raw).to_bytes(8, "big") + stored.raw + stored.signature)
    planted = kept_verdicts(clone.repo)  # a "good" verdict written into the clone's own file
    planted.keep_event(verifier.signers, "sari", digest.hexdigest(), True)
    planted.flush()
    assert kit.forge("andi").get_change(change_id).reviews[0].signature_ok is True
    audit = open_at(kit.office.clone_path("andi"), clone.settings)  # as `terbit verify` opens it
    assert audit.get_change(change_id).reviews[0].signature_ok is False


def test_post_receive_takes_the_merge_signature_pre_receive_verified(
    kit: Kit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The merge commit's signature is verified once on the server: by pre-receive, whose
    kept verdict post-receive's record of the merge reads (it verified it again before)."""
    log = tmp_path / "keygen.log"
    real = shutil.which("ssh-keygen")
    assert real
    script = tmp_path / "bin" / "ssh-keygen"
    script.parent.mkdir(parents=True)
    # Each call with the command line of the Python above the git that runs ssh-keygen.
    script.write_text(
        "#!/bin/sh\n"
        "up=$(cut -d' ' -f4 /proc/$PPID/stat)\n"
        f"echo \"$* :: $(tr '\\0' ' ' < /proc/$up/cmdline)\" >> \"{log}\"\n"
        f'exec "{real}" "$@"\n'
    )
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{script.parent}{os.pathsep}{os.environ['PATH']}")
    change_id = kit.submit()
    kit.approve_all(change_id)
    kit.merge(change_id)
    assert kit.change(change_id).state == "merged"
    calls = log.read_text().splitlines()
    assert any("-Y verify" in c and "pipeline.hooks.pre_receive" in c for c in calls), calls
    assert not [c for c in calls if "-Y verify" in c and "pipeline.hooks.post_receive" in c]
