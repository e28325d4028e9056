"""The record's "Pemeriksaan halaman": what the visitor's check found is on the record, and a
violation or a broken link keeps the record from being "complete"."""

from __future__ import annotations

from dataclasses import replace

from pipeline.record.build import build_record
from pipeline.record.model import dump, parse
from pipeline.record.render import to_html, to_markdown
from tests.support.golden import inputs

PAGE = "http://127.0.0.1:8000/artikel/haji/"
FOUND = {
    "pages": [PAGE, "http://127.0.0.1:8000/"],
    "violations": [
        {"page": PAGE, "rule": "image-alt", "impact": "critical", "targets": ["['img']"]}
    ],
    "broken_links": [{"page": PAGE, "href": "http://127.0.0.1:8000/artikel/tidak-ada/"}],
    "external_links": ["https://kemkes.go.id/"],
    "problems": [],
}


def _record(page_check: dict | None):
    args = inputs("complete")
    args["facts"] = replace(args["facts"], page_check=page_check)
    return build_record(**args)


def test_findings_are_on_the_record_and_it_is_not_complete() -> None:
    record = _record(FOUND)
    assert record.status == "incomplete"
    assert any("image-alt" in reason for reason in record.reasons)
    assert any("tautan/gambar internal rusak" in reason for reason in record.reasons)
    again = parse(dump(record), "records/x/record.yml")
    assert again.pemeriksaan_halaman == record.pemeriksaan_halaman
    markdown = to_markdown(record, "Asia/Jakarta")
    assert "**Pemeriksaan halaman:**" in markdown
    assert "2 halaman diperiksa" in markdown and "1 pelanggaran, 1 tautan rusak" in markdown
    assert f"pelanggaran image-alt di {PAGE}" in markdown
    assert "tautan eksternal: https://kemkes.go.id/" in markdown
    page = to_html(record, "Asia/Jakarta")
    assert "Pemeriksaan halaman" in page and "tautan rusak di " + PAGE in page


def test_a_clean_check_records_zero_violations_and_stays_complete() -> None:
    clean = {**FOUND, "violations": [], "broken_links": [], "external_links": []}
    record = _record(clean)
    assert record.status == "complete", record.reasons
    assert "0 pelanggaran, 0 tautan rusak" in to_markdown(record, "Asia/Jakarta")


def test_a_record_without_the_check_keeps_its_older_keys() -> None:
    assert "pemeriksaan_halaman" not in _record(None).data()
