"""A pytest plugin that counts the suite's repeated setup, for docs/benchmarks.md::

    TERBIT_COSTS=/tmp/costs.tsv .venv/bin/python -m pytest tests/forge -n 0 -p tests.support.costs
    .venv/bin/python -m tests.support.costs /tmp/costs.tsv

Off unless TERBIT_COSTS names the file. Each row: what, seconds (or empty), the test running.
Counted in the test process and in every process it starts (the server's hooks, a publication):
offices created (``create_office``, timed), ssh-keygen by kind (key generation, signature,
verification), Chromium launches, and Pelican builds (timed). The processes started are found
through wrappers put first on PATH and TERBIT_CHROMIUM, and a ``sitecustomize`` on PYTHONPATH
that times ``Pelican.run`` when a process imports Pelican; measurement only, never in CI.
"""

from __future__ import annotations

import collections
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pytest

LOG = "TERBIT_COSTS"
TEST = "TERBIT_COSTS_TEST"

_SH = """#!/bin/sh
case "$*" in {cases} esac
printf '%s\\t\\t%s\\n' "$kind" "$TERBIT_COSTS_TEST" >> "$TERBIT_COSTS"
exec {real} "$@"
"""
_KEYGEN_CASES = (
    '*"-Y sign"*) kind=sign ;; *"-Y verify"*) kind=verify ;; *" -t "*) kind=keygen ;; '
    '*) kind="ssh-keygen $1 $2" ;;'
)

# Imported by every Python the tests start: times Pelican.run once Pelican is imported.
_SITE = """
import os, sys, time, importlib.abc, importlib.util

def _log(kind, seconds):
    with open(os.environ["TERBIT_COSTS"], "a") as out:
        out.write(f"{kind}\\t{seconds:.3f}\\t{os.environ.get('TERBIT_COSTS_TEST', '')}\\n")

class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name != "pelican":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        loader = spec.loader
        real_exec = loader.exec_module

        def exec_module(module):
            real_exec(module)
            run = module.Pelican.run

            def timed(self, *a, **k):
                start = time.perf_counter()
                try:
                    return run(self, *a, **k)
                finally:
                    _log("pelican", time.perf_counter() - start)

            module.Pelican.run = timed

        loader.exec_module = exec_module
        return spec

if os.environ.get("TERBIT_COSTS"):
    sys.meta_path.insert(0, _Finder())
"""


def _install(log: Path) -> None:
    folder = Path(tempfile.mkdtemp(prefix="terbit-costs-"))
    for name, real, cases in (
        ("ssh-keygen", shutil.which("ssh-keygen"), _KEYGEN_CASES),
        ("chromium", os.environ.get("TERBIT_CHROMIUM") or shutil.which("chromium"),
         "*) kind=chromium ;;"),
    ):  # fmt: skip
        if real:
            script = folder / "bin" / name
            script.parent.mkdir(exist_ok=True)
            script.write_text(_SH.format(cases=cases, real=real))
            script.chmod(0o755)
    (folder / "sitecustomize.py").write_text(_SITE)
    os.environ["PATH"] = f"{folder / 'bin'}{os.pathsep}{os.environ['PATH']}"
    if (folder / "bin" / "chromium").exists():
        os.environ["TERBIT_CHROMIUM"] = str(folder / "bin" / "chromium")
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(folder), os.environ.get("PYTHONPATH", "")) if p
    )
    sys.path.insert(0, str(folder))
    import sitecustomize  # noqa: F401  (this process too)

    from pipeline.cli.demo import office

    create = office.create_office

    def timed(*args: object, **kwargs: object) -> office.Office:
        start = time.perf_counter()
        try:
            return create(*args, **kwargs)  # type: ignore[arg-type]
        finally:
            with log.open("a") as out:
                seconds = time.perf_counter() - start
                out.write(f"office\t{seconds:.3f}\t{os.environ.get(TEST, '')}\n")

    office.create_office = timed  # type: ignore[assignment]


if os.environ.get(LOG) and __name__ != "__main__":  # on import: before the conftests import
    Path(os.environ[LOG]).write_text("")
    _install(Path(os.environ[LOG]))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    os.environ[TEST] = item.nodeid


def summary(rows: list[list[str]]) -> str:
    """Count and seconds of each kind, then by test module."""
    count: collections.Counter[str] = collections.Counter()
    seconds: collections.Counter[str] = collections.Counter()
    by_module: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for kind, spent, test in rows:
        count[kind] += 1
        seconds[kind] += float(spent or 0)
        by_module[test.split("::", 1)[0]][kind] += 1
    lines = [f"{kind:10} {n:6d}  {seconds[kind]:8.1f} s" for kind, n in count.most_common()]
    for module, kinds in sorted(by_module.items()):
        lines.append(f"  {module}: " + ", ".join(f"{k} {n}" for k, n in kinds.most_common()))
    return "\n".join(lines)


if __name__ == "__main__":
    text = Path(sys.argv[1]).read_text(encoding="utf-8")
    print(summary([line.split("\t") for line in text.splitlines() if line.count("\t") == 2]))
