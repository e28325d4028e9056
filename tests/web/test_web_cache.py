"""What the pages reuse between requests: keyed by the refs (main's tip, each change's tips),
so a push by anyone — through the server's real hooks — shows on the very next page load, and
a cached page says exactly what reading everything again says."""

from __future__ import annotations

import re
import subprocess
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from pipeline.clock import now
from pipeline.forge.local.store import metachain
from pipeline.vcs import Repo
from pipeline.web import office as office_module
from pipeline.web.drafting import DraftForm
from pipeline.web.office import Office
from tests.support.forge import COUNTER, Kit, article, main_commit, published_edit
from tests.support.web import Story, every_view, running, sign_in, started_processes

pytestmark = pytest.mark.xdist_group("web-cache")


def _rows(page: str) -> list[str]:
    return re.findall(r'<a href="/perubahan/([0-9]+)">', page)


def test_a_push_by_someone_else_shows_on_the_next_page_load(mutable: Story) -> None:
    kit = Kit(mutable.office, counter=next(COUNTER) * 100)
    with running(mutable.office.server) as web:
        sari, rina = sign_in(web, "sari"), sign_in(web, "rina")
        sari.get("/")
        sari.get("/perubahan")  # read once: what follows is served from what was kept
        change = kit.submit("rina")  # from rina's clone, through the hooks
        assert change in _rows(sari.get("/").text)
        assert change in _rows(sari.get("/perubahan").text)
        kit.review("sari", change, "request_changes", "Judul terlalu panjang.")
        assert change not in _rows(sari.get("/").text)
        mine = rina.get("/").text
        assert change in _rows(mine) and "Perbaikan oleh staf" in mine
        assert "Judul terlalu panjang." in sari.get(f"/perubahan/{change}").text
        kit.commit("rina", f"content/articles/tambahan-{kit.counter}.md",
                   article(f"Tambahan {kit.counter}"))  # fmt: skip
        kit.resubmit("rina")  # the answer: the change waits for the Katimker again
        assert change in _rows(sari.get("/").text)
        assert change not in _rows(rina.get("/").text)
        page = sari.get(f"/perubahan/{change}").text
        assert f"tambahan-{kit.counter}.md" in page  # the new head's files


