"""Fixtures for the gate tests; the builders live in gate_support.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from gate_support import ROOT, demo_change

from pipeline.change.model import Change, Review
from pipeline.config.roles import Roles, load_roles
from pipeline.config.sop import Sop, load_sop


@pytest.fixture(scope="session")
def roles() -> Roles:
    return load_roles((ROOT / "roles.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def sop(roles: Roles) -> Sop:
    return load_sop((ROOT / "sop.yml").read_text(encoding="utf-8"), known_roles=roles.titles)


@pytest.fixture
def change() -> Change:
    return demo_change()


@pytest.fixture
def with_reviews() -> Callable[..., Change]:
    def make(*reviews: Review, **changes: object) -> Change:
        return replace(demo_change(), reviews=list(reviews), **changes)

    return make
