"""GitHub mode holds the same line as the embedded forge (issue 11, section 2).

Against the local stand-in for api.github.com serving GitHub-shaped payloads: who dismissed a
request for changes, who authored the commits (by login, verified or not), the gate re-run for a
merged PR before publishing, and what `terbit github setup` asks GitHub to enforce.
"""

from __future__ import annotations

import copy

import pytest
from test_github_cli import STATUS, run

from pipeline.forge.github.checks import gate, markdown
from tests.support.github import REPO, ROOT, fixture, forge_for, nota_dinas, serve_policy

MERGE = "9b2f3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d"
GITHUB_ACTIONS_APP = 15368


@pytest.fixture
def api(github_api, echo_post):
    github_api.route("POST", STATUS, echo_post(fixture("status")))
    pr = fixture("pull")
    pr["body"] = nota_dinas()
    github_api.route("GET", f"/repos/{REPO}/pulls/12", pr)
    return github_api


def _late_request_dismissed_by(api, login: str) -> None:
    """After all approvals Sari requests changes again; ``login`` dismisses that request."""
    reviews = fixture("pull_reviews")
    late = copy.deepcopy(reviews[0])
    late.update(id=85, state="DISMISSED", commit_id=reviews[-1]["commit_id"],
                submitted_at="2026-11-24T07:10:00Z", body="Foto tanpa keterangan")  # fmt: skip
    api.route("GET", f"/repos/{REPO}/pulls/12/reviews", [*reviews, late])
    timeline = fixture("timeline")
    dismissal = copy.deepcopy(next(e for e in timeline if e["event"] == "review_dismissed"))
    dismissal["actor"]["login"] = login
    dismissal["created_at"] = "2026-11-24T07:20:00Z"
    dismissal["dismissed_review"].update(state="changes_requested", review_id=85)
    api.route("GET", f"/repos/{REPO}/issues/12/timeline", [*timeline, dismissal])


def test_a_request_for_changes_dismissed_by_the_author_keeps_blocking(api):
    _late_request_dismissed_by(api, "rina-siregar")
    report = gate(forge_for(api), 12)
    assert not report.passed
    assert any("meminta perbaikan" in p for p in report.problems), report.problems
    assert api.made("POST", STATUS)[0].body["state"] == "failure"


@pytest.mark.parametrize("login", ["sari-lubis", "andi-harahap"])  # its reviewer, or the head
def test_a_request_for_changes_dismissed_by_its_reviewer_or_the_head_is_lifted(api, login):
    _late_request_dismissed_by(api, login)
    report = gate(forge_for(api), 12)
    assert report.passed, report.problems


def test_a_reviewer_who_authored_a_commit_by_login_cannot_approve(api):
    # The second commit is Sari's GitHub account, unverified, with Rina's e-mail on it.
    commits = fixture("pull_commits")
    sari = fixture("pull_reviews")[0]["user"]
    commits[1]["author"] = commits[1]["committer"] = sari
    commits[1]["commit"]["verification"] = {"verified": False, "reason": "unsigned"}
    api.route("GET", f"/repos/{REPO}/pulls/12/commits", commits)
    report = gate(forge_for(api), 12)
    assert not report.passed
    text = markdown(report)
    assert "sari ikut menulis perubahan ini dan tidak boleh menyetujuinya sendiri" in text


# -- the publish workflow re-runs the gate for the merged PR ---------------------------------


@pytest.fixture
def merged_env(github_api, monkeypatch, tmp_path):
    monkeypatch.setenv("GITHUB_API_URL", github_api.url)
    monkeypatch.setenv("GITHUB_TOKEN", "ghs_workflow")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))
    monkeypatch.setenv("GITHUB_REPOSITORY", REPO)
    merged = fixture("pull_merged")
    merged["body"] = nota_dinas()
    serve_policy(github_api)  # people are mapped with the base branch
    serve_policy(github_api, merged["base"]["sha"])  # the gate: the policy it was merged under
    github_api.route("GET", f"/repos/{REPO}/commits/{MERGE}/pulls", [merged])
    github_api.route("GET", f"/repos/{REPO}/pulls/12", merged)
    return github_api, tmp_path / "summary.md"


def test_publish_gate_passes_for_a_merged_pr_that_met_the_sop(merged_env, capsys):
    api, summary = merged_env
    code, out, err = run(capsys, "github", "gate", "--repo", REPO, "--merge", MERGE)
    assert code == 0, out + err + summary.read_text(encoding="utf-8")
    assert "HASIL: LULUS" in summary.read_text(encoding="utf-8")
    assert api.made("POST", f"/repos/{REPO}/statuses/{MERGE}") == []


