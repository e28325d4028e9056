"""Data dukung after a merge, end to end: the real server with its hooks publishes the change;
the supporting documents are kept with the completion record (listed, byte for byte, checked by
`terbit verify`) and never reach the built or deployed site.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from pipeline.forge.local.client import actions as client
from pipeline.vcs import Repo
from tests.publication.test_publication_flow import Env, env, merge, open_change

__all__ = ["env"]  # the office of the publication tests (its own instance in this module)
pytestmark = [pytest.mark.xdist_group("publication-data-dukung"), pytest.mark.slow]

MARKER = b"DATADUKUNG-RAHASIA-5519"
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n% " + MARKER + b"\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
HOSTILE = "../../output/rahasia-kak.pdf"  # a name that tries to land in the site's output


@pytest.fixture(scope="module")
def published(env: Env) -> tuple[str, object]:
    change_id = open_change(env, "uji-data-dukung", "Uji Data Dukung")
    client.attach(env.office.forge("rina"), env.office.who("rina"), change_id, [(HOSTILE, PDF)])
    sha = merge(env, change_id)
    return change_id, env.publish(sha)


def every_file(root: Path) -> list[Path]:
    """Every file under ``root``, following the deploy's links to its releases."""
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.mark.browser
def test_the_record_keeps_and_lists_them(env: Env, published: tuple[str, object]) -> None:
    change_id, result = published
    assert result.status == "complete", result.problems
    repo = Repo(env.server)
    folder = result.record_folder
    assert repo.show_bytes("refs/heads/main", f"{folder}/data-dukung/rahasia-kak.pdf") == PDF
    record = yaml.safe_load(repo.show_file("refs/heads/main", f"{folder}/record.yml"))
    [listed] = record["data_dukung"]
    assert listed["file"] == "data-dukung/rahasia-kak.pdf" and listed["type"] == "application/pdf"
    assert listed["bytes"] == len(PDF) and listed["by"] == "rina" and listed["signature_ok"]
    change = env.office.forge("dewi").get_change(change_id)
    assert listed["sha256"] == change.data_dukung[0].sha256
    assert listed["event"] == change.data_dukung[0].event
    readme = repo.show_file("refs/heads/main", f"{folder}/README.md")
    assert "data-dukung/rahasia-kak.pdf" in readme and listed["sha256"] in readme


@pytest.mark.browser
def test_the_site_holds_none_of_their_bytes_or_names(
    env: Env, published: tuple[str, object]
) -> None:
    _change_id, result = published
    assert result.status == "complete", result.problems
    site = env.server.parent.parent / "www"
    files = every_file(site)
    assert any(p.name == "index.html" for p in files)  # the site is there
    for path in files:
        assert "rahasia" not in path.name
        data = path.read_bytes()
        assert MARKER not in data and b"rahasia-kak" not in data, path
    # Nor did the hostile name reach anything next to the server's build output.
    assert not list(env.server.parent.rglob("rahasia-kak.pdf"))


@pytest.mark.browser
def test_verify_checks_every_byte_of_them(
    env: Env, published: tuple[str, object], tmp_path: Path
) -> None:
    _change_id, result = published
    ok = env.cli("verify", "--repo", str(env.server))
    assert ok.returncode == 0, ok.stderr
    clone = tmp_path / "audit"
    subprocess.run(["git", "clone", "--quiet", str(env.server), str(clone)], check=True)
    kept = clone / result.record_folder / "data-dukung" / "rahasia-kak.pdf"
    kept.write_bytes(PDF.replace(MARKER, MARKER.lower()))
    bad = env.cli("verify", "--repo", str(clone))
    assert bad.returncode == 1
    assert "data dukung data-dukung/rahasia-kak.pdf tidak cocok dengan SHA-256" in bad.stderr
    kept.unlink()
    bad = env.cli("verify", "--repo", str(clone))
    assert bad.returncode == 1 and "data-dukung/rahasia-kak.pdf tidak ada" in bad.stderr
