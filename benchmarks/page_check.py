"""The server's review-time page check of one change (issue 15 §5) on the sample site.

    .venv/bin/python -m benchmarks.page_check --runs 3

A Git repository with this checkout's site (content, theme, settings) is main; each run adds one
article on a new head and checks it as the server does after a push (``publication.pagecheck``:
the site built as the change lands, the changed page and the home page in Chromium, the same
pages on main's build). The first run builds main too ("cold"); the later ones find main's build
kept ("warm", the usual case: main moves far less often than changes do). Wall time per run.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from pipeline.hooks.install import copy_site
from pipeline.publication.pagecheck import _check
from pipeline.vcs import Repo

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory(prefix="terbit-bench-") as tmp:
        work = Path(tmp) / "site"
        work.mkdir()
        repo = Repo.init(work)
        repo.config("user.name", "Bench")
        repo.config("user.email", "bench@example.invalid")
        copy_site(ROOT, work)
        repo.run("add", "--all")
        repo.run("commit", "--quiet", "-m", "main")
        main_sha = repo.rev_parse("HEAD") or ""
        times = []
        for n in range(runs + 1):
            repo.run("checkout", "--quiet", "-B", f"change-{n}", main_sha)
            (work / "content" / "articles" / f"uji-{n}.md").write_text(
                f"---\ntitle: Uji {n}\ndate: 2026-11-20\ncategory: Berita\nsummary: Uji.\n"
                f"author: rina\n---\nIsi [beranda](/).\n"
            )
            repo.run("add", "--all")
            repo.run("commit", "--quiet", "-m", f"uji {n}")
            head = repo.rev_parse("HEAD") or ""
            started = time.perf_counter()
            data = _check(repo, Path(tmp) / "checks", main_sha, head, "content")
            took = time.perf_counter() - started
            assert not data["new"], data["new"]
            print(
                f"{'cold' if n == 0 else 'warm'} run {n}: {took:.2f} s, {len(data['pages'])} pages"
            )
            if n:
                times.append(took)
        if times:
            print(f"warm median {statistics.median(times):.2f} s (min {min(times):.2f}, "
                  f"max {max(times):.2f}) over {len(times)} runs")  # fmt: skip


if __name__ == "__main__":
    main()
