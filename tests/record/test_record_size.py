"""The record's PDF shows previews of the screenshots, not second copies (issue 16, P4): the
signature still holds, each screenshot is named with its SHA-256, the PDF stays small."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest

from benchmarks.record_size import pdf_image_bytes
from pipeline.config.settings import SigningSettings
from pipeline.evidence.screenshot import compress
from pipeline.record.model import digest
from pipeline.record.render import to_pdf
from pipeline.record.signature import check_pdf, sign_pdf
from tests.support.pki import PASSPHRASE, make_office_pki
from tests.support.record import TZ, as_record, sample
from tests.support.screens import page_png


def _with_screenshots(folder: Path) -> dict[str, object]:
    """A record whose two screenshots are real image files in ``folder``."""
    record = sample()
    shots = []
    for view, (width, height) in (("desktop", (1366, 1500)), ("mobile", (390, 2200))):
        data, fmt, _ = compress(page_png(width, height), 150)
        name = f"vaksinasi-{view}.{fmt}"
        (folder / name).write_bytes(data)
        shots.append({"file": name, "view": view, "url": "http://127.0.0.1:8000/artikel/v/",
                      "width": width, "height": height, "bytes": len(data),
                      "sha256": hashlib.sha256(data).hexdigest()})  # fmt: skip
    record["screenshots"] = shots
    record["digest"] = digest({k: v for k, v in record.items() if k != "digest"})
    return record


def test_a_signed_record_pdf_shows_previews_and_names_each_screenshot_by_its_hash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ca, p12 = make_office_pki(tmp_path)
    monkeypatch.setenv("TERBIT_SIGN_PASSPHRASE", PASSPHRASE)
    signing = SigningSettings(pkcs12=str(p12), trust=[str(ca)])
    record = _with_screenshots(tmp_path)
    pdf = to_pdf(as_record(record), tmp_path, TZ, signed=True)
    signed = sign_pdf(pdf, signing, what="7-aaaa", location="Medan")
    check = check_pdf(signed, signing)
    assert check.signed and check.problems == ()
    shots = record["screenshots"]
    assert isinstance(shots, list)
    # The screenshots are in the PDF as previews, at no more than 100 dpi of their printed
    # width (poppler's own measure), not as second full copies.
    assert pdf_image_bytes(signed) <= 64 * 1024 and len(signed) <= 100 * 1024, len(signed)
    listing = subprocess.run(["pdfimages", "-list", "-"], input=signed, capture_output=True,
                             check=True).stdout.decode().splitlines()[2:]  # fmt: skip
    rows = [line.split() for line in listing if line.split()[2] == "image"]
    assert len(rows) == 2 and all(int(row[12]) <= 101 for row in rows), listing
    file = tmp_path / "doc.pdf"
    file.write_bytes(signed)
    text = subprocess.run(["pdftotext", str(file), "-"], capture_output=True, text=True,
                          check=True).stdout  # fmt: skip
    flat = "".join(text.split())
    assert "Pratinjau" in text and "terbit verify" in text
    for shot in shots:
        assert shot["file"] in flat and shot["sha256"] in flat
