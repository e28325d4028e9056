"""Scheduled publication on GitHub end to end (issue 15 §4), with the clock controlled
(``TERBIT_NOW``): a draft with ``publish_at`` merged early is held by the publish workflow's
run (nothing on Pages, no record); the scheduled workflow's read-only ``due`` step lists it only
once its time has come; its ``record`` step (``publish --due``) then builds, deploys to the
Pages target, proves it live in Chromium, comments on the PR and commits the record to
GitHub's main with the scheduled and the actual time, saying how late a missed time was."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
import yaml

from tests.support.github_site import GitHubSite, github_site, nota

pytestmark = [pytest.mark.slow, pytest.mark.browser]

WIB = ZoneInfo("Asia/Jakarta")
SLUG = "vaksinasi-terjadwal"
FULL_REVIEW = [("sari-lubis", "APPROVED"), ("andi-harahap", "APPROVED"), ("sari-lubis", "APPROVED")]


@pytest.fixture
def site(github_api, tmp_path) -> Iterator[GitHubSite]:
    with github_site(tmp_path, github_api) as made:
        yield made


def mentions(site: GitHubSite, year: int) -> dict[str, bool]:
    """Whether the Pages site names the article: its page, and each list."""
    found = {"page": httpx.get(f"{site.url}/artikel/{SLUG}/", timeout=10).status_code == 200}
    for place in (
        "",
        f"arsip/{year}/",
        "kategori/berita/",
        "feeds/semua.atom.xml",
        "sitemap.xml",
        "search.json",
    ):
        answer = httpx.get(f"{site.url}/{place}", timeout=10)
        found[place or "/"] = answer.status_code == 200 and SLUG in answer.text
    return found


def test_a_draft_merged_early_is_published_on_github_by_the_scheduled_workflow(site):
    due = (datetime.now(UTC) + timedelta(days=1)).replace(second=0, microsecond=0)
    when = due.astimezone(WIB).strftime("%Y-%m-%d %H:%M")
    draft = (
        f'---\ntitle: Vaksinasi Terjadwal\ndate: "{when}"\npublish_at: "{when}"\n'
        "category: Berita\nsummary: Ringkasan vaksinasi.\nauthor: rina\n---\nIsi.\n"
    )
    number, merge = site.pull_request(
        "rina-siregar",
        {f"content/articles/{SLUG}.md": draft},
        title="Vaksinasi terjadwal",
        nota=nota(50, "Publikasi"),
        reviews=FULL_REVIEW,
    )
    assert merge is not None

    # The publish workflow's run for the merge: the site goes out without it, nothing recorded.
    held = site.terbit("publish", merge)
    assert held.returncode == 0, held.stdout + held.stderr
    assert "DIJADWALKAN" in held.stdout
    year = due.astimezone(WIB).year
    assert not any(mentions(site, year).values()), mentions(site, year)
    assert httpx.get(f"{site.url}/", timeout=10).status_code == 200  # the site is live
    assert site.records() == []

    # The scheduled workflow's read-only first job, before and after the time.
    early = site.terbit("publish", "--due", "--list", now=due - timedelta(minutes=1))
    assert early.returncode == 0 and early.stdout == "", early.stdout + early.stderr
    moment = due + timedelta(minutes=42)  # no round ran at the time (Actions was late, or off)
    listed = site.terbit("publish", "--due", "--list", now=moment)
    assert listed.stdout.split() == [merge, due.isoformat()], listed.stdout + listed.stderr

    # Its record job: published through the ordinary path, late, and it says so.
    site.checkout()
    run = site.terbit("publish", "--due", now=moment)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "selesai dan lengkap" in run.stdout
    assert "Terlambat   : 42 menit dari jadwal" in run.stdout
    assert all(mentions(site, year).values()), mentions(site, year)
    (folder,) = site.records()
    record = yaml.safe_load(site.show(f"records/{folder}/record.yml") or "")
    assert record["status"] == "complete", record["reasons"]
    plan = record["jadwal"]
    assert datetime.fromisoformat(plan["dijadwalkan"]) == due
    assert datetime.fromisoformat(plan["tayang"]) == moment
    assert plan["terlambat_menit"] == 42
    assert "terlambat 42 menit" in (site.show(f"records/{folder}/README.md") or "")
    assert len(record["screenshots"]) == 2 and record["live"]
    assert f"{site.url}/artikel/{SLUG}/" in site.comments[number][0]["body"]

    # The next scheduled run starts from main with the record: nothing is due any more.
    site.checkout()
    again = site.terbit("publish", "--due", "--list", now=moment + timedelta(minutes=15))
    assert again.returncode == 0 and again.stdout == ""
