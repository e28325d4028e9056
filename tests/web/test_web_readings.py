"""Each change's reading kept on disk by the web app (``<server>/terbit/web/readings.sqlite3``):
a restarted app computes no change's merge, diff or draft checks again, yet a new push, a main
that touches what a change reads, other code or another language read that change again, and a
damaged file is read again — never a crash, never a kept "pass". Real server repositories and
hooks; the readings are counted at the seams ``Office._load``, ``draft_results`` and
``published_diffs``."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline.clock import now
from pipeline.i18n import set_lang
from pipeline.web import forgecache
from pipeline.web import office as office_module
from pipeline.web.office import Office
from tests.support.forge import COUNTER, Kit, article, main_commit, published_edit
from tests.support.web import Story, every_view

pytestmark = pytest.mark.xdist_group("web-readings")


def _file(server: Path) -> Path:
    return server / "terbit" / "web" / "readings.sqlite3"


def _restart(monkeypatch: pytest.MonkeyPatch) -> None:
    """What a new app process has: nothing kept in memory (the server's files stay)."""
    monkeypatch.setattr(forgecache, "_CACHES", {})


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, list[str]]]:
    """The ids of the changes read from now on (``loads``) and the changes whose draft checks
    (``checks``) and diffs (``diffs``) were computed."""
    seen: dict[str, list[str]] = {"loads": [], "checks": [], "diffs": []}
    load, checks, diffs = Office._load, office_module.draft_results, office_module.published_diffs

    def counted_load(self: Office, ids: list[str], refs: dict[str, str]) -> Any:
        seen["loads"].extend(ids)
        return load(self, ids, refs)

    def counted_checks(forge: Any, change: Any) -> Any:
        seen["checks"].append(change.id)
        return checks(forge, change)

    def counted_diffs(repo: Any, base: str, head: str, content: str) -> Any:
        seen["diffs"].append(head)
        return diffs(repo, base, head, content)

    monkeypatch.setattr(Office, "_load", counted_load)
    monkeypatch.setattr(office_module, "draft_results", counted_checks)
    monkeypatch.setattr(office_module, "published_diffs", counted_diffs)
    yield seen


def _clear(seen: dict[str, list[str]]) -> None:
    for found in seen.values():
        found.clear()


def _same_as_reading_again(server: Path, people: list[str]) -> None:
    assert every_view(Office(server), people) == every_view(Office(server, cached=False), people)


def test_a_restarted_app_computes_no_reading_again(
    story: Story, monkeypatch: pytest.MonkeyPatch, counted: dict[str, list[str]]
) -> None:
    server = story.office.server
    people = list(story.office.people)
    monkeypatch.setenv("TERBIT_NOW", now().isoformat())  # kept and fresh at one instant
    _restart(monkeypatch)
    ids = [row.id for row in Office(server).changes()]
    assert len(ids) == 4 and _file(server).is_file()
    _restart(monkeypatch)
    _clear(counted)
    restarted = every_view(Office(server), people)
    assert counted == {"loads": [], "checks": [], "diffs": []}, counted
    assert restarted == every_view(Office(server, cached=False), people)
    assert [row.id for row in restarted["changes"]] == sorted(ids, key=int, reverse=True)


