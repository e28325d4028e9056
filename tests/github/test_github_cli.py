"""``terbit github …`` end to end against the local API: gate, comment, nota dinas, setup."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pipeline.cli import main
from tests.support.github import HEAD, REPO, ROOT, fixture, nota_dinas, serve_policy

STATUS = f"/repos/{REPO}/statuses/{HEAD}"
COMMENT = f"/repos/{REPO}/issues/comments/1036376002"


def run(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(list(args))
    out = capsys.readouterr()
    return int(done.value.code or 0), out.out, out.err


@pytest.fixture
def env(github_api, echo_post, monkeypatch, tmp_path):
    monkeypatch.setenv("GITHUB_API_URL", github_api.url)
    monkeypatch.setenv("GITHUB_TOKEN", "ghs_workflow")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.com")
    monkeypatch.setenv("GITHUB_REPOSITORY", REPO)
    monkeypatch.setenv("GITHUB_RUN_ID", "777")
    serve_policy(github_api)
    pr = fixture("pull")
    pr["body"] = nota_dinas()
    github_api.route("GET", f"/repos/{REPO}/pulls/12", pr)
    github_api.route("POST", STATUS, echo_post(fixture("status")))
    github_api.route("PATCH", COMMENT, echo_post(fixture("issue_comments")[1]))
    return github_api


def test_gate_posts_status_and_writes_the_job_summary(env, capsys, tmp_path):
    code, out, _ = run(capsys, "github", "gate", "--repo", REPO, "--pr", "12")
    assert code == 0, out
    status = env.made("POST", STATUS)[0].body
    assert status["state"] == "success"
    assert status["target_url"] == f"https://github.com/{REPO}/actions/runs/777"
    assert "HASIL: LULUS" in out
    assert "HASIL: LULUS" in (tmp_path / "summary.md").read_text(encoding="utf-8")


def test_gate_not_passed_exits_1_unless_report_only(env, capsys):
    reviews = [r for r in fixture("pull_reviews") if r["id"] != 83]  # no disposition
    env.route("GET", f"/repos/{REPO}/pulls/12/reviews", reviews)
    code, out, _ = run(capsys, "github", "gate", "--pr", "12")
    assert code == 1 and "langkah 4 belum disetujui oleh Kepala Satker" in out
    code, _, _ = run(capsys, "github", "gate", "--pr", "12", "--report-only", "--lang", "en")
    assert code == 0
    assert [c.body["state"] for c in env.made("POST", STATUS)] == ["failure", "failure"]
    assert env.made("POST", STATUS)[1].body["description"].startswith("Not passed: step 4")


def test_unknown_pull_request_is_a_clean_error(env, capsys):
    code, out, err = run(capsys, "github", "gate", "--pr", "99")
    assert code == 1
    assert "pull request #99 tidak ada di bbkk-medan/situs-web" in err
    assert "Traceback" not in err + out


def test_nota_dinas_problem_is_an_annotation(env, capsys):
    pr = fixture("pull")
    pr["body"] = nota_dinas().replace('nomor: "ND-12/LPZI/XI/2026"', 'nomor: "dua belas"')
    env.route("GET", f"/repos/{REPO}/pulls/12", pr)
    code, out, _ = run(capsys, "github", "nota-dinas", "--pr", "12")
    assert code == 1
    assert out.startswith("::error title=nota dinas::deskripsi PR:")
    assert "DUA BELAS" in out and "ND-12/LPZI/XI/2026" in out


def test_annotations_from_check_json(capsys, tmp_path):
    report = tmp_path / "check.json"
    findings = [
        {
            "path": "content/articles/haji.md",
            "line": 7,
            "code": "alt",
            "message": "gambar tanpa teks alternatif: foto, 1",
            "severity": "error",
        }
    ]
    report.write_text(json.dumps(findings), encoding="utf-8")
    code, out, _ = run(capsys, "github", "annotate", str(report))
    assert code == 1
    assert out.strip() == (
        "::error file=content/articles/haji.md,line=7,title=terbit check (alt)"
        "::gambar tanpa teks alternatif: foto, 1"
    )


def test_comment_updates_the_one_report_comment(env, capsys, tmp_path):
    check = tmp_path / "check.json"
    check.write_text(
        json.dumps([{"path": "content/articles/haji.md", "line": 3, "message": "kategori salah"}]),
        encoding="utf-8",
    )
    shots = tmp_path / "shots"
    shots.mkdir()
    manifest = {
        "shots": [
            {"page": "/artikel/haji/", "view": "desktop", "file": "artikel-haji-desktop.png"}
        ],
        "error": None,
    }
    (shots / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    url = "https://github.com/bbkk-medan/situs-web/actions/runs/777/artifacts/9"
    code, _, _ = run(
        capsys, "github", "comment", "--pr", "12", "--check-json", str(check),
        "--shots", str(shots), "--artifact-url", url,
    )  # fmt: skip
    assert code == 0
    assert env.made("POST", f"/repos/{REPO}/issues/12/comments") == []
    body = env.made("PATCH", COMMENT)[0].body["body"]
    assert "✅ **Nota dinas** ND-12/LPZI/XI/2026" in body
    assert "`content/articles/haji.md:3`: kategori salah" in body
    assert "artikel-haji-desktop.png" in body and url in body
    assert body.rstrip().endswith("<!-- terbit:pr-report -->")


def test_setup_dry_run_changes_nothing(capsys, tmp_path, monkeypatch):
    root = _office(tmp_path)
    monkeypatch.setenv("GITHUB_REPOSITORY", REPO)
    code, out, err = run(capsys, "github", "setup", "--root", str(root))
    assert code == 0
    # The template's terbit.yml still says local: the admin is told what to change.
    assert "forge.kind sebaiknya 'github'" in err
    assert "deploy.target sebaiknya 'github-pages'" in err
    assert "akan menulis .github/CODEOWNERS (baru)" in out
    assert '"context": "terbit / sop-gate"' in out
    assert not (root / ".github").exists()


def test_setup_write_only_writes_the_files(capsys, tmp_path, monkeypatch):
    root = _office(tmp_path)
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    code, out, _ = run(capsys, "github", "setup", "--write", "--root", str(root))
    assert code == 0
    assert "ditulis: .github/CODEOWNERS" in out
    assert "ditulis: .github/pull_request_template.md" in out
    code, out, _ = run(capsys, "github", "setup", "--write", "--root", str(root))
    assert code == 0 and "ditulis" not in out  # already current


def test_setup_apply_writes_files_and_saves_ruleset(env, capsys, tmp_path, echo_post):
    root = _office(tmp_path)
    rulesets = f"/repos/{REPO}/rulesets"
    env.route("GET", rulesets, [])
    env.route("POST", rulesets, echo_post(fixture("ruleset")))
    code, out, _ = run(capsys, "github", "setup", "--apply", "--root", str(root))
    assert code == 0, out
    owners = (root / ".github/CODEOWNERS").read_text(encoding="utf-8")
    # An allow-list: everything is the head's, but drafts and images under content/.
    assert "\n*  @andi-harahap\n" in owners
    assert "/content/**/*.md        @sari-lubis @andi-harahap\n" in owners
    assert "/content/**/*.png       @sari-lubis @andi-harahap\n" in owners
    assert "*.svg" not in owners and "*.html" not in owners
    assert "/sop.yml         @andi-harahap\n" in owners  # protected: Kepala Satker only
    assert "/.github/**      @andi-harahap\n" in owners
    form = (root / ".github/pull_request_template.md").read_text(encoding="utf-8")
    assert "```yaml" in form and 'nomor: ""' in form
    sent = env.made("POST", rulesets)[0].body
    rules = {rule["type"]: rule.get("parameters") for rule in sent["rules"]}
    assert rules["required_status_checks"]["required_status_checks"] == [
        {"context": "terbit / sop-gate", "integration_id": 15368},  # only GitHub Actions posts it
        {"context": "terbit-draft-check", "integration_id": 15368},  # pull-request.yml's check job
    ]
    assert rules["pull_request"]["required_approving_review_count"] == 1  # the withdrawal path
    assert rules["pull_request"]["require_last_push_approval"] is True
    assert rules["pull_request"]["dismiss_stale_reviews_on_push"] is True
    assert rules["pull_request"]["require_code_owner_review"] is True
    # A squash or rebase merge is a one-parent commit whose message the merger writes: it could
    # carry forged Terbit-Record:/Terbit-Merge: trailers. Only a real merge commit lands.
    assert rules["pull_request"]["allowed_merge_methods"] == ["merge"]
    assert "deletion" in rules and "non_fast_forward" in rules
    assert sent["conditions"]["ref_name"]["include"] == ["~DEFAULT_BRANCH"]
    assert "ruleset 'terbit-sop-main' dibuat" in out
    guard = env.made("POST", rulesets)[1].body
    assert guard["bypass_actors"] == [] and "ruleset 'terbit-main-guard' dibuat" in out


def test_setup_apply_without_token_is_a_usage_error(capsys, tmp_path, monkeypatch):
    root = _office(tmp_path)
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.delenv("GH_TOKEN", raising=False)
    code, _, err = run(capsys, "github", "setup", "--apply", "--repo", REPO, "--root", str(root))
    assert code == 2 and "GITHUB_TOKEN" in err
    assert not (root / ".github").exists()


def _office(tmp_path: Path) -> Path:
    root = tmp_path / "kantor"
    root.mkdir()
    for name in ("sop.yml", "roles.yml", "terbit.yml"):
        shutil.copy(ROOT / name, root / name)
    return root


def test_report_comment_shows_a_bad_nota_dinas_and_a_refused_screenshot():
    from pipeline.forge.github.report import PrReport, nota_status

    nota, error = nota_status("Mohon dipublikasikan.")  # no field block at all
    report = PrReport(
        head_sha=HEAD,
        nota=nota,
        nota_error=error,
        findings=None,
        shots=[{"page": "/", "view": "desktop", "file": "beranda-desktop.png"}],
        shots_error="tangkapan layar /profil/ (desktop) ditolak: gambar tidak termuat",
    )
    text = report.markdown()
    assert "❌ **Nota dinas** di deskripsi PR belum benar: deskripsi PR:" in text
    assert "Edit" in text
    assert "➖ **Draf**: tidak ada draf yang diubah." in text
    assert "⚠️ Tangkapan layar gagal: tangkapan layar /profil/" in text
    assert "beranda-desktop.png" in text  # the pages that did render are still listed
    assert f"commit {HEAD[:12]}" in text


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        (
            "sop.yml",
            b"nama: SOP Publikasi\nnomor: 01/\xa9/2026\n",
            "sop.yml:2: berkas bukan teks UTF-8",
        ),
        ("roles.yml", b"", "roles.yml:1: berkas kosong"),
        ("roles.yml", None, "roles.yml: ini folder, bukan berkas"),
    ],
)
def test_setup_with_a_broken_policy_file_is_a_located_usage_error(
    capsys, tmp_path, monkeypatch, name, data, expected
):
    root = _office(tmp_path)
    monkeypatch.setenv("GITHUB_REPOSITORY", REPO)
    (root / name).unlink()
    if data is None:
        (root / name).mkdir()
    else:
        (root / name).write_bytes(data)
    code, _, err = run(capsys, "github", "setup", "--write", "--root", str(root))
    assert code == 2 and err.startswith(expected), err
    assert not (root / ".github").exists()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b'[{"path": "a.md", "line": 1,\n "message": }]', "check.json:2: bukan keluaran"),
        (b'{"path": "a.md"}', "check.json:1: bukan keluaran 'terbit check --format json'"),
        (b"\xff\xfe[]", "check.json:1: berkas bukan teks UTF-8"),
    ],
)
def test_annotate_refuses_what_is_not_check_output(capsys, tmp_path, data, expected):
    report = tmp_path / "check.json"
    report.write_bytes(data)
    code, out, err = run(capsys, "github", "annotate", str(report))
    assert code == 2 and err.startswith(str(tmp_path / expected)), err
    assert out == ""
