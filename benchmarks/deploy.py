"""Deploy benchmark (issue 16, P3's deploy part): a new local release of a built site of N
articles in which a publication changed a few files.

    .venv/bin/python -m benchmarks.deploy --articles 5000 --runs 5

The synthetic site (``sitegen``) is built once with Terbit's build (reused from
``benchmarks/.work/deploy-n<N>`` when there). A first release is deployed, not measured. Then
each run: the built site copied to a fresh folder (new files, as a build writes them), ``--changed``
of its pages edited (a one-article publication changes about 14 files at N = 5,000), and
deployed as a new release to the same target; the deploy's wall time, the files copied and
linked are printed (median, min–max) with the machine's load average. Each release is checked
to equal the site it was deployed from (every file's bytes and permissions).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import time
from pathlib import Path

from benchmarks.build import WORK
from benchmarks.sitegen import make_site


def _site(n: int) -> Path:
    base = WORK / f"deploy-n{n}"
    output = base / "situs" / "output"
    if not (output / "index.html").is_file():
        from pipeline.render.runner import build_site

        shutil.rmtree(base, ignore_errors=True)
        site = make_site(base / "situs", n)
        began = time.perf_counter()
        build_site(site)
        print(f"  situs {n} artikel dibangun dalam {time.perf_counter() - began:.0f} s")
    return output


def _fresh(built: Path, folder: Path, changed: int, run: int) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(built, folder)
    pages = sorted(folder.rglob("*.html"))[:: max(1, len(list(folder.rglob("*.html"))) // changed)]
    for page in pages[:changed]:
        page.write_bytes(page.read_bytes() + f"<!-- {run} -->\n".encode())
    return folder


def _same(a: Path, b: Path) -> bool:
    def files(root: Path) -> dict[str, tuple[int, bytes]]:
        return {
            str(p.relative_to(root)): (p.stat().st_mode & 0o7777, p.read_bytes())
            for p in root.rglob("*")
            if p.is_file()
        }

    return files(a) == files(b)


def main(argv: list[str] | None = None) -> None:
    from pipeline.deploy.local import LocalTarget

    parser = argparse.ArgumentParser(prog="python -m benchmarks.deploy", description=__doc__)
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--changed", type=int, default=14)
    args = parser.parse_args(argv)
    built = _site(args.articles)
    base = WORK / f"deploy-n{args.articles}"
    root = base / "target"
    shutil.rmtree(root, ignore_errors=True)
    target = LocalTarget(root, keep=3)
    target.deploy(_fresh(built, base / "fresh", args.changed, 0), "20260101T000000Z-000000000000")
    times: list[float] = []
    for run in range(1, args.runs + 1):
        site = _fresh(built, base / "fresh", args.changed, run)
        target.wait_pruned()
        began = time.perf_counter()
        release = target.deploy(site, f"20260101T0000{run:02d}Z-000000000000")
        times.append(time.perf_counter() - began)
        entry = target.log.entries()[-1]
        if not _same(site, Path(release.location)):
            raise SystemExit(f"release {release.id} differs from its site")
        print(f"  #{run}: {times[-1]:.3f} s, disalin {entry['copied']}, ditautkan "
              f"{entry['linked']} (load {os.getloadavg()[0]:.1f})", flush=True)  # fmt: skip
    print(f"  deploy, median {statistics.median(times):.3f} s "
          f"({min(times):.3f}–{max(times):.3f}), {args.runs} runs")  # fmt: skip


if __name__ == "__main__":
    main()
