"""The publication's two browser stages (issue 16, P3), paired: this checkout's code against an
earlier revision's, on the same built site, the same minutes.

    .venv/bin/python -m benchmarks.browser_stages --articles 100 --runs 3 --before main

A synthetic site of N articles (``sitegen``; the article page and the paginated home page are
what the stages open, so N changes little) is built once (``benchmarks/.work/browser-n<N>``)
and served on 127.0.0.1. Each run starts one process per code version in turn (``--before``'s
``pipeline/`` exported with ``git archive``, then this checkout's), each with two warm
Chromiums as the publication service keeps them (``KeptBrowsers``, with the spare contexts
it makes between publications where the code has them, not timed); after one round not
measured, each process times ``--rounds`` rounds of what a publication does: both screenshots
of an article (``capture``) on one browser while the page check of the article and the home
page (``check_pages``) runs on the other, then each of the two alone. The files and findings
of both versions are compared (screenshots byte for byte and pixel for pixel, page check
reports equal).
Medians (min–max) and the machine's load average are printed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from benchmarks.build import WORK
from benchmarks.sitegen import make_site

ROOT = Path(__file__).resolve().parents[1]
PARTS = ("wall (both at once)", "screenshots", "page check", "screenshots alone", "check alone")


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def _site(n: int) -> Path:
    base = WORK / f"browser-n{n}"
    output = base / "situs" / "output"
    if not (output / "index.html").is_file():
        from pipeline.render.runner import build_site

        shutil.rmtree(base, ignore_errors=True)
        build_site(make_site(base / "situs", n))
    return output


def child(base: str, site: str, shots: str, rounds: int) -> None:
    """One code version's rounds (run in a process of its own; prints one JSON line)."""
    from pipeline.evidence.browser import KeptBrowsers
    from pipeline.evidence.screenshot import capture
    from pipeline.evidence.visitor import check_pages

    output, out = Path(site), Path(shots)
    article = sorted(output.glob("artikel/*/index.html"))[0]
    url = base + article.parent.relative_to(output).as_posix() + "/"
    pages = [url, base]
    browsers = KeptBrowsers()
    browsers.warm()
    times: dict[str, list[float]] = defaultdict(list)

    def check(shared: Any) -> tuple[float, dict[str, Any]]:
        began = time.perf_counter()
        spares = {"spares": shared.spares} if hasattr(shared, "spares") else {}
        report = check_pages(shared.get(), pages, output, base.rstrip("/"), **spares).data()
        return time.perf_counter() - began, report

    def shot(shared: Any) -> tuple[float, list[Any]]:
        began = time.perf_counter()
        spares = {"spares": shared.spares} if hasattr(shared, "spares") else {}
        taken = capture(shared.get(), url, out, "artikel", **spares)
        return time.perf_counter() - began, taken

    def shoot() -> tuple[float, list[Any]]:
        if hasattr(browsers, "shooting"):  # each browser on a thread of its own
            result: tuple[float, list[Any]] = browsers.shooting(shot).result()
            return result
        return shot(browsers.shots)

    def ready() -> None:
        """Between two publications, as the service does (code that makes spare contexts)."""
        if hasattr(browsers, "prepare"):
            for made in browsers.prepare():
                made.result()

    report: dict[str, Any] = {}
    try:
        for number in range(rounds + 1):
            ready()
            began = time.perf_counter()
            checking = browsers.beside(check)
            shot_s, taken = shoot()
            check_s, report = checking.result()
            wall = time.perf_counter() - began
            ready()
            alone_shots, _ = shoot()
            ready()
            alone_check, _ = browsers.beside(check).result()
            if number:  # the first round warms the pages' caches of the code, not measured
                for name, value in zip(
                    PARTS, (wall, shot_s, check_s, alone_shots, alone_check), strict=True
                ):
                    times[name].append(value)
    finally:
        browsers.close()
    from PIL import Image

    files = {s.view: hashlib.sha256(s.file.read_bytes()).hexdigest() for s in taken}
    pixels = {}
    for shot in taken:
        with Image.open(shot.file) as image:
            pixels[shot.view] = hashlib.sha256(image.convert("RGB").tobytes()).hexdigest()
    sizes = {s.view: s.bytes for s in taken}
    print(json.dumps({"times": times, "files": files, "pixels": pixels, "bytes": sizes,
                      "report": report}))  # fmt: skip


def _run(code: Path, base: str, site: Path, rounds: int) -> dict[str, Any]:
    shots = Path(tempfile.mkdtemp(prefix="terbit-shots-"))
    script = (
        f"import sys; sys.path.insert(0, {str(code)!r}); sys.path.insert(1, {str(ROOT)!r}); "
        f"from benchmarks.browser_stages import child; "
        f"child({base!r}, {str(site)!r}, {str(shots)!r}, {rounds})"
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", script], cwd=code, check=True, capture_output=True, text=True
        )
    finally:
        shutil.rmtree(shots, ignore_errors=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _shown(values: list[float]) -> str:
    return f"{statistics.median(values):5.2f} s ({min(values):.2f}–{max(values):.2f})"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.browser_stages", description=__doc__
    )
    parser.add_argument("--articles", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=2, help="measured rounds per process")
    parser.add_argument("--before", default="main", help="the revision to compare with")
    args = parser.parse_args(argv)
    WORK.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("TERBIT_LANG", "id")
    site = _site(args.articles)
    before = Path(tempfile.mkdtemp(prefix="terbit-before-"))
    archive = subprocess.run(
        ["git", "archive", args.before, "pipeline"], cwd=ROOT, check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(before)], input=archive, check=True)
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}/"
    versions = {f"before ({args.before})": before, "after (this checkout)": ROOT}
    times: dict[str, dict[str, list[float]]] = {v: defaultdict(list) for v in versions}
    outputs: dict[str, dict[str, Any]] = {}
    loads = []
    print(f"== browser stages, N = {args.articles} (load {os.getloadavg()[0]:.1f})", flush=True)
    try:
        for run in range(args.runs):
            for version, code in versions.items():
                result = _run(code, base, site, args.rounds)
                for name, values in result["times"].items():
                    times[version][name] += values
                outputs[version] = result
                loads.append(os.getloadavg()[0])
                wall = statistics.median(result["times"][PARTS[0]])
                print(f"  #{run + 1} {version}: {wall:.2f} s (load {loads[-1]:.1f})", flush=True)
    finally:
        server.shutdown()
        server.server_close()
        shutil.rmtree(before, ignore_errors=True)
    print(f"  {'part (median, min–max)':<24} " + "   ".join(f"{v:<26}" for v in versions))
    for name in PARTS:
        row = "   ".join(f"{_shown(times[v][name]):<26}" for v in versions)
        print(f"  {name:<24} {row}")
    first, second = (outputs[v] for v in versions)
    for version in versions:
        print(f"  {version}: bytes {outputs[version]['bytes']}")
    print(f"  same screenshot files: {first['files'] == second['files']}; "
          f"same pixels: {first['pixels'] == second['pixels']}; "
          f"same page check: {first['report'] == second['report']}; "
          f"load {min(loads):.1f}–{max(loads):.1f}")  # fmt: skip
    (WORK / "browser_stages.json").write_text(
        json.dumps({"times": times, "load": loads}, indent=2), encoding="utf-8"
    )


if __name__ == "__main__":
    main()
