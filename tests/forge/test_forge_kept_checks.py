"""A merge's gate reuses the draft checks the server ran on its head's push (same target, same
head): only while those results hold, in the same language, from the same code; anything
unreadable is checked again. Real office and hooks."""

from __future__ import annotations

import contextvars
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from pipeline.forge.local.rules.push import MAIN
from pipeline.forge.local.store.checks import KeptChecks, kept_checks
from pipeline.gate.drafts import DraftResults
from pipeline.i18n import set_lang
from pipeline.vcs import Repo
from tests.support.forge import Kit

pytestmark = pytest.mark.xdist_group("forge-kept-checks")


@pytest.fixture(autouse=True)
def _indonesian(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERBIT_LANG", "id")


def _pair(kit: Kit, change_id: str) -> tuple[str, str]:
    change = kit.change(change_id)
    return change.base_sha, change.head_sha


def test_the_merge_gate_uses_the_checks_of_the_heads_push(kit: Kit) -> None:
    server = Repo(kit.office.server)
    change_id = kit.submit()
    base, head = _pair(kit, change_id)
    kept = kept_checks(server)
    now = datetime.now(UTC)
    assert kept.get(base, head, now) == DraftResults([], [], None)  # written by the head's push
    kit.approve_all(change_id)
    # What the server kept is what it answers with: a planted refusal refuses the merge.
    kept.put(base, head, DraftResults(["content/articles/x.md:1: ditanam uji"], [], None))
    ok, output = kit.bypass_merge(change_id)
    assert not ok and "ditanam uji" in output
    # A row it cannot read is checked again: the same merge now lands.
    with sqlite3.connect(kept.store) as db:
        db.execute("UPDATE checked SET result = 'bukan json'")
    ok, output = kit.bypass_merge(change_id)
    assert ok, output
    assert server.rev_parse(MAIN) != base


def test_kept_results_hold_only_until_their_time_and_in_their_language(tmp_path) -> None:
    kept = KeptChecks(tmp_path / "checks.sqlite3")
    now = datetime(2026, 12, 2, 8, tzinfo=UTC)
    soon = DraftResults([], ["a.md: tanggal di masa depan"], now + timedelta(hours=1))
    kept.put("a" * 40, "b" * 40, soon)
    assert kept.get("a" * 40, "b" * 40, now) == soon
    assert kept.get("a" * 40, "b" * 40, now + timedelta(hours=1)) is None  # its date reached
    assert kept.get("a" * 40, "c" * 40, now) is None  # another head

    def in_english() -> DraftResults | None:
        set_lang("en")
        return kept.get("a" * 40, "b" * 40, now)

    assert contextvars.copy_context().run(in_english) is None  # lines in another language
    kept.store.write_bytes(b"bukan sqlite")
    assert kept.get("a" * 40, "b" * 40, now) is None  # damaged: checked again, never a verdict
    kept.put("a" * 40, "b" * 40, soon)
    assert kept.get("a" * 40, "b" * 40, now) == soon
