"""A hand-computed month (November 2026) of completion records in a real repository."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.recordgen import make_records
from tests.support.compliance import NOVEMBER, OUTSIDE, ROOT


@pytest.fixture(scope="session")
def office_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Records 1–4 in November, 5 in October, 6 in December (ids '<n>-<sha>')."""
    root = tmp_path_factory.mktemp("office") / "repo"
    make_records(root, NOVEMBER + OUTSIDE, office=ROOT)
    return root
