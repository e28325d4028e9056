"""The happy path typed as each role would: `terbit` commands in their own clones.

Real CLI processes, a real bare server with the hooks, real SSH signatures on commits and
reviews; at the end main holds the merge and the change's records say who did what.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.cli.demo.office import Office
from pipeline.forge.local.store.events import meta_ref
from tests.support.offices import plain_office

pytestmark = pytest.mark.xdist_group("forge-cli")

NOTA = """```yaml
nomor: ND-7/LPZI/XI/2026
yth: Kepala Balai Besar Kekarantinaan Kesehatan Medan
dari: Staf Tim Kerja
hal: Permohonan Publikasi Informasi Layanan Vaksinasi
tanggal: 2026-11-27
sifat: Segera
lampiran: [Draf artikel]
```

Dengan hormat, mohon informasi terlampir dipublikasikan.
"""


def terbit(office: Office, who: str, *args: str, ok: bool = True) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", *args],
        cwd=office.clone_path(who), capture_output=True, text=True, check=False,
        env={**os.environ, "TERBIT_PUBLISH": "off", "TERBIT_LANG": "id"},
    )  # fmt: skip
    output = done.stdout + done.stderr
    assert (done.returncode == 0) == ok, output
    assert "Traceback" not in output
    return output


@pytest.fixture(scope="module")
def cli_office(tmp_path_factory: pytest.TempPathFactory) -> Office:
    return plain_office(tmp_path_factory)


def test_each_role_types_terbit_and_the_change_is_merged(cli_office: Office) -> None:
    office = cli_office
    out = terbit(office, "rina", "new", "layanan-vaksinasi", "--title", "Layanan Vaksinasi")
    assert "draft/layanan-vaksinasi" in out
    draft = office.clone_path("rina") / "content" / "articles" / "layanan-vaksinasi.md"
    assert "author: rina" in draft.read_text()
    draft.write_text(draft.read_text().replace("Tulis isi artikel di sini.", "Vaksin tersedia."))
    subprocess.run(["git", "add", draft.name], cwd=draft.parent, check=True)
    subprocess.run(["git", "commit", "-qm", "Draf vaksinasi"], cwd=draft.parent, check=True)
    # Without a nota dinas the change cannot be opened.
    assert "memerlukan nota dinas" in terbit(office, "rina", "submit", ok=False)
    bad = office.clone_path("rina").parent / "nota-salah.md"
    bad.write_text(NOTA.replace("sifat: Segera", "sifat: Kilat"))
    out = terbit(office, "rina", "submit", "--nota", str(bad), ok=False)
    assert f"{bad}:7: sifat 'Kilat' tidak dikenal" in out
    nota = office.clone_path("rina").parent / "nota.md"
    nota.write_text(NOTA)
    out = terbit(office, "rina", "submit", "--nota", str(nota))
    assert "Perubahan #1 diajukan" in out

    out = terbit(office, "sari", "review", "1", "--request-changes", "-m", "Tambah jadwal")
    assert "Gerbang: belum lulus" in out
    draft.write_text(draft.read_text() + "\nJadwal: Senin-Jumat.\n")
    subprocess.run(["git", "commit", "-qam", "Tambah jadwal"], cwd=draft.parent, check=True)
    assert "Commit baru dikirim ke perubahan #1" in terbit(office, "rina", "submit")

    terbit(office, "sari", "review", "1", "--approve")
    terbit(office, "andi", "review", "1", "--approve", "-m", "Segera publikasikan")
    out = terbit(office, "dewi", "merge", "1", ok=False)
    assert "langkah 5 belum disetujui" in out
    out = terbit(office, "sari", "review", "1", "--approve")
    assert "Gerbang: lulus" in out

    out = terbit(office, "rina", "status", ok=True)  # the change of rina's branch
    assert "HASIL: LULUS" in out
    assert "setelah 1 kali permintaan perbaikan" in out
    listing = terbit(office, "budi", "changes")
    assert "#1" in listing and "lulus" in listing

    out = terbit(office, "dewi", "merge", "1")
    assert "Perubahan #1 digabung ke main" in out

    server = office.server_forge()
    change = server.get_change("1")
    assert change.state == "merged" and change.merged_by == "dewi"
    assert [c.signer for c in change.commits] == ["rina", "rina", "rina"]  # skeleton, draft, fix
    assert [(r.reviewer, r.state, r.signature_ok) for r in change.reviews] == [
        ("sari", "request_changes", True),
        ("sari", "approve", True),
        ("andi", "approve", True),
        ("sari", "approve", True),
    ]
    parents = server.repo.parents(change.merge_sha or "")
    assert parents[1] == change.head_sha
    assert server.repo.show_file("main", "content/articles/layanan-vaksinasi.md") is not None
    # post-receive appended the server's own "merged" record to the chain.
    last = server.chain("1")[-1].event
    assert last is not None and last.type == "merged"
    assert server.change_for_merge(change.merge_sha or "") is not None
    assert "digabung" in terbit(office, "budi", "changes", "--all")
    assert "sudah digabung" in terbit(office, "sari", "review", "1", "--approve", ok=False)

    # Step 7: a notice with an attachment is recorded on the merged change and travels.
    shot = office.clone_path("dewi").parent / "layar.png"
    shot.write_bytes(b"\x89PNG fake bytes for the test")
    server.add_notice("1", "Sudah terbit: http://127.0.0.1/x", [shot])
    notices = server.notices("1")
    assert notices[-1].text.startswith("Sudah terbit")
    assert server.notice_attachment(notices[-1].id, "layar.png") == shot.read_bytes()
    clone = office.forge("rina")
    clone.sync()
    assert clone.notices("1")[-1].attachments == ["layar.png"]
    assert server.ref(meta_ref("1")) == clone.ref(meta_ref("1"))


def test_commands_outside_a_clone_explain_themselves(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "changes"], cwd=tmp_path, capture_output=True,
        text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert "bukan repositori Git" in done.stderr and "Traceback" not in done.stderr


def test_init_server_creates_a_bare_repository_with_the_hooks(tmp_path: Path) -> None:
    target = tmp_path / "situs.git"
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "init-server", str(target)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "hook pre-receive dan post-receive terpasang" in done.stdout
    assert (
        subprocess.run(
            ["git", "rev-parse", "--is-bare-repository"], cwd=target, capture_output=True, text=True
        ).stdout.strip()
        == "true"
    )
    for hook in ("pre-receive", "post-receive"):
        script = target / "hooks" / hook
        assert os.access(script, os.X_OK)
        module = f"pipeline.hooks.{hook.replace('-', '_')}"
        assert f"-m {module}" in script.read_text()
        assert importlib.util.find_spec(module) is not None  # the script runs a real module
        assert sys.executable in script.read_text()
    again = subprocess.run(
        [sys.executable, "-m", "pipeline", "init-server", str(target)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert again.returncode == 2 and "sudah ada dan tidak kosong" in again.stderr
