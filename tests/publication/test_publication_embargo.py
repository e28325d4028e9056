"""Scheduled publication (issue 15 §4) end to end on the embedded forge: real server and hooks,
real Pelican build, the local target behind a real HTTP server, real SMTP, real Chromium.

Two articles are merged early, each with a ``publish_at`` ahead. Their merges' publications
deploy the site without them and record nothing. ``terbit publish --due`` (the clock moved
with ``TERBIT_NOW``) publishes the first on time through the ordinary path; the second, whose
time passed while no scheduler ran, is published by ``terbit schedule``'s first round and its
record says how late.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
import yaml

from pipeline.change.nota_dinas import template
from pipeline.forge.local.client import actions as client
from pipeline.vcs import Repo
from tests.publication.test_publication_flow import Env, env, merge

__all__ = ["env"]  # the office, its web server and its SMTP server (module scope)

pytestmark = [pytest.mark.xdist_group("publication-embargo"), pytest.mark.slow, pytest.mark.browser]
WIB = ZoneInfo("Asia/Jakarta")
YEARS: dict[str, int] = {}  # slug -> the year of its date (set when it is submitted)
CHANGES: dict[str, str] = {}  # slug -> its change id (set when it is submitted)
# Where a published article shows up besides its own page.
LISTS = (
    "",
    "arsip/{year}/",
    "kategori/berita/",
    "feeds/semua.atom.xml",
    "sitemap.xml",
    "search.json",
)


def submit_scheduled(env: Env, slug: str, title: str, at: datetime) -> str:
    office = env.office
    forge = office.forge("rina")
    forge.repo.run("fetch", "--quiet", "origin")
    forge.repo.switch_new_branch(f"jadwal-{slug}", "origin/main")
    when = at.astimezone(WIB).strftime("%Y-%m-%d %H:%M")
    YEARS[slug] = at.astimezone(WIB).year
    (office.clone_path("rina") / f"content/articles/{slug}.md").write_text(
        f'---\ntitle: {title}\ndate: "{when}"\npublish_at: "{when}"\ncategory: Berita\n'
        f"summary: Ringkasan {title}.\nauthor: rina\n---\nIsi berita {title}.\n",
        encoding="utf-8",
    )
    forge.repo.run("add", "--all")
    forge.repo.run("commit", "--quiet", "-m", f"Artikel {title}")
    number = sum(map(ord, slug)) % 900 + 10
    nota = template(nomor=f"ND-{number}/LPZI/XII/2026", dari="Rina Marlina Siregar",
                    tanggal=at.date())  # fmt: skip
    change_id, _ = client.submit(forge, office.who("rina"), nota_text=nota)
    for who in ("sari", "andi", "sari"):
        client.review(office.forge(who), office.who(who), change_id, "approve", "Sesuai.")
    return change_id


def mentions(env: Env, slug: str) -> dict[str, bool]:
    """Whether the live site names the article: its page (200) and each list."""
    found = {"page": httpx.get(f"{env.live_base}/artikel/{slug}/", timeout=10).status_code == 200}
    for place in LISTS:
        place = place.format(year=YEARS[slug])  # the year archive of the article's date
        answer = httpx.get(f"{env.live_base}/{place}", timeout=10)
        found[place or "/"] = answer.status_code == 200 and slug in answer.text
    return found


def record_of(env: Env, merge_sha: str) -> dict:
    repo = Repo(env.server)
    (folder,) = env.records(merge_sha)
    return yaml.safe_load(repo.show_file("refs/heads/main", f"records/{folder}/record.yml"))


@pytest.fixture(scope="module")
def held(env: Env) -> Iterator[tuple[datetime, dict[str, str]]]:
    """Both articles merged early and held: (the real time of the merges, slug -> merge)."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    merges = {}
    for slug, title, days in (("vaksin-terjadwal", "Vaksinasi Terjadwal", 1),
                              ("banjir-terjadwal", "Siaga Banjir Terjadwal", 2)):  # fmt: skip
        change_id = CHANGES[slug] = submit_scheduled(env, slug, title, now + timedelta(days=days))
        merges[slug] = merge(env, change_id)
        result = env.publish(merges[slug])
        assert result.status == "scheduled", result.problems
        assert "dijadwalkan" in result.problems[0]
    yield now, merges


def test_merged_early_it_is_nowhere_on_the_live_site(env: Env, held) -> None:
    _now, merges = held
    for slug, sha in merges.items():
        assert not any(mentions(env, slug).values()), mentions(env, slug)
        assert env.records(sha) == []  # nothing happened that a record could state
    assert httpx.get(f"{env.live_base}/", timeout=10).status_code == 200  # the site is live


