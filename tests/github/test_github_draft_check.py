"""GitHub mode: the draft checks are a required status (issue 10). The job runs Terbit from
the base branch on the PR's Git objects only, and `terbit check --change` is what it runs."""

from __future__ import annotations

import contextvars
import os
import subprocess
from pathlib import Path

import yaml

from pipeline.cli import main
from pipeline.config.sop import load_sop
from pipeline.forge.github.setup import ruleset

DRAFT_CHECK_CONTEXT = "terbit-draft-check"

ROOT = Path(__file__).resolve().parents[2]
ARTICLE = (
    "---\ntitle: {title}\ndate: 2026-11-20\ncategory: Berita\nsummary: Ringkasan.\n"
    "author: rina\n---\nIsi.\n"
)


def test_the_ruleset_requires_the_draft_check_job() -> None:
    sop = load_sop((ROOT / "sop.yml").read_text(encoding="utf-8"))
    checks = next(r for r in ruleset(sop)["rules"] if r["type"] == "required_status_checks")
    contexts = [c["context"] for c in checks["parameters"]["required_status_checks"]]
    assert DRAFT_CHECK_CONTEXT in contexts and "terbit / sop-gate" in contexts
    workflow = yaml.safe_load((ROOT / ".github/workflows/pull-request.yml").read_text())
    job = next(j for j in workflow["jobs"].values() if j.get("name") == DRAFT_CHECK_CONTEXT)
    assert job["permissions"] == {"contents": "read"}
    base, change = job["steps"][0], job["steps"][1]
    assert base["with"]["ref"] == "${{ github.event.pull_request.base.sha }}"
    assert change["with"]["ref"] == "${{ github.event.pull_request.head.sha }}"
    # Objects only: no file of the PR is written, so nothing of it can be run or imported.
    assert change["with"]["sparse-checkout-cone-mode"] is False
    assert change["with"]["sparse-checkout"].startswith("/.terbit-")
    assert all(s["with"]["persist-credentials"] is False for s in (base, change))
    run = job["steps"][-1]["run"]
    assert run.startswith('terbit check --change "$BASE_SHA" "$HEAD_SHA" --git-dir')


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "R", "GIT_AUTHOR_EMAIL": "r@x.test",
           "GIT_COMMITTER_NAME": "R", "GIT_COMMITTER_EMAIL": "r@x.test"}  # fmt: skip
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def check_change(repo: Path, base: str, head: str) -> int:
    """`terbit check --change BASE HEAD` through the real CLI entry point; its exit code."""

    def call() -> int:
        try:
            main(["check", "--change", base, head, "--git-dir", str(repo)])
        except SystemExit as done:
            return int(done.code or 0)
        return 0

    return contextvars.copy_context().run(call)


def test_check_change_reads_the_objects_and_locates_each_problem(tmp_path, capsys) -> None:
    repo = tmp_path / "situs"
    (repo / "content/articles").mkdir(parents=True)
    (repo / "terbit.yml").write_text("site:\n  url: https://example.test\n")
    (repo / "content/articles/awal.md").write_text(ARTICLE.format(title="Awal"))
    git(repo, "init", "-q", "--initial-branch=main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "awal")
    base = git(repo, "rev-parse", "HEAD")
    (repo / "content/articles/buruk.md").write_text(
        ARTICLE.format(title="Buruk").replace("Berita", "Gosip")
    )
    (repo / "content/images").mkdir()
    (repo / "content/images/kunci.png").symlink_to("/etc/passwd")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "usul")
    head = git(repo, "rev-parse", "HEAD")
    (repo / "content/articles/buruk.md").unlink()  # the work tree is never read

    code = check_change(repo, base, head)
    out = capsys.readouterr().out
    assert code == 1, out
    assert "content/articles/buruk.md:4: 'category': kategori 'Gosip' tidak dikenal" in out
    assert "content/images/kunci.png: tautan simbolik tidak diterima" in out
    assert out.strip().endswith("2 masalah di 2 berkas; 2 berkas diperiksa")


def test_check_change_refuses_a_policy_file_the_pull_request_diff_hides(tmp_path, capsys) -> None:
    # A criss-cross history: the PR's merge restores the old roles.yml (undoing a revocation),
    # while GitHub's merge-base diff, which reviewers, CODEOWNERS and the gate see, shows nothing.
    repo = tmp_path / "situs"
    (repo / "content/articles").mkdir(parents=True)
    (repo / "terbit.yml").write_text("site:\n  url: https://example.test\n")
    (repo / "roles.yml").write_text("# budi aktif\n")
    git(repo, "init", "-q", "--initial-branch=main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "awal")
    old = {**os.environ, "GIT_COMMITTER_DATE": "2020-01-01T00:00:00"}
    git(repo, "switch", "-q", "-c", "cabut")
    (repo / "roles.yml").write_text("# budi dicabut\n")
    subprocess.run(["git", "commit", "-qam", "cabut budi"], cwd=repo, env=old, check=True)
    revoke = git(repo, "rev-parse", "HEAD")
    git(repo, "switch", "-q", "-c", "draf", "main")
    (repo / "content/articles/b.md").write_text(ARTICLE.format(title="B"))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "draf b")
    draft = git(repo, "rev-parse", "HEAD")
    git(repo, "switch", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "-m", "gabung cabut", revoke)
    git(repo, "merge", "-q", "--no-ff", "-m", "gabung draf", draft)
    target = git(repo, "rev-parse", "HEAD")
    git(repo, "switch", "-q", "draf")
    git(repo, "merge", "-q", "--no-ff", "-m", "ikut main", revoke)
    (repo / "roles.yml").write_text("# budi aktif\n")
    git(repo, "commit", "-q", "-a", "--amend", "--no-edit")
    (repo / "content/articles/c.md").write_text(ARTICLE.format(title="C"))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "draf c")
    head = git(repo, "rev-parse", "HEAD")
    assert git(repo, "merge-base", target, head) == draft  # the diff GitHub shows hides it
    assert "roles.yml" not in git(repo, "diff", "--name-only", draft, head)

    code = check_change(repo, target, head)
    out = capsys.readouterr().out
    assert code == 1, out
    assert "roles.yml: penggabungan mengubah berkas ini" in out
