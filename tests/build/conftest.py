"""A real site to build: the project's own settings, theme and pages, with synthetic articles."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from benchmarks.sitegen import make_site


def tree(folder: Path) -> dict[str, str]:
    """Every file of a built site, by relative path, as a digest of its bytes."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return make_site(tmp_path / "situs", 30)
