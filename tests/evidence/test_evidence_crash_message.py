"""A browser crash while taking screenshots names the one retry command that works there."""

from __future__ import annotations

from pipeline.evidence.stage import crash_problem
from pipeline.publication.merges import retry_command
from pipeline.vcs import Repo


def test_the_crash_sentence_carries_the_server_s_retry_command(make_repo) -> None:
    repo = Repo(make_repo("office.git", bare=True))
    merge = "d" * 40
    text = crash_problem("http://127.0.0.1:8000/a.html", retry_command(repo, merge))
    assert text.startswith("Chromium berhenti tiba-tiba")
    assert f"terbit publish {merge} --resume --repo {repo.git_dir}" in text
    # Without a known command nothing half-right is suggested (a bare --resume is refused).
    assert "--resume" not in crash_problem("http://127.0.0.1:8000/a.html")
