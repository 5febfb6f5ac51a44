"""A cashier is refused every manager action at the service level, even when calling directly."""
import uuid
from datetime import timedelta

import pytest

from app.errors import PermissionDenied
from app.models import Conflict
from app.services.customers import CustomerFilter
from app.clock import iso


@pytest.fixture
def member_id(store, cashier):
    return store.members.register(cashier, "ヤマダハナコ", phone="090-1234-5678").member.id


def test_cashier_cannot_adjust(store, cashier, member_id):
    with pytest.raises(PermissionDenied):
        store.ledger.adjust(cashier, member_id, 100, "お詫び", uuid.uuid4())


def test_cashier_cannot_export(store, cashier, member_id, tmp_path):
    with pytest.raises(PermissionDenied):
        store.customers.export_csv(cashier, CustomerFilter(), ["member_no", "phone"], tmp_path / "x.csv")
    assert not (tmp_path / "x.csv").exists()


def test_cashier_cannot_void_late_but_a_manager_can(store, cashier, manager, member_id, clock):
    e = store.ledger.earn(cashier, member_id, 3000, uuid.uuid4())
    clock.advance(minutes=31)
    with pytest.raises(PermissionDenied) as exc:
        store.ledger.void(cashier, e.entry_id, uuid.uuid4())
    assert exc.value.code == "void_window_passed"
    res = store.ledger.void(manager, e.entry_id, uuid.uuid4(), reason="late void")
    assert res.kind == "void" and res.balance == 0


def test_cashier_cannot_acknowledge_conflicts(store, cashier, manager, member_id):
    with store.db.write() as s:
        c = Conflict(kind="overdraft", created_at=iso(store.now()), member_id=member_id,
                     details={"points": 300}, status="open")
        s.add(c)
        s.flush()
        cid = c.id
    with pytest.raises(PermissionDenied):
        store.conflicts.acknowledge(cashier, cid)
    assert store.conflicts.open_count() == 1
    v = store.conflicts.acknowledge(manager, cid, action="contacted", note="電話済み")
    assert v.status == "resolved" and v.details["resolution"]["action"] == "contacted"
    assert store.conflicts.open_count() == 0
    assert store.audit.entries(action="conflict.acknowledge")[0].staff_id == manager.staff_id


def test_cashier_cannot_generate_or_read_reports(store, cashier):
    from datetime import date

    for call in (lambda: store.reports.generate_daily(cashier, date(2026, 11, 16)),
                 lambda: store.reports.generate_monthly(cashier, "2026-10"),
                 lambda: store.reports.list(cashier),
                 lambda: store.reports.get(cashier, "daily", "2026-11-16")):
        with pytest.raises(PermissionDenied):
            call()


def test_cashier_cannot_open_the_manager_screens(store, cashier, qtbot):
    from ui.manager import open_manager

    with pytest.raises(PermissionDenied):
        open_manager(None, store, cashier)
