"""The monthly report counts as urgent only the publications that took sop.yml's expedited
path (a "Sangat Segera" record with its ``segera`` block) — not every memo marked Segera — and
lists each with its reason, deadline and whether the deferred review was done in time."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from benchmarks.recordgen import Spec, make_records
from pipeline.compliance.collect import collect
from pipeline.compliance.figures import compute
from pipeline.compliance.period import parse_period
from pipeline.compliance.render import Report, Signer, to_csv, to_html
from pipeline.vcs import Repo

TZ = ZoneInfo("Asia/Jakarta")
ROOT = Path(__file__).resolve().parents[2]
SPECS = [
    Spec(day=date(2026, 11, 3), sifat="Segera"),  # urgent in words only: the full SOP
    Spec(day=date(2026, 11, 10), sifat="Sangat Segera"),  # asked, but reviewed in full
    Spec(day=date(2026, 11, 17), sifat="Sangat Segera", alasan_segera="KLB difteri di Deli"),
]


def figures(tmp_path: Path, **extra):
    make_records(tmp_path / "repo", SPECS, office=ROOT)
    period = parse_period(month="2026-11")
    found = collect(Repo(tmp_path / "repo"), "records", TZ, period.contains)
    return compute(found.records, everything=found.everything, end=period.end, **extra)


def test_only_the_expedited_publication_is_urgent_with_its_reason(tmp_path: Path) -> None:
    f = figures(tmp_path)
    assert f.outcomes["urgent"] == 1
    (urgent,) = f.urgent
    assert (urgent.change_id, urgent.alasan) == ("3", "KLB difteri di Deli")
    assert urgent.tenggat == datetime(2026, 11, 18, 10, 30, tzinfo=TZ)
    assert urgent.state == "owed"  # the record was written before the deferred review


def test_the_deferred_review_is_judged_against_its_deadline(tmp_path: Path) -> None:
    late = datetime(2026, 11, 18, 11, 0, tzinfo=TZ)
    f = figures(tmp_path, followups={"3": late})
    assert (f.urgent[0].state, f.urgent[0].selesai) == ("late", late)
    f = figures(tmp_path, followups={"3": datetime(2026, 11, 18, 9, 0, tzinfo=TZ)})
    assert f.urgent[0].state == "in_time"
    f = figures(tmp_path, now=datetime(2026, 11, 19, 8, 0, tzinfo=TZ))
    assert f.urgent[0].state == "overdue"


def test_the_report_lists_the_urgent_publication(tmp_path: Path) -> None:
    f = figures(tmp_path, followups={"3": datetime(2026, 11, 18, 11, 0, tzinfo=TZ)})
    report = Report(figures=f, nomor="LAP-1", period_label="November 2026", sop_name="SOP",
                    place_date="Medan, 1 Desember 2026", rule="", kop=(), signer=Signer(),
                    verify_failed=[])  # fmt: skip
    page = to_html(report)
    assert "Publikasi sangat segera" in page and "KLB difteri di Deli" in page
    assert "18-11-2026 10:30" in page and "TERLAMBAT" in page
    rows = list(csv.reader(io.StringIO(to_csv(report), newline="")))
    assert any("KLB difteri di Deli" in row and "TERLAMBAT" in " ".join(row) for row in rows)
