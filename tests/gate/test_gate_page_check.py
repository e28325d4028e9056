"""The gate's "Pemeriksaan halaman" line: only the server-signed check of the current head counts,
and only findings main's same pages do not already have block the merge (issue 15 §5)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from pipeline.change.model import Change, PageCheck, PageFinding
from pipeline.gate import evaluate
from pipeline.i18n import set_lang

ALT = PageFinding("/artikel/a/", "image-alt", "['img']")
CONTRAST = PageFinding("/", "color-contrast", "['.x']")


def check(head: str, *, signed: bool = True, new=(), known=(), problems=()) -> PageCheck:
    return PageCheck(
        id="e" * 40, head=head, at=datetime(2026, 11, 28, 3, tzinfo=UTC), signed=signed,
        pages=["/", "/artikel/a/"], new=list(new), known=list(known), problems=list(problems),
        tools={"chromium": "1"},
    )  # fmt: skip


def line(report):
    return next(s for s in report.extra if s.proof == "page_check")


def judge(change: Change, sop, roles, enabled: bool | None = True):
    return evaluate(change, sop=sop, roles=roles, page_check=enabled)


def test_a_clean_signed_check_of_the_head_passes(change, sop, roles):
    report = judge(replace(change, page_checks=[check(change.head_sha, known=[CONTRAST])]), sop,
                   roles)  # fmt: skip
    assert report.passed, report.problems
    assert line(report).state == "done"
    # A finding main's same page already has is reported, not blocking.
    assert "1 temuan sudah ada di main" in line(report).reason


def test_no_check_of_the_head_yet_is_pending_and_blocks(change, sop, roles):
    report = judge(change, sop, roles)
    assert not report.passed
    assert line(report).state == "pending"
    assert "belum diperiksa" in line(report).reason
    assert any("pemeriksaan halaman belum selesai" in p for p in report.problems)


def test_a_check_of_an_older_head_does_not_count(change, sop, roles):
    older = check(change.commits[0].sha)
    report = judge(replace(change, page_checks=[older]), sop, roles)
    assert not report.passed and line(report).state == "pending"
    assert "commit lama" in line(report).reason


def test_an_unsigned_or_person_signed_check_does_not_count(change, sop, roles):
    # The forge marks a check ``signed`` only with the server key's signature (tests/forge).
    forged = check(change.head_sha, signed=False)
    report = judge(replace(change, page_checks=[forged]), sop, roles)
    assert not report.passed and line(report).state == "pending"
    assert "tanpa tanda tangan server diabaikan" in line(report).reason


def test_new_findings_fail_the_line_with_page_rule_and_target(change, sop, roles):
    broken = PageFinding("/artikel/a/", "broken-link", "/tidak-ada/")
    found = check(change.head_sha, new=[ALT, broken])
    report = judge(replace(change, page_checks=[found]), sop, roles)
    assert not report.passed and line(report).state == "refused"
    assert "/artikel/a/: image-alt (['img'])" in line(report).reason
    problem = next(p for p in report.problems if "pemeriksaan halaman menemukan" in p)
    assert "/artikel/a/: broken-link (/tidak-ada/)" in problem


def test_the_newest_valid_check_decides(change, sop, roles):
    checks = [check(change.head_sha, new=[ALT]), check(change.head_sha, signed=False),
              check(change.head_sha)]  # fmt: skip
    assert judge(replace(change, page_checks=checks), sop, roles).passed
    # A later forged "clean" record never hides a failing one.
    checks = [check(change.head_sha, new=[ALT]), check(change.head_sha, signed=False)]
    assert not judge(replace(change, page_checks=checks), sop, roles).passed


def test_switched_off_says_so_and_does_not_block(change, sop, roles):
    report = judge(change, sop, roles, enabled=False)
    assert report.passed, report.problems
    assert line(report).reason.startswith("TIDAK DIPERIKSA")


def test_no_line_where_the_forge_has_no_such_check(change, sop, roles):
    report = judge(change, sop, roles, enabled=None)
    assert report.passed and not [s for s in report.extra if s.proof == "page_check"]


def test_the_line_speaks_english(change, sop, roles):
    set_lang("en")
    try:
        report = judge(change, sop, roles)
    finally:
        set_lang("id")
    assert line(report).kegiatan == "Page check"
    assert "not checked yet" in line(report).reason
