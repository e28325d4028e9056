"""A ``nice`` first on the PATH that writes how it was called, for the tests of the work a push
leaves running at a lower priority (``publication.priority.BACKGROUND_NICE``)."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest


def logging_nice(
    folder: Path, monkeypatch: pytest.MonkeyPatch, *, run: bool = True, delay: float = 0
) -> Path:
    """Put the logging ``nice`` on the PATH; its log file. With ``run`` it runs the command
    through the real ``nice`` (``delay`` seconds later) and writes ``done`` after; without, it
    starts nothing."""
    real = shutil.which("nice")
    assert real, "nice is part of coreutils"
    log = folder / "nice.log"
    script = folder / "bin" / "nice"
    script.parent.mkdir(parents=True, exist_ok=True)
    then = f'sleep {delay}\n"{real}" "$@"\necho "done $?" >> "{log}"\n' if run else "exit 0\n"
    script.write_text(f'#!/bin/sh\necho "$*" >> "{log}"\n{then}')
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{script.parent}{os.pathsep}{os.environ['PATH']}")
    return log


def wait_for(log: Path, text: str, seconds: float = 60) -> list[str]:
    """The log's lines once one contains ``text`` (bounded)."""
    end = time.monotonic() + seconds
    while True:
        lines = log.read_text().splitlines() if log.exists() else []
        if any(text in line for line in lines):
            return lines
        assert time.monotonic() < end, f"no {text!r} in {lines}"
        time.sleep(0.05)
