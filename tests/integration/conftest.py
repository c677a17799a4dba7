"""The stand-in venues, one per test module, reset before each test that asks for ``venues``."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# tests/standin is a plain directory package; pyproject's pythonpath does not list tests/.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from standin import StandIn


@pytest.fixture(scope="module")
def running_venues() -> Iterator[StandIn]:
    with StandIn() as running:
        yield running


@pytest.fixture
def venues(running_venues: StandIn) -> StandIn:
    running_venues.reset()
    return running_venues
