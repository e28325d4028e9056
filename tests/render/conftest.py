"""A real site to build: the project's own settings, theme and pages, with synthetic articles."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.sitegen import make_site
from tests.support.forks import ForkLog


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return make_site(tmp_path / "situs", 30)


@pytest.fixture
def fork_log() -> ForkLog:
    return ForkLog()
