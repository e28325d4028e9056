"""The record names the stand-in of a standing delegation as "Plh." with their own name and
NIP, and the rule's decision, on the page and in the PDF."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

from pipeline.config.roles import load_roles
from pipeline.config.sop import load_sop
from pipeline.gate import evaluate
from pipeline.record.build import build_record
from pipeline.record.model import PublishFacts
from pipeline.record.render import to_markdown, to_pdf
from tests.support.delegation import roles_text, sop_text
from tests.support.gate import WIB, change_on


def test_the_record_shows_the_plh_of_the_standing_rule(tmp_path: Path) -> None:
    roles = load_roles(roles_text())
    sop = load_sop(sop_text(), known_roles=roles.titles)
    change = change_on(datetime(2026, 12, 8, 8, 0, tzinfo=WIB), "hendra")
    report = evaluate(change, sop=sop, roles=roles)
    facts = PublishFacts(merge_sha="d" * 40, merged_at=datetime(2026, 12, 8, 5, tzinfo=UTC),
                         target="local", release="r1", deployed_at=datetime(2026, 12, 8, 5,
                         tzinfo=UTC), previous_release=None, articles=[])  # fmt: skip
    record = build_record(change=change, report=report, sop=sop, roles=roles, facts=facts,
                          admin="dewi", place="Medan", timezone="Asia/Jakarta",
                          now=datetime(2026, 12, 8, 6, tzinfo=UTC))  # fmt: skip
    step4 = next(s for s in record.steps if s.number == 4)
    assert step4.pelaksana.id == "hendra"
    assert step4.pelaksana.role_title == "Plh. Kepala Satker"
    assert step4.pelaksana.acting_nomor == "KEP-7/C.IX/I/2026"
    head = record.mengetahui
    assert (head.id, head.nip, head.role_title) == (
        "hendra", "197803152003121001", "Plh. Kepala Satker")  # fmt: skip
    text = to_markdown(record, "Asia/Jakarta")
    assert "Hendra Gunawan Sitepu, S.E., M.M." in text and "dr. Andi" not in text
    pdf = tmp_path / "record.pdf"
    pdf.write_bytes(to_pdf(record, tmp_path, "Asia/Jakarta"))
    done = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True)  # fmt: skip
    words = " ".join(done.stdout.split())
    assert "Plh. Kepala Satker" in words and "NIP 197803152003121001" in words