def test_status_and_the_change_page_say_when_a_held_article_goes_live(
    env: Env, held, monkeypatch
) -> None:
    """Before its time: "dijadwalkan" with the publish_at, not "no record yet" or "stopped";
    past it, before the scheduler's round: due, waiting for the scheduler."""
    from pipeline.web.office import Office as WebOffice
    from pipeline.web.publishing import publication

    now, _merges = held
    due = now + timedelta(days=1)
    shown = due.astimezone(WIB).strftime("%d-%m-%Y %H:%M")
    change_id = CHANGES["vaksin-terjadwal"]

    def status(moment: datetime | None = None) -> subprocess.CompletedProcess:
        extra = {"TERBIT_NOW": moment.isoformat()} if moment else {}
        return subprocess.run(
            [sys.executable, "-m", "pipeline", "status", change_id], capture_output=True,
            text=True, cwd=env.office.clone_path("rina"), env={**os.environ, **extra},
            timeout=120, check=False,
        )  # fmt: skip

    before = status()
    assert before.returncode == 0, before.stdout + before.stderr
    assert f"Publikasi: dijadwalkan (publish_at {shown} WIB)" in before.stdout
    after = status(due + timedelta(minutes=1))
    assert f"Publikasi: jatuh tempo sejak {shown} WIB (publish_at)" in after.stdout

    view = publication(WebOffice(env.server, cached=False), change_id)
    assert (view.status, view.scheduled_at, view.may_retry) == ("scheduled", shown, False)
    assert view.finished  # nothing runs until its time: the page does not poll
    monkeypatch.setenv("TERBIT_NOW", (due + timedelta(minutes=1)).isoformat())
    assert publication(WebOffice(env.server, cached=False), change_id).status == "due"


def test_publish_due_publishes_on_time_then_has_nothing_to_do(env: Env, held) -> None:
    now, merges = held
    due = now + timedelta(days=1)
    early = env.cli("publish", "--due", "--repo", str(env.server),
                    env={"TERBIT_NOW": (due - timedelta(minutes=1)).isoformat()})  # fmt: skip
    assert early.returncode == 0, early.stderr
    assert "Tidak ada yang jatuh tempo." in early.stdout
    assert env.records(merges["vaksin-terjadwal"]) == []

    moment = (due + timedelta(minutes=2)).isoformat()
    listed = env.cli("publish", "--due", "--list", "--repo", str(env.server),
                     env={"TERBIT_NOW": moment})  # fmt: skip
    assert listed.stdout.split() == [merges["vaksin-terjadwal"], due.isoformat()]
    done = env.cli("publish", "--due", "--repo", str(env.server), env={"TERBIT_NOW": moment})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "selesai dan lengkap" in done.stdout
    assert all(mentions(env, "vaksin-terjadwal").values()), mentions(env, "vaksin-terjadwal")
    assert not any(mentions(env, "banjir-terjadwal").values())  # its time has not come
    record = record_of(env, merges["vaksin-terjadwal"])
    assert record["status"] == "complete", record["reasons"]
    plan = record["jadwal"]
    assert datetime.fromisoformat(plan["dijadwalkan"]) == due
    assert datetime.fromisoformat(plan["tayang"]) == due + timedelta(minutes=2)
    assert plan["terlambat_menit"] == 0  # within the scheduler's grace: on time
    assert len(record["screenshots"]) == 2 and record["live"]

    main = Repo(env.server).rev_parse("refs/heads/main")
    again = env.cli("publish", "--due", "--repo", str(env.server), env={"TERBIT_NOW": moment})
    assert again.returncode == 0 and "Tidak ada yang jatuh tempo." in again.stdout
    assert Repo(env.server).rev_parse("refs/heads/main") == main  # idempotent


def test_a_missed_time_is_published_by_the_first_round_and_recorded_late(env, held) -> None:
    now, merges = held
    due = now + timedelta(days=2)
    moment = (due + timedelta(minutes=42)).isoformat()  # the server was down at the time
    run = env.cli("schedule", "--rounds", "1", "--repo", str(env.server),
                  env={"TERBIT_NOW": moment})  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Terlambat   : 42 menit dari jadwal" in run.stdout
    assert all(mentions(env, "banjir-terjadwal").values())
    assert all(mentions(env, "vaksin-terjadwal").values())  # the earlier one stays
    record = record_of(env, merges["banjir-terjadwal"])
    assert record["status"] == "complete", record["reasons"]
    assert record["jadwal"]["terlambat_menit"] == 42
    readme = Repo(env.server).show_file(
        "refs/heads/main", f"records/{env.records(merges['banjir-terjadwal'])[0]}/README.md"
    )
    assert "terlambat 42 menit" in readme


def test_the_hook_says_a_held_publication_is_scheduled() -> None:
    """What the server relays to the pusher after merging a change whose drafts are held."""
    from pipeline.hooks.publish import _line
    from pipeline.publication.state import PublishResult

    held = PublishResult("a" * 40, "7", "scheduled", problems=["dijadwalkan: 'X' tayang …"])
    assert _line(held).startswith("terbit: perubahan #7: publikasi DIJADWALKAN")
