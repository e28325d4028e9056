"""The reading pages against a real office: what waits for whom (timed by the gate), the
changes with their filters, one change (nota dinas, steps, timeline, comments), the records
with their PDFs and the monthly compliance report, in Indonesian and English."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from pipeline.clock import now
from tests.support.web import PDF, Story, WebApp, running, sign_in, token

pytestmark = pytest.mark.xdist_group("web-pages")


@pytest.fixture(scope="module")
def story(new_story: Callable[..., Story]) -> Story:
    """This module's own office: what waits for whom is asserted exactly, so no other module's
    test may act on its changes."""
    return new_story("web-pages")


def _rows(page: str, story: Story | None = None) -> list[str]:
    """The change links of a page's table, in order (only the story's, when given: other
    modules of the group add changes to the same office)."""
    found = re.findall(r'<a href="/perubahan/([0-9]+)">', page)
    if story is None:
        return found
    ours = {story.plain, story.hostile, story.fixing, story.ready}
    return [row for row in found if row in ours]


def test_waiting_for_the_katimker_is_her_step_newest_first_overdue(
    web: WebApp, story: Story
) -> None:
    page = sign_in(web, "sari").get("/").text
    # Newest first; not #3 (the author's turn). The shared office is only read, so this is
    # the whole list whatever ran before.
    assert _rows(page) == [story.hostile, story.plain]
    assert page.count('class="over"') == 2
    assert "melebihi" in page
    assert "3. Memeriksa draf dokumen" in page
    assert "Rina Marlina Siregar" in page  # who submitted


def test_waiting_for_the_author_after_a_request_for_changes(web: WebApp, story: Story) -> None:
    page = sign_in(web, "rina").get("/").text
    assert _rows(page, story) == [story.fixing]
    assert "Perbaikan oleh staf" in page


def test_waiting_for_the_admin_once_every_review_is_done(web: WebApp, story: Story) -> None:
    page = sign_in(web, "dewi").get("/").text
    assert _rows(page, story) == [story.ready]
    assert "6. " in page


def test_nothing_waits_for_the_head_before_his_step(web: WebApp) -> None:
    assert "Tidak ada yang menunggu Anda." in sign_in(web, "andi").get("/").text


def test_changes_list_filters_by_state_step_author_and_month(web: WebApp, story: Story) -> None:
    http = sign_in(web, "sari")
    everything = _rows(http.get("/perubahan").text, story)
    assert everything == [story.ready, story.fixing, story.hostile, story.plain]
    assert _rows(http.get("/perubahan?author=rina").text, story) == [story.fixing, story.plain]
    assert _rows(http.get("/perubahan?step=6").text, story) == [story.ready]
    assert _rows(http.get("/perubahan?state=open&step=3").text, story) == [
        story.fixing, story.hostile, story.plain,
    ]  # fmt: skip
    merged = http.get("/perubahan?state=merged").text
    assert _rows(merged) == []
    assert "Tidak ada perubahan yang cocok." in merged
    # Opened "now" in the office's zone (the app looks a week later; the filter is the month
    # the change was opened).
    assert _rows(http.get("/perubahan?month=2020-01").text) == []
    month = now().astimezone(__import__("zoneinfo").ZoneInfo("Asia/Jakarta")).strftime("%Y-%m")
    assert len(_rows(http.get(f"/perubahan?month={month}").text, story)) in (0, 4)


def test_changes_list_is_paged_and_its_links_keep_the_filters(
    web: WebApp, story: Story, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The list renders one page of rows (newest first); the next and previous pages keep the
    filters; a page past the last shows the last."""
    from pipeline.web import pages

    http = sign_in(web, "sari")
    whole = _rows(http.get("/perubahan?state=open&step=3").text)
    assert {story.fixing, story.hostile, story.plain} <= set(whole)
    monkeypatch.setattr(pages, "CHANGES_PAGE", 2)
    first = http.get("/perubahan?state=open&step=3").text
    assert _rows(first) == whole[:2]
    assert 'href="/perubahan?state=open&amp;step=3&amp;halaman=2"' in first
    second = http.get("/perubahan?state=open&step=3&halaman=2").text
    assert _rows(second) == whole[2:4]
    assert 'href="/perubahan?state=open&amp;step=3&amp;halaman=1"' in second
    last = -(-len(whole) // 2)
    assert (
        _rows(http.get("/perubahan?state=open&step=3&halaman=99").text) == whole[(last - 1) * 2 :]
    )
    monkeypatch.setattr(pages, "CHANGES_PAGE", 100)
    assert "halaman=" not in http.get("/perubahan?author=rina").text  # one page: no links


def test_change_page_shows_nota_steps_timeline_and_comments(web: WebApp, story: Story) -> None:
    page = sign_in(web, "andi").get(f"/perubahan/{story.fixing}").text
    assert "Perubahan #3: Artikel" in page
    assert re.search(r"ND-[0-9]+/LPZI/XI/2026", page)  # the nota dinas
    for activity in ("Mempersiapkan konsep", "Membuat dan menyampaikan nota dinas",
                     "Memeriksa draf dokumen", "Mendisposisikan nota dinas"):  # fmt: skip
        assert activity in page
    assert "Sari Wahyuni Lubis" in page
    assert "diajukan dengan nota dinas" in page
    assert "meminta perbaikan" in page
    assert "Ringkasan belum sesuai nota dinas." in page  # the comment thread
    assert "content/articles/artikel-rina-" in page  # the files it lands


def test_unknown_change_is_a_clear_404(web: WebApp) -> None:
    http = sign_in(web, "sari")
    missing = http.get("/perubahan/999")
    assert missing.status_code == 404
    assert "perubahan #999 tidak ditemukan" in missing.text
    assert http.get("/perubahan/..%2F..%2Fetc").status_code == 404


def test_english_is_one_switch_away_and_stays_for_the_session(web: WebApp) -> None:
    http = sign_in(web, "sari")
    switched = http.post("/bahasa", data={"lang": "en", "next": "/perubahan",
                                          "csrftoken": token(http.get("/").text)})  # fmt: skip
    assert switched.headers["location"] == "/perubahan"
    page = http.get("/").text
    assert '<html lang="en">' in page
    assert "Waiting for me" in page
    assert "Check the draft and forward the nota dinas" in page
    assert "over by" in page
    assert "perubahan #999" not in http.get("/perubahan/999").text
    assert "change #999 not found" in http.get("/perubahan/999").text


def test_records_list_and_their_pdfs(archive: WebApp) -> None:
    http = sign_in(archive, "sari")
    page = http.get("/catatan").text
    folders = re.findall(r'href="/catatan/([^/"]+)/lembar-penyelesaian.pdf"', page)
    assert len(folders) == 1
    assert len(re.findall(r"<tr>\s*<td>", page)) == 3  # one row per record
    pdf = http.get(f"/catatan/{folders[0]}/lembar-penyelesaian.pdf")
    assert pdf.status_code == 200
    assert pdf.content == PDF
    assert pdf.headers["content-type"] == "application/pdf"
    assert "attachment" in pdf.headers["content-disposition"]
    for bad in ("..", "records", "1-tidak-ada"):
        assert http.get(f"/catatan/{bad}/lembar-penyelesaian.pdf").status_code == 404


def test_compliance_report_page_is_the_reports_own_html(archive: WebApp) -> None:
    http = sign_in(archive, "sari")
    folders = sorted(re.findall(r"<tr>\s*<td>([^<]+)</td>", http.get("/catatan").text))
    assert len(folders) == 3
    november = http.get("/laporan?bulan=2026-11").text
    assert "LAPORAN KEPATUHAN SOP" in november
    assert "November 2026" in november
    # The records the report counts (its appendix lists their ids): the two of November.
    counted = [f for f in folders if f in november]
    assert len(counted) == 2
    december = http.get("/laporan?bulan=2026-12").text
    assert [f for f in folders if f in december] == sorted(set(folders) - set(counted))
    assert "<style>" not in november and ' style="' not in november  # CSP: no inline style
    assert 'href="/laporan.css"' in november
    assert http.get("/laporan.css").headers["content-type"].startswith("text/css")


def test_an_unreadable_change_is_named_and_stops_nothing(
    new_archive: Callable[[str], Path],
) -> None:
    """A damaged record chain (written past the hooks, as a broken disk or hand edit would),
    in an archive of its own: the shared one is only read."""
    with running(new_archive("web-damaged")) as damaged:
        _damaged_change_is_named(damaged)


def _damaged_change_is_named(archive: WebApp) -> None:
    server = str(archive.server)

    def git_out(*args: str, stdin: str | None = None) -> str:
        return subprocess.run(["git", "-C", server, *args], input=stdin, capture_output=True,
                              text=True, check=True).stdout.strip()  # fmt: skip

    blob = git_out("hash-object", "-w", "--stdin", stdin="bukan json")
    tree = git_out("mktree", stdin=f"100644 blob {blob}\tevent.json\n")
    commit = git_out("commit-tree", tree, "-m", "rusak")
    git_out("update-ref", "refs/terbit/changes/90/meta", commit)
    http = sign_in(archive, "sari")
    listed = http.get("/perubahan")
    assert listed.status_code == 200
    assert "perubahan #90 tidak dapat dibaca" in listed.text
    assert http.get("/").status_code == 200
    assert http.get("/catatan").status_code == 200
    one = http.get("/perubahan/90")
    assert one.status_code == 404
    assert "Traceback" not in one.text