def test_cached_pages_equal_reading_everything_again(
    story: Story, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TERBIT_NOW", "2026-12-09T10:15:00+07:00")  # a week on: overdue steps
    server = story.office.server
    people = list(story.office.people)
    direct = every_view(Office(server, cached=False), people)
    assert len(direct["changes"]) == 4 and direct["sari"]
    assert every_view(Office(server), people) == direct  # read and kept
    assert every_view(Office(server), people) == direct  # from what was kept


def test_one_request_measures_every_time_to_one_instant(
    story: Story, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A request's times are all measured to the instant it started, cached or not: a clock
    that passes the office's opening (07.30) while a page is read changes nothing in it."""
    server = story.office.server
    people = list(story.office.people)
    monkeypatch.setenv("TERBIT_NOW", "2026-12-09T07:29:30+07:00")
    expected = every_view(Office(server, cached=False), people)
    cached, uncached = Office(server), Office(server, cached=False)
    monkeypatch.setenv("TERBIT_NOW", "2026-12-09T09:31:00+07:00")  # two working hours on
    assert every_view(cached, people) == expected
    assert every_view(uncached, people) == expected
    assert every_view(Office(server, cached=False), people) != expected  # the clock did move


def test_a_page_read_again_asks_git_only_for_the_refs(
    story: Story, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No process per change once read: each request reads the refs, once."""
    server = story.office.server
    Office(server).waiting_for("sari")
    Office(server).change(story.plain, "sari")
    started = started_processes(monkeypatch)
    assert Office(server).waiting_for("sari")
    assert Office(server).changes()
    assert Office(server).change(story.plain, "sari").row.id == story.plain
    assert [" ".join(a[1:2]) for a in started] == ["for-each-ref"] * 3, started


def _chain_reads(started: list[list[str]]) -> list[list[str]]:
    """The processes that read a change's records or verify their signatures."""
    return [a for a in started
            if a[1:3] == ["ls-tree", "-z"] or "--topo-order" in a or "-Y" in a]  # fmt: skip


def test_the_writers_form_reads_no_change_records_again(
    story: Story, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The nota dinas number and the slug check look at every change: from what was kept."""
    server = story.office.server
    Office(server).waiting_for("sari")
    started = started_processes(monkeypatch)
    office = Office(server)
    assert office.nota_defaults("rina").nomor
    assert office.draft_remarks(DraftForm(slug="kabar-baru", title="Kabar"), "rina") is not None
    assert _chain_reads(started) == [], _chain_reads(started)
    monkeypatch.undo()
    direct = Office(server, cached=False)
    assert office.nota_defaults("rina") == direct.nota_defaults("rina")


def test_a_publication_reads_no_change_records_again(
    mutable: Story, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Main moving by a published article keeps every change's records, their signature
    verdicts and the policy; what is shown still equals reading everything again."""
    kit = Kit(mutable.office, counter=next(COUNTER) * 100)
    server = mutable.office.server
    waiting = kit.submit("rina")
    kit.review("sari", waiting, "request_changes", "Mohon diperbaiki.")  # a signed record
    published = kit.submit("budi")
    kit.approve_all(published)
    first = Office(server)
    assert first.change(waiting, "sari").events and first.waiting_for("rina")
    policy = first.policy()
    kit.merge(published)  # a publication: main moves by an article only
    started = started_processes(monkeypatch)
    after = Office(server)
    assert waiting in [w.change_id for w in after.waiting_for("rina")]
    assert {row.id: row.state for row in after.changes()}[published] == "merged"
    assert after.change(waiting, "sari").row.id == waiting
    assert _chain_reads(started) == [], _chain_reads(started)  # nothing read or verified again
    assert after.policy() is policy
    monkeypatch.undo()
    _same_views(server, ["sari", "rina", "dewi"], monkeypatch)


def _same_views(server: Path, people: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The cached and the uncached views at one instant (on a real clock a minute can tick
    between the two reads, and a running step's minutes with it)."""
    monkeypatch.setenv("TERBIT_NOW", now().isoformat())
    assert every_view(Office(server), people) == every_view(Office(server, cached=False), people)


def _loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of every change read (again) from now on: the seam of ``Office._load``."""
    loaded: list[str] = []
    real = Office._load

    def counted(self: Office, ids: list[str], refs: dict[str, str]) -> Any:
        loaded.extend(ids)
        return real(self, ids, refs)

    monkeypatch.setattr(Office, "_load", counted)
    return loaded


def test_a_publication_elsewhere_reads_no_other_change_again(
    mutable: Story, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A publication touching one article: every other change's landed files, diffs and
    draft checks are reused (only the merged change, whose records moved, is read again)."""
    kit = Kit(mutable.office, counter=next(COUNTER) * 100)
    server = mutable.office.server
    kept = kit.submit("rina")
    published = kit.submit("budi")
    kit.approve_all(published)
    Office(server).waiting_for("sari")  # everything read once
    loads = _loads(monkeypatch)
    kit.merge(published)
    after = Office(server)
    assert after.waiting_for("sari") and after.changes()
    assert after.change(kept, "sari").row.state == "open"
    assert loads == [published], loads
    monkeypatch.setattr(Office, "_load", Office._load)
    _same_views(server, ["sari", "rina", "dewi"], monkeypatch)


def test_main_touching_what_a_change_reads_reads_it_again(
    mutable: Story, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Main gaining the very file a change edits, or a draft taking the change's slug: that
    change is read again and shows what reading everything again shows."""
    kit = Kit(mutable.office, counter=next(COUNTER) * 100)
    server = mutable.office.server
    path, lines, edit = published_edit(kit, "Kabar")
    own = f"artikel-rina-{kit.counter}"  # the slug of the draft ``submit`` adds
    bystander = kit.submit("budi")
    Office(server).waiting_for("sari")  # everything read once
    diff_before = Office(server).change(edit, "sari").diffs
    assert [d.path for d in diff_before] == [path]
    loads = _loads(monkeypatch)
    lines[3] = "Baris 4, diubah di main."  # within the diff's context, not a conflict
    main_commit(server, path, article("Kabar", body="\n".join(lines)))
    assert Office(server).waiting_for("sari") is not None
    assert loads == [edit], loads
    diff_after = Office(server).change(edit, "sari").diffs
    assert diff_after != diff_before
    assert ("same", " Baris 4, diubah di main.") in diff_after[0].lines
    loads.clear()
    taker = article("Zqx", body="Isi.").replace("title: Zqx", f"title: Zqx\nslug: {own}")
    main_commit(server, f"content/articles/zqx-{kit.counter}.md", taker)
    view = Office(server).change(edit, "sari")
    assert loads == [edit], loads
    assert any(own in p and "zqx" in p for p in view.problems), view.problems
    assert bystander not in loads
    monkeypatch.setattr(Office, "_load", Office._load)
    _same_views(server, ["sari", "rina", "dewi"], monkeypatch)


def test_a_roles_change_on_main_reads_the_policy_again(
    mutable: Story, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = mutable.office.server
    kept = Office(server).policy()
    main_commit(server, f"content/articles/kabar-{next(COUNTER)}.md", article("Kabar"))
    assert Office(server).policy() is kept  # an article: the same roles, SOP and settings
    roles = subprocess.run(["git", "show", "main:roles.yml"], cwd=server, capture_output=True,
                           text=True, check=True).stdout  # fmt: skip
    main_commit(server, "roles.yml", roles + f"# diubah {next(COUNTER)}\n")
    again = Office(server).policy()
    assert again is not kept and again.roles == kept.roles
    assert Office(server).policy() is again


def test_records_read_together_equal_reading_them_one_by_one(story: Story) -> None:
    """One cat-file --batch per round for every chain says what walking each one says; a
    chain whose objects are missing is left out (its own reader says why)."""
    repo = Repo(story.office.server)
    tips = [sha for name, sha in repo.refs("refs/").items() if name.endswith("/meta")]
    assert len(tips) >= 4
    missing = "0" * 40
    together = metachain.walk_many(repo, [*tips, missing])
    assert together == {tip: metachain.walk(repo, tip) for tip in tips}


def test_landed_lists_only_the_changed_files_and_says_the_same(tmp_path: Path) -> None:
    """What merging changes, with the entries of only its files listed (names taken
    literally: a '*' in a name matches nothing else), equals the whole tree's entries."""

    def git(*args: str) -> str:
        return subprocess.run(["git", "-c", "user.name=A", "-c", "user.email=a@a", *args],
                              cwd=tmp_path, check=True, capture_output=True,
                              text=True).stdout.strip()  # fmt: skip

    git("init", "-q", "-b", "main")
    for name in ("a*.md", "ab.md", "gone.md", "keep b.md"):
        (tmp_path / name).write_text(name)
    git("add", "-A")
    git("commit", "-qm", "base")
    git("switch", "-qc", "change")
    (tmp_path / "a*.md").write_text("changed")
    (tmp_path / "baru b.md").write_text("new")
    (tmp_path / "run.sh").write_text("#!/bin/sh\n")
    (tmp_path / "run.sh").chmod(0o755)
    (tmp_path / "gone.md").unlink()
    git("add", "-A")
    git("commit", "-qm", "change")
    repo = Repo(tmp_path)
    landed = repo.landed(git("rev-parse", "main"), git("rev-parse", "change"))
    whole = repo.tree_entries(landed.tree)
    assert sorted((s, e.path) for s, e in landed.changes) == [
        ("A", "baru b.md"), ("A", "run.sh"), ("D", "gone.md"), ("M", "a*.md")]  # fmt: skip
    for status, entry in landed.changes:
        assert entry == whole[entry.path] if status != "D" else entry.path not in whole


def _evaluations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the changes whose gate report is computed from now on (the seam of the
    gate's ``evaluate`` in the office facade)."""
    evaluated: list[str] = []
    real = office_module.gate_evaluate

    def counted(change: Any, **kwargs: Any) -> Any:
        evaluated.append(change.id)
        return real(change, **kwargs)

    monkeypatch.setattr(office_module, "gate_evaluate", counted)
    return evaluated


def _working_instant(office: Office, start: datetime) -> datetime:
    """The first hour from ``start`` whose next two minutes are working minutes in the
    office's calendar (the test ran after office hours and its minutes stood still)."""
    calendar = office.policy().sop.calendar
    for hours in range(24 * 14):
        at = start + timedelta(hours=hours)
        if calendar is None or calendar.minutes(at, at + timedelta(minutes=2)) == 2:
            return at
    raise AssertionError("no working minutes in two weeks")


def test_a_minute_passing_recomputes_no_gate_report(
    story: Story, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reports are kept without the clock: a new minute only moves the running steps'
    minutes, which advance as reading everything again says."""
    server = story.office.server
    people = list(story.office.people)
    week_on = _working_instant(Office(server), now() + timedelta(days=7))
    later = (week_on + timedelta(minutes=2)).isoformat()
    monkeypatch.setenv("TERBIT_NOW", week_on.isoformat())
    before = Office(server).waiting_for("sari")
    assert before and Office(server).change(story.fixing, "rina")
    evaluated = _evaluations(monkeypatch)
    monkeypatch.setenv("TERBIT_NOW", later)  # two minutes on
    after = Office(server).waiting_for("sari")
    assert evaluated == [], evaluated
    assert [(w.change_id, w.step) for w in after] == [(w.change_id, w.step) for w in before]
    assert [w.elapsed for w in after] == [w.elapsed + 2 for w in before]
    running = [s for s in Office(server).change(story.plain, "sari").steps if s.running]
    assert running and evaluated == []
    monkeypatch.undo()
    monkeypatch.setenv("TERBIT_NOW", later)
    assert every_view(Office(server), people) == every_view(Office(server, cached=False), people)


FUTURE = (
    "---\ntitle: Libur Nasional {n}\ndate: {date}\ncategory: Berita\n"
    "summary: Jadwal layanan saat libur.\nauthor: rina\n---\nLayanan tutup.\n"
)


def test_the_draft_checks_warnings_show_cached_as_fresh(
    mutable: Story, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ``date`` still ahead is warned under the gate's table (not blocking) in the cached
    view as in reading everything again, also carried over a publication; once the date is
    reached the warning goes from both."""
    kit = Kit(mutable.office, counter=next(COUNTER) * 100)
    server = mutable.office.server
    path = f"content/articles/libur-{kit.counter}.md"
    change = kit.submit("rina", files={path: FUTURE.format(n=kit.counter, date="2027-01-15")})
    monkeypatch.setenv("TERBIT_NOW", "2026-12-10T09:00:00+07:00")

    def notes(office: Office) -> list[str]:
        return [n for n in office.change(change, "sari").notes if path in n]

    fresh = notes(Office(server, cached=False))
    assert fresh and "tanggal 2027-01-15 masih akan datang" in fresh[0]
    assert notes(Office(server)) == fresh  # read now
    assert notes(Office(server)) == fresh  # kept
    main_commit(server, f"content/articles/lain-{kit.counter}.md", article("Lain"))
    assert notes(Office(server)) == fresh  # carried over main moving elsewhere
    monkeypatch.setenv("TERBIT_NOW", "2027-01-15T07:00:00+07:00")  # the day has come
    assert notes(Office(server, cached=False)) == []
    assert notes(Office(server)) == []


def _timings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the changes whose times were put on a kept report from now on (the seams
    ``at_time`` and ``step_at_time`` of the office)."""
    timed: list[str] = []
    whole, step = office_module.at_time, office_module.step_at_time

    def counted_whole(report: Any, change: Any, *rest: Any) -> Any:
        timed.append(change.id)
        return whole(report, change, *rest)

    def counted_step(status: Any, change: Any, *rest: Any) -> Any:
        timed.append(change.id)
        return step(status, change, *rest)

    monkeypatch.setattr(office_module, "at_time", counted_whole)
    monkeypatch.setattr(office_module, "step_at_time", counted_step)
    return timed


def test_waiting_for_me_is_paged_and_times_only_the_rows_shown(
    story: Story, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page of "Menunggu saya" shows (and times) only its rows, in the order and with the
    times of the whole list, cached or not; the header's count times nothing."""
    monkeypatch.setenv("TERBIT_NOW", "2026-12-09T10:15:00+07:00")  # a week on: overdue steps
    server = story.office.server
    whole = Office(server, cached=False).waiting_for("sari")
    assert len(whole) >= 2
    assert Office(server).waiting_for("sari") == whole
    monkeypatch.setattr(office_module, "WAITING_PAGE", 1)
    with running(server) as web:
        sari = sign_in(web, "sari")
        sari.get("/")  # read once
        timed = _timings(monkeypatch)
        first = sari.get("/").text
        assert timed == [whole[0].change_id], timed
        assert _rows(first) == [whole[0].change_id]
        assert 'href="/?halaman=2"' in first and "Halaman 1 dari" in first
        last = sari.get(f"/?halaman={len(whole)}").text
        assert _rows(last) == [whole[-1].change_id] and 'href="/?halaman=' in last
        assert _rows(sari.get("/?halaman=999").text) == [whole[-1].change_id]
        assert _rows(sari.get("/?halaman=nol").text) == [whole[0].change_id]
        timed.clear()
        assert sari.get("/menunggu/jumlah").text == str(len(whole))
        assert timed == []
    for cached in (True, False):
        office = Office(server, cached=cached)
        pages = [office.waiting_page("sari", n)[0] for n in range(1, len(whole) + 1)]
        assert pages == [[row] for row in whole]
        assert office.waiting_page("sari", 0)[1:] == (1, len(whole))
