"""Work a push leaves running after it returns (the e-mail of whoever waits next) runs at a
lower priority than a publication a merge may start at the same moment on the same two cores:
real hook scripts, a ``nice`` on the PATH that writes how it was called."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.publication.priority import BACKGROUND_NICE, low_priority
from tests.support.forge import Kit
from tests.support.nice import logging_nice, wait_for


def test_the_email_a_push_leaves_running_runs_at_a_lower_priority(
    kit: Kit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = logging_nice(tmp_path, monkeypatch, delay=3)
    monkeypatch.setenv("TERBIT_NOTIFY", "background")  # the office's default
    kit.submit()
    # The push did not wait for it (its output is not held open by the e-mail pass).
    assert "done" not in (log.read_text() if log.exists() else "")
    lines = wait_for(log, "done")  # the e-mail pass ended: nothing of it outlives the test
    started = [line for line in lines if "-m pipeline.hooks.notify" in line]
    assert started and started[0].startswith(f"-n {BACKGROUND_NICE} "), lines
    assert lines[-1] == "done 0"


def test_the_email_of_a_push_that_waits_for_it_keeps_its_priority(
    kit: Kit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = logging_nice(tmp_path, monkeypatch)
    monkeypatch.setenv("TERBIT_NOTIFY", "sync")  # the push returns after it
    kit.submit()
    assert not log.exists()


def test_low_priority_runs_a_command_nicer_by_the_background_step() -> None:
    shown = subprocess.run(
        low_priority([sys.executable, "-c", "import os; print(os.nice(0))"]),
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    assert int(shown.stdout) == os.nice(0) + BACKGROUND_NICE
