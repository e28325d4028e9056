"""The report's figures against a month computed by hand (see conftest.NOVEMBER).

Step 3 took 50, 67, 30, 90 minutes: sorted 30 50 67 90 → median (50+67)/2 = 58.5, nearest-rank
p90 = the 4th value = 90, within 60: 2 of 4 = 50 %. Step 4 took 8, 12, 5, 10: median 9, p90 12,
within 10: 3 of 4 = 75 %. The Katimker (steps 3 and 5, step 5 always 15): 15 15 15 15 30 50 67
90 → median 22.5, p90 90, 6 of 8 = 75 %. 32 finished steps, 3 over the standard → 29/32 = 90.6 %.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from pipeline.change.model import Change
from pipeline.compliance.collect import collect
from pipeline.compliance.figures import compute, p90
from pipeline.compliance.period import parse_period
from pipeline.vcs import Repo

TZ = ZoneInfo("Asia/Jakarta")


def figures(office_repo):
    period = parse_period(month="2026-11")
    found = collect(Repo(office_repo), "records", TZ, period.contains)
    return compute(found.records, everything=found.everything, end=period.end)


def test_only_the_month_s_records_are_counted_and_listed(office_repo):
    f = figures(office_repo)
    assert [r.split("-")[0] for r in f.records] == ["1", "2", "3", "4"]
    # Records 2 and 3 are marked Segera / Sangat Segera but went through every step: only the
    # expedited path counts as urgent (tests/compliance/test_report_urgent.py).
    assert f.outcomes == {"records": 4, "complete": 3, "incomplete": 1, "failed": 0,
                          "retried": 0, "rolled_back": 0, "urgent": 0, "takedowns": 0}  # fmt: skip


def test_per_step_figures(office_repo):
    steps = {s.key: s for s in figures(office_repo).steps}
    s3, s4 = steps["3"], steps["4"]
    assert (s3.count, s3.median, s3.p90, s3.share, s3.standard) == (4, 58.5, 90, 50.0, 60)
    assert s3.author_minutes == 28
    assert (s4.count, s4.median, s4.p90, s4.share) == (4, 9.0, 12, 75.0)
    assert (steps["5"].median, steps["5"].share) == (15.0, 100.0)


def test_per_role_and_per_person(office_repo):
    f = figures(office_repo)
    roles = {s.key: s for s in f.roles}
    katimker = roles["katimker_lpzi"]
    assert (katimker.count, katimker.median, katimker.p90, katimker.share) == (8, 22.5, 90, 75.0)
    # The Plh's disposition counts under the role itself.
    head = roles["kepala_satker"]
    assert head.label == "Kepala Satker" and (head.count, head.median, head.share) == (4, 9.0, 75.0)
    people = {s.key: s for s in f.people}
    assert (people["andi"].count, people["andi"].median, people["andi"].p90) == (3, 8.0, 12)
    assert people["andi"].share == 66.7 and people["andi"].over == 1
    assert (people["budi"].count, people["budi"].share) == (1, 100.0)
    assert (f.total.count, f.total.over, f.total.share) == (32, 3, 90.6)


def test_overdue_items_longest_first_with_their_record(office_repo):
    f = figures(office_repo)
    assert [(o.record_id.split("-")[0], o.step, o.elapsed, o.standard) for o in f.overdue] == [
        ("4", 3, 90, 60),
        ("2", 3, 67, 60),
        ("2", 4, 12, 10),
    ]
    assert f.overdue[0].person == "Sari Wahyuni Lubis, S.K.M., M.Kes."


def test_trend_counts_each_month_up_to_the_period(office_repo):
    f = figures(office_repo)
    assert f.trend[-2:] == [("2026-10", 1, 87.5), ("2026-11", 4, 90.6)]
    assert len(f.trend) == 12 and f.trend[0] == ("2025-12", 0, None)


def test_withdrawn_and_rejected_changes():
    def closed(cid: str, by: str) -> Change:
        return Change(id=cid, title=f"Berita {cid}", author="rina", author_login="rina",
                      base="main", base_sha="b" * 40, head_sha="c" * 40,
                      opened_at=datetime(2026, 11, 2, tzinfo=UTC), state="closed",
                      closed_at=datetime(2026, 11, 3, tzinfo=UTC), closed_by=by,
                      close_reason="tidak jadi")  # fmt: skip

    f = compute([], closed=[closed("7", "rina"), closed("8", "sari")])
    assert [(c.change_id, c.withdrawn) for c in f.closed] == [("7", True), ("8", False)]


def test_percentile_is_nearest_rank():
    assert p90([5]) == 5 and p90(list(range(1, 11))) == 9 and p90(list(range(1, 12))) == 10
    assert p90([]) is None
