"""`terbit gate CHANGE` end to end on the embedded forge: real repositories and signatures."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from pipeline.cli import main
from tests.support.gate import NOTA, ROOT

pytestmark = pytest.mark.slow


def run_gate(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(["gate", *args])
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout.strip()


def test_gate_command_reports_each_step_and_exits_by_verdict(tmp_path, capsys):
    office_mod = pytest.importorskip("pipeline.cli.demo.office")
    client = pytest.importorskip("pipeline.forge.local.client.actions")
    source = tmp_path / "source"
    source.mkdir()
    for name in ("sop.yml", "roles.yml", "terbit.yml"):
        shutil.copy2(ROOT / name, source / name)
    (source / "content" / "articles").mkdir(parents=True)
    (source / "content" / "articles" / "awal.md").write_text("---\ntitle: Awal\n---\nIsi\n")
    office = office_mod.create_office(tmp_path / "kantor", source, seed_message="Awal")

    rina = office.clone_path("rina")
    git(rina, "checkout", "-q", "-b", "draf-haji")
    (rina / "content" / "articles" / "haji.md").write_text(
        "---\ntitle: Haji\ndate: 2026-11-20\ncategory: Berita\nsummary: Ringkasan.\n"
        "author: rina\n---\nIsi\n"
    )
    git(rina, "add", "--all")
    git(rina, "commit", "-q", "-m", "Draf berita haji")
    change_id, opened = client.submit(office.forge("rina"), office.who("rina"), nota_text=NOTA)
    assert opened

    code, out, _ = run_gate(capsys, change_id, "--repo", str(rina))
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith(f"Gerbang SOP — perubahan {change_id}: ")
    assert any(line.startswith(" 2  selesai ") and "Rina Marlina Siregar" in line for line in lines)
    assert any(line.startswith(" 3  menunggu ") for line in lines)
    assert "  - langkah 3 belum disetujui oleh Katimker Layanan Publik dan Zona Integritas" in lines

    # Rina cannot approve her own change, even with a valid signature.
    client.review(office.forge("rina"), office.who("rina"), change_id, "approve", "")
    for person in ("sari", "andi", "sari"):
        client.review(office.forge(person), office.who(person), change_id, "approve", "Setuju")
    code, out, err = run_gate(capsys, change_id, "--repo", str(office.clone_path("dewi")))
    assert code == 0, out + err
    assert out.rstrip().endswith("HASIL: LULUS — perubahan memenuhi SOP dan boleh digabung.")
    assert any(line.startswith(" 5  selesai ") and "Sari Wahyuni Lubis" in line
               for line in out.splitlines())  # fmt: skip

    code, out, err = run_gate(capsys, "999", "--repo", str(rina))
    assert code == 1 and "999" in err and "Traceback" not in err + out
