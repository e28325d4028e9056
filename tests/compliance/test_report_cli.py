"""``terbit report``: the files, their text (pdftotext), charts, XLSX equal to the PDF."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from openpyxl import load_workbook

from benchmarks.recordgen import make_records
from tests.support.compliance import NOVEMBER, OUTSIDE, ROOT


def terbit(*args: str, cwd: Path = ROOT, lang: str = "id",
           **env: str) -> subprocess.CompletedProcess[str]:  # fmt: skip
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args], cwd=cwd, capture_output=True, text=True,
        check=False, timeout=300,
        env={**os.environ, "TERBIT_LANG": lang, "TERBIT_NOW": "2026-12-01T09:00:00+07:00", **env},
    )  # fmt: skip


def pdf_text(path: Path) -> str:
    done = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True)  # fmt: skip
    return done.stdout


def test_a_month_report_in_every_format(office_repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = terbit("report", "--month", "2026-11", "--repo", str(office_repo), "--output", str(out))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "4 catatan dihitung untuk Bulan November 2026" in done.stdout
    assert "lolos pemeriksaan `terbit verify`" in done.stdout
    base = out / "laporan-kepatuhan-2026-11"
    text = pdf_text(base.with_suffix(".pdf"))
    flat = " ".join(text.split())
    # Official: kop, title, number, Indonesian long date, the head's signature block.
    assert "BALAI BESAR KEKARANTINAAN KESEHATAN MEDAN" in flat
    assert "LAPORAN KEPATUHAN SOP" in flat and "LK-2026-11/LPZI/XI/2026" in flat
    assert "Medan, 1 Desember 2026" in flat and "Mengetahui," in flat
    assert "dr. Andi Pratama Harahap, M.K.M." in flat and "NIP 197602142005011002" in flat
    assert "Seluruh 4 catatan yang dihitung telah diperiksa" in flat
    assert "menit kerja (WIB;" in flat
    assert "Telepon (061) 6941343" in flat and "Kode verifikasi" in flat
    assert "Dokumen ini TIDAK ditandatangani secara elektronik" in flat
    # Traceable: every record counted is listed; December's is not.
    for line in (office_repo / "records").iterdir():
        listed = line.name in flat
        assert listed == (line.name.split("-")[0] in {"1", "2", "3", "4"}), line.name
    # The step rows: number, standard, count, median, p90, % within, author's fixes.
    rows = {m[0]: m for m in re.findall(r"^\s*(\d)\s+\S.*?\s(\d+)\s+(\d+)\s+([\d.]+)\s+(\d+)"
                                          r"\s+([\d.]+)\s+(\d+)\s*$", text, re.M)}  # fmt: skip
    assert rows["3"][1:] == ("60", "4", "58.5", "90", "50", "28")
    assert rows["4"][1:] == ("10", "4", "9", "12", "75", "0")
    # XLSX: the same numbers, as numbers.
    book = load_workbook(base.with_suffix(".xlsx"))
    sheet = book["Per langkah SOP"]
    xlsx = {str(r[0]): r for r in sheet.iter_rows(min_row=2, values_only=True)}
    for number, row in rows.items():
        # "58.5" / "9" / "50" in the PDF; 58.5 / 9.0 / 50.0 in the spreadsheet.
        assert [float(v) for v in xlsx[number][2:]] == [float(v) for v in row[1:]], number
    assert xlsx["3"][2:] == (60, 4, 58.5, 90, 50, 28)
    # Charts: two SVGs drawn by pygal, embedded in the HTML too.
    for name in ("langkah", "tren"):
        svg = (out / f"laporan-kepatuhan-2026-11-{name}.svg").read_text(encoding="utf-8")
        assert svg.startswith("<svg") and "pygal" in svg and "<script" not in svg
    page = base.with_suffix(".html").read_text(encoding="utf-8")
    assert page.count("data:image/svg+xml;base64,") == 3  # two charts and the QR
    assert "Langkah 3" in (out / "laporan-kepatuhan-2026-11-langkah.svg").read_text("utf-8")
    csv = base.with_suffix(".csv").read_text(encoding="utf-8")
    assert "Per langkah SOP,3,Memeriksa draf,60,4,58.5,90,50,28" in csv


def test_one_changed_byte_in_a_counted_record_is_reported(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    make_records(repo, NOVEMBER + OUTSIDE, office=ROOT)
    record = next(p for p in (repo / "records").iterdir() if p.name.startswith("2-"))
    yml = record / "record.yml"
    yml.write_text(yml.read_text("utf-8").replace("elapsed_minutes: 67", "elapsed_minutes: 57"),
                   encoding="utf-8")  # fmt: skip
    done = terbit("report", "--month", "2026-11", "--repo", str(repo), "--output",
                  str(tmp_path / "out"), "--format", "pdf")  # fmt: skip
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"records/{record.name}/record.yml:" in done.stderr
    assert "digest tidak cocok" in done.stderr
    flat = " ".join(pdf_text(tmp_path / "out" / "laporan-kepatuhan-2026-11.pdf").split())
    assert "PERHATIAN: 1 dari 4 catatan yang dihitung TIDAK LOLOS" in flat
    assert record.name in flat


def test_periods_and_their_errors(office_repo: Path, tmp_path: Path) -> None:
    done = terbit("report", "--year", "2026", "--repo", str(office_repo), "--output",
                  str(tmp_path / "y"), "--format", "csv")  # fmt: skip
    assert done.returncode == 0 and "6 catatan dihitung untuk Tahun 2026" in done.stdout
    done = terbit("report", "--from", "2026-11-10", "--to", "2026-11-24", "--repo",
                  str(office_repo), "--output", str(tmp_path / "r"), "--format", "csv")  # fmt: skip
    assert "3 catatan dihitung untuk 10 November 2026 s.d. 24 November 2026" in done.stdout
    bad = terbit("report", "--month", "2026-13", "--repo", str(office_repo))
    assert bad.returncode == 2 and "--month '2026-13' bukan bulan TTTT-BB" in bad.stderr
    assert "Traceback" not in bad.stderr
    both = terbit("report", "--month", "2026-11", "--year", "2026", "--repo", str(office_repo),
                  lang="en")  # fmt: skip
    assert both.returncode == 2 and "choose one period" in both.stderr


def test_the_report_pdf_is_signed_with_the_office_certificate(
    office_repo: Path, tmp_path: Path
) -> None:
    from pipeline.config.settings import SigningSettings
    from pipeline.record.signature import check_pdf
    from tests.support.pki import PASSPHRASE, make_office_pki

    ca, p12 = make_office_pki(tmp_path)
    done = terbit("report", "--month", "2026-11", "--repo", str(office_repo), "--output",
                  str(tmp_path / "out"), "--format", "pdf", TERBIT_SIGN_PKCS12=str(p12),
                  TERBIT_SIGN_PASSPHRASE=PASSPHRASE)  # fmt: skip
    assert done.returncode == 0, done.stderr
    pdf = (tmp_path / "out" / "laporan-kepatuhan-2026-11.pdf").read_bytes()
    check = check_pdf(pdf, SigningSettings(trust=[str(ca)]))
    assert check.signed and check.problems == ()
    flat = " ".join(pdf_text(tmp_path / "out" / "laporan-kepatuhan-2026-11.pdf").split())
    assert "ditandatangani secara elektronik (PAdES)" in flat
    assert "Ditandatangani secara elektronik oleh:" in flat
    wrong = terbit("report", "--month", "2026-11", "--repo", str(office_repo), "--output",
                   str(tmp_path / "o2"), "--format", "pdf", TERBIT_SIGN_PKCS12=str(p12),
                   TERBIT_SIGN_PASSPHRASE="salah")  # fmt: skip
    assert wrong.returncode == 2 and "Traceback" not in wrong.stderr
    assert "kata sandi di TERBIT_SIGN_PASSPHRASE salah" in wrong.stderr
