from datetime import datetime, timezone

import pytest

from app.services.setup import init_store
from app.store import Store


class FixedClock:
    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock():
    # Saturday 2026/11/21 10:05 JST: the default rule set's Saturday campaign applies.
    return FixedClock(datetime(2026, 11, 21, 1, 5, tzinfo=timezone.utc))


@pytest.fixture
def store(tmp_path, clock):
    s = Store.open(tmp_path / "store.sqlite", clock=clock)
    init_store(s, "S001")
    yield s
    s.close()


@pytest.fixture
def cashier(store):
    store.staff.add(None, "店長", "manager", "1234")
    return store.staff.authenticate(1, "1234")


@pytest.fixture
def member(store, cashier):
    return store.members.register(cashier, "ヤマダハナコ", phone="090-1234-5678", consent_marketing=True)
