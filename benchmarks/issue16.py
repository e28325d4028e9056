"""Issue 16's four figures from one command, each against its target, with Hugo in the same run.

    .venv/bin/python -m benchmarks.issue16 --articles 5000 --runs 3

Runs, one after the other (each prints its own lines first): the warm build benchmark
(``benchmarks.warm``: P1' against Hugo's rebuild, and the memory of the warm process against a
cold build's), the end-to-end publication (``benchmarks.publication``: P3) and the record's
growth of the repository (``benchmarks.record_size``: P4). Then a summary: each figure, its
target and whether it is met. Results also go to ``benchmarks/.work/issue16.json``. About 4
minutes at 5,000 articles and 3 rounds on a 2-core machine (4 December).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics

from benchmarks import publication, record_size, warm
from benchmarks.build import WORK, hugo_binary, snapshot_code

P1_TARGET = 0.25  # the warm one-article build against Hugo's rebuild
MEMORY_TARGET = 2.0  # the warm process's peak against a cold build's


def _row(name: str, value: str, target: str, met: bool | None) -> None:
    verdict = {True: "tercapai / met", False: "belum / not met", None: "-"}[met]
    print(f"  {name:<44} {value:>12}  target {target:<10} {verdict}", flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.issue16", description=__doc__)
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    WORK.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("TERBIT_LANG", "id")
    snapshot_code()
    hugo = hugo_binary()
    built = warm.bench_size(args.articles, args.runs, hugo)
    published = publication.bench(args.articles, args.runs)
    grown = record_size.measure()
    ratios = built["ratios"]
    p1 = ratios.get("P1' hangat / hugo +1")
    memory = ratios["puncak memori hangat / baru"]
    p3 = statistics.median(published["p3_s"])
    print(f"== Isu 16 / Issue 16: N = {args.articles}, {args.runs} putaran / rounds")
    if p1 is None:
        _row("P1' build hangat / Hugo (+1 artikel)", "tanpa Hugo", f"<= {P1_TARGET}×", None)
    else:
        _row("P1' build hangat / Hugo (+1 artikel)", f"{p1:.2f}×", f"<= {P1_TARGET}×",
             p1 <= P1_TARGET)  # fmt: skip
    _row("P3 push merge -> catatan di main (median)", f"{p3:.2f} s",
         f"<= {publication.TARGET_S:.0f} s", p3 <= publication.TARGET_S)  # fmt: skip
    _row("P4 pertumbuhan repositori per catatan", f"{grown['pack_bytes']:,} B",
         f"<= {record_size.TARGET_BYTES:,}", grown["within_target"])  # fmt: skip
    _row("memori puncak hangat / build dingin", f"{memory:.2f}×", f"<= {MEMORY_TARGET}×",
         memory <= MEMORY_TARGET)  # fmt: skip
    identical = built["identical"]
    print(f"  identik byte-per-byte dengan build penuh: {identical['ok']} "
          f"({identical['files']} berkas)", flush=True)  # fmt: skip
    summary = {
        "n": args.articles, "runs": args.runs, "p1": p1, "p3_s": p3,
        "p4_bytes": grown["pack_bytes"], "memory": memory, "identical": identical,
        "warm": built, "publication": published, "record": grown,
    }  # fmt: skip
    (WORK / "issue16.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
