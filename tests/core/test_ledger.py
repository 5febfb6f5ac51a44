import uuid
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from app.errors import InvalidInput, LedgerRefused, NotFound, PermissionDenied
from app.models import AuditEntry, LedgerEntry, Lot, Member, Outbox


def key():
    return str(uuid.uuid4())


def check_invariants(store):
    """balance == sum(ledger) == sum(remaining lots) >= 0 for every member."""
    with store.db.read() as s:
        for m in s.scalars(select(Member)):
            ledger = s.scalar(select(func.coalesce(func.sum(LedgerEntry.points), 0)).where(LedgerEntry.member_id == m.id))
            lots = s.scalar(select(func.coalesce(func.sum(Lot.remaining), 0)).where(Lot.member_id == m.id))
            assert m.balance == ledger == lots >= 0, (m.balance, ledger, lots)


def test_earn_prices_with_the_rules_and_writes_everything_in_one_transaction(store, member, cashier):
    res = store.ledger.earn(cashier, member.member.id, 1234, key())
    assert res.points == 12 and res.balance == 12 and res.pending == 12
    assert res.breakdown[0]["label"] == "Base: ¥1,234 → 12 pt"
    assert res.rule_set_version == "2026.1"
    with store.db.read() as s:
        entry = s.scalars(select(LedgerEntry).where(LedgerEntry.id == res.entry_id)).one()
        assert (entry.staff_id, entry.terminal_id, entry.store_id) == (cashier.staff_id, "T01", "S001")
        assert s.scalars(select(Outbox).where(Outbox.event_id == res.entry_id)).one().type == "ledger.earn"
        assert s.scalars(select(AuditEntry).where(AuditEntry.object_id == res.entry_id)).one().action == "ledger.earn"
        lot = s.scalars(select(Lot).where(Lot.entry_id == res.entry_id)).one()
        assert lot.expires_at.startswith("2027-11-17T14:59:59")  # 12 months, end of the JST day
    check_invariants(store)


def test_the_day_at_the_counter_saturday_gold_example(store, member, cashier, manager, clock):
    # Make her gold (annual spend >= 100,000) on a weekday, then buy ¥3,480 on a Saturday.
    store.ledger.earn(cashier, member.member.id, 100_000, key())
    clock.now = datetime(2026, 11, 21, 1, 0, tzinfo=timezone.utc)  # Saturday 10:00 JST
    res = store.ledger.earn(cashier, member.member.id, 3480, key())
    assert res.points == 102
    assert [line["kind"] for line in res.breakdown] == ["base", "campaign", "tier"]


def test_replaying_a_key_returns_the_original_and_changes_nothing(store, member, cashier):
    k = key()
    first = store.ledger.earn(cashier, member.member.id, 5000, k)
    again = store.ledger.earn(cashier, member.member.id, 5000, k)
    assert again.replayed and again.entry_id == first.entry_id and again.balance == first.balance == 50
    with pytest.raises(LedgerRefused) as exc:
        store.ledger.earn(cashier, member.member.id, 9999, k)  # same key, different request
    assert exc.value.code == "key_reused"
    with store.db.read() as s:
        assert s.scalar(select(func.count()).select_from(LedgerEntry)) == 1
        assert s.scalar(select(func.count()).select_from(Outbox).where(Outbox.type.like("ledger.%"))) == 1


def test_redeem_consumes_the_lots_that_expire_first(store, member, cashier, clock):
    a = store.ledger.earn(cashier, member.member.id, 10_000, key())  # 100 pt, expires first
    clock.advance(days=40)
    b = store.ledger.earn(cashier, member.member.id, 10_000, key())  # 100 pt, later
    store.ledger.redeem(cashier, member.member.id, 150, key())
    with store.db.read() as s:
        lots = {lot.entry_id: lot.remaining for lot in s.scalars(select(Lot))}
    assert lots == {a.entry_id: 0, b.entry_id: 50}
    check_invariants(store)


def test_void_of_a_redeem_returns_points_to_their_lots(store, member, cashier):
    a = store.ledger.earn(cashier, member.member.id, 10_000, key())
    r = store.ledger.redeem(cashier, member.member.id, 60, key(), bill_yen=1980)
    assert r.balance == 40
    v = store.ledger.void(cashier, r.entry_id)
    assert v.balance == 100 and v.reverses_id == r.entry_id and v.points == 60
    assert {lot.entry_id: lot.remaining for lot in store.ledger.lots(member.member.id)} == {a.entry_id: 100}
    history = [e.kind for e in store.ledger.history(member.member.id)]
    assert history == ["void", "redeem", "earn"]  # both entries stay: a reversal, never a deletion
    check_invariants(store)


def test_void_refusals(store, member, cashier, manager, clock):
    e = store.ledger.earn(cashier, member.member.id, 10_000, key())
    v = store.ledger.void(cashier, e.entry_id)
    with pytest.raises(LedgerRefused) as exc:
        store.ledger.void(cashier, e.entry_id)
    assert exc.value.code == "already_voided"
    with pytest.raises(LedgerRefused) as exc:
        store.ledger.void(cashier, v.entry_id)
    assert exc.value.code == "void_of_void"
    with pytest.raises(NotFound):
        store.ledger.void(cashier, str(uuid.uuid4()))
    late = store.ledger.earn(cashier, member.member.id, 10_000, key())
    clock.advance(minutes=31)
    with pytest.raises(PermissionDenied) as exc:
        store.ledger.void(cashier, late.entry_id)
    assert exc.value.code == "void_window_passed"
    assert store.ledger.void(manager, late.entry_id, reason="customer complaint").points == -100
    check_invariants(store)


