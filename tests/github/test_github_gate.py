"""PR payloads -> Change -> the shared SOP gate -> the ``terbit / sop-gate`` status posted."""

from __future__ import annotations

from contextvars import copy_context
from datetime import date

import pytest

from pipeline.errors import ConfigError, InputError
from pipeline.forge.github import GitHubClient, GitHubForge
from pipeline.forge.github.checks import STATUS_CONTEXT, gate, markdown, write_step_summary
from pipeline.i18n import set_lang
from tests.support.github import FIRST, HEAD, REPO, ROOT, fixture, forge_for, nota_dinas

STATUS = f"/repos/{REPO}/statuses/{HEAD}"


@pytest.fixture
def api(github_api, echo_post):
    github_api.route("POST", STATUS, echo_post(fixture("status")))
    pr = fixture("pull")
    pr["body"] = nota_dinas()
    github_api.route("GET", f"/repos/{REPO}/pulls/12", pr)
    return github_api


def test_pull_request_maps_to_a_change(api):
    change = forge_for(api).get_change("12")
    assert change.id == "12" and change.author == "rina" and change.author_login == "rina-siregar"
    assert change.base == "main" and change.head_sha == HEAD
    assert [c.sha for c in change.commits] == [FIRST, HEAD]
    assert change.commits[0].signer == "rina"  # verified by GitHub, login mapped via roles.yml
    states = [(r.reviewer, r.state, r.dismissed) for r in change.reviews]
    assert states == [
        ("sari", "request_changes", False),
        ("andi", "approve", True),  # dismissed: keeps its former state, flagged
        ("sari", "approve", False),
        ("andi", "approve", False),
        ("sari", "approve", False),
    ]
    assert all(r.signature_ok is None for r in change.reviews)
    forced = [p for p in change.pushes if p.forced]
    assert len(forced) == 1 and forced[0].head == HEAD and forced[0].by == "rina"
    # A rename touches the old path too (protected-path rules must see both).
    assert "content/articles/haji-lama.md" in change.files
    assert change.nota_dinas_text.startswith("<!--")
    assert change.url == f"https://github.com/{REPO}/pull/12"


def test_approved_by_both_roles_posts_success(api, tmp_path, monkeypatch):
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    report = gate(forge_for(api), 12)
    assert report.passed, report.problems
    posted = api.made("POST", STATUS)
    assert len(posted) == 1
    assert posted[0].body["state"] == "success"
    assert posted[0].body["context"] == STATUS_CONTEXT == "terbit / sop-gate"
    assert posted[0].body["description"].startswith("Lulus: 3 dari 3")
    write_step_summary(markdown(report))
    text = summary.read_text(encoding="utf-8")
    assert "| 4 | ✅ selesai |" in text and "HASIL: LULUS" in text


def test_approval_by_the_author_fails_with_indonesian_reason(api):
    # The Kepala Satker wrote the draft himself, then approved it as the disposition (step 4).
    andi = fixture("pull_reviews")[1]["user"]
    pr = fixture("pull")
    pr["body"] = nota_dinas()
    pr["user"] = andi
    commits = fixture("pull_commits")
    for commit in commits:
        commit["author"] = commit["committer"] = andi
        commit["commit"]["author"]["email"] = "andi.harahap@bbkkmedan.go.id"
    api.route("GET", f"/repos/{REPO}/pulls/12", pr)
    api.route("GET", f"/repos/{REPO}/pulls/12/commits", commits)
    report = gate(forge_for(api), 12)
    assert not report.passed
    body = api.made("POST", STATUS)[0].body
    assert body["state"] == "failure"
    assert body["description"].startswith("Belum lulus: langkah 4 belum disetujui oleh Kepala")
    # Why his approval did not count is in the report the job summary shows.
    assert "andi ikut menulis perubahan ini dan tidak boleh menyetujuinya sendiri" in markdown(
        report
    )


