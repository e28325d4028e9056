"""Fixtures for the gate tests; the builders live in tests/support/gate.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from pipeline.change.model import Change, Review
from pipeline.config.roles import Roles, load_roles
from pipeline.config.sop import Sop, load_sop
from tests.support.gate import ROOT, demo_change


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
