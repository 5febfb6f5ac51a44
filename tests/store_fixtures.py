"""The store fixtures written once: a real SQLite store in tmp_path on a controllable clock, a
manager, a cashier and a registered member. Registered for the whole suite as a pytest plugin by
tests/conftest.py; tests/core, tests/migration, tests/manager and tests/printing use them as they
are or override one of them in their conftest (a directory's conftest wins over a plugin, and an
override may ask for the fixture it overrides by its own name).

Fixtures: clock, db_path, store, manager, cashier, member. Directories that have their own
(tests/ui, tests/privacy, the HQ ones) keep theirs."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from app.services.setup import init_store
from app.store import Store

# A Tuesday, 10:00 JST: the default rule set's Saturday campaign does not apply unless a test
# moves there.
TUESDAY = datetime(2026, 11, 17, 1, 0, tzinfo=timezone.utc)
MANAGER_PIN = "1234"
CASHIER_PIN = "5678"


class FakeClock:
    """A controllable clock: tests move time forward explicitly (`advance`, or set `now`)."""

    def __init__(self, start: datetime = TUESDAY):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw) -> None:
        self.now += timedelta(**kw)


@pytest.fixture
def clock():
    return FakeClock(TUESDAY)


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
    """The store's first staff member (id 1), a manager, signed in."""
    store.staff.add(None, "店長", "manager", MANAGER_PIN)
    return store.staff.authenticate(1, MANAGER_PIN)


@pytest.fixture
def cashier(store, manager):
    staff = store.staff.add(manager, "レジ", "cashier", CASHIER_PIN)
    return store.staff.authenticate(staff.id, CASHIER_PIN)


@pytest.fixture
def member(store, cashier):
    """The registration result (`.member`, `.code`) of ヤマダハナコ with a phone and marketing consent."""
    return store.members.register(cashier, "ヤマダハナコ", phone="090-1234-5678", consent_marketing=True)
