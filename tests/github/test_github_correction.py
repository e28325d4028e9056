"""A correction on GitHub end to end (issue 15 §3): a pull request that edits a published
article with a ``ralat:`` summary, merged, then the publish workflow's jobs as the runner runs
them — its build job in a checkout as deep as the workflow asks for, that output on Pages,
then its record job (gate re-judged, ``publish MERGE`` with the real Pelican build, the Pages
target and real Chromium). The live page shows the dated note, the Atom feed marks the entry
updated, and the public history lists both versions with the dates of their merges."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.support.github_site import GitHubSite, github_site, nota

pytestmark = pytest.mark.slow

WIB = ZoneInfo("Asia/Jakarta")
ATOM = "{http://www.w3.org/2005/Atom}"
SLUG = "jam-layanan-vaksinasi"
PATH = f"content/articles/{SLUG}.md"
FIX = "Jam layanan yang benar pukul 07.30, bukan 08.00."
FULL_REVIEW = [("sari-lubis", "APPROVED"), ("andi-harahap", "APPROVED"), ("sari-lubis", "APPROVED")]


def draft(hours: str, extra: str = "") -> str:
    return (
        "---\ntitle: Jam Layanan Vaksinasi Internasional\ndate: 2026-11-20 08:00\n"
        f"category: Berita\nsummary: Layanan vaksinasi dibuka pukul {hours} WIB.\n"
        f"author: rina\n{extra}---\nLayanan vaksinasi internasional dibuka pukul {hours} WIB.\n"
    )


@pytest.fixture
def site(github_api, tmp_path) -> Iterator[GitHubSite]:
    with github_site(tmp_path, github_api) as made:
        yield made


def merged_at(site: GitHubSite, merge: str) -> str:
    """The time of the merge commit on main, in the site's zone, as the page writes it."""
    stamp = site.origin_git("log", "-1", "--format=%cI", merge)
    return datetime.fromisoformat(stamp).astimezone(WIB).isoformat()


def correction_shown(site: GitHubSite, first: str, second: str) -> None:
    """What a visitor of the Pages site sees of the correction."""
    page = httpx.get(f"{site.url}/artikel/{SLUG}/", timeout=10)
    assert page.status_code == 200 and "pukul 07.30" in page.text
    when = merged_at(site, second)
    assert '<div class="correction" role="note">' in page.text, "no correction note"
    assert f'<strong>Ralat</strong> <time datetime="{when}">' in page.text
    assert FIX in page.text
    history = page.text.split('id="riwayat"', 1)[1].split("</section>", 1)[0]
    assert f'Versi 2: <time datetime="{when}">' in history
    assert f'Versi 1: <time datetime="{merged_at(site, first)}">' in history
    feed = ET.fromstring(httpx.get(f"{site.url}/feeds/semua.atom.xml", timeout=10).content)
    (entry,) = [
        e for e in feed.findall(f"{ATOM}entry")
        if any(SLUG in (link.get("href") or "") for link in e.findall(f"{ATOM}link"))
    ]  # fmt: skip
    assert entry.findtext(f"{ATOM}published") == "2026-11-20T08:00:00+07:00"
    assert entry.findtext(f"{ATOM}updated") == when


@pytest.mark.browser
def test_a_correction_merged_on_github_shows_its_note_feed_update_and_history_on_pages(site):
    _n, first = site.pull_request(
        "rina-siregar",
        {PATH: draft("08.00")},
        title="Jam layanan vaksinasi",
        nota=nota(60, "Permohonan Publikasi Informasi"),
        reviews=FULL_REVIEW,
    )
    assert first is not None
    site.build_job(first)
    assert site.published(first)["status"] == "complete"

    number, second = site.pull_request(
        "rina-siregar",
        {PATH: draft("07.30", f"ralat: {FIX}\n")},
        title="Ralat jam layanan vaksinasi",
        nota=nota(61, "Permohonan ralat berita jam layanan vaksinasi"),
        reviews=FULL_REVIEW,
    )
    assert second is not None

    # The build job's output is what GitHub Pages serves: built where the workflow checks
    # the site out, it must see main's history to know the article had an earlier version.
    site.build_job(second)
    correction_shown(site, first, second)

    # The record job then proves the corrected page live and commits the record.
    record = site.published(second)
    assert record["status"] == "complete", record["reasons"]
    page = f"{site.url}/artikel/{SLUG}/"
    assert page in [check["url"] for check in record["live"]]
    correction_shown(site, first, second)
    assert page in site.comments[number][0]["body"]  # step 7: told on the merged PR


def test_a_build_in_a_shallow_clone_warns_that_the_history_is_cut(site):
    """An office's own CI that checks the site out shallow (one commit) is told why its
    corrections lost their notes, and how to fetch the history."""
    _n, first = site.pull_request(
        "rina-siregar",
        {PATH: draft("08.00")},
        title="Jam layanan vaksinasi",
        nota=nota(62, "Permohonan Publikasi Informasi"),
        reviews=FULL_REVIEW,
    )
    assert first is not None
    shallow = site.build_job(first, depth=1)
    assert "klon dangkal (shallow)" in shallow.stderr and "fetch-depth: 0" in shallow.stderr
    whole = site.build_job(first, depth=0)
    assert "dangkal" not in whole.stderr, whole.stderr
