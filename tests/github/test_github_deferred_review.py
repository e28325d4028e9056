"""The deferred review of an urgent publication on GitHub, visible, reminded and escalated
(issue 15 §1), end to end with the clock controlled (``TERBIT_NOW``): a "Sangat Segera" pull
request merged on the head's approval is published (the publish workflow's record job: real
Pelican build, Pages target, Chromium), then its ``mark`` job labels the PR and writes one
comment naming the role, the steps and the deadline in the office's time; ``terbit github
waiting`` lists it for the Katimker beside an open PR waiting for the head. The scheduled
workflow's ``remind`` job writes nothing before the deadline; past it, one reminder
@mentioning the Katimker and one escalation @mentioning the head, however many passes run,
and a marker someone else writes silences neither. Comments that are no review (by staff,
edited, before the merge) change nothing; the Katimker's ``/setuju`` (the deferred-review
workflow's pass) takes the label off, says on the comment that the review was done and late,
and nothing more is sent; a month later the passes no longer read it."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import yaml

from tests.support.github import REPO, ROOT
from tests.support.github_site import GitHubSite, nota

pytestmark = [pytest.mark.slow, pytest.mark.browser]

WIB = ZoneInfo("Asia/Jakarta")
LABEL = "menunggu-pemeriksaan-tertunda"
REASON = "KLB campak di Kecamatan Medan Belawan: warga perlu tahu hari ini"


def workflow_run(name: str, job: str) -> str:
    """The command of ``job``'s Terbit step in workflow ``name``, as the runner runs it."""
    steps = yaml.safe_load((ROOT / ".github/workflows" / name).read_text())["jobs"][job]["steps"]
    (run,) = [s["run"] for s in steps if "pipeline github remind" in s.get("run", "")]
    return run


def step_args(run: str, **values: str) -> list[str]:
    """``python -I -m pipeline github remind …`` with the runner's variables filled in."""
    for name, value in values.items():
        run = run.replace(f'"${name}"', value)
    words = run.split()
    assert words[:4] == ["python", "-I", "-m", "pipeline"], run
    return words[4:]


def bot_comments(site: GitHubSite, number: int) -> list[str]:
    return [c["body"] for c in site.comments[number] if c["user"]["login"] == "github-actions[bot]"]


def waiting(site: GitHubSite, *args: str, now: datetime) -> list[dict]:
    done = site.terbit("github", "waiting", *args, "--format", "json", now=now)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout)


