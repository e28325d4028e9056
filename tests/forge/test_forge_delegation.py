"""A standing delegation on the embedded forge: the server's own gate lets a merge through on
the stand-in's signed disposition only while the head is recorded absent. Real server
repository, hooks and ``ssh-keygen`` signatures; the absence is relative to today (WIB)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from pipeline.cli.demo.office import Office, create_office
from tests.support.delegation import ABSENT, roles_text, sop_text
from tests.support.forge import COUNTER, Kit, make_source

pytestmark = pytest.mark.xdist_group("forge-office-delegation")


def _office(root: Path, start: date, end: date) -> Office:
    source = make_source(root / "sumber")
    absent = ABSENT.replace("2026-12-07", start.isoformat()).replace("2026-12-11", end.isoformat())
    (source / "roles.yml").write_text(roles_text(absent=absent), encoding="utf-8")
    (source / "sop.yml").write_text(sop_text(), encoding="utf-8")
    return create_office(root / "kantor", source, seed_message="Isi awal")


@pytest.fixture(scope="module")
def offices(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Office]]:
    today = datetime.now(ZoneInfo("Asia/Jakarta")).date()
    with pytest.MonkeyPatch.context() as env:
        env.setenv("TERBIT_PUBLISH", "off")  # publishing has its own tests
        yield {
            # Andi away around today (a day either side: the test may straddle midnight).
            "away": _office(tmp_path_factory.mktemp("away"), today - timedelta(days=1),
                            today + timedelta(days=1)),
            "back": _office(tmp_path_factory.mktemp("back"), date(2020, 1, 6), date(2020, 1, 10)),
        }  # fmt: skip


def _reviewed(office: Office) -> tuple[Kit, str]:
    """Rina's change checked by Sari, disposed by Hendra, final check by Sari."""
    kit = Kit(office, counter=next(COUNTER) * 100)
    change_id = kit.submit("rina")
    for who in ("sari", "hendra", "sari"):
        kit.review(who, change_id)
    return kit, change_id


def test_the_server_merges_on_the_stand_in_s_disposition_while_the_head_is_away(offices):
    kit, change_id = _reviewed(offices["away"])
    kit.merge(change_id)
    change = kit.change(change_id)
    assert change.state == "merged" and change.merged_by == "dewi"


def test_the_server_refuses_it_when_the_head_is_not_recorded_absent(offices):
    kit, change_id = _reviewed(offices["back"])
    refused = kit.merge_refused(change_id)
    assert "hendra mewakili Kepala Satker (aturan pelimpahan KEP-7/C.IX/I/2026" in refused
    assert kit.change(change_id).state == "open"
