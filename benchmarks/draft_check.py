"""The draft check of a one-article change on a site of N articles (issue 16, P3's merge push):
the check by change against the whole-tree check it is held equal to.

    .venv/bin/python -m benchmarks.draft_check --articles 5000 --runs 3 [--profile]

A repository with the project's site and N synthetic articles (``sitegen``) is main; one
change adds an article. ``pipeline.gate.drafts.check_change`` is what ``terbit merge``'s local
gate and the server's ``pre-receive`` both run on a merge. Timed per run: the whole-tree check
(every draft written to a temporary folder, then found, read and parsed again), the check by
change with its fact cache missing (every other draft's facts read from the blobs once) and
with it warm (the usual case: the cache holds main's drafts). The results must be equal.
``--profile`` prints the ten largest cumulative entries of cProfile for one run of each.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import shutil
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.build import WORK
from benchmarks.sitegen import extra_article, write_site
from pipeline.gate.drafts import ChangeCheck, check_change
from pipeline.gate.fact_cache import cache_path
from pipeline.hooks.install import copy_site
from pipeline.vcs import Repo

ROOT = Path(__file__).resolve().parents[1]


def _site(n: int) -> tuple[Repo, str, str]:
    folder = WORK / f"draft-check-n{n}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    copy_site(ROOT, folder)
    write_site(folder / "content", n)
    repo = Repo.init(folder)
    who = ("-c", "user.name=Bench", "-c", "user.email=bench@localhost")
    repo.run(*who, "add", "--all")
    repo.run(*who, "commit", "--quiet", "-m", "situs")
    base = repo.rev_parse("HEAD") or ""
    item = extra_article()
    (folder / "content" / "articles" / f"{item.slug}.md").write_text(item.text, encoding="utf-8")
    repo.run(*who, "add", "--all")
    repo.run(*who, "commit", "--quiet", "-m", "satu artikel")
    return repo, base, repo.rev_parse("HEAD") or ""


def _timed(call: Callable[[], ChangeCheck]) -> tuple[float, ChangeCheck]:
    began = time.perf_counter()
    found = call()
    return time.perf_counter() - began, found


def _profiled(name: str, call: Callable[[], ChangeCheck]) -> None:
    profile = cProfile.Profile()
    profile.runcall(call)
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(12)
    print(f"-- cProfile: {name}\n{out.getvalue()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("TERBIT_LANG", "id")
    repo, base, head = _site(args.articles)
    print(f"== N = {args.articles} (load average {os.getloadavg()[0]:.1f})", flush=True)

    def whole() -> ChangeCheck:
        return check_change(Repo(repo.path), base, head, whole_tree=True)

    def by_change() -> ChangeCheck:
        return check_change(Repo(repo.path), base, head)

    def cold() -> ChangeCheck:
        cache_path(repo).unlink(missing_ok=True)
        return by_change()

    times: dict[str, list[float]] = {"whole tree": [], "by change, cache missing": [],
                                     "by change, cache warm": []}  # fmt: skip
    for _ in range(args.runs):
        for name, call in zip(times, (whole, cold, by_change), strict=True):
            spent, found = _timed(call)
            times[name].append(spent)
            said = (found.lines, [str(w) for w in found.warnings])
            if name == "whole tree":
                expected = said
            elif said != expected:
                raise SystemExit(f"{name}: {said} != {expected}")
    for name, values in times.items():
        print(f"  {name:<26} {statistics.median(values):6.2f} s "
              f"({min(values):.2f}–{max(values):.2f})")  # fmt: skip
    print(f"  (load average {os.getloadavg()[0]:.1f})")
    if args.profile:
        for name, call in zip(times, (whole, cold, by_change), strict=True):
            _profiled(name, call)


if __name__ == "__main__":
    main()
