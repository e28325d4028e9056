"""Issue 14's last gap, end to end on one office: a publication that failed and was retried says
so on its record ("attempts: 2") and in the compliance report ("Diulang 1"); a rollback is a
record of its own on main, signed by the server key, checked by `terbit verify` and counted by
the report. Real server repository, hooks, Pelican build, local target over HTTP, Chromium."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import yaml

from pipeline.vcs import Repo
from tests.publication.test_publication_flow import Env, env, merge, open_change

__all__ = ["env"]  # the office fixture of the publication tests, one for this module
pytestmark = [pytest.mark.xdist_group("publication-retry_rollback"), pytest.mark.slow]


def report_rows(env: Env, tmp_path: Path) -> dict[str, str]:
    """The summary rows of this month's compliance report (CSV), label -> value."""
    from pipeline.clock import now

    month = now().strftime("%Y-%m")
    done = env.cli("report", "--month", month, "--repo", str(env.server), "--format", "csv",
                   "--output", str(tmp_path))  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    text = next(tmp_path.glob("*.csv")).read_text(encoding="utf-8")
    # Each row: the section, then its columns; the summary's are a label and a value.
    return {row[1]: row[2] for row in csv.reader(io.StringIO(text)) if len(row) == 3}


@pytest.mark.browser
def test_a_failed_publication_retried_shows_its_attempts_on_the_record_and_in_the_report(
    env: Env, tmp_path: Path
) -> None:
    sha = merge(env, open_change(env, "uji-gagal-lalu-ulang", "Uji Gagal Lalu Diulang"))
    good = env.settings()
    # The live check asks a web server that does not answer: the publication fails.
    broken = good.model_copy(update={"publish": good.publish.model_copy(
        update={"live_url": "http://127.0.0.1:9/situs", "verify_attempts": 1})})  # fmt: skip
    failed = env.publish(sha, settings=broken)
    assert failed.status == "failed", failed.problems
    repo = Repo(env.server)
    path = f"{failed.record_folder}/record.yml"
    first = yaml.safe_load(repo.show_file("refs/heads/main", path))
    assert first["status"] == "failed" and "publication" not in first  # one attempt so far
    retried = env.publish(sha)  # what a person runs after fixing the web server
    assert retried.status == "complete", retried.problems
    record = yaml.safe_load(repo.show_file("refs/heads/main", path))
    assert record["status"] == "complete"
    assert record["publication"] == {"attempts": 2}
    assert env.cli("verify", "--repo", str(env.server)).returncode == 0
    rows = report_rows(env, tmp_path)
    assert rows["Diulang"] == "1" and rows["Dikembalikan (rollback)"] == "0"


@pytest.mark.browser
def test_a_rollback_is_recorded_signed_verified_and_counted(env: Env, tmp_path: Path) -> None:
    sha = merge(env, open_change(env, "uji-sebelum-rollback", "Uji Sebelum Rollback"))
    published = env.publish(sha)
    assert published.status == "complete", published.problems
    from pipeline.deploy import open_target

    target = open_target(env.server, env.settings())
    before = target.current()
    assert before is not None
    done = env.cli("rollback", "--repo", str(env.server), "--oleh", "dewi",
                   "--alasan", "Tampilan rusak setelah rilis")  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    now_live = target.current()
    assert now_live is not None and now_live.id != before.id
    repo = Repo(env.server)
    rows = repo.ls_tree("refs/heads/main", "records/rollback")
    assert len(rows) == 1
    folder = f"records/rollback/{rows[0][3]}"
    data = yaml.safe_load(repo.show_file("refs/heads/main", f"{folder}/rollback.yml"))
    assert data["oleh"] == "dewi" and data["nama"] == env.office.people["dewi"].name
    assert data["dari"] == before.id and data["ke"] == now_live.id
    assert data["alasan"] == "Tampilan rusak setelah rilis" and data["target"] == "local"
    # Signed by the server key, like every record commit.
    tip = repo.rev_parse("refs/heads/main")
    assert repo.run("cat-file", "commit", tip).count("BEGIN SSH SIGNATURE") == 1
    verified = env.cli("verify", "--repo", str(env.server))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert report_rows(env, tmp_path)["Dikembalikan (rollback)"] == "1"
    # Back to where it was, for the tests that follow.
    assert env.cli("rollback", before.id, "--repo", str(env.server)).returncode == 0


def test_a_rewritten_rollback_record_fails_verification(tmp_path: Path) -> None:
    """The digest catches an edit of the file (the commit checks are the server tests')."""
    from datetime import UTC, datetime

    from pipeline.record import rollback
    from pipeline.record.verify import digest_matches

    made = rollback.make(by="dewi", name="Dewi", at=datetime(2026, 12, 1, tzinfo=UTC),
                         target="local", from_release="r2", to_release="r1")  # fmt: skip
    data = made.data()
    assert digest_matches(data)
    assert not digest_matches({**data, "ke": "r0"})
