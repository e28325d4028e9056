"""The GitHub client against a local server: pagination, rate limits, 5xx retries, 404s."""

from __future__ import annotations

import time

import pytest

from pipeline.errors import ConfigError
from pipeline.forge.github.client import GitHubClient, NotFound
from tests.support.github import REPO, fixture

PR = f"/repos/{REPO}/pulls/12"


def client(api, **kwargs) -> GitHubClient:
    return GitHubClient(REPO, token="ghs_test", base_url=api.url, backoff_s=0.05, **kwargs)


def test_lists_follow_link_pagination(github_api):
    reviews = client(github_api).pull_reviews(12)
    assert [r["id"] for r in reviews] == [80, 81, 82, 83, 84]
    pages = [c.query.get("page", ["1"])[0] for c in github_api.made("GET", f"{PR}/reviews")]
    assert pages == ["1", "2", "3"]
    first = github_api.made("GET", f"{PR}/reviews")[0]
    assert first.headers["authorization"] == "token ghs_test"


def test_rate_limited_request_waits_for_the_reset_then_succeeds(github_api):
    github_api.rate_limit_once("GET", PR, reset_in=1.0)
    api = client(github_api)
    started = time.monotonic()
    pr = api.pull(12)
    elapsed = time.monotonic() - started
    assert pr["number"] == 12
    assert len(github_api.made("GET", PR)) == 2
    # Waited until x-ratelimit-reset (whole seconds, about 1-2 s ahead), not the 60 s default.
    assert 0.5 < elapsed < 5
    assert len(api.retry.waited) == 1


def test_rate_limit_reset_far_away_fails_fast_with_the_wait(github_api):
    github_api.rate_limit_once("GET", PR, reset_in=3600)
    started = time.monotonic()
    with pytest.raises(ConfigError) as caught:
        client(github_api, max_wait_s=5).pull(12)
    assert time.monotonic() - started < 3
    assert "batas permintaan API GitHub habis" in caught.value.message
    assert REPO in caught.value.message


def test_server_errors_are_retried_with_backoff(github_api):
    for status in (502, 503):
        github_api.fail_first("GET", f"{PR}/files", status, {}, {"message": "Server Error"})
    files = client(github_api).pull_files(12)
    assert files[0]["filename"] == "content/articles/haji-kualanamu.md"
    assert len(github_api.made("GET", f"{PR}/files")) == 3


def test_server_error_that_persists_is_a_clean_error(github_api):
    for _ in range(4):
        github_api.fail_first("GET", PR, 500, {}, {"message": "Server Error"})
    with pytest.raises(ConfigError) as caught:
        client(github_api, server_tries=3).pull(12)
    assert "server GitHub gagal (500)" in caught.value.message
    assert len(github_api.made("GET", PR)) == 4


def test_missing_pull_request_names_repo_and_number(github_api):
    with pytest.raises(NotFound) as caught:
        client(github_api).pull(99)
    message = caught.value.message
    assert "PR #99" in message and REPO in message and "404" in message


def test_forbidden_without_rate_limit_is_not_retried(github_api):
    github_api.fail_first(
        "POST",
        f"/repos/{REPO}/statuses/abc123",
        403,
        {},
        {"message": "Resource not accessible by integration"},
    )
    with pytest.raises(ConfigError) as caught:
        client(github_api).create_status(
            "abc123",
            state="success",
            context="terbit / sop-gate",
            description="ok",
            target_url=None,
        )
    assert "Resource not accessible by integration" in caught.value.message
    assert len(github_api.made("POST", f"/repos/{REPO}/statuses/abc123")) == 1


def test_one_comment_is_kept_up_to_date(github_api, echo_post):
    comments = f"/repos/{REPO}/issues/12/comments"
    github_api.route("PATCH", f"/repos/{REPO}/issues/comments/1036376002", echo_post({"id": 1}))
    github_api.route("POST", comments, echo_post({"id": 2}))
    client(github_api).upsert_comment(12, "<!-- terbit:pr-report -->", "Hasil baru")
    patched = github_api.made("PATCH", f"/repos/{REPO}/issues/comments/1036376002")
    assert len(patched) == 1 and patched[0].body["body"].startswith("Hasil baru")
    assert github_api.made("POST", comments) == []
    # A marker not yet on the PR creates the comment once.
    client(github_api).upsert_comment(12, "<!-- terbit:notice -->", "Sudah terbit")
    posted = github_api.made("POST", comments)
    assert len(posted) == 1 and "<!-- terbit:notice -->" in posted[0].body["body"]


def test_file_text_at_ref_and_missing_file(github_api):
    github_api.content("main", "sop.yml", "nama: Publikasi\n")
    api = client(github_api)
    assert api.file_text("main", "sop.yml") == "nama: Publikasi\n"
    assert api.file_text("main", "tidak-ada.yml") is None


def test_status_description_fits_githubs_limit(github_api, echo_post):
    path = f"/repos/{REPO}/statuses/{'e' * 40}"
    github_api.route("POST", path, echo_post(fixture("status")))
    client(github_api).create_status(
        "e" * 40,
        state="failure",
        context="terbit / sop-gate",
        description="x" * 300,
        target_url=None,
    )
    sent = github_api.made("POST", path)[0].body
    assert len(sent["description"]) == 140 and sent["context"] == "terbit / sop-gate"


def test_ruleset_is_created_then_updated_by_name(github_api, echo_post):
    rulesets = f"/repos/{REPO}/rulesets"
    github_api.route("GET", rulesets, [])
    github_api.route("POST", rulesets, echo_post(fixture("ruleset")))
    github_api.route("PUT", f"{rulesets}/42", echo_post(fixture("ruleset")))
    body = {"name": "terbit-main", "target": "branch", "enforcement": "active", "rules": []}
    api = client(github_api)
    assert api.save_ruleset(body)[0] == "created"
    github_api.route("GET", rulesets, [fixture("ruleset")])
    assert api.save_ruleset(body)[0] == "updated"
    assert len(github_api.made("PUT", f"{rulesets}/42")) == 1


def test_bad_repository_name_is_a_config_error():
    with pytest.raises(ConfigError):
        GitHubClient("bukan-repo", token="x", base_url="http://127.0.0.1:9")
