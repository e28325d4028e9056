"""A real office for the forge tests: server repository with hooks, keys and clones per person.

Creating one costs a few seconds (five ed25519 keys, six repositories), so each test module
shares one office (module scope, one xdist group per module) and every test opens its own change;
and the office is built once per run and copied for each module (tests/support/offices.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from pipeline.cli.demo.office import Office
from tests.support.forge import COUNTER, Kit
from tests.support.offices import plain_office


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Office]:
    saved = os.environ.get("TERBIT_PUBLISH")
    os.environ["TERBIT_PUBLISH"] = "off"  # publishing has its own tests
    try:
        yield plain_office(tmp_path_factory)
    finally:
        if saved is None:
            os.environ.pop("TERBIT_PUBLISH", None)
        else:
            os.environ["TERBIT_PUBLISH"] = saved


@pytest.fixture
def kit(office: Office) -> Kit:
    return Kit(office, counter=next(COUNTER) * 100)
