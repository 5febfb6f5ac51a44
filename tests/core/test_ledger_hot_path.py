"""The counter's fast path (Core statements, cached rule sets, index-only reads): the caches are
right when another process changes what they hold, and the shortcuts give the figures the long
way gives."""
import json
import uuid
from datetime import timedelta

from sqlalchemy import func, select

from app.models import LedgerEntry, Lot, Member
from app.rules import parse_rule_set, tier_for
from app.store import Store


def _double_base(store, version, valid_from):
    """The store's current rule set, as a new version that gives 2 pt per full ¥100."""
    data = json.loads(store.rules.current().model_dump_json())
    data.update(version=version, valid_from=valid_from.isoformat(), valid_to=None)
    data["base"]["points_per_unit"] = 2
    return parse_rule_set(data)


def test_a_rule_set_installed_by_another_process_prices_the_next_earn(store, member, cashier, clock, tmp_path):
    first = store.ledger.earn(cashier, member.member.id, 1000, uuid.uuid4())
    assert first.points == 10
    # Another Store on the same file (as the CLI or a sync run in another process would be).
    other = Store.open(store.db.path, clock=clock)
    try:
        with other.db.write() as s:
            other.rules.install(s, _double_base(other, "2026.2", clock.now - timedelta(minutes=1)))
    finally:
        other.close()
    second = store.ledger.earn(cashier, member.member.id, 1000, uuid.uuid4())
    assert (second.points, second.rule_set_version) == (20, "2026.2")
    assert store.ledger.quote(member.member.id, 1000).points == 20


def test_voided_earns_do_not_count_toward_the_tier(store, member, cashier, manager):
    """The 12-month spend comes from the member's earns less the voided ones (not a scan of the
    history): a big earn voided leaves the member where they were."""
    mid = member.member.id
    ranked = min(t.min_annual_spend_yen for t in store.rules.current().tiers if t.min_annual_spend_yen > 0)
    big = store.ledger.earn(cashier, mid, ranked, uuid.uuid4())
    store.ledger.void(cashier, big.entry_id)
    with store.db.read() as s:
        state = store.ledger.member_state(s, s.get(Member, mid), store.now())
    assert (state.annual_spend_yen, state.visits_12m) == (0, 0)
    small = store.ledger.earn(cashier, mid, 1000, uuid.uuid4())
    assert [line["kind"] for line in small.breakdown] == ["base"]  # no tier multiplier
    with store.db.read() as s:
        state = store.ledger.member_state(s, s.get(Member, mid), store.now())
        assert (state.annual_spend_yen, state.visits_12m) == (1000, 1)
        lowest = tier_for(store.rules.current(), 1000)
        assert s.get(Member, mid).tier == (lowest.id if lowest else None)


def test_results_carry_the_pending_points_and_the_rows_add_up(store, member, cashier, manager, clock):
    mid = member.member.id
    a = store.ledger.earn(cashier, mid, 5000, uuid.uuid4())
    b = store.ledger.redeem(cashier, mid, 20, uuid.uuid4())
    c = store.ledger.adjust(manager, mid, -5, "counted twice", uuid.uuid4())
    assert (a.pending, b.pending, c.pending) == (50, 30, 25)
    clock.advance(days=400)  # every lot past its date: the next action expires them first
    d = store.ledger.earn(cashier, mid, 300, uuid.uuid4())
    assert (d.points, d.balance, d.pending) == (3, 3, 3)
    with store.db.read() as s:
        m = s.get(Member, mid)
        ledger_sum = s.scalar(select(func.sum(LedgerEntry.points)).where(LedgerEntry.member_id == mid))
        lots_sum = s.scalar(select(func.sum(Lot.remaining)).where(Lot.member_id == mid))
        kinds = s.scalars(select(LedgerEntry.kind).where(LedgerEntry.member_id == mid).order_by(LedgerEntry.seq))
        assert m.balance == ledger_sum == lots_sum == 3
        assert list(kinds) == ["earn", "redeem", "adjust", "expire", "earn"]
        assert m.lifetime_spend_yen == 5300 and m.last_visit_at.startswith(clock.now.strftime("%Y-%m-%d"))


def test_settle_heap_moves_start_up_objects_out_of_the_collectors_way():
    """The app calls settle_heap() after its warm-up: a full collection then walks only what was
    made since, not every module, mapper and rule set (a ~50 ms pause inside a counter action)."""
    import gc

    from app.store import settle_heap

    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        settle_heap()
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()


def test_points_actions_update_only_the_member_columns_they_change(store, member, cashier):
    """SQLite rewrites the index entries of every column an UPDATE names, even to the same value:
    an earn that keeps the tier must not name the tier, a redemption not the lifetime spend. The
    row still ends with the right values."""
    from sqlalchemy import event

    statements: list[str] = []
    store.db.engine.dispose()  # the next connections get the trace

    @event.listens_for(store.db.engine, "connect")
    def _trace(dbapi_conn, _record):
        dbapi_conn.set_trace_callback(statements.append)

    mid = member.member.id
    store.ledger.earn(cashier, mid, 1000, uuid.uuid4())  # may set the first tier
    with store.db.read() as s:
        tier_before = s.get(Member, mid).tier
    statements.clear()
    store.ledger.earn(cashier, mid, 500, uuid.uuid4())
    updates = [q for q in statements if q.startswith("UPDATE members")]
    assert len(updates) == 1 and "tier" not in updates[0] and "balance" in updates[0], updates
    assert "lifetime_spend_yen" in updates[0]  # (the test clock stands still: last visit unchanged)

    statements.clear()
    store.ledger.redeem(cashier, mid, 5, uuid.uuid4())
    updates = [q for q in statements if q.startswith("UPDATE members")]
    assert len(updates) == 1 and "lifetime_spend_yen" not in updates[0] and "balance" in updates[0], updates
    with store.db.read() as s:
        row = s.get(Member, mid)
        assert (row.balance, row.lifetime_spend_yen, row.tier) == (10 + 5 - 5, 1500, tier_before)
