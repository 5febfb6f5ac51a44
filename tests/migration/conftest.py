"""Fixtures for paper-card migration and legacy imports: a real store in tmp_path (the pattern of
tests/core/conftest.py)."""
from datetime import datetime, timedelta, timezone

import pytest

from app.services.setup import init_store
from app.store import Store


class FakeClock:
    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw) -> None:
        self.now += timedelta(**kw)


@pytest.fixture
def clock():
    return FakeClock(datetime(2026, 11, 17, 1, 0, tzinfo=timezone.utc))


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "store.sqlite"


@pytest.fixture
def store(db_path, clock):
    s = Store.open(db_path, clock=clock)
    init_store(s, "S001")
    yield s
    s.close()


@pytest.fixture
def manager(store):
    store.staff.add(None, "店長", "manager", "1234")
    return store.staff.authenticate(1, "1234")


@pytest.fixture
def cashier(store, manager):
    staff = store.staff.add(manager, "レジ", "cashier", "5678")
    return store.staff.authenticate(staff.id, "5678")


@pytest.fixture
def member(store, cashier):
    return store.members.register(cashier, "ヤマダハナコ", phone="090-1234-5678", birthday="1980-04-01",
                                  consent_marketing=True).member
