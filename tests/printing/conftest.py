"""Fixtures for printing: the shared store fixtures (tests/store_fixtures.py) on a Saturday, with
the store's manager at the till."""
from datetime import datetime, timezone

import pytest

from tests.store_fixtures import FakeClock


@pytest.fixture
def clock():
    # Saturday 2026/11/21 10:05 JST: the default rule set's Saturday campaign applies.
    return FakeClock(datetime(2026, 11, 21, 1, 5, tzinfo=timezone.utc))


@pytest.fixture
def cashier(manager):
    """The person at the till is the manager (staff 1, 店長): the receipts name them."""
    return manager
