"""The record of an urgent publication says "Sangat Segera", with the written reason, who
opened the expedited path, the deferred steps and their working-hour deadline — and a record
written while the deferred review is still owed has no gap for it."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

from pipeline.gate import evaluate
from pipeline.record.build import build_record
from pipeline.record.model import PublishFacts, dump, parse
from pipeline.record.render import to_markdown, to_pdf
from tests.gate.test_gate_expedited import WIB, policy, urgent

MERGED = datetime(2026, 12, 4, 15, 30, tzinfo=WIB)  # a Friday afternoon


def record_of(change, now: datetime):
    sop, roles = policy()
    report = evaluate(change, sop=sop, roles=roles, now=now)
    facts = PublishFacts(merge_sha="e" * 40, merged_at=MERGED, target="local", release="r1",
                         deployed_at=MERGED, previous_release=None, articles=[])  # fmt: skip
    return build_record(change=change, report=report, sop=sop, roles=roles, facts=facts,
                        admin="dewi", place="Medan", timezone="Asia/Jakarta",
                        now=now.astimezone(UTC))  # fmt: skip


def test_the_record_says_segera_with_the_reason_and_the_deadline(tmp_path: Path) -> None:
    change = urgent(state="merged", merged_at=MERGED, merge_sha="e" * 40, merged_by="dewi")
    record = record_of(change, datetime(2026, 12, 4, 15, 40, tzinfo=WIB))
    segera = record.segera
    assert segera is not None
    assert segera.sifat == "sangat segera"
    assert segera.alasan.startswith("Peringatan dini wabah")
    assert (segera.disetujui.id, segera.disetujui.role_title) == ("andi", "Kepala Satker")
    assert segera.langkah_ditunda == [3, 5]
    assert segera.tenggat == datetime(2026, 12, 7, 14, 30, tzinfo=WIB)
    assert segera.selesai is None and segera.tepat_waktu is None
    # Steps 6-8 have no events here; the deferred steps are no gap of the record.
    assert not [r for r in record.reasons if r.startswith(("langkah 3", "langkah 5"))]
    states = {s.number: s.state for s in record.steps}
    assert (states[3], states[4], states[5]) == ("deferred", "done", "deferred")
    again = parse(dump(record), "record.yml")  # the file reads back as the same record
    assert again == record
    text = to_markdown(record, "Asia/Jakarta")
    assert "SANGAT SEGERA" in text and "Peringatan dini wabah" in text
    assert "07-12-2026 14:30" in text
    pdf = tmp_path / "record.pdf"
    pdf.write_bytes(to_pdf(record, tmp_path, "Asia/Jakarta"))
    done = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True)  # fmt: skip
    words = " ".join(done.stdout.split())
    assert "SANGAT SEGERA" in words and "07-12-2026 14:30" in words


def test_a_normal_record_has_no_segera_key() -> None:
    from tests.support.gate import demo_change

    sop, roles = policy()
    change = demo_change()
    report = evaluate(change, sop=sop, roles=roles)
    facts = PublishFacts(merge_sha="e" * 40, merged_at=MERGED, target="local", release="r1",
                         deployed_at=MERGED, previous_release=None, articles=[])  # fmt: skip
    record = build_record(change=change, report=report, sop=sop, roles=roles, facts=facts,
                          admin="dewi", place="Medan", timezone="Asia/Jakarta",
                          now=MERGED)  # fmt: skip
    assert "segera" not in record.data()
