"""Benchmark: the office web application's pages over a busy office.

    .venv/bin/python -m benchmarks.web --changes 500 --records 5000 --runs 40

Makes (once, cached under ``--cache``) a server repository with ``--changes`` open changes pushed
through the real hooks and ``--records`` completion records on main (``benchmarks.webgen``), starts
the real app (``terbit web``, uvicorn) in its own process on 127.0.0.1, signs in through the real
form and times, one request after another: the home page "Menunggu saya" of the Katimker, the
change list, one change page and the live preview of a 2,000-word draft. The first request of
each page is reported apart (``first_ms``; the home page's is the first page after start-up);
then ``--runs`` requests give p50 and p95. Then main moves by one article (as a publication
does) and the first home page after it is timed (``home_after_main_moves``); main is put back.
The app starts with nothing kept on disk (the signature verdicts and the changes' readings in
the server's state folder are removed first); last, after that publication, it is stopped and
started again, and the first home page after the restart is timed with what the first start
kept (``home_after_restart``); then main is put back.
Targets (issue 13): home and change page p95 <= 150 ms, preview p95 <= 300 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from benchmarks.webgen import PASSWORD, office_at
from pipeline.web.forgecache import READINGS_FILE, VERDICTS_FILE
from tests.support.forge import article, main_commit
from tests.support.web import token

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT_S = 120  # the app reads main's policy at start; a bound, not a target
COLD_TIMEOUT_S = 3600  # the first page reads every change: minutes at 500 on a busy machine
WORDS = ["Petugas", "kesehatan", "pelabuhan", "memeriksa", "dokumen", "jemaah", "dan", "awak",
         "kapal", "di", "dermaga", "sebelum", "keberangkatan", "menuju", "Jeddah"]  # fmt: skip


def draft(words: int = 2000) -> str:
    """A Markdown body of ``words`` words: headings, paragraphs, a list and a table."""
    parts, count, n = [], 0, 0
    while count < words:
        n += 1
        paragraph = " ".join(WORDS[(n + i) % len(WORDS)] for i in range(60))
        parts += [f"## Bagian {n}", "", f"**{n}.** {paragraph}", "",
                  "- satu butir", "- dua *butir*", "", "| kolom | nilai |", "|---|---|",
                  f"| baris | {n} |", ""]  # fmt: skip
        count += 60 + 10
    return "\n".join(parts)


def _signed_in(url: str, person: str) -> httpx.Client:
    """A client signed in through the real form (CSRF token included)."""
    http = httpx.Client(base_url=url, follow_redirects=False, timeout=COLD_TIMEOUT_S)
    form = http.get("/masuk")
    data = {"person": person, "password": PASSWORD, "csrftoken": token(form.text)}
    if http.post("/masuk", data=data).status_code != 303:
        raise SystemExit(f"could not sign in as {person}")
    return http


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _timed(runs: int, call: Callable[[], httpx.Response]) -> dict[str, float]:
    first_started = time.perf_counter()
    answer = call()
    first = (time.perf_counter() - first_started) * 1000
    if answer.status_code != 200:
        raise SystemExit(f"{answer.request.url}: HTTP {answer.status_code}")
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        answer = call()
        times.append((time.perf_counter() - started) * 1000)
        if answer.status_code != 200:
            raise SystemExit(f"{answer.request.url}: HTTP {answer.status_code}")
    if not times:
        return {"first_ms": round(first, 1)}
    cuts = statistics.quantiles(times, n=20, method="inclusive")
    return {"first_ms": round(first, 1), "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(cuts[18], 1), "max_ms": round(max(times), 1)}  # fmt: skip


def _start(server: Path) -> tuple[subprocess.Popen[bytes], str]:
    """``terbit web`` over ``server`` in its own process, once it answers; and its URL."""
    port = _free_port()
    app = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "web", "--server", str(server), "--port", str(port)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        env={**os.environ, "TERBIT_LANG": "id"},
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        try:
            httpx.get(f"{url}/masuk", timeout=5)
            return app, url
        except httpx.TransportError:
            if app.poll() is not None or time.monotonic() > deadline:
                _stop(app)
                raise SystemExit("terbit web did not start") from None
            time.sleep(0.2)


def _stop(app: subprocess.Popen[bytes]) -> None:
    app.terminate()
    try:
        app.wait(30)
    except subprocess.TimeoutExpired:
        app.kill()  # still reading for a request nobody waits for
        app.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=500)
    parser.add_argument("--records", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "terbit-bench")
    args = parser.parse_args()
    started = time.perf_counter()
    server = office_at(args.cache, args.changes, args.records)
    made_s = time.perf_counter() - started
    for kept in (VERDICTS_FILE, READINGS_FILE):  # a first start
        (server / "terbit" / "web" / kept).unlink(missing_ok=True)
    app, url = _start(server)
    try:
        sari, rina = _signed_in(url, "sari"), _signed_in(url, "rina")
        # The home page first: its first request is the first page after start-up.
        results = {"home": _timed(args.runs, lambda: sari.get("/"))}
        form = {"csrftoken": token(rina.get("/tulis").text), "body": draft()}
        middle = str(max(1, args.changes // 2))
        results |= {
            "changes": _timed(args.runs, lambda: sari.get("/perubahan")),
            "change": _timed(args.runs, lambda: sari.get(f"/perubahan/{middle}")),
            "preview": _timed(args.runs, lambda: rina.post("/tulis/pratinjau", data=form)),
        }
        # A publication moves main by one article: the first home page after it; then a
        # restart after that publication (what the first start kept on disk, nothing in
        # memory). Main is put back last (the generated office stays as made).
        before = main_commit(server, "content/articles/bench-publikasi.md",
                             article("Publikasi benchmark"))  # fmt: skip
        try:
            results["home_after_main_moves"] = _timed(0, lambda: sari.get("/"))
            _stop(app)
            app, url = _start(server)
            sari = _signed_in(url, "sari")
            results["home_after_restart"] = _timed(0, lambda: sari.get("/"))
        finally:
            subprocess.run(["git", "update-ref", "refs/heads/main", before], cwd=server,
                           check=True)  # fmt: skip
    finally:
        _stop(app)
    print(json.dumps({
        "changes": args.changes, "records": args.records, "runs": args.runs,
        "office_s": round(made_s, 1), "pages": results, "load_avg": os.getloadavg()[0],
    }, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
