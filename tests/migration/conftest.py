"""Fixtures for paper-card migration and legacy imports: the shared store fixtures
(tests/store_fixtures.py: clock, db_path, store, manager, cashier), with a member who has a
birthday (for the duplicate checks), given as the Member row itself."""
import pytest


@pytest.fixture
def member(store, cashier):
    return store.members.register(cashier, "ヤマダハナコ", phone="090-1234-5678", birthday="1980-04-01",
                                  consent_marketing=True).member