def test_void_of_an_earn_whose_points_were_spent_is_refused(store, member, cashier):
    e = store.ledger.earn(cashier, member.member.id, 10_000, key())
    store.ledger.redeem(cashier, member.member.id, 10, key())
    with pytest.raises(LedgerRefused) as exc:
        store.ledger.void(cashier, e.entry_id)
    assert exc.value.code == "points_already_used"
    check_invariants(store)


def test_void_window_is_configurable(store, member, cashier, manager, clock):
    store.update_settings(manager, void_window_minutes=5)
    e = store.ledger.earn(cashier, member.member.id, 1000, key())
    clock.advance(minutes=6)
    with pytest.raises(PermissionDenied):
        store.ledger.void(cashier, e.entry_id)


@pytest.mark.parametrize("points, bill, code", [
    (0, None, "out_of_range"),
    (101, None, "insufficient_balance"),
    (100, 50, "over_bill_cap"),
])
def test_redeem_refusals(store, member, cashier, points, bill, code):
    store.ledger.earn(cashier, member.member.id, 10_000, key())
    with pytest.raises((LedgerRefused, InvalidInput)) as exc:
        store.ledger.redeem(cashier, member.member.id, points, key(), bill_yen=bill)
    assert exc.value.code == code
    assert store.ledger.balance(member.member.id)["balance"] == 100


@pytest.mark.parametrize("amount", [0, -5, "abc", 10**12])
def test_bad_amounts_are_refused(store, member, cashier, amount):
    with pytest.raises(InvalidInput):
        store.ledger.earn(cashier, member.member.id, amount, key())


def test_bad_key_is_refused(store, member, cashier):
    with pytest.raises(InvalidInput) as exc:
        store.ledger.earn(cashier, member.member.id, 1000, "not-a-uuid")
    assert exc.value.code == "bad_key"


def test_adjust_is_for_managers_with_a_reason(store, member, cashier, manager):
    with pytest.raises(PermissionDenied):
        store.ledger.adjust(cashier, member.member.id, 100, "complaint", key())
    with pytest.raises(InvalidInput) as exc:
        store.ledger.adjust(manager, member.member.id, 100, "  ", key())
    assert exc.value.code == "reason_required"
    assert store.ledger.adjust(manager, member.member.id, 100, "complaint", key(), note="cold coffee").balance == 100
    assert store.ledger.adjust(manager, member.member.id, -30, "mistake", key()).balance == 70
    with pytest.raises(LedgerRefused):
        store.ledger.adjust(manager, member.member.id, -71, "too much", key())
    check_invariants(store)


def test_points_expire_after_twelve_months(store, member, cashier, clock):
    store.ledger.earn(cashier, member.member.id, 10_000, key())
    clock.advance(days=201)  # a Wednesday: no double-points campaign
    store.ledger.earn(cashier, member.member.id, 5_000, key())
    clock.advance(days=169)  # the first lot is past its date, the second is not
    result = store.ledger.expire()
    assert result == {"members": 1, "points": 100}
    assert store.ledger.expire() == {"members": 0, "points": 0}  # idempotent
    assert store.ledger.balance(member.member.id)["balance"] == 50
    with pytest.raises(LedgerRefused):
        store.ledger.redeem(cashier, member.member.id, 51, key())
    check_invariants(store)


def test_redeem_expires_due_points_first(store, member, cashier, clock):
    store.ledger.earn(cashier, member.member.id, 10_000, key())
    clock.advance(days=400)
    with pytest.raises(LedgerRefused) as exc:
        store.ledger.redeem(cashier, member.member.id, 10, key())
    assert exc.value.code == "insufficient_balance"
    check_invariants(store)


def test_coupon_use_once_and_expiry(store, member, cashier, manager, clock):
    coupon = store.coupons.issue(manager, member.member.id, "win-back-500")
    assert [c.id for c in store.coupons.available(member.member.id)] == [coupon.id]
    res = store.coupons.use(cashier, coupon.id, key())
    assert res.points == 500 and res.balance == 500
    with pytest.raises(LedgerRefused) as exc:
        store.coupons.use(cashier, coupon.id, key())
    assert exc.value.code == "coupon_used"
    store.ledger.void(cashier, res.entry_id)  # a voided coupon use gives the coupon back
    assert [c.id for c in store.coupons.available(member.member.id)] == [coupon.id]
    clock.advance(hours=49)
    with pytest.raises(LedgerRefused) as exc:
        store.coupons.use(cashier, coupon.id, key())
    assert exc.value.code == "coupon_expired"
    check_invariants(store)


def test_merged_member_redirects_and_deleted_member_is_refused(store, member, cashier):
    other = store.members.register(cashier, "ヤマダ").member
    with store.db.write() as s:
        dup = s.get(Member, other.id)
        dup.status, dup.merged_into = "merged", member.member.id
    res = store.ledger.earn(cashier, other.id, 1000, key())
    assert res.member_id == member.member.id
    with store.db.write() as s:
        s.get(Member, member.member.id).status = "deleted"
    with pytest.raises(NotFound) as exc:
        store.ledger.earn(cashier, member.member.id, 1000, key())
    assert exc.value.code == "member_deleted"


def test_last_voidable_is_this_terminals_latest_action(store, member, cashier):
    a = store.ledger.earn(cashier, member.member.id, 1000, key())
    b = store.ledger.redeem(cashier, member.member.id, 5, key())
    assert store.ledger.last_voidable().id == b.entry_id
    store.ledger.void(cashier, b.entry_id)
    assert store.ledger.last_voidable().id == a.entry_id