def test_publish_gate_stops_a_merged_pr_that_did_not_meet_the_sop(merged_env, capsys):
    api, summary = merged_env
    # Nobody from the Kepala Satker approved: merged anyway (e.g. by an admin bypass).
    reviews = [r for r in fixture("pull_reviews") if r["user"]["login"] != "andi-harahap"]
    api.route("GET", f"/repos/{REPO}/pulls/12/reviews", reviews)
    code, out, err = run(capsys, "github", "gate", "--repo", REPO, "--merge", MERGE)
    assert code == 1
    text = summary.read_text(encoding="utf-8")
    assert "PUBLIKASI DIHENTIKAN" in text and "PR #12" in text
    assert "langkah 4 belum disetujui oleh Kepala Satker" in text
    assert "Traceback" not in out + err


def test_publish_gate_stops_a_commit_that_no_pr_merged(merged_env, capsys):
    api, summary = merged_env
    api.route("GET", f"/repos/{REPO}/commits/{'a' * 40}/pulls", [])
    code, _out, err = run(capsys, "github", "gate", "--repo", REPO, "--merge", "a" * 40)
    assert code == 1
    assert "PUBLIKASI DIHENTIKAN" in summary.read_text(encoding="utf-8")
    assert "bukan hasil merge pull request" in err


# -- what setup asks GitHub to enforce --------------------------------------------------------


def _plan():
    from pipeline.config.settings import load_settings
    from pipeline.forge.github.setup import plan
    from pipeline.gate import policy_at

    def read(path: str) -> str | None:
        file = ROOT / path
        return file.read_text(encoding="utf-8") if file.is_file() else None

    sop, roles = policy_at(read)
    return plan(sop, roles, load_settings(ROOT))


def test_the_required_status_is_bound_to_github_actions():
    main = _plan().rulesets[0]
    checks = next(r for r in main["rules"] if r["type"] == "required_status_checks")
    assert checks["parameters"]["required_status_checks"] == [
        {"context": "terbit / sop-gate", "integration_id": GITHUB_ACTIONS_APP},
        {"context": "terbit-draft-check", "integration_id": GITHUB_ACTIONS_APP},
    ]


def test_a_second_ruleset_forbids_force_push_and_deletion_to_everyone():
    rulesets = _plan().rulesets
    assert len(rulesets) == 2
    guard = rulesets[1]
    assert guard["name"] != rulesets[0]["name"]
    assert guard["bypass_actors"] == []  # not even the deploy key that commits records
    assert guard["enforcement"] == "active"
    assert guard["conditions"]["ref_name"]["include"] == ["~DEFAULT_BRANCH"]
    assert sorted(r["type"] for r in guard["rules"]) == ["deletion", "non_fast_forward"]


def test_codeowners_gives_records_to_the_heads_role():
    owners = next(f for f in _plan().files if f.path == ".github/CODEOWNERS").text
    lines = [line.split() for line in owners.splitlines() if line.startswith("/records/")]
    assert lines == [["/records/**", "@andi-harahap"]]  # the Kepala Satker, nobody else


def test_the_ruleset_lets_the_withdrawal_path_merge_on_its_one_approval():
    """sop.yml's withdrawal path merges on one approval (issue 15 §2). GitHub's count applies to
    every PR alike, so it asks no more than that; the required ``terbit / sop-gate`` status (bound
    to GitHub Actions) still demands one approval per role, in order, on every other PR."""
    import dataclasses

    from pipeline.forge.github.setup import gate_roles, ruleset

    main = _plan().rulesets[0]
    rules = {r["type"]: r.get("parameters") for r in main["rules"]}
    assert rules["pull_request"]["required_approving_review_count"] == 1
    sop = _sop()
    assert sop.withdrawal is not None
    without = ruleset(dataclasses.replace(sop, withdrawal=None))
    rules = {r["type"]: r.get("parameters") for r in without["rules"]}
    assert rules["pull_request"]["required_approving_review_count"] == len(gate_roles(sop)) == 2


def test_codeowners_lets_each_withdrawal_approver_review_the_withdrawals_list():
    """The list is outside the drafts: without its own line only the head owns it, and a
    withdrawal the head opens could never get a code owner's approval."""
    owners = next(f for f in _plan().files if f.path == ".github/CODEOWNERS").text
    lines = [line.split() for line in owners.splitlines() if "withdrawn.yml" in line]
    assert lines == [["/content/withdrawn.yml", "@sari-lubis", "@andi-harahap"]]
    # It comes after the "*" line: the last matching pattern wins.
    assert owners.index("/content/withdrawn.yml") > owners.index("\n*  @andi-harahap\n")


def _sop():
    from pipeline.gate import policy_at

    def read(path: str) -> str | None:
        file = ROOT / path
        return file.read_text(encoding="utf-8") if file.is_file() else None

    return policy_at(read)[0]
