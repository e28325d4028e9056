"""Warm build benchmark (issue 16): the one-article build in the warm build process (P1') and
in a fresh process (``terbit build``), against Hugo's rebuild in the same run, and their memory.

    .venv/bin/python -m benchmarks.warm --sizes 5000 --runs 5

For each N: the synthetic site (``sitegen``), built twice first (cache and spare tree exist, as
in daily use). Then ``--runs`` times each: one new newest article built by the warm process
(``render.warm``, asked by the runner as a publication asks it), by ``terbit build`` in a
fresh process, and by ``hugo`` (the same site converted, ``benchmarks.hugo``); the article is
removed and the site built again (not measured) between runs. The last warm build is compared
with a full build of the same sources, whole tree. Memory: the warm process's resident set
(idle, from /proc) plus the largest one of its builds, against the fresh process's peak. The
machine's load average is printed: other jobs share its two cores, so compare the ratios, and
the processor time of each (the warm build's fork and the runner's side; the fresh process with
its children; Hugo's, all its threads), which the load inflates much less than the wall time.
Results also go to ``benchmarks/.work/warm.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import time
from pathlib import Path

from benchmarks.build import (
    TERBIT,
    WORK,
    check_identical,
    hugo_binary,
    measure,
    snapshot_code,
)
from benchmarks.hugo import convert, write_hugo_site
from benchmarks.sitegen import extra_article, make_site
from pipeline.render import warm
from pipeline.render.runner import build_site

START_S = 60


def _status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _line(name: str, times: list[float], peak_mb: float | None = None) -> None:
    shown = f"median {statistics.median(times):.2f} s  min {min(times):.2f}  max {max(times):.2f}"
    if peak_mb is not None:
        shown += f"  puncak {peak_mb:.0f} MB"
    print(f"  {name:<38} {shown}", flush=True)


def _settle(hot: Path, folder: Path) -> None:
    """As on a server that has published before: one warm build, not measured, and its caches
    held by the warm process (loaded, their articles' own digests computed: 0.5-0.7 s at
    5,000 articles) before the first measured build; else that build waits for the hold."""
    build_site(hot, warm_folder=folder)
    log = folder / warm.LOG
    end = time.monotonic() + START_S
    while ": yes" not in log.read_text(encoding="utf-8"):
        if time.monotonic() > end:
            raise SystemExit("the warm build process did not hold its caches")
        time.sleep(0.05)


def bench_size(n: int, runs: int, hugo: str | None) -> dict:
    base = WORK / f"warm-n{n}"
    shutil.rmtree(base, ignore_errors=True)
    site = make_site(base / "situs", n)
    print(f"== N = {n}: {site}  (load average {os.getloadavg()[0]:.1f})", flush=True)
    # Its own copy for the warm process: a build started from the command has other modules
    # loaded (its key differs), so the two would rebuild each other's cache whole.
    hot = base / "situs-hangat"
    shutil.copytree(site, hot)
    extra = extra_article()
    extra_path = site / "content" / "articles" / f"{extra.slug}.md"
    hot_path = hot / "content" / "articles" / extra_path.name
    for _ in range(2):
        measure([*TERBIT, "build"], site)
        build_site(hot)
    folder = base / "server-state"
    service = warm.Service(folder)
    service.check()
    end = time.monotonic() + START_S
    while not warm.ready(folder):
        if time.monotonic() > end:
            raise SystemExit("the warm build process did not start")
        time.sleep(0.05)
    _settle(hot, folder)
    out: dict = {"n": n, "load_before": os.getloadavg()[0]}
    warm_s: list[float] = []
    warm_cpu: list[float] = []
    cold: list[dict] = []
    hugo_s: list[float] = []
    hugo_runs: list[dict] = []
    build_peaks: list[int] = []
    identical: dict = {}
    hugo_site = base / "hugo"
    if hugo:
        write_hugo_site(site, hugo_site)
        measure([hugo, "--quiet", "--destination", "public"], hugo_site)
    try:
        for run in range(runs):
            # The three, one after the other in each round: the same load for each.
            hot_path.write_text(extra.text, encoding="utf-8")
            began, mine = time.perf_counter(), _cpu()
            built = build_site(hot, warm_folder=folder)
            warm_s.append(time.perf_counter() - began)
            # The warm fork's processor time and this process's (the runner's side).
            warm_cpu.append(built.cpu_s + _cpu() - mine)
            if not built.warm or not built.incremental:
                raise SystemExit(f"not a warm incremental build: {built.fallback} {built.notes}")
            build_peaks.append(built.peak_kb)
            if run == runs - 1:
                identical = check_identical(hot, base / "referensi")
            hot_path.unlink()
            build_site(hot, warm_folder=folder)  # back to N articles, not measured
            extra_path.write_text(extra.text, encoding="utf-8")
            cold.append(measure([*TERBIT, "build"], site))
            extra_path.unlink()
            measure([*TERBIT, "build"], site)
            if hugo:
                post = hugo_site / "content" / "posts" / extra_path.name
                post.write_text(convert(extra.text), encoding="utf-8")
                hugo_runs.append(measure([hugo, "--quiet", "--destination", "public"], hugo_site))
                hugo_s.append(hugo_runs[-1]["seconds"])
                post.unlink()
            shown = f"{hugo_s[-1]:.2f}" if hugo_s else "-"
            print(f"  #{run + 1}: hangat {warm_s[-1]:.2f} s, baru {cold[-1]['seconds']:.2f} s, "
                  f"hugo {shown} s (load {os.getloadavg()[0]:.1f})", flush=True)  # fmt: skip
        assert service.proc is not None
        idle_kb = _status_kb(service.proc.pid, "VmHWM")
    finally:
        service.stop()
    cold_s = [c["seconds"] for c in cold]
    cold_cpu = [c["cpu_s"] for c in cold]
    hugo_cpu = [h["cpu_s"] for h in hugo_runs]
    cold_peak_mb = max(c["peak_kb"] for c in cold) / 1024
    warm_peak_mb = (idle_kb + max(build_peaks)) / 1024  # shared pages counted twice: an upper bound
    _line("terbit, proses hangat (+1 artikel)", warm_s, warm_peak_mb)
    _line("  waktu CPU / CPU time", warm_cpu)
    _line("terbit build, proses baru (+1 artikel)", cold_s, cold_peak_mb)
    _line("  waktu CPU / CPU time", cold_cpu)
    if hugo_s:
        _line("hugo (+1 artikel)", hugo_s)
        _line("  waktu CPU / CPU time (semua utas)", hugo_cpu)
    print(
        f"  proses hangat diam {idle_kb / 1024:.0f} MB + build {max(build_peaks) / 1024:.0f} MB",
        flush=True,
    )
    print(f"  identik byte-per-byte dengan build penuh: {identical['ok']} "
          f"({identical['files']} berkas, {identical['diff']} berbeda)")  # fmt: skip
    ratios = {
        "hangat / baru": statistics.median(warm_s) / statistics.median(cold_s),
        "puncak memori hangat / baru": warm_peak_mb / cold_peak_mb,
    }
    if hugo_s:
        ratios["P1' hangat / hugo +1"] = statistics.median(warm_s) / statistics.median(hugo_s)
        ratios["baru / hugo +1"] = statistics.median(cold_s) / statistics.median(hugo_s)
        ratios["CPU hangat / hugo +1"] = statistics.median(warm_cpu) / statistics.median(hugo_cpu)
    for name, value in ratios.items():
        print(f"  {name:<38} {value:.2f}×", flush=True)
    load = os.getloadavg()[0]
    print(f"  load average sesudah / after: {load:.1f}", flush=True)
    out.update(
        warm_s=warm_s, cold_s=cold_s, hugo_s=hugo_s, warm_cpu_s=warm_cpu, cold_cpu_s=cold_cpu,
        hugo_cpu_s=hugo_cpu, idle_kb=idle_kb, build_peak_kb=build_peaks,
        cold_peak_kb=[c["peak_kb"] for c in cold], identical=identical, ratios=ratios,
        load_after=load,
    )  # fmt: skip
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.warm", description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-hugo", action="store_true", help="skip the Hugo comparison")
    args = parser.parse_args(argv)
    hugo = None if args.no_hugo else hugo_binary()
    WORK.mkdir(parents=True, exist_ok=True)
    snapshot_code()
    report = [bench_size(n, args.runs, hugo) for n in args.sizes]
    (WORK / "warm.json").write_text(json.dumps(report, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
