"""Urgent publication (issue 15 §1): a nota dinas "Sangat Segera" with a written reason and the
head's disposition passes the gate without the Katimker's steps 3 and 5, which sop.yml's
``expedited:`` defers; the deferred review is still owed within working hours of the merge."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from pipeline.config.calendar import CalendarSettings
from pipeline.config.roles import load_roles
from pipeline.config.sop import load_sop
from pipeline.errors import ConfigError
from pipeline.gate import evaluate, render
from tests.support.gate import NOTA, ROOT, WIB, demo_change, review

EXPEDITED = """
expedited:
  role: kepala_satker
  defer: [3, 5]
  within_hours: 8
"""
REASON = "alasan_segera: Peringatan dini wabah; masyarakat harus tahu hari ini\n"


def policy(extra: str = EXPEDITED):
    roles = load_roles((ROOT / "roles.yml").read_text(encoding="utf-8"))
    text = (ROOT / "sop.yml").read_text(encoding="utf-8")
    text = text.split("\nexpedited:")[0] if "\nexpedited:" in text else text
    sop = load_sop(text.rstrip("\n") + "\n" + extra, known_roles=roles.titles)
    # The office calendar of terbit.yml (Mon–Thu 07:30–16:00, Fri 07:30–16:30 WIB).
    return replace(sop, calendar=CalendarSettings().build()), roles


def nota(sifat: str = "Sangat Segera", reason: str = REASON) -> str:
    return NOTA.replace("sifat: Segera\n", f"sifat: {sifat}\n{reason}")


def urgent(sifat: str = "Sangat Segera", reason: str = REASON, **extra: object):
    """Rina submits; only the head (Andi) approves, on the head commit."""
    base = demo_change()
    return replace(base, nota_dinas_text=nota(sifat, reason),
                   reviews=[review("andi", "approve", base.head_sha, 165)], **extra)  # fmt: skip


def test_sangat_segera_without_a_reason_is_refused_with_the_line():
    sop, roles = policy()
    report = evaluate(urgent(reason=""), sop=sop, roles=roles)
    assert not report.passed
    text = render(report)
    # The nota dinas's "sifat" is on line 7 of the text (the fence is line 1).
    assert "nota dinas:7: sifat Sangat Segera memerlukan alasan tertulis" in text
    assert "alasan_segera" in text


def test_sangat_segera_with_a_reason_and_the_disposition_passes_without_steps_3_and_5():
    sop, roles = policy()
    report = evaluate(urgent(), sop=sop, roles=roles, now=datetime(2026, 11, 28, 11, tzinfo=WIB))
    assert report.passed, report.problems
    assert report.expedited is not None
    assert report.expedited.reason.startswith("Peringatan dini wabah")
    assert report.expedited.approved_by == "andi"
    for number in (3, 5):
        step = report.step(number)
        assert step.state == "pending" and step.deferred
    assert report.step(4).state == "done"
    text = render(report)
    assert "SANGAT SEGERA" in text and "Peringatan dini wabah" in text
    assert "ditunda (jalur segera)" in text
    assert "paling lambat 8 jam kerja setelah penggabungan" in text


def test_without_the_heads_disposition_sangat_segera_defers_nothing():
    sop, roles = policy()
    change = replace(urgent(), reviews=[])
    report = evaluate(change, sop=sop, roles=roles)
    assert not report.passed
    assert any("langkah 3" in p for p in report.problems)


@pytest.mark.parametrize("sifat", ["Biasa", "Segera"])
def test_a_normal_change_still_needs_the_katimker(sifat):
    sop, roles = policy()
    report = evaluate(urgent(sifat=sifat, reason=""), sop=sop, roles=roles)
    assert not report.passed
    assert {p.split(" ")[1] for p in report.problems if p.startswith("langkah")} >= {"3", "5"}
    assert report.expedited is None


def test_an_sop_without_an_expedited_path_gives_sangat_segera_no_shortcut():
    sop, roles = policy(extra="")
    report = evaluate(urgent(), sop=sop, roles=roles)
    assert not report.passed and report.expedited is None


def test_the_deadline_counts_working_hours_across_the_weekend():
    sop, roles = policy()
    # Merged Friday 4 December 2026 15:30 WIB: one working hour is left on Friday
    # (until 16:30), seven more on Monday from 07:30 — due Monday 7 December 14:30.
    merged = datetime(2026, 12, 4, 15, 30, tzinfo=WIB)
    change = urgent(state="merged", merged_at=merged, merge_sha="e" * 40, merged_by="dewi")
    before = evaluate(change, sop=sop, roles=roles, now=datetime(2026, 12, 7, 14, 0, tzinfo=WIB))
    assert before.expedited.due == datetime(2026, 12, 7, 14, 30, tzinfo=WIB)
    text = render(before)
    assert "wajib diperiksa paling lambat 07-12-2026 14:30" in text
    assert "TERLAMBAT" not in text
    late = evaluate(change, sop=sop, roles=roles, now=datetime(2026, 12, 7, 15, 0, tzinfo=WIB))
    assert late.expedited.overdue
    assert "TERLAMBAT" in render(late)
    assert late.passed  # the merge stays lawful; the lateness is reported, not undone


def test_the_deferred_review_done_after_the_merge_is_counted_and_judged_in_time():
    sop, roles = policy()
    merged = datetime(2026, 12, 4, 15, 30, tzinfo=WIB)
    change = urgent(state="merged", merged_at=merged, merge_sha="e" * 40, merged_by="dewi")
    head = change.head_sha
    on_time = datetime(2026, 12, 7, 9, 0, tzinfo=WIB)
    retro = replace(review("sari", "approve", head, 0), at=on_time)
    done = replace(change, reviews=[*change.reviews, retro])
    report = evaluate(done, sop=sop, roles=roles, now=datetime(2026, 12, 8, 9, tzinfo=WIB))
    assert report.step(3).state == "done" and report.step(5).state == "done"
    assert report.step(4).state == "done"  # the head's earlier disposition still counts
    assert report.expedited.done_at == on_time and report.expedited.in_time is True
    assert "TERLAMBAT" not in render(report)
    too_late = datetime(2026, 12, 7, 15, 0, tzinfo=WIB)
    retro = replace(review("sari", "approve", head, 0), at=too_late)
    late = replace(change, reviews=[*change.reviews, retro])
    report = evaluate(late, sop=sop, roles=roles, now=datetime(2026, 12, 8, 9, tzinfo=WIB))
    assert report.expedited.in_time is False
    assert "TERLAMBAT" in render(report)


@pytest.mark.parametrize(
    ("block", "line", "words"),
    [
        ("expedited:\n  defer: [4]\n  within_hours: 8\n", 3, "langkah 4"),
        ("expedited:\n  defer: [6]\n  within_hours: 8\n", 3, "langkah 6"),
        ("expedited:\n  defer: [9]\n  within_hours: 8\n", 3, "langkah 9"),
        ("expedited:\n  defer: [3]\n  within_hours: 0\n", 4, "within_hours"),
        ("expedited:\n  role: kepala\n  defer: [3]\n  within_hours: 8\n", 3, "kepala"),
    ],
)
def test_a_wrong_expedited_block_is_refused_at_its_line(block, line, words):
    roles = load_roles((ROOT / "roles.yml").read_text(encoding="utf-8"))
    text = (ROOT / "sop.yml").read_text(encoding="utf-8").split("\nexpedited:")[0].rstrip("\n")
    start = text.count("\n") + 1  # the line "expedited:" lands on, minus one
    with pytest.raises(ConfigError) as error:
        load_sop(text + "\n" + block, known_roles=roles.titles)
    message = str(error.value)
    assert f"sop.yml:{start + line - 1}:" in message, message
    assert words in message
