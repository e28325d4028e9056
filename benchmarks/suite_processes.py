"""Benchmark: where the suite's processor time goes, by the Python process that spent it.

    .venv/bin/python -m benchmarks.suite_processes [pytest arguments ...]
    .venv/bin/python -m benchmarks.suite_processes tests/forge -n 2 --dist loadgroup

The tests start the product's own processes (hooks, builds, publications, commands), most with
``python -I``, which reads no environment variable; the one module every one of them loads is
``sitecustomize`` from this environment's site-packages. For the length of the run that module
appends, as each Python process exits, its processor time, wall time, number of modules and
command line to a file; it is removed afterwards, whatever happens (the command refuses to run
where a ``sitecustomize`` exists already). Processes killed by a signal, and forks that leave by
``os._exit``, are not counted. Prints the processor time per entry point (the module run with
``-m``, the ``terbit`` command, the ``-c`` program), the total, and the whole run's processor
time (pytest and every process it waited for): what is not in the table is outside Python
(Chromium, git, ssh-keygen) or was not counted. Run it on a clean clone or with nothing else
using this environment: every Python process of the environment is counted.
"""

from __future__ import annotations

import argparse
import collections
import json
import resource
import site
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Written into site-packages for the run; the log's path is filled in (``-I`` reads no variable).
HOOK = """\
import atexit, json, os, resource, sys, time
_began = time.monotonic()
def _terbit_log_process():
    try:
        used = resource.getrusage(resource.RUSAGE_SELF)
        argv = [a[:200] for a in getattr(sys, "orig_argv", sys.argv)[:12]]
        fields = (os.getpid(), used.ru_utime + used.ru_stime, time.monotonic() - _began,
                  len(sys.modules), json.dumps(argv))
        line = "%d\\t%.3f\\t%.3f\\t%d\\t%s\\n" % fields
        with open(LOG, "a", encoding="utf-8") as out:
            out.write(line)
    except Exception:
        pass
atexit.register(_terbit_log_process)
"""
FLAGS_WITH_VALUE = {"-X", "-W"}


def entry_point(argv: list[str]) -> str:
    """A name for what a Python process ran, from its original command line."""
    args = argv[1:]
    while args and args[0].startswith("-") and args[0] not in ("-m", "-c"):
        args = args[2:] if args[0] in FLAGS_WITH_VALUE else args[1:]
    if not args:
        return "python"
    if args[0] == "-m" and len(args) > 1:
        if args[1] == "pipeline":
            command = next((a for a in args[2:] if not a.startswith("-")), "")
            return f"terbit {command}".strip()
        return f"-m {args[1]}"
    if args[0] == "-c" and len(args) > 1:
        code = " ".join(args[1].split())
        return "-c " + (code[:70] + "…" if len(code) > 70 else code)
    name = Path(args[0]).name
    if name == "terbit":
        command = next((a for a in args[1:] if not a.startswith("-")), "")
        return f"terbit {command}".strip()
    return name


def table(log: Path) -> list[tuple[str, int, float, float]]:
    """(entry point, processes, processor seconds, wall seconds) by processor time."""
    found: dict[str, list[float]] = collections.defaultdict(lambda: [0, 0.0, 0.0])
    for line in log.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t", 4)
        if len(parts) != 5:
            continue
        row = found[entry_point(json.loads(parts[4]))]
        row[0] += 1
        row[1] += float(parts[1])
        row[2] += float(parts[2])
    rows = [(name, int(n), cpu, wall) for name, (n, cpu, wall) in found.items()]
    return sorted(rows, key=lambda r: -r[2])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=25, help="rows to print")
    args, pytest_args = parser.parse_known_args(argv)  # the rest is pytest's
    packages = Path(site.getsitepackages()[0])
    hook = packages / "sitecustomize.py"
    if hook.exists():
        raise SystemExit(f"{hook} exists already: this benchmark would replace it; stopped")
    with tempfile.TemporaryDirectory(prefix="terbit-proses-") as folder:
        log = Path(folder) / "processes.tsv"
        log.touch()
        hook.write_text(f"LOG = {str(log)!r}\n" + HOOK, encoding="utf-8")
        try:
            began = time.monotonic()
            done = subprocess.run([sys.executable, "-m", "pytest", *pytest_args], check=False)
            wall = time.monotonic() - began
        finally:
            hook.unlink(missing_ok=True)
        rows = table(log)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    counted = sum(r[2] for r in rows)
    print(f"pytest selesai / ended: kode {done.returncode}, {wall:.0f} s")
    print(f"{'proses':>7} {'CPU s':>9} {'rata-rata':>10} {'dinding':>8}  titik masuk / entry point")
    for name, n, cpu, seconds in rows[: args.top]:
        print(f"{n:7d} {cpu:9.1f} {cpu / n:10.3f} {seconds / n:8.2f}  {name}")
    processes = sum(r[1] for r in rows)
    print(f"{processes:7d} {counted:9.1f}  semua proses Python / every Python process")
    whole = children.ru_utime + children.ru_stime
    print(
        f"CPU seluruh jalan / whole run: {whole:.1f} s (di luar tabel / outside the table "
        f"{max(whole - counted, 0.0):.1f} s: Chromium, git, ssh-keygen, proses tak terhitung)"
    )


if __name__ == "__main__":
    main()
