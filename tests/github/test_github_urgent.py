"""The expedited path of sop.yml on GitHub end to end (issue 15 §1): a pull request whose nota
dinas is "Sangat Segera" with a written reason, approved by the head alone, passes the SOP
gate's workflow step with the deferred steps named; merged, the publish workflow's jobs
publish it (gate re-judged, ``publish MERGE``: real Pelican build, the Pages target, real
Chromium) and commit a record marked urgent with the reason and the deferred steps owed by
their deadline. GitHub refuses an approving review on a merged pull request, so the deferred
review is the Katimker's ``/setuju`` comment on it; the gate's report then shows the steps
done, on time, and only an unedited comment after the merge by a member of the deferred
steps' role counts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
import yaml

from tests.support.github import REPO
from tests.support.github_site import GitHubSite, github_site, nota

pytestmark = [pytest.mark.slow, pytest.mark.browser]

WIB = ZoneInfo("Asia/Jakarta")
SLUG = "peringatan-dini-difteri"
REASON = "KLB difteri di Pelabuhan Belawan: warga perlu tahu hari ini"


@pytest.fixture
def site(github_api, tmp_path) -> Iterator[GitHubSite]:
    with github_site(tmp_path, github_api) as made:
        yield made


def steps(output: str) -> dict[int, str]:
    """The gate's table as ``terbit github gate`` prints it: step number -> its row with the
    notes under it."""
    found: dict[int, str] = {}
    step = None
    for line in output.splitlines():
        head = line.strip().split(" ", 1)[0]
        if line.startswith(" ") and head.isdigit() and int(head) not in found:
            step = int(head)
            found[step] = line
        elif step is not None and line.strip().startswith("↳"):
            found[step] += "\n" + line
        else:
            step = None
    return found


def judged(site: GitHubSite, number: int, summary) -> str:
    """The SOP gate's workflow step on PR ``number`` (report only: a merged PR is not
    blocked by anything), and its job summary."""
    done = site.terbit("github", "gate", "--pr", str(number), "--report-only",
                       env={"GITHUB_STEP_SUMMARY": str(summary)})  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_an_urgent_pull_request_is_published_on_the_heads_approval_and_reviewed_after(
    site, tmp_path
):
    article = (
        "---\ntitle: Peringatan Dini KLB Difteri\ndate: 2026-12-01 08:00\ncategory: Berita\n"
        "summary: Waspada difteri di Pelabuhan Belawan.\nauthor: rina\n---\nIsi peringatan.\n"
    )
    number, _ = site.pull_request(
        "rina-siregar",
        {f"content/articles/{SLUG}.md": article},
        title="Peringatan dini KLB difteri",
        nota=nota(70, "Peringatan dini KLB difteri", sifat="Sangat Segera", alasan=REASON),
        reviews=[("andi-harahap", "APPROVED")],
        merge=False,
    )

    # The required status on the open PR: passed on the head's approval, steps 3 and 5 named
    # as deferred, in the output and in the job summary the admin opens from the check.
    summary = tmp_path / "summary.md"
    gate = site.terbit("github", "gate", "--pr", str(number),
                       env={"GITHUB_STEP_SUMMARY": str(summary)})  # fmt: skip
    assert gate.returncode == 0, gate.stdout + gate.stderr
    (status,) = site.api.made("POST", f"/repos/{REPO}/statuses/{site.opened[number][4]}")
    assert status.body["state"] == "success"
    table = steps(gate.stdout)
    for step in (3, 5):
        assert "ditunda (jalur segera)" in table[step], table[step]
    assert "SANGAT SEGERA" in gate.stdout and REASON in gate.stdout
    shown = summary.read_text(encoding="utf-8")
    assert "SANGAT SEGERA" in shown and REASON in shown and "ditunda (jalur segera)" in shown

    # Merged: the publish workflow's gate job and record job.
    merge = site.merge(number)
    site.checkout()
    again = site.terbit("github", "gate", "--merge", merge)
    assert again.returncode == 0, again.stdout + again.stderr
    run = site.terbit("publish", merge)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "selesai dan lengkap" in run.stdout, run.stdout
    assert httpx.get(f"{site.url}/artikel/{SLUG}/", timeout=10).status_code == 200
    (folder,) = site.records()
    record = yaml.safe_load(site.show(f"records/{folder}/record.yml") or "")
    assert record["status"] == "complete", record["reasons"]
    urgent = record["segera"]
    assert urgent["alasan"] == REASON and urgent["disetujui"]["id"] == "andi"
    assert urgent["langkah_ditunda"] == [3, 5] and urgent["jam_kerja"] == 8
    due = datetime.fromisoformat(urgent["tenggat"])
    assert due > site.merged_at[number]
    assert urgent["selesai"] is None and urgent["tepat_waktu"] is None
    states = {s["number"]: s["state"] for s in record["steps"]}
    assert states[3] == states[5] == "deferred" and states[4] == "done"
    assert "SANGAT SEGERA" in (site.show(f"records/{folder}/README.md") or "")

    # After the merge: none of these is the deferred review. Staff are not of the step's
    # role; a comment is not an approval; an edited one may have been edited by anyone with
    # write access; one written before the merge is no review of what was published.
    merged = site.merged_at[number]
    later = merged + timedelta(minutes=5)
    site.comment(number, "rina-siregar", "/setuju", later)
    site.comment(number, "sari-lubis", "Sudah saya baca, nanti saya periksa.", later)
    site.comment(number, "sari-lubis", "/setuju", later, edited=later + timedelta(minutes=1))
    site.comment(number, "sari-lubis", "/setuju", merged - timedelta(minutes=1))
    owed = judged(site, number, summary)
    table = steps(owed)
    for step in (3, 5):
        assert "Sari" not in table[step] and "ditunda (jalur segera)" in table[step], table[step]
    assert "wajib selesai paling lambat" in owed, owed

    # The Katimker's "/setuju" comment on the merged PR: both deferred steps done, on time.
    site.comment(number, "sari-lubis", "/setuju\nIsi sudah sesuai data dinas kesehatan.",
                 merged + timedelta(minutes=7))  # fmt: skip
    done = judged(site, number, summary)
    table = steps(done)
    for step in (3, 5):
        assert "selesai" in table[step] and "Sari Wahyuni Lubis" in table[step], table[step]
        assert "tepat waktu" in table[step], table[step]
    assert "tepat waktu" in done.split("SANGAT SEGERA", 1)[1].splitlines()[0], done

    # The compliance report reads the urgent publication's PR from GitHub: done, on time.
    site.api.route("GET", f"/repos/{REPO}/pulls", [])
    site.checkout()
    # From the merge's day: the fake PR merged half an hour ago, the day before in WIB
    # between 00:00 and 00:30.
    first = merged.astimezone(WIB).date().isoformat()
    today = datetime.now(WIB).date().isoformat()
    out = tmp_path / "laporan"
    made = site.terbit("report", "--from", first, "--to", today, "--format", "csv",
                       "--output", str(out))  # fmt: skip
    assert made.returncode == 0, made.stdout + made.stderr
    (table,) = out.glob("*.csv")
    (row,) = [line for line in table.read_text(encoding="utf-8").splitlines() if REASON in line]
    assert "tepat waktu" in row, row + made.stderr
