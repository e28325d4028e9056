"""Pushes to the embedded forge, each with its real server hooks (one Python per hook).

    .venv/bin/python -m benchmarks.push --changes 5

A demo office (server repository with hooks, a clone and key per person); each change is a draft
submitted with its nota dinas, three signed reviews and the admin's merge, every one a push the
server's ``pre-receive`` judges (and a merge's ``post-receive`` records; publishing off). Prints
the median wall time of each kind of push and its CPU time (this process and every child: git,
the hooks, ssh-keygen), which a loaded machine changes less: most of it is the hooks' start-up.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from pipeline.change.nota_dinas import template
from pipeline.cli.demo.office import create_office
from pipeline.forge.local.client import actions as client

ROOT = Path(__file__).resolve().parents[1]


def _cpu() -> float:
    """CPU seconds of this process and every finished child (git, the hooks, ssh-keygen)."""
    own, children = (resource.getrusage(who) for who in
                     (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))  # fmt: skip
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@contextmanager
def _timed(times: dict[str, list[float]], kind: str) -> Iterator[None]:
    started, cpu = time.perf_counter(), _cpu()
    yield
    times.setdefault(kind, []).append(time.perf_counter() - started)
    times.setdefault(f"{kind} cpu", []).append(_cpu() - cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=5)
    changes = parser.parse_args().changes
    for name, value in {"TERBIT_PUBLISH": "off", "TERBIT_NOTIFY": "off",
                        "TERBIT_PAGE_CHECK": "off"}.items():  # fmt: skip
        os.environ[name] = value
    with tempfile.TemporaryDirectory(prefix="terbit-bench-") as tmp:
        source = Path(tmp) / "source"
        source.mkdir()
        for name in ("sop.yml", "roles.yml"):
            (source / name).write_text((ROOT / name).read_text(encoding="utf-8"), "utf-8")
        (source / "terbit.yml").write_text("forge:\n  kind: local\n", encoding="utf-8")
        office = create_office(Path(tmp) / "office", source, seed_message="Isi awal")
        times: dict[str, list[float]] = {}
        for n in range(changes):
            forge = office.forge("rina")
            forge.sync()
            forge.repo.switch_new_branch(f"draft/uji-{n}", forge.base_tip())
            article = office.clone_path("rina") / "content" / "articles" / f"uji-{n}.md"
            article.parent.mkdir(parents=True, exist_ok=True)
            article.write_text(
                f"---\ntitle: Uji {n}\ndate: 2026-11-20\ncategory: Berita\nsummary: Uji.\n"
                f"author: rina\n---\nIsi {n}.\n",
                encoding="utf-8",
            )
            forge.repo.run("add", "--all")
            forge.repo.run("commit", "--quiet", "-m", f"Draf uji {n}")
            nota = template(nomor=f"ND-{n + 1}/LPZI/XI/2026", dari="Tim", hal="Uji",
                            tanggal=date(2026, 11, 28))  # fmt: skip
            with _timed(times, "submit"):
                change_id, _ = client.submit(forge, office.who("rina"), nota_text=nota)
            for who in ("sari", "andi", "sari"):
                reviewer = office.forge(who)
                with _timed(times, "review"):
                    client.review(reviewer, office.who(who), change_id, "approve", "")
            admin = office.forge("dewi")
            with _timed(times, "merge"):
                client.merge(admin, office.who("dewi"), change_id)
        for kind, values in times.items():
            middle, low, high = statistics.median(values), min(values), max(values)
            print(
                f"{kind:11} median {middle:.2f} s  min {low:.2f}  max {high:.2f}  ({len(values)})"
            )


if __name__ == "__main__":
    main()
