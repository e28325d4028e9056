"""A merged change's page reads steps 6–8 from its completion record (the official document):
who, when and the state the record states, a failed publication as failed — not the gate's
"menunggu" of steps nobody can do on an open change any more."""

from __future__ import annotations

import html
import re

import pytest

from pipeline.cli.demo.office import Office
from pipeline.config.settings import load_settings
from pipeline.record.model import dump, record_id
from pipeline.record.store import commit_message, commit_record
from pipeline.vcs import Repo
from tests.support.forge import COUNTER, Kit
from tests.support.record import sample
from tests.support.web import Story, running, sign_in
from tests.web.test_web_browser import _check, browser

__all__ = ["browser"]  # real Chromium for the accessibility check (its module's fixture)

pytestmark = pytest.mark.xdist_group("web-record_steps")

ADMIN = {"id": "dewi", "name": "Dewi Anggraini Tarigan, A.Md.Kom.", "nip": "199607302022032001",
         "role": "admin_website", "role_title": "Admin Website"}  # fmt: skip


def _step(number: int, state: str, ended: str, note: str) -> dict[str, object]:
    return {
        "number": number, "kegiatan": f"Kegiatan {number}", "pelaksana": ADMIN,
        "kelengkapan": "-", "output": "-", "state": state,
        "started_at": "2026-11-28T01:00:00+00:00", "ended_at": ended,
        "elapsed_minutes": 20, "standard_minutes": 30, "over_minutes": 0,
        "keterangan": note, "evidence": {},
    }  # fmt: skip


def _rows(page: str) -> dict[str, list[str]]:
    """The steps table: number → the cells' text."""
    table = page.split('<table class="steps">', 1)[1].split("</table>", 1)[0]
    rows: dict[str, list[str]] = {}
    for row in re.findall(r"<tr class=[^>]*>(.*?)</tr>", table, re.S):
        cells = [html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
                 for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]  # fmt: skip
        rows[cells[0]] = cells
    return rows


@pytest.fixture
def merged(mutable: Story) -> tuple[str, str]:
    """A change merged without a publication (publishing is off in the web tests): the record
    below is the one the publication would have written. One per test: the browser test runs
    first (pytest orders tests by their session fixtures) and commits its record."""
    kit = Kit(mutable.office, counter=next(COUNTER) * 100)
    change = kit.submit("rina")
    kit.approve_all(change)
    return change, kit.merge(change)


def _record_failed(office: Office, change: str, merge: str) -> None:
    """Its record on main: step 7 failed, so the publication failed."""
    record = sample(merge, status="failed")
    record["id"] = record_id(change, merge)
    record["change"]["id"] = change
    record["steps"] = [
        _step(6, "done", "2026-11-28T01:20:00+00:00", "sesuai mutu baku"),
        _step(7, "failed", "2026-11-28T02:40:00+00:00", "unggah gagal: target penuh"),
        _step(8, "done", "2026-11-28T02:45:00+00:00", "lembar penyelesaian dibuat"),
    ]
    records = load_settings(office.clone_path("dewi")).publish.records_path
    commit_record(Repo(office.server), f"{records.strip('/')}/{record['id']}",
                  {"record.yml": dump(record).encode()}, commit_message(record),
                  name="Terbit", email="terbit@localhost")  # fmt: skip


def test_a_merged_changes_steps_6_to_8_come_from_its_record(
    mutable: Story, merged: tuple[str, str]
) -> None:
    change, merge = merged
    with running(mutable.office.server) as web:
        dewi = sign_in(web, "dewi")
        before = _rows(dewi.get(f"/perubahan/{change}").text)
        assert before["7"][3] == "menunggu"  # no record: nothing to show but the gate's view
        _record_failed(mutable.office, change, merge)
        page = dewi.get(f"/perubahan/{change}").text
        assert "Publikasi: gagal" in page
        rows = _rows(page)
        assert rows["6"][3] == "selesai" and rows["8"][3] == "selesai"
        assert rows["7"][3] == "gagal"  # a failed publication shows as failed
        for number in ("6", "7", "8"):
            assert rows[number][4] == ADMIN["name"]  # who, as the record names them
        assert "2026" in rows["7"][5] and "unggah gagal: target penuh" in rows["7"][7]
        assert rows["7"][5] != rows["8"][5]  # each step's own time from the record


@pytest.mark.browser
def test_the_recorded_steps_and_publication_section_pass_axe(  # type: ignore[no-untyped-def]
    browser, mutable: Story, merged: tuple[str, str]
) -> None:
    change, merge = merged
    _record_failed(mutable.office, change, merge)
    with running(mutable.office.server) as web:
        for person in ("dewi", "rina"):  # the Admin's view (retry form) and the author's
            _check(browser, web, person, f"/perubahan/{change}")
