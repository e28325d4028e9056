"""Protection is an allow-list (issue 10): only drafts and images under content/ land on the
reviewers' approvals; every other path needs the head's role on the head commit."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pipeline.config.sop import glob_match
from pipeline.gate import evaluate
from tests.support.gate import C_HEAD, demo_change, review

C1 = "c1" * 20


@pytest.mark.parametrize(
    "path",
    [
        "markdown.py",  # imported by a build run from the repository's root
        "pelicanconf/__init__.py",  # shadows the protected pelicanconf.py
        "pipeline",  # a link named like the package
        ".terbit/cache/x/state.pickle",
        ".gitattributes",
        "content/pages/sisipan.html",
        "content/images/gambar.svg",
        "content/extra/skrip.js",
        "docs/catatan.md",
    ],
)
def test_paths_outside_the_content_model_need_the_head(sop, roles, path: str) -> None:
    change = replace(
        demo_change(),
        files=["content/articles/x.md", path],
        reviews=[
            review("sari", "approve", C1, 60),
            review("andi", "approve", C1, 70),  # the disposition, on an earlier commit
            review("sari", "approve", C_HEAD, 180),
        ],
    )
    report = evaluate(change, sop=sop, roles=roles, signatures_required=False)
    assert not report.passed
    assert report.protected_files == [path]
    assert any("berkas terlindung" in p for p in report.problems)
    approved = replace(change, reviews=[*change.reviews, review("andi", "approve", C_HEAD, 181)])
    assert evaluate(approved, sop=sop, roles=roles, signatures_required=False).passed


@pytest.mark.parametrize(
    "path",
    ["content/articles/a.md", "content/pages/profil.markdown", "content/images/foto.JPG"],
)
def test_drafts_and_images_land_on_the_reviewers_approvals(sop, roles, path: str) -> None:
    change = replace(
        demo_change(),
        files=[path],
        reviews=[
            review("sari", "approve", C1, 60),
            review("andi", "approve", C1, 70),
            review("sari", "approve", C_HEAD, 180),
        ],
    )
    report = evaluate(change, sop=sop, roles=roles, signatures_required=False)
    assert report.protected_files == []
    # Passes on the reviewers' approvals alone: the head never approved the head commit.
    assert not any(r.reviewer == "andi" and r.commit == C_HEAD for r in change.reviews)
    assert report.passed, [(s.number, s.state, s.reason) for s in report.steps]


def test_a_folder_glob_also_matches_the_folder_itself() -> None:
    assert glob_match("pipeline/**", "pipeline")
    assert glob_match("pipeline/**", "pipeline/cli/gate.py")
    assert glob_match(".github/", ".github")
    assert not glob_match("pipeline/**", "pipeline2")
    assert not glob_match("pipeline/**", "docs/pipeline")


def test_passing_draft_checks_name_no_person(sop, roles) -> None:
    # A tool is not a person: the "by" column stays empty, the tool is named in the reason.
    report = evaluate(demo_change(), sop=sop, roles=roles, signatures_required=False, checks=[])
    line = next(s for s in report.extra if s.proof == "checks")
    assert line.state == "done" and not line.by and not line.by_name
    assert "terbit check" in line.reason
