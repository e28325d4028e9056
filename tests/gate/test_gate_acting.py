"""Acting officials (Plh/Plt): counted only inside their window, named on the record."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from pipeline.config.roles import load_roles
from pipeline.errors import ConfigError
from pipeline.gate import evaluate, render
from tests.support.gate import ROOT, WIB, change_on

# Budi (staf) is Plh. Kepala Satker while Andi is away, 7–11 December 2026.
ACTING = """acting:
  - person: budi
    role: kepala_satker
    kind: Plh
    from: 2026-12-07
    to: 2026-12-11
    nomor: SPT-45/C.IX/XII/2026
"""


@pytest.fixture(scope="module")
def acting_roles():
    return load_roles((ROOT / "roles.yml").read_text(encoding="utf-8") + ACTING)


@pytest.mark.parametrize(
    ("day", "counted"),
    [
        (datetime(2026, 12, 4, 8, 0, tzinfo=WIB), False),  # before the window (Friday)
        (datetime(2026, 12, 7, 8, 0, tzinfo=WIB), True),  # first day
        (datetime(2026, 12, 11, 8, 0, tzinfo=WIB), True),  # last day
        (datetime(2026, 12, 14, 8, 0, tzinfo=WIB), False),  # after the window (Monday)
    ],
)
def test_an_acting_approval_counts_only_inside_the_window(sop, acting_roles, day, counted):
    report = evaluate(change_on(day), sop=sop, roles=acting_roles)
    step4 = report.step(4)
    assert report.passed is counted
    if counted:
        assert step4.state == "done" and step4.by == "budi" and step4.acting_kind == "Plh"
        assert "oleh Plh. Kepala Satker berdasarkan SPT-45/C.IX/XII/2026" in render(report)
    else:
        assert step4.state != "done"
        assert "budi hanya Plh Kepala Satker pada 07-12-2026 s.d. 11-12-2026" in step4.reason


def test_the_window_is_read_in_the_office_s_time_zone(sop, acting_roles):
    # 11 Dec 23:30 WIB is 11 Dec in Medan (inside) although 12 Dec 00:30 in Makassar.
    late = change_on(datetime(2026, 12, 11, 8, 0, tzinfo=WIB))
    at = datetime(2026, 12, 11, 23, 30, tzinfo=WIB)
    reviews = [replace(r, at=at + timedelta(minutes=i)) if r.id == "r-disposition" or i == 3
               else r for i, r in enumerate(late.reviews)]  # fmt: skip
    late = replace(late, reviews=reviews)
    assert evaluate(late, sop=sop, roles=acting_roles).step(4).state == "done"
    from pipeline.config.calendar import CalendarSettings

    wita = replace(sop, calendar=CalendarSettings(zone="WITA").build())
    assert evaluate(late, sop=wita, roles=acting_roles).step(4).state != "done"


def test_without_an_assignment_a_staff_approval_proves_nothing(sop, roles):
    report = evaluate(change_on(datetime(2026, 12, 7, 8, 0, tzinfo=WIB)), sop=sop, roles=roles)
    assert report.step(4).state == "pending" and not report.passed


def test_an_acting_official_cannot_sign_two_roles_of_one_change(sop):
    # Sari (Katimker) as Plh. Kepala: she checked step 3, so her disposition does not count.
    text = (ROOT / "roles.yml").read_text(encoding="utf-8") + ACTING.replace("budi", "sari")
    roles = load_roles(text)
    report = evaluate(change_on(datetime(2026, 12, 7, 8, 0, tzinfo=WIB), "sari"), sop=sop,
                      roles=roles)  # fmt: skip
    assert report.step(4).state != "done" and not report.passed
    assert "tidak boleh juga menyetujui sebagai Plh/Plt Kepala Satker" in report.step(4).reason


def test_protected_files_need_the_appointed_head_not_the_acting_one(sop, acting_roles):
    change = change_on(datetime(2026, 12, 7, 8, 0, tzinfo=WIB))
    touched = replace(change, files=["roles.yml"])
    report = evaluate(touched, sop=sop, roles=acting_roles)
    assert report.step(4).state == "done"  # the disposition itself counts
    assert report.extra[0].state == "refused" and not report.passed
    assert "budi hanya Plh/Plt" in report.extra[0].reason


def test_assignments_are_validated_with_their_line():
    base = (ROOT / "roles.yml").read_text(encoding="utf-8")
    lines = base.count("\n")
    with pytest.raises(ConfigError) as bad:
        load_roles(base + ACTING.replace("to: 2026-12-11", "to: 2026-12-01"))
    assert "'to' (2026-12-01) tidak boleh sebelum 'from' (2026-12-07)" in str(bad.value)
    with pytest.raises(ConfigError) as unknown:
        load_roles(base + ACTING.replace("person: budi", "person: bud"))
    assert unknown.value.line == lines + 2 and "orang 'bud' tidak ada" in str(unknown.value)
    with pytest.raises(ConfigError) as role:
        load_roles(base + ACTING.replace("role: kepala_satker", "role: kepala"))
    assert role.value.line == lines + 3 and "peran 'kepala' tidak dikenal" in str(role.value)
    with pytest.raises(ConfigError) as kind:
        load_roles(base + ACTING.replace("kind: Plh", "kind: Pjs"))
    assert "'Plh', 'Plt'" in str(kind.value)
