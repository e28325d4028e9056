"""Before/after of the "+1 article" build, measured in alternation (issue 15: thumbnails).

    .venv/bin/python -m benchmarks.alternate --size 5000 --rounds 5 --photos 0.5

On a machine shared with other jobs, two figures taken minutes apart are not comparable; two
taken in turn are. So: two copies of the same synthetic site (``sitegen``, a share ``--photos``
of its articles with a photo), each with its own build cache, and two frozen copies of the
package. "After" is the package as it is; "before" is the same package with the plugins named
by ``--without`` left out of the plugin list (default ``thumbnails``: the plugin, its cache
setting and its template variable are all that commit 83f4559 added to the build), or
``--before-code DIR`` (a folder holding another ``pipeline`` package, e.g. from ``git archive``).

Both sites are built twice first (cache and spare tree exist, as in daily use). Each round then
adds the newest article, with a new photo of its own each round (its thumbnails are made in that
build, not found in the cache), builds it with both in turn (ABBA order, so a drifting load
touches both alike), removes it and builds again (not measured). Printed: wall and CPU time of
each build with the 1-minute load average before it, the medians, the ratios after/before of
the medians and the median of the per-round ratios. Results also go to
``benchmarks/.work/alternate.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
from pathlib import Path

from benchmarks.build import CODE, TERBIT, WORK, Extra, measure, snapshot_code
from benchmarks.sitegen import make_site
from pipeline.i18n import Catalog

MSG = Catalog(
    {
        "prepare": (
            "== N = {n}, foto {photos:.0%}: menyiapkan {name} di {path}",
            "== N = {n}, photos {photos:.0%}: preparing {name} in {path}",
        ),
        "sample": (
            "  putaran {round} {name:<8} dinding {wall:6.2f} s  CPU {cpu:6.2f} s  load {load:5.2f}",
            "  round {round} {name:<8} wall {wall:6.2f} s  CPU {cpu:6.2f} s  load {load:5.2f}",
        ),
        "median": (
            "  {name:<8} median dinding {wall:.2f} s (min {lo:.2f}, maks {hi:.2f})  "
            "median CPU {cpu:.2f} s  gambar kecil di keluaran: {thumbs}",
            "  {name:<8} median wall {wall:.2f} s (min {lo:.2f}, max {hi:.2f})  "
            "median CPU {cpu:.2f} s  thumbnails in the output: {thumbs}",
        ),
        "ratio": (
            "  sesudah/sebelum: dinding {wall:.3f}× (per putaran {paired_wall:.3f}×), "
            "CPU {cpu:.3f}× (per putaran {paired_cpu:.3f}×); load {lo:.1f}–{hi:.1f}",
            "  after/before: wall {wall:.3f}× (per round {paired_wall:.3f}×), "
            "CPU {cpu:.3f}× (per round {paired_cpu:.3f}×); load {lo:.1f}–{hi:.1f}",
        ),
        "no_plugin": (
            "plugin {name} tidak ada di daftar plugin {path}",
            "plugin {name} is not in the plugin list {path}",
        ),
        "no_package": (
            "--before-code {path}: tidak berisi paket pipeline/",
            "--before-code {path}: holds no pipeline/ package",
        ),
    }
)

BEFORE, AFTER = "sebelum", "sesudah"


def before_code(folder: Path, without: list[str], other: Path | None) -> Path:
    """A frozen ``pipeline`` for "before": ``other``'s, or the current one minus ``without``."""
    shutil.rmtree(folder, ignore_errors=True)
    source = other / "pipeline" if other is not None else CODE / "pipeline"
    if not (source / "__init__.py").is_file():
        raise SystemExit(MSG("no_package", path=other))
    shutil.copytree(source, folder / "pipeline", ignore=shutil.ignore_patterns("__pycache__"))
    plugins = folder / "pipeline" / "render" / "plugins" / "__init__.py"
    text = plugins.read_text(encoding="utf-8")
    for name in without:
        line = f'    "pipeline.render.plugins.{name}",\n'
        if line not in text:
            raise SystemExit(MSG("no_plugin", name=name, path=plugins))
        text = text.replace(line, "")
    plugins.write_text(text, encoding="utf-8")
    return folder


