"""How long attaching the SOP's data dukung takes on the embedded forge, end to end.

    .venv/bin/python -m benchmarks.data_dukung [--runs 3] [--sizes-kb 100 10240]

A demo office in a temporary folder (server with its hooks, one clone per person); for each size,
``--runs`` fresh changes by the staff member, each given one PDF of that size with
``terbit data-dukung``'s own code: judged, signed, pushed, judged again by the server's hook.
Prints the median, min and max seconds per size.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from pipeline.change.nota_dinas import template
from pipeline.cli.demo.office import create_office
from pipeline.forge.local.client import actions as client

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = (
    "---\ntitle: Uji {n}\ndate: 2026-11-20\ncategory: Berita\nsummary: Uji.\n"
    "author: rina\n---\nIsi.\n"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes-kb", type=int, nargs="+", default=[100, 10240])
    args = parser.parse_args()
    os.environ["TERBIT_PUBLISH"] = "off"
    work = Path(tempfile.mkdtemp(prefix="terbit-bench-dd-"))
    try:
        source = work / "sumber"
        source.mkdir()
        for name in ("sop.yml", "roles.yml", "terbit.yml"):
            shutil.copy(ROOT / name, source / name)
        office = create_office(work / "kantor", source, seed_message="Isi awal")
        forge, who = office.forge("rina"), office.who("rina")
        clone = office.clone_path("rina")
        count = 0
        for size_kb in args.sizes_kb:
            pdf = b"%PDF-1.4\n" + os.urandom(size_kb * 1024 - 16) + b"\n%%EOF\n"
            times = []
            for _ in range(args.runs):
                count += 1
                forge.sync()
                forge.repo.switch_new_branch(f"draft/uji-{count}", forge.base_tip())
                path = clone / "content" / "articles" / f"uji-{count}.md"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(ARTICLE.format(n=count), encoding="utf-8")
                forge.repo.run("add", "--all")
                forge.repo.run("commit", "--quiet", "-m", f"Uji {count}")
                nota = template(nomor=f"ND-{count}/LPZI/XI/2026", dari="Tim", hal="Uji",
                                tanggal=date(2026, 11, 28))  # fmt: skip
                change_id, _ = client.submit(forge, who, nota_text=nota)
                start = time.perf_counter()
                client.attach(forge, who, change_id, [(f"uji-{count}.pdf", pdf)])
                times.append(time.perf_counter() - start)
            print(
                f"{size_kb} KB: median {statistics.median(times):.2f} s "
                f"(min {min(times):.2f}, max {max(times):.2f}, {args.runs} runs)"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
