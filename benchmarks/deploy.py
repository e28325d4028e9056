"""Deploy benchmark (issue 16, P3's deploy part): a new local release of a built site of N
articles in which a publication changed a few files.

    .venv/bin/python -m benchmarks.deploy --articles 5000 --runs 5 [--new-files]

The synthetic site (``sitegen``) is built once with Terbit's build (reused from
``benchmarks/.work/deploy-n<N>`` when there). Each run makes the next build's folder as the
build does (``pipeline/render/swap.py``, ``incremental``): a new folder whose unchanged files
are hard links to the previous output's and whose ``--changed`` pages (a one-article
publication changes about 14 files at N = 5,000) are new files; with ``--new-files`` every file
is a new copy instead (the worst case: nothing known about the build's files). ``--keep``
releases (the target's retention, 5 as ``terbit.yml`` has it) are deployed first, not measured,
so each measured deploy finds the target as a running service does. Printed per run: the
deploy's wall time, the files copied, linked, kept (from a recycled release) and read to hash,
and the machine's load average; then the median (min–max). Each release is checked to equal
the site it was deployed from (every file's bytes and permissions, every folder).
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


def _fresh(built: Path, folder: Path, changed: int, run: int, new_files: bool) -> Path:
    """The next build's output in ``folder``: unchanged files linked from the last one (or,
    with ``new_files``, every file copied), ``changed`` pages written as new files."""
    last = folder if folder.is_dir() and not new_files else built
    nxt = folder.with_name(folder.name + ".next")
    shutil.rmtree(nxt, ignore_errors=True)
    shutil.copytree(last, nxt, copy_function=shutil.copy2 if new_files else os.link)
    shutil.rmtree(folder, ignore_errors=True)
    os.rename(nxt, folder)
    pages = sorted(folder.rglob("*.html"))
    for page in pages[:: max(1, len(pages) // changed)][:changed]:
        data = page.read_bytes() + f"<!-- {run} -->\n".encode()
        page.unlink()  # never into the old inode: the last output (and releases) share it
        page.write_bytes(data)
    return folder


def _same(a: Path, b: Path) -> bool:
    def tree(root: Path) -> dict[str, tuple[int, bytes | None]]:
        return {
            str(p.relative_to(root)): (p.lstat().st_mode, None if p.is_dir() else p.read_bytes())
            for p in root.rglob("*")
        }

    return tree(a) == tree(b)


def main(argv: list[str] | None = None) -> None:
    from pipeline.deploy.local import LocalTarget

    parser = argparse.ArgumentParser(prog="python -m benchmarks.deploy", description=__doc__)
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--changed", type=int, default=14)
    parser.add_argument("--keep", type=int, default=5)
    parser.add_argument("--new-files", action="store_true")
    args = parser.parse_args(argv)
    built = _site(args.articles)
    base = WORK / f"deploy-n{args.articles}"
    root = base / "target"
    shutil.rmtree(root, ignore_errors=True)
    shutil.rmtree(base / "fresh", ignore_errors=True)
    target = LocalTarget(root, keep=args.keep)
    for run in range(args.keep):  # the retention filled first, as on a running server
        site = _fresh(built, base / "fresh", args.changed, -run, args.new_files)
        target.deploy(site, f"20260101T0000{run:02d}Z-000000000000")
    times: list[float] = []
    for run in range(args.keep, args.keep + args.runs):
        site = _fresh(built, base / "fresh", args.changed, run, args.new_files)
        target.wait_pruned()
        began = time.perf_counter()
        release = target.deploy(site, f"20260101T0000{run:02d}Z-000000000000")
        times.append(time.perf_counter() - began)
        entry = target.log.entries()[-1]
        if not _same(site, Path(release.location)):
            raise SystemExit(f"release {release.id} differs from its site")
        print(f"  #{run - args.keep + 1}: {times[-1]:.3f} s, disalin {entry['copied']}, "
              f"ditautkan {entry['linked']}, tetap {entry.get('kept', '-')}, "
              f"dibaca {entry.get('hashed', '-')} (load {os.getloadavg()[0]:.1f})",
              flush=True)  # fmt: skip
    print(f"  deploy, median {statistics.median(times):.3f} s "
          f"({min(times):.3f}–{max(times):.3f}), {args.runs} runs")  # fmt: skip


if __name__ == "__main__":
    main()