def load() -> float:
    return os.getloadavg()[0]


def run(n: int, rounds: int, photos: float, without: list[str], other: Path | None) -> dict:
    base = WORK / "alternate"
    snapshot_code()
    codes = {BEFORE: before_code(base / "code-before", without, other), AFTER: CODE}
    sites: dict[str, Path] = {}
    extras: dict[str, Extra] = {}
    for name, code in codes.items():
        shutil.rmtree(base / name, ignore_errors=True)
        site = make_site(base / name / "situs", n, photos=photos)
        print(MSG("prepare", n=n, photos=photos, name=name, path=site), flush=True)
        for _ in range(2):
            measure([*TERBIT, "build"], site, code)
        sites[name], extras[name] = site, Extra(site, photos)

    samples: dict[str, list[dict]] = {BEFORE: [], AFTER: []}
    for number in range(rounds):
        order = [BEFORE, AFTER] if number % 2 == 0 else [AFTER, BEFORE]
        for name in order:
            extras[name].add(variant=number)
            before = load()
            result = measure([*TERBIT, "build"], sites[name], codes[name])
            sample = {"seconds": result["seconds"], "cpu_s": result["cpu_s"], "load": before}
            samples[name].append(sample)
            print(MSG("sample", round=number + 1, name=name, wall=sample["seconds"],
                      cpu=sample["cpu_s"], load=before), flush=True)  # fmt: skip
            thumbs = sites[name] / "output" / "thumbs"
            sample["thumbs"] = len(list(thumbs.iterdir())) if thumbs.is_dir() else 0
            extras[name].remove()
            measure([*TERBIT, "build"], sites[name], codes[name])  # back to N, not measured
    return summarise(n, photos, samples)


def summarise(n: int, photos: float, samples: dict[str, list[dict]]) -> dict:
    medians = {}
    for name, taken in samples.items():
        walls = [s["seconds"] for s in taken]
        medians[name] = {
            "wall_s": statistics.median(walls),
            "cpu_s": statistics.median(s["cpu_s"] for s in taken),
            "min_s": min(walls),
            "max_s": max(walls),
            "thumbs": taken[-1]["thumbs"],
        }
        m = medians[name]
        print(MSG("median", name=name, wall=m["wall_s"], lo=m["min_s"], hi=m["max_s"],
                  cpu=m["cpu_s"], thumbs=m["thumbs"]))  # fmt: skip
    pairs = list(zip(samples[BEFORE], samples[AFTER], strict=True))
    loads = [s["load"] for taken in samples.values() for s in taken]
    ratios = {
        "wall": medians[AFTER]["wall_s"] / medians[BEFORE]["wall_s"],
        "cpu": medians[AFTER]["cpu_s"] / medians[BEFORE]["cpu_s"],
        "paired_wall": statistics.median(a["seconds"] / b["seconds"] for b, a in pairs),
        "paired_cpu": statistics.median(a["cpu_s"] / b["cpu_s"] for b, a in pairs),
    }
    print(MSG("ratio", **ratios, lo=min(loads), hi=max(loads)), flush=True)
    return {"n": n, "photos": photos, "samples": samples, "medians": medians, "ratios": ratios}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.alternate", description=__doc__)
    parser.add_argument("--size", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--photos", type=float, default=0.5, metavar="SHARE")
    parser.add_argument("--without", nargs="+", default=["thumbnails"], metavar="PLUGIN")
    parser.add_argument("--before-code", type=Path, metavar="DIR")
    args = parser.parse_args(argv)
    if not 0 <= args.photos <= 1:
        parser.error("--photos: antara 0 dan 1 / between 0 and 1")
    without = [] if args.before_code else args.without
    result = run(args.size, args.rounds, args.photos, without, args.before_code)
    (WORK / "alternate.json").write_text(json.dumps(result, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
