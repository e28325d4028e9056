"""How long submitting from the browser takes: the editor page (nota dinas prefilled, the next
number derived from every change), a photo upload, a submit and a fix, each a real HTTP request
to the app on uvicorn over a fresh office with its hooks (``python -m``).

    .venv/bin/python -m benchmarks.web_submit --runs 5

Prints one JSON line: median and max milliseconds per request kind.
"""

from __future__ import annotations

import argparse
import functools
import html
import io
import json
import os
import re
import shutil
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import httpx
import uvicorn
from PIL import Image

from pipeline.cli.demo.office import create_office
from pipeline.cli.web import listen
from pipeline.web.accounts import Users
from pipeline.web.app import create_app
from pipeline.web.keys import store_key
from pipeline.web.notaform import ROMAN

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "kata-sandi-tolok-123"
PASSPHRASE = "frasa-sandi-tolok-42"
TOKEN = re.compile(r'name="csrftoken" value="([^"]+)"')
SEEN = re.compile(r'name="seen" value="([^"]*)"')


def _source(folder: Path) -> Path:
    """This checkout's policy files and one published article: a small site to seed."""
    for name in ("sop.yml", "roles.yml"):
        shutil.copy(ROOT / name, folder / name)
    (folder / "terbit.yml").write_text("site:\n  url: http://127.0.0.1:9\nforge:\n  kind: local\n")
    article = folder / "content" / "articles" / "selamat-datang.md"
    article.parent.mkdir(parents=True)
    article.write_text("---\ntitle: Selamat Datang\ndate: 2026-01-05\ncategory: Berita\n"
                       "summary: Situs baru.\nauthor: dewi\n---\nHalo.\n")  # fmt: skip
    return folder


def _photo() -> bytes:
    out = io.BytesIO()
    Image.effect_noise((3000, 2000), 60).convert("RGB").save(out, "JPEG", quality=92)
    return out.getvalue()


def _timed(
    samples: dict[str, list[float]], kind: str, call: Callable[[], httpx.Response]
) -> httpx.Response:
    started = time.perf_counter()
    answer = call()
    samples.setdefault(kind, []).append((time.perf_counter() - started) * 1000)
    return answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    os.environ["TERBIT_PUBLISH"] = "off"
    with tempfile.TemporaryDirectory(prefix="terbit-bench-") as scratch:
        root = Path(scratch)
        (root / "sumber").mkdir()
        office = create_office(root / "kantor", _source(root / "sumber"), seed_message="Isi")
        Users(office.server).set_password("rina", PASSWORD, new=True)
        store_key(office.server, "rina", PASSPHRASE,
                  private=office.key_path("rina").read_bytes(), replace=True)  # fmt: skip
        sock = listen("127.0.0.1", 0)
        server = uvicorn.Server(uvicorn.Config(create_app(office.server, secure_cookies=False),
                                               log_level="warning", lifespan="off"))  # fmt: skip
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        while not server.started:
            thread.join(0.05)
        http = httpx.Client(base_url=f"http://127.0.0.1:{sock.getsockname()[1]}", timeout=120)
        page = http.get("/masuk").text
        http.post("/masuk", data={"person": "rina", "password": PASSWORD,
                                  "csrftoken": TOKEN.findall(page)[0]})  # fmt: skip
        photo = _photo()
        samples: dict[str, list[float]] = {}
        today = datetime.now()
        for run in range(runs):
            editor = _timed(samples, "editor", functools.partial(http.get, "/tulis")).text
            token = TOKEN.findall(editor)[0]
            typed = {
                "csrftoken": token, "slug": f"tolok-{run}", "title": f"Tolok ukur {run}",
                "category": "Berita", "tags": "", "summary": "Ringkasan.",
                "date": today.strftime("%Y-%m-%d %H:%M"), "body": "Isi artikel.\n",
                "nomor": f"ND-{run + 1}/LPZI/{ROMAN[today.month - 1]}/{today.year}",
                "yth": "Kepala", "dari": "Staf", "hal": "Permohonan", "sifat": "Biasa",
                "tanggal": today.strftime("%Y-%m-%d"), "lampiran": "Draf", "isi": "Mohon.",
                "photo_alt": "Foto kegiatan",
            }  # fmt: skip
            upload = {"photo": ("a.jpg", photo, "image/jpeg")}
            up = _timed(samples, "upload", functools.partial(http.post, "/tulis/foto",
                                                             data=typed, files=upload))  # fmt: skip
            refs = re.findall(r'name="photos" value="([^"]+)"', up.text)
            body = re.search(r'<textarea id="body"[^>]*>(.*?)</textarea>', up.text, re.DOTALL)
            typed |= {"photos": refs[0], "body": html.unescape(body.group(1)) if body else "",
                      "passphrase": PASSPHRASE}  # fmt: skip
            sent = _timed(
                samples, "submit", functools.partial(http.post, "/tulis/kirim", data=typed)
            )
            assert sent.status_code == 303, sent.text[-2000:]
            change = sent.headers["location"]
            fix = http.get(f"{change}/perbaiki").text
            again = {**typed, "summary": "Ringkasan baru.", "seen": SEEN.findall(fix)[0]}
            fixed = _timed(samples, "fix", functools.partial(http.post, f"{change}/perbaiki",
                                                             data=again))  # fmt: skip
            assert fixed.status_code == 303, fixed.text[-2000:]
        server.should_exit = True
        thread.join(30)
    print(json.dumps({kind: {"median_ms": round(statistics.median(v)), "max_ms": round(max(v))}
                      for kind, v in samples.items()}))  # fmt: skip


if __name__ == "__main__":
    main()
