"""Time per step against the standard, and the terminal table `terbit gate` prints."""

from __future__ import annotations

from dataclasses import replace

from pipeline.gate import ProofEvent, evaluate, render, timeline
from tests.support.gate import at


def test_each_step_runs_from_the_previous_end_to_its_proof(change, sop, roles):
    report = evaluate(change, sop=sop, roles=roles)
    rows = {row.number: row for row in timeline(change, sop, report)}
    # Step 1 from the first commit to the last commit before the change was opened.
    assert (rows[1].started_at, rows[1].ended_at) == (at(0), at(0))
    assert (rows[2].started_at, rows[2].ended_at, rows[2].elapsed_minutes) == (at(0), at(80), 80)
    assert rows[2].note == "melebihi mutu baku 50 menit" and rows[2].over_minutes == 50
    # 80 minutes from reaching Sari to her approval, 30 of them Rina's fix (120 → push at 150).
    assert (rows[3].started_at, rows[3].ended_at, rows[3].elapsed_minutes) == (at(80), at(160), 50)
    assert rows[3].author_minutes == 30
    assert rows[4].elapsed_minutes == 5 and rows[4].note == "sesuai mutu baku"
    assert rows[5].elapsed_minutes == 15 and rows[5].by_name.startswith("Sari Wahyuni Lubis")
    assert rows[6].ended_at is None and rows[6].elapsed_minutes is None


def test_pending_step_shows_running_time_only_when_now_is_given(change, sop, roles):
    report = evaluate(change, sop=sop, roles=roles, now=at(225))
    assert report.step(6).running and report.step(6).elapsed_minutes == 45
    assert report.step(6).timing_note == "berjalan 45 menit"
    assert report.step(6).over_minutes == 15
    assert report.step(7).elapsed_minutes is None  # its predecessor has not ended


def test_steps_after_the_merge_take_their_proofs_from_events(change, sop, roles):
    merged = replace(change, state="merged", merged_at=at(190), merged_by="dewi")
    events = {
        "deploy": ProofEvent(at=at(200), by="dewi"),
        "notice": ProofEvent(at=at(230), by="dewi", note="laporan kegiatan dikirim"),
        "record": ProofEvent(at=at(240), by="dewi"),
    }
    report = evaluate(merged, sop=sop, roles=roles, events=events)
    assert [s.state for s in report.steps] == ["done"] * 8
    assert [s.elapsed_minutes for s in report.steps[5:]] == [20, 30, 10]
    assert report.step(7).timing_note == "melebihi mutu baku 15 menit"
    assert report.step(6).by_name.startswith("Dewi Anggraini Tarigan")
    assert report.passed


def test_render_has_one_line_per_step_and_the_verdict(change, sop, roles):
    text = render(evaluate(change, sop=sop, roles=roles))
    lines = text.splitlines()
    assert (
        lines[0] == "Gerbang SOP — perubahan 12: Pemeriksaan Jemaah Haji (commit terakhir c2c2c2c)"
    )
    for number in range(1, 9):
        assert any(line.startswith(f"{number:>2}  ") for line in lines), number
    step3 = next(line for line in lines if line.startswith(" 3  "))
    assert "selesai" in step3 and "Sari Wahyuni Lubis" in step3 and "28-11-2026 10:40" in step3
    assert "50/60 mnt" in step3
    assert "    ↳ sesuai mutu baku; setelah 1 kali permintaan perbaikan" in lines
    assert lines[-1] == "HASIL: LULUS — perubahan memenuhi SOP dan boleh digabung."


def test_render_of_a_refused_change_lists_what_blocks_it(change, sop, roles):
    reviews = [replace(r, signature_ok=False, signature_note="tanpa tanda tangan")
               if r.reviewer == "andi" else r for r in change.reviews]  # fmt: skip
    text = render(evaluate(replace(change, reviews=reviews), sop=sop, roles=roles))
    step4 = next(line for line in text.splitlines() if line.startswith(" 4  "))
    assert "ditolak" in step4
    assert "Yang masih menghalangi penggabungan:" in text
    assert "  - langkah 4 belum disetujui oleh Kepala Satker" in text
    assert text.rstrip().endswith("HASIL: BELUM LULUS — 2 hal belum terpenuhi.")


def test_render_in_english(change, sop, roles):
    text = render(evaluate(change, sop=sop, roles=roles), "en")
    assert text.startswith("SOP gate — change 12")
    assert " 3  done      Check the draft and forward the nota d" in text
    assert "RESULT: PASSED" in text
    assert render(evaluate(change, sop=sop, roles=roles)).startswith("Gerbang SOP")


def test_render_shows_the_protected_files_approval_as_an_extra_row(change, sop, roles):
    touched = replace(change, files=["theme/templates/base.html"], head_sha="c3" * 20)
    text = render(evaluate(touched, sop=sop, roles=roles))
    row = next(line for line in text.splitlines() if line.startswith(" +  "))
    assert "menunggu" in row and "Berkas terlindung: theme/templates/base" in row
    assert "perubahan menyentuh berkas terlindung dan belum disetujui Kepala Satker" in text
