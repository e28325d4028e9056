"""Signature verdicts kept on disk by the web app (``<server>/terbit/web/verdicts.sqlite3``):
a restarted app verifies no signature again, yet a changed record, a damaged file or a new
key in roles.yml is verified again — never taken as good. Real server repositories, hooks,
SSH signatures and ``ssh-keygen``; the verifications are counted at the process seam."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import pytest

from pipeline.clock import now
from pipeline.forge.local.store import metachain
from pipeline.forge.local.store.events import Event, meta_ref
from pipeline.forge.local.store.signing import generate_key
from pipeline.vcs import Repo
from pipeline.web import forgecache
from pipeline.web.office import Office
from tests.support.forge import COUNTER, Kit, main_commit
from tests.support.web import Story, started_processes

pytestmark = pytest.mark.xdist_group("web-verdicts")


def _restart(monkeypatch: pytest.MonkeyPatch, server: Path) -> None:
    """What a new app process has: nothing kept in memory (the server's files stay), and no
    change's reading kept on disk (it would spare the verifications these tests look at; see
    test_web_readings.py)."""
    monkeypatch.setattr(forgecache, "_CACHES", {})
    (server / "terbit" / "web" / forgecache.READINGS_FILE).unlink(missing_ok=True)


def _verifications(started: list[list[str]]) -> list[list[str]]:
    """The signature checks among the processes: ``ssh-keygen -Y verify`` for a record,
    ``git log --format=%G?…`` (which runs ssh-keygen) for a commit."""
    return [a for a in started if "-Y" in a or any(x.startswith("--format=%G?") for x in a)]


def _file(server: Path) -> Path:
    return server / "terbit" / "web" / "verdicts.sqlite3"


def _pinned(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERBIT_NOW", now().isoformat())  # cached and fresh at one instant


def _everything(office: Office, change_ids: list[str]) -> dict[str, Any]:
    seen: dict[str, Any] = {"sari": office.waiting_for("sari"), "changes": office.changes()}
    seen |= {i: office.change(i, "sari") for i in change_ids}
    return seen


def test_a_restarted_app_verifies_no_signature_again(
    story: Story, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = story.office.server
    _pinned(monkeypatch)
    _restart(monkeypatch, server)
    first = started_processes(monkeypatch)
    ids = [row.id for row in Office(server).changes()]
    assert len(ids) == 4 and first  # read (the file may already hold their verdicts)
    _restart(monkeypatch, server)
    started = started_processes(monkeypatch)
    restarted = _everything(Office(server), ids)
    assert any("--batch" in a for a in started)  # the records were read again, from Git
    assert _verifications(started) == [], _verifications(started)
    assert restarted == _everything(Office(server, cached=False), ids)
    assert _file(server).is_file()


def _forge_record(server: Path, change_id: str, data: dict[str, Any]) -> None:
    """Someone with the server's disk rewrites the change's last record and keeps its
    signature (the hooks, which would refuse it, are bypassed)."""
    repo = Repo(server)
    last = metachain.walk(repo, repo.rev_parse(meta_ref(change_id)) or "")[-1]
    assert last.event is not None and last.signature
    old = last.event
    forged = Event(old.type, old.change, old.by, old.at, old.prev, {**old.data, **data})
    sha = metachain.append(repo, forged, signature=last.signature, name="x", email="x@x")
    subprocess.run(["git", "update-ref", meta_ref(change_id), sha], cwd=server, check=True)


def _reviewed(mutable: Story, monkeypatch: pytest.MonkeyPatch, state: str) -> tuple[Path, str]:
    """A new change of the ``mutable`` office with Sari's signed review, read once by an app
    (its verdicts kept): the server and the change."""
    kit = Kit(mutable.office, counter=next(COUNTER) * 100)
    server = mutable.office.server
    change = kit.submit("rina")
    kit.review("sari", change, state, "Judul belum sesuai nota dinas.")
    _pinned(monkeypatch)
    _restart(monkeypatch, server)
    view = Office(server).change(change, "sari")
    assert view.events[-1].kind == f"review:{state}"
    assert not any(e.signature for e in view.events)  # every signature good
    return server, change


def test_a_tampered_record_is_refused_after_a_restart(
    mutable: Story, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The verdict is keyed by a digest of the signed bytes and the signature: the same
    signature on other bytes is verified again, and fails."""
    server, change = _reviewed(mutable, monkeypatch, "request_changes")
    _forge_record(server, change, {"state": "approve", "body": ""})
    _restart(monkeypatch, server)
    started = started_processes(monkeypatch)
    view = Office(server).change(change, "sari")
    assert [e for e in _verifications(started) if "-Y" in e]  # verified again
    forged = view.events[-1]
    assert forged.kind == "review:approve" and "tidak cocok" in forged.signature
    assert next(s for s in view.steps if s.number == 3).state != "done"
    assert view == Office(server, cached=False).change(change, "sari")


def test_a_damaged_verdict_file_is_verified_again(
    mutable: Story, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Garbage, or rows that hold no plain verdict, count as nothing known: no crash, no
    "good"; the file is then written anew and the next restart verifies nothing."""
    server, change = _reviewed(mutable, monkeypatch, "comment")
    _file(server).write_bytes(b"bukan basis data \x00\xff" * 64)
    _restart(monkeypatch, server)
    started = started_processes(monkeypatch)
    view = Office(server).change(change, "sari")
    assert _verifications(started)
    assert view == Office(server, cached=False).change(change, "sari")
    _restart(monkeypatch, server)
    started.clear()
    assert Office(server).change(change, "sari") == view
    assert _verifications(started) == []  # written anew
    with sqlite3.connect(_file(server)) as db:  # every verdict turned into a non-verdict
        db.execute("UPDATE verdict SET good = 7, signer = NULL")
    _restart(monkeypatch, server)
    started.clear()
    assert Office(server).change(change, "sari") == view
    assert _verifications(started)


def test_a_new_key_in_roles_yml_verifies_again(
    mutable: Story, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The allowed signers' text is part of the key: with another key for Sari on main, her
    record is verified again and no longer counts."""
    server, change = _reviewed(mutable, monkeypatch, "comment")
    roles = subprocess.run(["git", "show", "main:roles.yml"], cwd=server, capture_output=True,
                           text=True, check=True).stdout  # fmt: skip
    old_key = Path(f"{mutable.office.key_path('sari')}.pub").read_text().strip()
    new_key = generate_key(tmp_path / "sari-baru", "sari")
    assert old_key in roles
    before = main_commit(server, "roles.yml", roles.replace(old_key, new_key))
    try:
        _restart(monkeypatch, server)
        started = started_processes(monkeypatch)
        view = Office(server).change(change, "sari")
        assert [e for e in _verifications(started) if "-Y" in e]
        assert "tidak cocok" in view.events[-1].signature
        assert view == Office(server, cached=False).change(change, "sari")
    finally:
        subprocess.run(["git", "update-ref", "refs/heads/main", before], cwd=server, check=True)