def test_a_push_a_new_main_other_code_or_language_read_that_change_again(
    mutable: Story, monkeypatch: pytest.MonkeyPatch, counted: dict[str, list[str]]
) -> None:
    """Only what determines a reading lets it be reused: a change pushed to since, a main
    that gained the file it edits, a new version of Terbit, another language."""
    kit = Kit(mutable.office, counter=next(COUNTER) * 100)
    server = mutable.office.server
    people = ["sari", "rina", "dewi"]
    path, lines, edit = published_edit(kit, "Warta")
    bystander = kit.submit("budi")
    monkeypatch.setenv("TERBIT_NOW", now().isoformat())
    Office(server).waiting_for("sari")  # read and kept
    _restart(monkeypatch)
    _clear(counted)
    assert Office(server).waiting_for("sari") is not None
    assert not {edit, bystander} & set(counted["loads"]), counted

    # A new push to the change: its reading is computed again, the other's is not.
    kit.commit("rina", f"content/articles/tambahan-{kit.counter}.md",
               article(f"Tambahan {kit.counter}"))  # fmt: skip
    kit.resubmit("rina")
    _restart(monkeypatch)
    _clear(counted)
    monkeypatch.setenv("TERBIT_NOW", now().isoformat())
    view = Office(server).change(edit, "sari")
    assert counted["loads"] == [edit] and counted["checks"] == [edit], counted
    assert any(f"tambahan-{kit.counter}.md" in f for f in view.files), view.files
    Office(server).waiting_for("sari")
    assert bystander not in counted["loads"]

    # Main gains the file the change edits: read again (the bystander is carried over).
    lines[3] = "Baris 4, diubah di main."
    main_commit(server, path, article("Warta", body="\n".join(lines)))
    _restart(monkeypatch)
    _clear(counted)
    monkeypatch.setenv("TERBIT_NOW", now().isoformat())
    diffs = Office(server).change(edit, "sari").diffs
    assert ("same", " Baris 4, diubah di main.") in diffs[0].lines
    Office(server).waiting_for("sari")
    assert edit in counted["loads"] and bystander not in counted["loads"], counted
    _same_as_reading_again(server, people)

    # Another language, or other code: read again.
    _restart(monkeypatch)
    _clear(counted)
    set_lang("en")
    try:
        Office(server).change(bystander, "sari")
    finally:
        set_lang(None)
    assert counted["loads"] == [bystander], counted
    _restart(monkeypatch)
    Office(server).waiting_for("sari")  # kept again in the office's language
    _restart(monkeypatch)
    _clear(counted)
    with monkeypatch.context() as later:
        later.setattr("pipeline.web.readings.code_version", lambda: "a later version")
        Office(server).waiting_for("sari")
    assert {edit, bystander} <= set(counted["loads"]), counted


def test_a_damaged_readings_file_is_read_again(
    story: Story, monkeypatch: pytest.MonkeyPatch, counted: dict[str, list[str]]
) -> None:
    """Garbage, a row that is not a reading, or the reading of another change: computed
    again (no crash, nothing taken from it); the file is then written anew."""
    server = story.office.server
    people = list(story.office.people)
    monkeypatch.setenv("TERBIT_NOW", now().isoformat())
    _restart(monkeypatch)
    Office(server).changes()
    kept = _file(server).read_bytes()
    try:
        _file(server).write_bytes(b"bukan basis data \x00\xff" * 64)
        _restart(monkeypatch)
        _clear(counted)
        _same_as_reading_again(server, people)
        assert len(set(counted["loads"])) == 4, counted
        _restart(monkeypatch)
        _clear(counted)
        Office(server).changes()
        assert counted["loads"] == [], counted  # written anew
        with sqlite3.connect(_file(server)) as db:
            db.execute("UPDATE reading SET data = CAST('{\"change\": 1}' AS BLOB) "
                       f"WHERE change = '{story.plain}'")  # fmt: skip
            other = db.execute("SELECT data FROM reading WHERE change = ?", (story.fixing,))
            db.execute("UPDATE reading SET data = ? WHERE change = ?",
                       (other.fetchone()[0], story.ready))  # fmt: skip
        _restart(monkeypatch)
        _clear(counted)
        _same_as_reading_again(server, people)
        assert sorted(counted["loads"]) == sorted([story.plain, story.ready]), counted
        _file(server).unlink()
        _file(server).mkdir()  # a folder where the file should be
        _restart(monkeypatch)
        _same_as_reading_again(server, people)
        _file(server).rmdir()
    finally:
        if _file(server).is_dir():
            _file(server).rmdir()
        _file(server).write_bytes(kept)


def test_a_clock_set_back_reads_the_change_again(
    mutable: Story, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reading made after a draft's ``date`` has no warning about it; read back with the
    clock set before that date (a corrected server clock), it would hide the warning a fresh
    read shows, so it is read again."""
    kit = Kit(mutable.office, counter=next(COUNTER) * 100)
    server = mutable.office.server
    path = f"content/articles/libur-{kit.counter}.md"
    text = (
        f"---\ntitle: Libur {kit.counter}\ndate: 2027-01-15\ncategory: Berita\n"
        "summary: Jadwal layanan saat libur.\nauthor: rina\n---\nLayanan tutup.\n"
    )
    change = kit.submit("rina", files={path: text})

    def notes(office: Office) -> list[str]:
        return [n for n in office.change(change, "sari").notes if path in n]

    monkeypatch.setenv("TERBIT_NOW", "2027-01-16T09:00:00+07:00")  # the date has passed
    assert notes(Office(server)) == []
    _restart(monkeypatch)
    monkeypatch.setenv("TERBIT_NOW", "2026-12-10T09:00:00+07:00")  # the clock set back
    fresh = notes(Office(server, cached=False))
    assert fresh and "2027-01-15" in fresh[0]
    assert notes(Office(server)) == fresh
