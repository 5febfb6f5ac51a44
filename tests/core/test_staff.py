import pytest

from app.errors import AuthenticationFailed, InvalidInput, PermissionDenied
from app.models import Staff


def test_first_staff_must_be_a_manager(store):
    with pytest.raises(InvalidInput):
        store.staff.add(None, "レジ", "cashier", "1111")


def test_pins_are_stored_as_a_slow_hash(store, manager):
    with store.db.read() as s:
        stored = s.get(Staff, 1).pin_hash
    assert stored.startswith("scrypt$16384$") and "1234" not in stored


def test_wrong_pins_lock_the_staff_number(store, manager, clock):
    for _ in range(4):
        with pytest.raises(AuthenticationFailed) as exc:
            store.staff.authenticate(1, "0000")
        assert exc.value.code == "wrong_pin"
    with pytest.raises(AuthenticationFailed):
        store.staff.authenticate(1, "0000")  # the fifth wrong PIN locks
    with pytest.raises(AuthenticationFailed) as exc:
        store.staff.authenticate(1, "1234")  # even the right PIN, while locked
    assert exc.value.code == "locked"
    clock.advance(minutes=16)
    assert store.staff.authenticate(1, "1234").role == "manager"
    actions = [e.action for e in store.audit.entries(action="staff.")]
    assert "staff.locked" in actions and "staff.signin_locked" in actions


def test_unknown_staff_gets_the_same_message_as_a_wrong_pin(store, manager):
    with pytest.raises(AuthenticationFailed) as exc:
        store.staff.authenticate(99, "1234")
    assert exc.value.code == "wrong_pin"


@pytest.mark.parametrize("pin", ["12", "abcd", "123456789", ""])
def test_pin_format(store, pin):
    with pytest.raises(InvalidInput):
        store.staff.add(None, "店長", "manager", pin)


def test_cashier_cannot_add_staff_or_change_settings(store, cashier):
    with pytest.raises(PermissionDenied):
        store.staff.add(cashier, "New", "cashier", "1111")
    with pytest.raises(PermissionDenied):
        store.update_settings(cashier, void_window_minutes=120)


def test_manager_adds_cashiers_but_only_admin_adds_managers(store, manager):
    store.staff.add(manager, "レジ", "cashier", "2222")
    with pytest.raises(PermissionDenied):
        store.staff.add(manager, "副店長", "manager", "3333")


def test_audit_retention_never_below_30_days(store, manager):
    with pytest.raises(InvalidInput):
        store.update_settings(manager, audit_retention_days=7)
    store.update_settings(manager, audit_retention_days=30)
    assert store.setting("audit_retention_days") == 30


def test_settings_are_cached_after_a_commit_and_not_after_a_rollback(store, manager):
    from app.models import Setting
    from app.store import Store

    store.update_settings(manager, void_window_minutes=12, language="en")
    assert store.setting("void_window_minutes") == 12 and store.settings()["language"] == "en"
    with pytest.raises(RuntimeError):
        with store.db.write() as s:
            store.set_settings(s, void_window_minutes=99)
            raise RuntimeError("rolled back")
    assert store.setting("void_window_minutes") == 12
    with store.db.write() as s:  # a Setting this session loaded before the write is not left stale
        assert s.get(Setting, "language").value == '"en"'
        store.set_settings(s, language="ja")
        assert s.get(Setting, "language").value == '"ja"'
    assert store.setting("language") == "ja"
    fresh = Store(store.db, store.clock)  # what the table holds
    assert fresh.settings() == store.settings()
