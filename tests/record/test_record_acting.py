"""The record names the Plh/Plt who actually signed, with their NIP, on the page and the PDF."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipeline.config.roles import load_roles
from pipeline.config.sop import load_sop
from pipeline.gate import evaluate
from pipeline.i18n import set_lang
from pipeline.record.build import build_record
from pipeline.record.model import PublishFacts, Record
from pipeline.record.render import to_markdown, to_pdf
from tests.support.gate import WIB, change_on

ROOT = Path(__file__).resolve().parents[2]

ACTING = """acting:
  - person: budi
    role: kepala_satker
    kind: Plh
    from: 2026-12-07
    to: 2026-12-11
    nomor: SPT-45/C.IX/XII/2026
"""


@pytest.fixture
def record() -> Record:
    roles = load_roles((ROOT / "roles.yml").read_text(encoding="utf-8") + ACTING)
    sop = load_sop((ROOT / "sop.yml").read_text(encoding="utf-8"), known_roles=roles.titles)
    change = change_on(datetime(2026, 12, 7, 8, 0, tzinfo=WIB))
    report = evaluate(change, sop=sop, roles=roles)
    facts = PublishFacts(merge_sha="d" * 40, merged_at=datetime(2026, 12, 7, 5, tzinfo=UTC),
                         target="local", release="r1", deployed_at=datetime(2026, 12, 7, 5,
                         tzinfo=UTC), previous_release=None, articles=[])  # fmt: skip
    return build_record(change=change, report=report, sop=sop, roles=roles, facts=facts,
                        admin="dewi", place="Medan", timezone="Asia/Jakarta",
                        now=datetime(2026, 12, 7, 6, tzinfo=UTC),
                        number_pattern="LPP-{change}/LPZI/{roman}/{year}")  # fmt: skip


def test_the_disposition_row_and_the_signature_name_the_plh(record: Record) -> None:
    step4 = next(s for s in record.steps if s.number == 4)
    assert step4.pelaksana.id == "budi"
    assert step4.pelaksana.role_title == "Plh. Kepala Satker"
    assert step4.pelaksana.acting_nomor == "SPT-45/C.IX/XII/2026"
    head = record.mengetahui
    assert (head.id, head.nip) == ("budi", "199108072019031001")
    assert head.role_title == "Plh. Kepala Satker"
    text = to_markdown(record, "Asia/Jakarta")
    assert "| Mengetahui, |" in text and "| Admin Website | Plh. Kepala Satker |" in text
    assert "Budi Santoso Nasution, S.K.M." in text and "dr. Andi" not in text


def test_the_pdf_says_plh_with_the_signer_s_name_and_nip(record: Record, tmp_path: Path) -> None:
    pdf = tmp_path / "record.pdf"
    pdf.write_bytes(to_pdf(record, tmp_path, "Asia/Jakarta"))
    done = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True)  # fmt: skip
    words = " ".join(done.stdout.split())
    assert "Plh. Kepala Satker" in words
    assert "Budi Santoso Nasution, S.K.M." in words and "NIP 199108072019031001" in words


def test_the_record_is_numbered_and_dated_in_indonesian(record: Record, tmp_path: Path) -> None:
    assert record.nomor == "LPP-12/LPZI/XII/2026"
    pdf = tmp_path / "record.pdf"
    pdf.write_bytes(to_pdf(record, tmp_path, "Asia/Jakarta"))
    done = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True)  # fmt: skip
    words = " ".join(done.stdout.split())
    assert "Nomor: LPP-12/LPZI/XII/2026" in words and "Medan, 7 Desember 2026" in words


def _record_on(day: datetime, roles_text: str, sop_text: str, disposer: str = "budi") -> Record:
    roles = load_roles(roles_text)
    sop = load_sop(sop_text, known_roles=roles.titles)
    change = change_on(day, disposer)
    report = evaluate(change, sop=sop, roles=roles)
    facts = PublishFacts(merge_sha="d" * 40, merged_at=datetime(2026, 12, 4, 5, tzinfo=UTC),
                         target="local", release="r1", deployed_at=datetime(2026, 12, 4, 5,
                         tzinfo=UTC), previous_release=None, articles=[])  # fmt: skip
    return build_record(change=change, report=report, sop=sop, roles=roles, facts=facts,
                        admin="dewi", place="Medan", timezone="Asia/Jakarta",
                        now=datetime(2026, 12, 4, 6, tzinfo=UTC))  # fmt: skip


def test_without_a_disposition_the_head_block_names_nobody(tmp_path: Path) -> None:
    # The Plh's approval on a Friday before the window is no disposition: nobody acted.
    roles_text = (ROOT / "roles.yml").read_text(encoding="utf-8") + ACTING
    record = _record_on(datetime(2026, 12, 4, 8, 0, tzinfo=WIB), roles_text,
                        (ROOT / "sop.yml").read_text(encoding="utf-8"))  # fmt: skip
    assert record.mengetahui.name == "" and record.mengetahui.nip == ""
    pdf = tmp_path / "record.pdf"
    pdf.write_bytes(to_pdf(record, tmp_path, "Asia/Jakarta"))
    done = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True)  # fmt: skip
    words = " ".join(done.stdout.split())
    assert "belum ada disposisi" in words and "dr. Andi" not in words
    set_lang("en")
    try:
        assert "no disposition yet" in to_markdown(record, "Asia/Jakarta")
    finally:
        set_lang("id")


def test_the_signing_roles_come_from_the_sop_not_fixed_ids() -> None:
    # Another office names its roles differently: the head and the uploader still sign.
    rename = {"kepala_satker": "kasatker", "admin_website": "pengelola_web"}
    roles_text = (ROOT / "roles.yml").read_text(encoding="utf-8")
    sop_text = (ROOT / "sop.yml").read_text(encoding="utf-8")
    for old, new in rename.items():
        roles_text, sop_text = roles_text.replace(old, new), sop_text.replace(old, new)
    record = _record_on(datetime(2026, 12, 7, 8, 0, tzinfo=WIB), roles_text, sop_text, "andi")
    head, admin = record.mengetahui, record.yang_menyelesaikan
    assert head.role_title == "Kepala Satker" and head.id == "andi"
    assert admin.role_title == "Admin Website" and admin.id == "dewi"


def test_the_pdf_points_to_the_configured_records_folder(record: Record, tmp_path: Path) -> None:
    pdf = tmp_path / "record.pdf"
    pdf.write_bytes(to_pdf(record, tmp_path, "Asia/Jakarta", records_path="/arsip/lpp/"))
    done = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True)  # fmt: skip
    words = "".join(done.stdout.split())  # the path may wrap: compare without spaces
    assert f"arsip/lpp/{record.id}/record.yml" in words
    assert f"records/{record.id}" not in words
