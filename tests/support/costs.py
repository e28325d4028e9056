"""A pytest plugin that counts the suite's repeated setup, for docs/benchmarks.md::

    TERBIT_COSTS=/tmp/costs.tsv .venv/bin/python -m pytest tests/forge -n 0 -p tests.support.costs
    .venv/bin/python -m tests.support.costs /tmp/costs.tsv

Off unless TERBIT_COSTS names the file. Each row: what, seconds (or empty), the test running.
Counted: offices created (``create_office``, timed) and Pelican builds run by the test process
itself, the test process's argon2 password hashes and checks and its loads of the web app's
signing keys (all timed); ssh-keygen runs by kind (key generation, signature, verification)
and Chromium launches of the test process and of every process it starts (the server's hooks, a
publication), through wrappers put first on PATH and in TERBIT_CHROMIUM. Not counted: the
builds of the isolated build worker (``python -I`` ignores the environment). Measurement only.
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


def _log(log: Path, kind: str, seconds: float) -> None:
    with log.open("a") as out:
        out.write(f"{kind}\t{seconds:.3f}\t{os.environ.get(TEST, '')}\n")


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
    os.environ["PATH"] = f"{folder / 'bin'}{os.pathsep}{os.environ['PATH']}"
    if (folder / "bin" / "chromium").exists():
        os.environ["TERBIT_CHROMIUM"] = str(folder / "bin" / "chromium")
    from pelican import Pelican

    from pipeline.cli.demo import office

    run = Pelican.run

    def build(self: Pelican) -> None:
        start = time.perf_counter()
        try:
            run(self)
        finally:
            _log(log, "pelican", time.perf_counter() - start)

    Pelican.run = build  # type: ignore[method-assign]

    create = office.create_office

    def timed(*args: object, **kwargs: object) -> office.Office:
        start = time.perf_counter()
        try:
            return create(*args, **kwargs)  # type: ignore[arg-type]
        finally:
            _log(log, "office", time.perf_counter() - start)

    office.create_office = timed  # type: ignore[assignment]

    from argon2 import PasswordHasher

    for name in ("hash", "verify"):
        _time_method(log, PasswordHasher, name, f"argon2-{name}")
    from pipeline.web import keys

    # The web app's stored signing keys, each unlocked through its passphrase's KDF.
    _time_method(log, keys, "load_ssh_private_key", "key-load")


def _time_method(log: Path, owner: object, name: str, kind: str) -> None:
    real = getattr(owner, name)

    def timed(*args: object, **kwargs: object) -> object:
        start = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            _log(log, kind, time.perf_counter() - start)

    setattr(owner, name, timed)


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
