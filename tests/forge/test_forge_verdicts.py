"""The verdicts file (``pipeline.forge.local.store.verdicts``): what is kept is read back by a
new reader under exactly the same key, and anything else in the file — garbage, rows of
another shape, a folder where the file should be — is "not verified yet", never "good"."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from pipeline.forge.local.store.verdicts import Verdicts

SIGNERS = 'sari namespaces="git,terbit" ssh-ed25519 AAAA sari\n'


def test_kept_verdicts_are_read_back_by_exactly_their_key(tmp_path: Path) -> None:
    store = tmp_path / "web" / "verdicts.sqlite3"
    first = Verdicts(store)
    assert first.event(SIGNERS, "sari", "d1") is None
    first.keep_event(SIGNERS, "sari", "d1", True)
    first.keep_event(SIGNERS, "sari", "d2", False)
    first.keep_commit(SIGNERS, "c1", "sari")
    first.keep_commit(SIGNERS, "c2", None)
    first.flush()
    again = Verdicts(store)
    assert again.event(SIGNERS, "sari", "d1") is True
    assert again.event(SIGNERS, "sari", "d2") is False
    assert again.commit(SIGNERS, "c1") == (True, "sari")
    assert again.commit(SIGNERS, "c2") == (True, None)
    # Any other part of the key is another question.
    assert again.event(SIGNERS + "andi x\n", "sari", "d1") is None
    assert again.event(SIGNERS, "andi", "d1") is None
    assert again.event(SIGNERS, "sari", "d3") is None
    assert again.commit(SIGNERS, "d1") == (False, None)  # an event's key is not a commit's
    assert store.stat().st_mode & 0o077 == 0


def test_anything_else_in_the_file_is_not_known(tmp_path: Path) -> None:
    store = tmp_path / "verdicts.sqlite3"
    store.write_bytes(b"\x00garbage" * 100)
    damaged = Verdicts(store)
    assert damaged.event(SIGNERS, "sari", "d1") is None  # no crash, nothing known
    damaged.keep_event(SIGNERS, "sari", "d1", True)
    damaged.keep_commit(SIGNERS, "c1", "sari")
    damaged.flush()
    assert Verdicts(store).event(SIGNERS, "sari", "d1") is True  # written anew
    assert Verdicts(store).commit(SIGNERS, "c1") == (True, "sari")
    with sqlite3.connect(store) as db:
        db.execute("UPDATE verdict SET good = 'ya'")  # text, not a verdict
    assert Verdicts(store).event(SIGNERS, "sari", "d1") is None
    assert Verdicts(store).commit(SIGNERS, "c1") == (False, None)
    with sqlite3.connect(store) as db:
        db.execute("UPDATE verdict SET good = 1, signer = ''")  # a commit signed by nobody
    assert Verdicts(store).commit(SIGNERS, "c1") == (False, None)
    with sqlite3.connect(store) as db:
        db.execute("UPDATE verdict SET kind = 'other', signer = NULL")
    assert Verdicts(store).event(SIGNERS, "sari", "d1") is None


def test_a_file_that_cannot_be_written_keeps_verdicts_in_memory(tmp_path: Path) -> None:
    store = tmp_path / "verdicts.sqlite3"
    store.mkdir()  # a folder where the file should be
    verdicts = Verdicts(store)
    assert verdicts.event(SIGNERS, "sari", "d1") is None
    verdicts.keep_event(SIGNERS, "sari", "d1", True)
    verdicts.flush()
    assert verdicts.event(SIGNERS, "sari", "d1") is True
    assert Verdicts(store).event(SIGNERS, "sari", "d1") is None
