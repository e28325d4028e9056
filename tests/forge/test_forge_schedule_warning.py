"""The server's draft check line on a change with a future ``date`` (issue 15 §4): the push is
taken, the gate's checks line stays clean, and the warning is a note under the gate's table,
never a block. Real server repository and hooks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.cli.demo.office import Office, create_office
from pipeline.forge.local.rules.policy import evaluate, render
from tests.support.forge import COUNTER, Kit, make_source

pytestmark = pytest.mark.xdist_group("forge-office-schedule")

FUTURE = (
    "---\ntitle: Libur Nasional\ndate: 2027-01-15\n{extra}category: Berita\n"
    "summary: Jadwal layanan saat libur.\nauthor: rina\n---\nLayanan tutup.\n"
)


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Office]:
    root: Path = tmp_path_factory.mktemp("jadwal")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("TERBIT_PUBLISH", "off")
        env.setenv("TERBIT_NOW", "2026-12-01T10:00:00+07:00")
        yield create_office(root / "kantor", make_source(root / "sumber"), seed_message="Isi")


@pytest.mark.parametrize(("extra", "warned"), [("", True), ('publish_at: "2027-01-15 08:00"\n',
                                                             False)])  # fmt: skip
def test_a_future_date_is_a_note_under_the_gate_not_a_refusal(office, extra, warned):
    kit = Kit(office, counter=next(COUNTER) * 100)
    change_id = kit.submit("rina", files={"content/articles/libur.md": FUTURE.format(extra=extra)})
    forge = kit.forge("sari")
    forge.sync()
    report = evaluate(forge, kit.change(change_id))
    checks = next(s for s in report.extra + report.steps if s.proof == "checks")
    assert checks.state == "done", checks.reason
    notes = [n for n in report.notes if "content/articles/libur.md" in n]
    assert bool(notes) == warned, report.notes
    if warned:
        assert "tanggal 2027-01-15 masih akan datang" in notes[0]
        assert "tanggal 2027-01-15 masih akan datang" in render(report)


def test_drafts_of_one_change_with_different_times_are_told_they_go_live_together(office):
    """One merge is one publication and one record: the earlier draft (and one without a
    time) go live with the last. The gate says so under its table, located, never blocking."""
    kit = Kit(office, counter=next(COUNTER) * 100)
    later = FUTURE.format(extra='publish_at: "2027-01-20 08:00"\n').replace("Libur", "Cuti")
    files = {
        "content/articles/awal.md": FUTURE.format(extra='publish_at: "2027-01-15 08:00"\n'),
        "content/articles/akhir.md": later,
        "content/articles/biasa.md": FUTURE.format(extra="").replace("2027-01-15", "2026-11-30"),
    }
    change_id = kit.submit("rina", files=files)
    forge = kit.forge("sari")
    forge.sync()
    report = evaluate(forge, kit.change(change_id))
    checks = next(s for s in report.extra + report.steps if s.proof == "checks")
    assert checks.state == "done", checks.reason
    told = {n.split(":", 1)[0] for n in report.notes if "tayang bersama" in n}
    assert {"content/articles/awal.md", "content/articles/biasa.md"} <= told, report.notes
    assert "content/articles/akhir.md" not in told  # the last one is on time
    assert "pada 20-01-2027 08:00 WIB" in render(report)