def test_a_deferred_review_is_marked_reminded_escalated_and_cleared_on_github(site):
    article = (
        "---\ntitle: Peringatan KLB Campak\ndate: 2026-12-01 08:00\ncategory: Berita\n"
        "summary: Waspada campak di Medan Belawan.\nauthor: rina\n---\nIsi peringatan.\n"
    )
    urgent, _ = site.pull_request(
        "rina-siregar", {"content/articles/peringatan-klb-campak.md": article},
        title="Peringatan KLB campak",
        nota=nota(71, "Peringatan KLB campak", sifat="Sangat Segera", alasan=REASON),
        reviews=[("andi-harahap", "APPROVED")], merge=False,
    )  # fmt: skip
    merge = site.merge(urgent)
    record = site.published(merge)  # the publish workflow's gate and record jobs
    due = datetime.fromisoformat(record["segera"]["tenggat"])
    deadline = due.astimezone(WIB).strftime("%d-%m-%Y %H:%M WIB")
    notice = len(bot_comments(site, urgent))  # step 7's notice

    # An ordinary PR, open, approved by the Katimker: it waits for the head's disposition.
    ordinary, _ = site.pull_request(
        "rina-siregar",
        {"content/articles/jadwal-vaksinasi.md": article.replace("Peringatan", "Jadwal")},
        title="Jadwal vaksinasi", nota=nota(72, "Jadwal vaksinasi"),
        reviews=[("sari-lubis", "APPROVED")], merge=False,
    )  # fmt: skip
    soon = due - timedelta(minutes=30)

    # The publish workflow's mark job, after the record: the label and one comment.
    args = step_args(workflow_run("publish.yml", "mark"), MERGE=merge, GITHUB_REPOSITORY="x/y")
    args[args.index("--repo") : args.index("--repo") + 2] = []
    for _ in range(2):  # a re-run of the job writes nothing new
        marked = site.terbit(*args, now=soon)
        assert marked.returncode == 0, marked.stdout + marked.stderr
    assert site.labels[urgent] == [LABEL]
    assert site.repo_labels[LABEL]["description"]  # created with what it means
    (mark,) = bot_comments(site, urgent)[: -notice or None]
    assert "Pemeriksaan tertunda" in mark and "Katimker" in mark and "3, 5" in mark, mark
    assert deadline in mark and "@sari-lubis" in mark and "/setuju" in mark, mark

    # What waits, for whom: the Katimker owes the deferred review; the head has the open PR.
    (owed,) = waiting(site, "--person", "sari-lubis", now=soon)
    assert (owed["number"], owed["kind"], owed["steps"]) == (urgent, "owed", [3, 5])
    assert datetime.fromisoformat(owed["due"]) == due and owed["overdue"] is False
    (step,) = waiting(site, "--person", "andi", now=soon)
    assert (step["number"], step["kind"], step["steps"]) == (ordinary, "step", [4])
    assert [w["number"] for w in waiting(site, "--role", "katimker_lpzi", now=soon)] == [urgent]
    shown = site.terbit("github", "waiting", "--person", "sari", now=soon)
    assert f"#{urgent} Peringatan KLB campak" in shown.stdout and deadline in shown.stdout
    assert "TERLAMBAT" not in shown.stdout

    # The scheduled workflow's remind job: before the deadline, nothing more.
    scheduled = step_args(workflow_run("schedule.yml", "remind"), GITHUB_REPOSITORY="x/y")
    scheduled[scheduled.index("--repo") : scheduled.index("--repo") + 2] = []
    asked = len(site.api.calls)
    early = site.terbit(*scheduled, now=soon)
    assert early.returncode == 0, early.stdout + early.stderr
    # Four passes an hour on Actions' 1,000 requests: one owed PR costs a pass few of them.
    assert len(site.api.calls) - asked <= 20, [c.path for c in site.api.calls[asked:]]
    assert len(bot_comments(site, urgent)) == notice + 1

    # Someone writes the reminder's marker himself: it silences nothing.
    late = due + timedelta(minutes=20)
    site.comment(urgent, "rina-siregar", f"sudah\n<!-- terbit:remind:tenggat-katimker_lpzi:"
                 f"{urgent} -->", due + timedelta(minutes=1))  # fmt: skip
    for _ in range(2):  # two passes past the deadline: one reminder, one escalation
        passed = site.terbit(*scheduled, now=late)
        assert passed.returncode == 0, passed.stdout + passed.stderr
    written = bot_comments(site, urgent)
    assert len(written) == notice + 3, written
    escalation, reminder = written[0], written[1]
    assert "Tenggat terlewati" in reminder and "@sari-lubis" in reminder, reminder
    assert deadline in reminder and "@andi-harahap" not in reminder, reminder
    assert "Eskalasi ke Kepala Satker" in escalation and "@andi-harahap" in escalation
    assert "@sari-lubis" not in escalation and deadline in escalation, escalation
    (owed,) = waiting(site, "--person", "sari-lubis", now=late)
    assert owed["overdue"] is True
    assert "TERLAMBAT" in site.terbit("github", "waiting", "--person", "sari", now=late).stdout

    # None of these is the review: the label stays, nothing is sent again.
    merged = site.merged_at[urgent]
    after = due + timedelta(minutes=30)
    site.comment(urgent, "rina-siregar", "/setuju", after)
    site.comment(urgent, "sari-lubis", "/setuju", after, edited=after + timedelta(minutes=1))
    site.comment(urgent, "sari-lubis", "/setuju", merged - timedelta(minutes=1))
    run = step_args(workflow_run("deferred-review.yml", "remind"), PR_NUMBER=str(urgent),
                    GITHUB_REPOSITORY="x/y")  # fmt: skip
    run[run.index("--repo") : run.index("--repo") + 2] = []
    again = site.terbit(*run, now=after + timedelta(minutes=2))
    assert again.returncode == 0, again.stdout + again.stderr
    assert site.labels[urgent] == [LABEL] and len(bot_comments(site, urgent)) == notice + 3

    # The Katimker's /setuju after the deadline: the label off, the comment says done, late.
    given = due + timedelta(hours=2)
    site.comment(urgent, "sari-lubis", "/setuju\nSudah sesuai data dinas kesehatan.", given)
    for _ in range(2):
        cleared = site.terbit(*run, now=given + timedelta(minutes=1))
        assert cleared.returncode == 0, cleared.stdout + cleared.stderr
        assert site.terbit(*scheduled, now=given + timedelta(minutes=15)).returncode == 0
    assert site.labels[urgent] == []
    written = bot_comments(site, urgent)
    assert len(written) == notice + 3, written  # nothing new, the mark brought up to date
    (done,) = [body for body in written if "<!-- terbit:tertunda -->" in body]
    assert "Pemeriksaan tertunda selesai" in done and "Sari" in done and "TERLAMBAT" in done
    assert "@" not in done, done  # said once, to nobody in particular
    assert waiting(site, "--person", "sari-lubis", now=given) == []
    assert [w["number"] for w in waiting(site, now=given)] == [ordinary]

    # A month on, done and unlabelled, the PR is no longer read by every pass (Actions' token
    # has 1,000 requests an hour); one still labelled would be.
    read = len(site.api.made("GET", f"/repos/{REPO}/pulls/{urgent}"))
    assert site.terbit(*scheduled, now=merged + timedelta(days=31)).returncode == 0
    assert len(site.api.made("GET", f"/repos/{REPO}/pulls/{urgent}")) == read


def test_waiting_names_an_unknown_person_or_role_clearly(site):
    for args, text in (
        (("--person", "siapa"), "'siapa' tidak ada di roles.yml"),
        (("--role", "bendahara"), "peran 'bendahara' tidak ada di roles.yml"),
        (("--person", "sari", "--role", "staf"), "pilih salah satu"),
    ):
        done = site.terbit("github", "waiting", *args)
        assert done.returncode == 2, done.stdout + done.stderr
        assert text in done.stderr and "Traceback" not in done.stderr, done.stderr
