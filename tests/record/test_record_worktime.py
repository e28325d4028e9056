"""The record states how its minutes were counted and shows the author's fixing time apart."""

from __future__ import annotations

from pipeline.config.calendar import CalendarSettings, author_rule
from pipeline.record.model import digest
from pipeline.record.render import to_html, to_markdown
from tests.support.record import TZ, as_record, sample


def with_fix() -> dict:
    record = sample()
    record["steps"][2]["perbaikan_staf_minutes"] = 28
    record["waktu_kerja"] = f"{CalendarSettings().build().describe()} {author_rule()}"
    record["digest"] = digest(record)
    return record


def test_the_author_s_fixing_time_is_its_own_line_on_the_record() -> None:
    text = to_markdown(as_record(with_fix()), TZ)
    row = next(line for line in text.splitlines() if line.startswith("| 3 |"))
    assert "sesuai mutu baku<br>perbaikan oleh staf 28 menit" in row
    html = to_html(as_record(with_fix()), TZ)
    assert "sesuai mutu baku<br>perbaikan oleh staf 28 menit" in html


def test_the_record_says_how_time_is_counted() -> None:
    text = to_markdown(as_record(with_fix()), TZ)
    rule = "**Perhitungan waktu:** Lama dihitung dalam menit kerja (WIB; Sen–Kam 07:30–16:00"
    assert rule in text
    assert "perbaikan oleh staf" in text.split("Perhitungan waktu", 1)[1]
    assert "Perhitungan waktu</dt><dd>Lama dihitung dalam menit kerja" in to_html(
        as_record(with_fix()), TZ
    )
    assert "Perhitungan waktu" not in to_markdown(
        as_record(sample()), TZ
    )  # older records: no claim
