"""The rest of the Forge interface on GitHub: merges, notices (step 7), listing changes."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from pipeline.errors import ConfigError
from pipeline.forge.base import Forge
from pipeline.forge.github import GitHubClient, GitHubForge, repository_name
from tests.support.github import REPO, fixture, forge_for

MERGE = "9b2f3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d"
COMMENTS = f"/repos/{REPO}/issues/12/comments"


def test_github_forge_offers_the_forge_interface(github_api):
    forge = forge_for(github_api)
    assert isinstance(forge, Forge)
    assert forge.kind == "github"
    # GitHub authenticates reviewers; there is no signature for Terbit to check.
    assert forge.signatures_required() is False


def test_change_for_merge_finds_the_merged_pull_request(github_api):
    merged = fixture("pull_merged")
    github_api.route("GET", f"/repos/{REPO}/commits/{MERGE}/pulls", [merged])
    github_api.route("GET", f"/repos/{REPO}/pulls/12", merged)
    change = forge_for(github_api).change_for_merge(MERGE)
    assert change is not None and change.id == "12"
    assert change.state == "merged" and change.merge_sha == MERGE
    assert change.merged_by == "dewi"  # the admin, mapped from her login


def test_commit_without_pull_request_is_no_change(github_api):
    github_api.route("GET", f"/repos/{REPO}/commits/{'a' * 40}/pulls", [])
    assert forge_for(github_api).change_for_merge("a" * 40) is None


def test_notice_is_one_pr_comment_with_the_screenshot(github_api, echo_post, tmp_path, monkeypatch):
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.com")
    monkeypatch.delenv("GITHUB_REF_NAME", raising=False)
    # Publishing shoots into its work folder; the record commit copies the file to records/.
    shot = tmp_path / ".terbit/publish/work/shots" / "2026-11-24-pr12" / "haji-desktop.png"
    shot.parent.mkdir(parents=True)
    shot.write_bytes(b"\x89PNG")
    posted: list[str] = []

    def create(call):
        posted.append(call.body["body"])
        ours = {**fixture("issue_comments")[1], "id": 9, "body": call.body["body"]}
        comments = [*fixture("issue_comments"), ours]
        github_api.route("GET", COMMENTS, comments)
        return 201, {"id": 9, "body": call.body["body"]}

    github_api.route("POST", COMMENTS, create)
    github_api.route("PATCH", f"/repos/{REPO}/issues/comments/9", echo_post({"id": 9}))
    forge = GitHubForge(GitHubClient(REPO, token="t", base_url=github_api.url), repo_root=tmp_path)
    forge.add_notice("12", "Informasi sudah terbit.", [shot])
    forge.add_notice("12", "Informasi sudah terbit (diulang).", [shot])
    assert len(posted) == 1  # a re-run updates the notice instead of adding another
    url = f"https://github.com/{REPO}/blob/main/records/2026-11-24-pr12/haji-desktop.png?raw=true"
    assert url in posted[0]
    notices = forge.notices("12")
    assert [n.text.splitlines()[0] for n in notices] == ["Informasi sudah terbit."]
    assert notices[0].attachments == [url]


def test_list_changes_reads_each_pull_request(github_api):
    github_api.route("GET", f"/repos/{REPO}/pulls", [fixture("pull")])
    changes = forge_for(github_api).list_changes("open")
    assert [c.id for c in changes] == ["12"]
    assert changes[0].state == "open"


def test_repository_name_from_environment_or_origin(tmp_path, monkeypatch, make_repo):
    monkeypatch.setenv("GITHUB_REPOSITORY", REPO)
    assert repository_name(tmp_path) == REPO
    monkeypatch.delenv("GITHUB_REPOSITORY")
    repo = make_repo("klon")
    subprocess.run(
        ["git", "remote", "add", "origin", "git@github.com:bbkk-medan/situs-web.git"],
        cwd=repo,
        check=True,
    )
    assert repository_name(repo) == REPO
    with pytest.raises(ConfigError):
        repository_name(Path(tmp_path / "tanpa-remote"))


def test_open_forge_picks_github_from_settings(tmp_path, monkeypatch):
    from pipeline.config.settings import parse_settings
    from pipeline.forge import open_forge

    monkeypatch.setenv("GITHUB_REPOSITORY", REPO)
    settings = parse_settings("forge:\n  kind: github\npublish:\n  records_path: catatan\n")
    forge = open_forge(tmp_path, settings)
    assert isinstance(forge, GitHubForge)
    assert forge.client.repo == REPO and forge.records_path == "catatan"
