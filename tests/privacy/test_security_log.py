"""Security events: append-only, hash-chained; tampering is detected."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest

from app.errors import AuthenticationFailed, PermissionDenied


def test_events_are_recorded_where_they_happen(day):
    store = day.store
    kinds = [e.kind for e in store.security.events()]
    assert "signin_failed" in kinds and "permission_denied" in kinds and "key.signing_created" in kinds
    for _ in range(5):
        with pytest.raises(AuthenticationFailed):
            store.staff.authenticate(day.cashier.staff_id, "0000")
    assert store.security.events("lockout")
    with pytest.raises(AuthenticationFailed):
        store.staff.authenticate(day.cashier.staff_id, "5678")
    assert store.security.events("signin_locked")
    with pytest.raises(PermissionDenied):  # raised inside a write transaction: recorded after it
        store.staff.add(day.cashier, "誰か", "cashier", "1111")
    denied = store.security.events("permission_denied")
    assert denied[0].details["action"] == "add a cashier"
    assert store.security.verify_chain() == []


def _raw(store):
    con = store.db.connect_raw()
    return con


def test_rows_cannot_be_updated_or_deleted_through_sql(day):
    con = _raw(day.store)
    from app.db import dbapi

    with pytest.raises(dbapi.IntegrityError):
        con.execute("UPDATE security_events SET kind = 'x' WHERE id = 1")
    with pytest.raises(dbapi.IntegrityError):
        con.execute("DELETE FROM security_events WHERE id = 1")
    con.close()


@pytest.mark.parametrize("tamper", ["update", "delete", "insert"])
def test_tampering_is_detected(day, tamper):
    store = day.store
    assert store.security.verify_chain() == []
    assert store.security.count() >= 3
    con = _raw(store)
    con.execute("DROP TRIGGER security_events_no_update")  # what someone with the key could do
    con.execute("DROP TRIGGER security_events_no_early_delete")
    if tamper == "update":
        con.execute("UPDATE security_events SET staff_id = 99 WHERE id = 2")
    elif tamper == "delete":
        con.execute("DELETE FROM security_events WHERE id = 2")
    else:
        con.execute("UPDATE security_events SET id = id + 1000 WHERE id >= 2")
        con.execute("INSERT INTO security_events (id, at, kind, details, prev_hash, hash) "
                    "SELECT 2, at, kind, details, prev_hash, hash FROM security_events WHERE id = 1")
    con.close()
    problems = store.security.verify_chain()
    assert problems, tamper
    assert any("2" in p for p in problems)


def test_retention_keeps_a_year_and_the_chain_verifies_after_pruning(day):
    store = day.store
    n = store.security.count()
    assert store.security.prune() == 0  # nothing is a year old
    assert store.security.count() == n
    day.clock.now = datetime(2027, 11, 18, tzinfo=timezone.utc)  # a year and a day later, by the store's clock
    con = store.db.connect_raw()
    from app.db import dbapi

    with pytest.raises(dbapi.IntegrityError):  # the trigger goes by the real date: still refused
        con.execute("DELETE FROM security_events WHERE id = 1")
    con.close()
    assert store.security.verify_chain() == []
