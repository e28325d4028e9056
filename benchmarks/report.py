"""Benchmark: ``terbit report --year`` over a year of synthetic publications.

    .venv/bin/python -m benchmarks.report --count 300 --runs 3

Builds a real repository with ``count`` completion records (``benchmarks.recordgen``: one
commit each on main, digests valid), then times fresh ``terbit report --year 2026`` processes
writing all four formats (PDF, HTML, CSV, XLSX) and verifying every record, as
``benchmarks.measure`` does: wall time, CPU time (robust to a busy machine) and peak memory.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.recordgen import make_records, year_specs

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="terbit-report-bench-") as tmp:
        repo = Path(tmp) / "repo"
        make_records(repo, year_specs(args.count), office=ROOT)
        results = []
        for run in range(args.runs):
            out = Path(tmp) / f"out{run}"
            command = [sys.executable, "-m", "pipeline", "report", "--year", "2026", "--repo",
                       str(repo), "--output", str(out)]  # fmt: skip
            done = subprocess.run(
                [sys.executable, "-m", "benchmarks.measure", *command],
                capture_output=True, text=True, check=True, cwd=ROOT,
                env={**os.environ, "TERBIT_LANG": "id"},
            )  # fmt: skip
            result = json.loads(done.stdout)
            if result["code"] != 0:
                raise SystemExit(f"terbit report failed: {result['tail']}")
            results.append(result)
        wall = [r["seconds"] for r in results]
        cpu = [r["cpu_s"] for r in results]
        print(json.dumps({
            "records": args.count,
            "wall_s": {"median": statistics.median(wall), "min": min(wall), "max": max(wall)},
            "cpu_s": {"median": statistics.median(cpu), "min": min(cpu), "max": max(cpu)},
            "peak_mb": max(r["peak_kb"] for r in results) // 1024,
            "load_avg": os.getloadavg()[0],
        }, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
