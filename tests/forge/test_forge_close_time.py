"""Closing a change, the server's time rule and who may send the notice (step 7).

A real server repository with the real hooks and real SSH signatures; the refusals are the
server's own words, reached by pushing what someone would type instead of `terbit`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from pipeline.errors import InputError
from pipeline.forge.local.client import actions as client
from pipeline.forge.local.store.events import meta_ref
from tests.support.forge import Kit

pytestmark = pytest.mark.xdist_group("forge-office-close")


def terbit(kit: Kit, who: str, *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", *args], cwd=kit.office.clone_path(who),
        capture_output=True, text=True, check=False, env={**os.environ, "TERBIT_LANG": "id"},
    )  # fmt: skip
    assert "Traceback" not in done.stdout + done.stderr
    return done


def pushed(kit: Kit, who: str, change_id: str, kind: str, data: dict, **kw: object) -> str:
    """Push a hand-made record of ``kind`` from ``who``'s clone; the server's answer."""
    sha = kit.raw_event(who, change_id, kind, data, **kw)  # type: ignore[arg-type]
    ok, output = kit.push(who, f"{sha}:{meta_ref(change_id)}")
    return "DITERIMA" if ok else output


def test_the_author_withdraws_a_change_and_it_takes_nothing_more(kit: Kit) -> None:
    change_id = kit.submit("rina")
    head = kit.change(change_id).head_sha
    assert terbit(kit, "rina", "close", change_id).returncode == 2  # a reason is required
    done = terbit(kit, "rina", "close", change_id, "-m", "Data belum final, ditarik dulu")
    assert done.returncode == 0, done.stderr
    assert f"Perubahan #{change_id} ditutup oleh Rina" in done.stdout
    change = kit.change(change_id)
    assert (change.state, change.closed_by) == ("closed", "rina")
    assert change.close_reason == "Data belum final, ditarik dulu"

    # Nothing moves a closed change: not `terbit review`, not a hand-made review, push or merge.
    with pytest.raises(InputError, match="sudah ditutup oleh rina"):
        kit.review("sari", change_id)
    review = {"state": "approve", "commit": head, "body": ""}
    answer = pushed(kit, "sari", change_id, "review", review)
    assert f"perubahan #{change_id} sudah ditutup" in answer
    move = {"head": head, "old": head, "forced": False}
    assert "sudah ditutup" in pushed(kit, "rina", change_id, "push", move)
    ok, output = kit.bypass_merge(change_id)
    assert not ok and "sudah ditutup (Data belum final" in output
    assert "tidak dapat digabung" in output

    status = terbit(kit, "budi", "status", change_id)
    assert "DITUTUP oleh Rina Marlina Siregar" in status.stdout
    assert "Data belum final, ditarik dulu" in status.stdout
    assert f"#{change_id} " not in terbit(kit, "budi", "changes").stdout
    listing = terbit(kit, "budi", "changes", "--all").stdout
    assert f"#{change_id}" in listing and "ditutup" in listing


def test_a_reviewer_rejects_and_nobody_else_may_close(kit: Kit) -> None:
    change_id = kit.submit("rina")
    with pytest.raises(InputError, match="hanya pengaju perubahan"):
        client.close(kit.forge("budi"), kit.office.who("budi"), change_id, "Bukan urusan saya")
    reason = {"reason": "Publikasi tidak dapat diselesaikan"}
    # Another staff member, signing as herself or as the author, and the admin are refused.
    for who, by in (("budi", "budi"), ("budi", "rina"), ("dewi", "dewi")):
        answer = pushed(kit, who, change_id, "closed", reason, by=by)
        assert "hanya boleh ditutup oleh pengajunya (rina) atau oleh pemeriksa" in answer, answer
    assert kit.change(change_id).state == "open"
    closed = client.close(
        kit.forge("andi"), kit.office.who("andi"), change_id, "Publikasi tidak dapat diselesaikan"
    )
    assert (closed.state, closed.closed_by) == ("closed", "andi")
    with pytest.raises(InputError, match="sudah ditutup oleh andi"):
        client.close(kit.forge("rina"), kit.office.who("rina"), change_id, "lagi")


def test_record_times_move_forward_and_stay_near_the_servers_clock(
    kit: Kit, monkeypatch: pytest.MonkeyPatch
) -> None:
    change_id = kit.submit("rina")
    head = kit.change(change_id).head_sha
    review = {"state": "comment", "commit": head, "body": "Dicek"}
    real = datetime.now(UTC)
    monkeypatch.setenv("TERBIT_NOW", (real - timedelta(hours=1)).isoformat())
    answer = pushed(kit, "sari", change_id, "review", review)
    assert "lebih awal dari catatan sebelumnya" in answer, answer
    monkeypatch.setenv("TERBIT_NOW", (real + timedelta(hours=1)).isoformat())
    answer = pushed(kit, "sari", change_id, "review", review)
    assert "lebih dari 5 menit di depan jam server" in answer, answer
    ahead = (real + timedelta(minutes=2)).replace(microsecond=0)
    monkeypatch.setenv("TERBIT_NOW", ahead.isoformat())  # a clock a little fast is tolerated
    assert pushed(kit, "sari", change_id, "review", review) == "DITERIMA"
    # A clock a little slow does not block the next person: the record takes the last time.
    monkeypatch.delenv("TERBIT_NOW")
    kit.review("andi", change_id, "comment", "Saya juga")
    assert [r.at for r in kit.change(change_id).reviews] == [ahead, ahead]


def test_only_the_step_7_role_sends_a_notice_and_only_after_the_merge(kit: Kit) -> None:
    change_id = kit.submit("rina")
    notice = {"text": "Sudah terbit", "attachments": []}
    assert "hanya untuk perubahan yang sudah digabung" in pushed(
        kit, "dewi", change_id, "notice", notice
    )
    kit.approve_all(change_id)
    kit.merge(change_id)
    for who, by in (("sari", "sari"), ("sari", "dewi")):  # a reviewer, or one posing as dewi
        answer = pushed(kit, who, change_id, "notice", notice, by=by)
        assert "hanya boleh dikirim oleh Admin Website (dewi)" in answer, answer
    # The admin's own notice from her clone (as `terbit publish` there does) is accepted.
    kit.forge("dewi").add_notice(change_id, "Sudah terbit: http://127.0.0.1/x")
    author = kit.forge("rina")
    author.sync()
    notices = author.notices(change_id)
    assert [(n.by, n.text) for n in notices] == [("dewi", "Sudah terbit: http://127.0.0.1/x")]
