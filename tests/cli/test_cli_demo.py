"""`terbit demo --no-serve`: the whole SOP offline, end to end, as the README's first command."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from pipeline.forge.local.store import metachain
from pipeline.vcs import Repo
from pipeline.web.accounts import Users

# No xdist group: each test runs its own demo in its own folder and ports, so the three whole
# demos (25 s each) can run on both workers.
pytestmark = pytest.mark.slow


def git(path: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=path, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_demo_runs_every_sop_step_and_merges_through_the_server(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "demo", "--no-serve", "--dir", str(folder),
         "--port", "0"],
        cwd=root, capture_output=True, text=True, check=False, timeout=300,
        env={**os.environ, "COLUMNS": "220", "TERBIT_LANG": "id"},
    )  # fmt: skip
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    assert "Traceback" not in out
    # The story, in order, each action by the person of the right role.
    story = [
        "Rina Marlina Siregar, S.Kom. menulis draf artikel",
        "mengajukan perubahan #1 dengan nota dinas ND-12/LPZI/",
        "Sari Wahyuni Lubis, S.K.M., M.Kes. meminta perbaikan",
        "memperbaiki draf dan mengirim commit baru",
        "Sari Wahyuni Lubis, S.K.M., M.Kes. menyetujui (pemeriksaan)",
        "dr. Andi Pratama Harahap, M.K.M. menyetujui (disposisi)",
        "menyetujui (pemeriksaan akhir commit terakhir)",
        "Dewi Anggraini Tarigan, A.Md.Kom. menggabungkan perubahan #1 lewat server",
    ]
    positions = [out.index(line) for line in story]
    assert positions == sorted(positions)
    # The SOP table: every step, who, time against the standard (simulated office day).
    assert "SOP perubahan #1: Pemeriksaan Kesehatan Jemaah Haji" in out
    for activity in ("Mempersiapkan konsep", "Mendisposisikan nota dinas", "Mengunggah informasi"):
        assert activity in out
    # Step 3: 95 minutes from the nota dinas to Sari's approval, 28 of them Rina's fix.
    assert "67 / 60 mnt" in out and "melebihi mutu baku 7 menit" in out
    assert "perbaikan oleh staf 28 mnt" in out
    assert "di dalam jam kantor" in out
    # The simulated day starts 08:00 WIB (not in the evening): the draft is done at 08:48.
    assert "08:48  Rina Marlina Siregar, S.Kom. menulis draf artikel" in out
    assert "9 / 10 mnt" in out and "sesuai mutu baku" in out
    assert "Situs: http://127.0.0.1:" in out
    # Publishing ran from the server's post-receive: steps 6-8 done, the record is on main.
    assert out.count("sesuai mutu baku") >= 6
    record_line = next(line for line in out.splitlines() if "Lembar Penyelesaian" in line)
    record = Path(record_line.split(": ", 1)[1].strip()) / "record.yml"
    # The record the demo published is what the published JSON Schema describes.
    schema = root / "docs" / "record.schema.json"
    checked = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--schemafile", str(schema), str(record)],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stdout + checked.stderr

    server = folder / "server.git"
    merge = git(server, "rev-list", "--first-parent", "--merges", "-1", "main")
    trailer = git(server, "log", "-1", "--format=%(trailers:key=Terbit-Change,valueonly)", merge)
    assert trailer == "1"
    head = git(server, "rev-parse", "refs/terbit/changes/1/head")
    assert git(server, "rev-parse", f"{merge}^2") == head
    # main moved on to the completion record; the demo names that tip, not the merge.
    tip = git(server, "rev-parse", "main")
    assert tip != merge and git(server, "rev-parse", "main^") == merge
    assert f"main di server: {tip[:10]}, memuat Lembar Penyelesaian Pekerjaan perubahan #1" in out
    # The simulated office day passed the server's time rule: every record is in order and
    # none is ahead of the real clock.
    chain = metachain.walk(Repo(server), git(server, "rev-parse", "refs/terbit/changes/1/meta"))
    times = [stored.event.at for stored in chain if stored.event]
    assert len(times) == len(chain) and times == sorted(times)
    assert times[-1] <= datetime.now(UTC)
    article = "content/articles/pemeriksaan-kesehatan-jemaah-haji.md"
    assert git(server, "cat-file", "-t", f"{merge}:{article}") == "blob"
    # Afterwards anyone can see all eight steps done, the last three from the record.
    status = subprocess.run(
        [sys.executable, "-m", "pipeline", "status", "1"], cwd=folder / "clones" / "andi",
        capture_output=True, text=True, check=False, env={**os.environ, "TERBIT_LANG": "id"},
    )  # fmt: skip
    steps = [line for line in status.stdout.splitlines() if line[:3].strip().isdigit()]
    assert len(steps) == 8 and all(" selesai " in line for line in steps), status.stdout
    # Every person got a clone and a key; the keys are in roles.yml on main.
    roles = git(server, "show", "main:roles.yml")
    for person in ("rina", "sari", "andi", "dewi"):
        assert (folder / "clones" / person / ".git").is_dir()
        assert (folder / "keys" / f"{person}.pub").read_text().split()[1] in roles
    # Every person can sign in to the web application with the demo password it printed.
    assert "Akun demo aplikasi web" in out
    users = Users(server)
    for person in ("rina", "sari", "andi", "dewi"):
        assert f"demo-{person}-sandi" in out
        assert users.check(person, f"demo-{person}-sandi")


def test_demo_serves_the_web_app_where_its_story_can_be_watched(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    demo = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "demo", "--dir", str(tmp_path / "demo"),
         "--port", "0", "--web-port", "0"],
        cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "COLUMNS": "220", "TERBIT_LANG": "id", "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    lines: list[str] = []
    try:
        assert demo.stdout is not None
        deadline = time.monotonic() + 300
        url = None
        while url is None and time.monotonic() < deadline:
            line = demo.stdout.readline()
            if not line:
                break
            lines.append(line)
            if line.startswith("Aplikasi web: "):
                url = line.split(": ", 1)[1].strip()
        assert url and url.startswith("http://127.0.0.1:"), "".join(lines)
        http = httpx.Client(base_url=url, follow_redirects=False, timeout=60)
        form = http.get("/masuk").text
        csrf = form.split('name="csrftoken" value="', 1)[1].split('"', 1)[0]
        signed = http.post("/masuk", data={"person": "dewi", "password": "demo-dewi-sandi",
                                           "csrftoken": csrf})  # fmt: skip
        assert signed.status_code == 303
        page = http.get("/perubahan/1").text
        assert "Pemeriksaan Kesehatan Jemaah Haji" in page
        assert "Status: lengkap" in page  # the demo's publication, followed in the browser
    finally:
        demo.send_signal(signal.SIGINT)
        try:
            demo.wait(timeout=60)
        except subprocess.TimeoutExpired:
            demo.kill()
            demo.wait(timeout=30)


def test_demo_refuses_a_folder_that_is_not_a_demo(tmp_path: Path) -> None:
    (tmp_path / "penting.txt").write_text("jangan dihapus")
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "demo", "--no-serve", "--dir", str(tmp_path)],
        cwd=root, capture_output=True, text=True, check=False, timeout=60,
        env={**os.environ, "TERBIT_LANG": "id"},
    )  # fmt: skip
    assert done.returncode == 2
    assert "bukan folder demo terbit" in done.stderr
    assert (tmp_path / "penting.txt").read_text() == "jangan dihapus"


def test_demo_says_so_and_fails_when_the_publication_did_not_complete(tmp_path: Path) -> None:
    # The publication is killed right after deploying: no record, so no claim of success.
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "demo", "--no-serve", "--dir", str(tmp_path / "demo"),
         "--port", "0"],
        cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True, check=False,
        timeout=300, env={**os.environ, "TERBIT_LANG": "id", "TERBIT_FAULT_STAGE": "deploy"},
    )  # fmt: skip
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    assert "Traceback" not in out
    assert "Publikasi perubahan #1 tidak lengkap" in out
    assert "Lembar Penyelesaian Pekerjaan dan tangkapan layar" not in out
