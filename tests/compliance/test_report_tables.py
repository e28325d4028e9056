"""CSV/XLSX tables: what staff typed stays text (no formulas, no accidental numbers)."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, datetime

from openpyxl import load_workbook

from pipeline.change.model import Change
from pipeline.compliance.figures import compute
from pipeline.compliance.render import Report, Signer, to_csv, to_xlsx
from pipeline.i18n import set_lang

HOSTILE = ['=HYPERLINK("http://x.example","klik")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]
NOT_NUMBERS = ["nan", "Infinity", "1e3"]


def _report(titles: list[str]) -> Report:
    def closed(number: int, title: str) -> Change:
        return Change(id=str(number), title=title, author="rina", author_login="rina",
                      base="main", base_sha="b" * 40, head_sha="c" * 40,
                      opened_at=datetime(2026, 11, 2, tzinfo=UTC), state="closed",
                      closed_at=datetime(2026, 11, 3, tzinfo=UTC), closed_by="rina",
                      close_reason=title)  # fmt: skip

    figures = compute([], closed=[closed(n, t) for n, t in enumerate(titles, 1)])
    figures = replace(figures, records=["r-1", "r-2"])
    return Report(figures=figures, nomor="LAP-1", period_label="November 2026", sop_name="SOP",
                  place_date="Medan, 1 Desember 2026", rule="", kop=(), signer=Signer(),
                  verify_failed=["r-1"])  # fmt: skip


def test_csv_cells_typed_by_staff_cannot_start_a_formula() -> None:
    rows = list(csv.reader(io.StringIO(to_csv(_report(HOSTILE)), newline="")))
    closed = [r for r in rows if r[1] in {str(n) for n in range(1, len(HOSTILE) + 1)}]
    assert [r[2] for r in closed] == ["'" + t for t in HOSTILE]  # the title ...
    assert [r[5] for r in closed] == ["'" + t for t in HOSTILE]  # ... and the reason


def test_xlsx_keeps_titles_as_text() -> None:
    book = load_workbook(io.BytesIO(to_xlsx(_report(HOSTILE + NOT_NUMBERS))))
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row]
    titles = [c for c in cells if c.column == 2 and c.value in HOSTILE + NOT_NUMBERS]
    assert sorted(c.value for c in titles) == sorted(HOSTILE + NOT_NUMBERS)
    assert all(c.data_type == "s" for c in titles)
    # The change numbers stay numbers, so the office can still sum them.
    assert any(c.value == 1 and c.data_type == "n" for c in cells)


def test_the_verify_column_speaks_the_report_s_language() -> None:
    assert "r-1,GAGAL" in to_csv(_report([])) and "r-2,OK" in to_csv(_report([]))
    set_lang("en")
    try:
        assert "r-1,FAILED" in to_csv(_report([])) and "r-2,OK" in to_csv(_report([]))
    finally:
        set_lang("id")
