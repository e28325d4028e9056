"""Standing delegation (sop.yml): the named stand-in counts only on days every holder of the
role is recorded absent (roles.yml ``absent:``), only for the rule's steps, never for
protected files; the report names the Plh and the rule's decision."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from pipeline.config.roles import load_roles
from pipeline.config.sop import load_sop
from pipeline.gate import evaluate, render
from tests.support.delegation import RULE, roles_text, sop_text
from tests.support.gate import WIB, change_on


def policy(rule: str = RULE, **roles: str):
    loaded = load_roles(roles_text(**roles))
    people = {p.id: p.roles for p in loaded.people}
    return load_sop(sop_text(rule), known_roles=loaded.titles, people=people), loaded


@pytest.mark.parametrize(
    ("day", "counted"),
    [
        (datetime(2026, 12, 4, 8, 0, tzinfo=WIB), False),  # Andi at work (Friday before)
        (datetime(2026, 12, 7, 8, 0, tzinfo=WIB), True),  # first day of his absence
        (datetime(2026, 12, 11, 8, 0, tzinfo=WIB), True),  # last day
        (datetime(2026, 12, 14, 8, 0, tzinfo=WIB), False),  # back at work (Monday)
    ],
)
def test_the_stand_in_counts_only_while_the_head_is_recorded_absent(day, counted):
    sop, roles = policy()
    report = evaluate(change_on(day, "hendra"), sop=sop, roles=roles)
    step4 = report.step(4)
    assert report.passed is counted, report.problems
    if counted:
        assert step4.state == "done" and step4.by == "hendra"
        assert (step4.acting_kind, step4.acting_nomor) == ("Plh", "KEP-7/C.IX/I/2026")
        assert "oleh Plh. Kepala Satker berdasarkan KEP-7/C.IX/I/2026" in render(report)
    else:
        assert step4.state == "refused"
        shown = day.strftime("%d-%m-%Y")
        assert (
            "hendra mewakili Kepala Satker (aturan pelimpahan KEP-7/C.IX/I/2026 di sop.yml) "
            "hanya bila semua pemegang peran itu berhalangan; pada "
            f"{shown} tidak ada catatan 'absent' di roles.yml untuk andi"
        ) in step4.reason


def test_an_absence_without_a_rule_lets_nobody_stand_in():
    sop, roles = policy(rule="")
    report = evaluate(change_on(datetime(2026, 12, 7, 8, 0, tzinfo=WIB), "hendra"), sop=sop,
                      roles=roles)  # fmt: skip
    assert report.step(4).state == "pending" and not report.passed


def test_the_rule_covers_only_its_steps():
    # An SOP where the head also makes the final check (step 5); the rule covers step 4 only.
    sop, roles = policy()
    final = sop.step(5)
    sop = replace(sop, steps=[replace(s, role="kepala_satker", approver_role="kepala_satker")
                              if s is final else s for s in sop.steps])  # fmt: skip
    change = change_on(datetime(2026, 12, 7, 8, 0, tzinfo=WIB), "hendra")
    last = replace(change.reviews[2], id="r-final", at=change.reviews[3].at)
    report = evaluate(replace(change, reviews=[*change.reviews, last]), sop=sop, roles=roles)
    assert report.step(4).state == "done" and report.step(4).by == "hendra"
    assert report.step(5).state == "refused" and not report.passed
    assert "aturan pelimpahan KEP-7/C.IX/I/2026 (sop.yml) hanya berlaku untuk langkah 4" in (
        report.step(5).reason
    )


def test_protected_files_still_need_the_appointed_head():
    sop, roles = policy()
    change = change_on(datetime(2026, 12, 7, 8, 0, tzinfo=WIB), "hendra")
    report = evaluate(replace(change, files=["roles.yml"]), sop=sop, roles=roles)
    assert report.step(4).state == "done"  # the disposition itself counts
    assert report.extra[0].state == "refused" and not report.passed
    assert "hendra hanya Plh/Plt" in report.extra[0].reason


def test_a_rule_by_role_keeps_one_person_one_step():
    # Any Katimker stands in for the head: Sari checked step 3, so she cannot also dispose.
    by_role = RULE.replace("person: hendra", "by_role: katimker_lpzi")
    sop, roles = policy(rule=by_role)
    absent_day = evaluate(change_on(datetime(2026, 12, 7, 8, 0, tzinfo=WIB), "sari"), sop=sop,
                          roles=roles)  # fmt: skip
    step4 = absent_day.step(4)
    assert step4.state == "refused" and not absent_day.passed
    assert "tidak boleh juga menyetujui sebagai Plh/Plt Kepala Satker" in step4.reason
    # With the head at work, the Katimker's own approvals are no refusal of his step: it waits.
    present = evaluate(change_on(datetime(2026, 12, 14, 8, 0, tzinfo=WIB), "sari"), sop=sop,
                       roles=roles)  # fmt: skip
    assert present.step(4).state == "pending"
    assert present.step(4).reason == "menunggu persetujuan Kepala Satker"


def test_the_rule_needs_every_holder_absent():
    # A second head of office at work: the role is not vacant that day, the rule does not apply.
    second = """  - id: yusuf
    name: dr. Yusuf Rangkuti
    nip: "197501012003121002"
    jabatan: Wakil Kepala
    email: yusuf.rangkuti@bbkkmedan.go.id
    roles: [kepala_satker]
"""
    text = roles_text().replace("absent:\n", second + "absent:\n", 1)
    roles = load_roles(text)
    sop = load_sop(sop_text(), known_roles=roles.titles)
    report = evaluate(change_on(datetime(2026, 12, 8, 8, 0, tzinfo=WIB), "hendra"), sop=sop,
                      roles=roles)  # fmt: skip
    assert report.step(4).state == "refused" and "untuk yusuf" in report.step(4).reason