def test_new_commit_after_final_approval_fails(api):
    pr = fixture("pull")
    pr["body"] = nota_dinas()
    newer = "f" * 40
    pr["head"]["sha"] = newer
    api.route("GET", f"/repos/{REPO}/pulls/12", pr)
    api.route("POST", f"/repos/{REPO}/statuses/{newer}", {"id": 2})
    report = gate(forge_for(api), 12)
    assert not report.passed
    assert api.made("POST", f"/repos/{REPO}/statuses/{newer}")[0].body["state"] == "failure"


def test_missing_policy_on_base_posts_error_status(github_api, echo_post):
    github_api.route("POST", STATUS, echo_post(fixture("status")))
    forge = forge_for(github_api, policy=False)
    with pytest.raises(ConfigError):
        gate(forge, 12)
    assert github_api.made("POST", STATUS)[0].body["state"] == "error"


def test_unknown_pull_request_is_an_input_error(api):
    with pytest.raises(InputError) as caught:
        forge_for(api).get_change("404")
    assert "#404" in caught.value.message and REPO in caught.value.message


def test_nota_dinas_fixture_is_valid():
    from pipeline.change.nota_dinas import parse_nota_dinas

    assert parse_nota_dinas(nota_dinas()).tanggal == date(2026, 11, 24)


def test_fast_committer_clock_does_not_void_a_later_approval(api):
    # The writer's laptop is an hour fast: GitHub shows the commit "made" after the approvals.
    commits = fixture("pull_commits")
    timeline = fixture("timeline")
    for item in [*commits, *timeline]:
        if item.get("sha") == HEAD or item.get("commit_id") == HEAD:
            dates = item.get("commit", item)
            if "committer" in dates:
                dates["committer"]["date"] = "2026-11-24T09:30:00Z"
    timeline = [e for e in timeline if e.get("event") != "head_ref_force_pushed"]
    api.route("GET", f"/repos/{REPO}/pulls/12/commits", commits)
    api.route("GET", f"/repos/{REPO}/issues/12/timeline", timeline)
    report = gate(forge_for(api), 12)
    assert report.passed, report.problems


def test_a_member_removed_from_a_role_on_main_no_longer_counts(api):
    # The PR was opened when Sari was Katimker; main has since given the role to nobody.
    base_sha = fixture("pull")["base"]["sha"]
    text = (ROOT / "roles.yml").read_text(encoding="utf-8")
    for name in ("sop.yml", "roles.yml"):
        api.content(base_sha, name, (ROOT / name).read_text(encoding="utf-8"))
    api.content("main", "sop.yml", (ROOT / "sop.yml").read_text(encoding="utf-8"))
    api.content("main", "roles.yml", text.replace("roles: [katimker_lpzi]", "roles: [staf]", 1))
    client = GitHubClient(REPO, token="ghs_test", base_url=api.url, backoff_s=0.05)
    report = gate(GitHubForge(client), 12)
    assert not report.passed
    assert report.step(3).state != "done" and report.step(5).state != "done"
    assert "langkah 3 belum disetujui oleh Katimker" in " ".join(report.problems)
    assert api.made("POST", STATUS)[0].body["state"] == "failure"


def test_the_report_shows_the_author_s_fixing_time_apart(api):
    # Sari asked for changes, Rina answered with a (force-)push: that stretch is Rina's, and
    # GitHub's report says so on its own line, as `terbit gate` and the record do.
    report = gate(forge_for(api), 12, post=False)
    step3 = report.step(3)
    assert step3.change_requests and step3.author_minutes > 0
    text = markdown(report)
    row = next(line for line in text.splitlines() if line.startswith("| 3 |"))
    assert f"perbaikan oleh staf: {step3.author_minutes} mnt" in row
    assert "tidak dihitung untuk pemeriksa" in row
    untouched = next(line for line in text.splitlines() if line.startswith("| 4 |"))
    assert "perbaikan oleh staf" not in untouched

    def in_english() -> str:
        set_lang("en")
        return markdown(report)

    english = copy_context().run(in_english)
    assert f"fixes by the author: {step3.author_minutes} min" in english
