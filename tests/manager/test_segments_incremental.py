"""The incremental segment refresh: after the first (full) refresh, a refresh recomputes the 12-month
figures only of the members whose figures can have changed and rewrites only the rows that differ.
Each test books one kind of change after a refresh and checks the member's carried figures by hand
and the whole table against a full recomputation (fixture: conftest.seg_fixture, figures in
test_segments.py)."""
import random
import uuid
from datetime import timedelta

import pytest

from app.clock import iso, parse_iso
from app.models import LedgerEntry, Member, MemberSegment
from app.services.replica import ReplicaService
from app.services.segments import FULL_AFTER_DAYS

from .conftest import NOW, earn


def rows(store) -> dict:
    with store.db.read() as s:
        return {m.member_id: (m.rfm_r, m.rfm_f, m.rfm_m, m.visits_12m, m.spend_12m_yen, bool(m.vip),
                              bool(m.churn_risk), bool(m.win_back), tuple(m.segments))
                for m in s.query(MemberSegment)}


def figures(store, member_id) -> tuple:
    row = store.segments.of(member_id)
    return row.visits_12m, row.spend_12m_yen


def incremental_equals_full(store):
    """Refresh incrementally, then recompute everyone: the stored rows must be the same."""
    r = store.segments.refresh()
    assert store.segments.last_refresh_kind == "incremental"
    got = rows(store)
    full = store.segments.refresh(full=True)
    assert store.segments.last_refresh_kind == "full"
    assert got == rows(store)
    assert (r.counts, r.vip_threshold_yen, r.members) == (full.counts, full.vip_threshold_yen, full.members)
    return r


def test_first_refresh_is_full_then_incremental(store, seg_fixture):
    store.segments.refresh()
    assert store.segments.last_refresh_kind == "full"
    incremental_equals_full(store)


def test_an_earn_at_the_counter_is_counted(store, seg_fixture, cashier):
    store.segments.refresh()
    earn(store, cashier, seg_fixture["B"], 2000, 0)
    incremental_equals_full(store)
    assert figures(store, seg_fixture["B"]) == (2, 5000)


def test_a_void_takes_the_purchase_off(store, seg_fixture, manager):
    store.segments.refresh()
    with store.db.read() as s:
        big = s.query(LedgerEntry).filter_by(member_id=seg_fixture["A"], kind="earn", amount_yen=10000).one()
    store.ledger.void(manager, big.id, uuid.uuid4())
    incremental_equals_full(store)
    assert figures(store, seg_fixture["A"]) == (1, 2000)


def test_a_redeem_and_an_adjustment_leave_the_figures(store, seg_fixture, cashier, manager):
    store.segments.refresh()
    store.ledger.redeem(cashier, seg_fixture["A"], 10, uuid.uuid4())
    store.ledger.adjust(manager, seg_fixture["C"], 5, "お詫び", uuid.uuid4())
    incremental_equals_full(store)
    assert figures(store, seg_fixture["A"]) == (2, 12000)
    assert figures(store, seg_fixture["C"]) == (1, 6000)


def test_an_entry_pulled_from_hq_is_counted(store, seg_fixture):
    store.segments.refresh()
    at = iso(NOW - timedelta(days=3))
    ReplicaService(store).apply_changes([{"kind": "ledger", "data": {
        "entry_id": str(uuid.uuid4()), "member_id": seg_fixture["C"], "kind": "earn", "points": 40,
        "amount_yen": 4000, "store_id": "S002", "terminal_id": "T09", "created_at": at}}], "c1")
    incremental_equals_full(store)
    assert figures(store, seg_fixture["C"]) == (2, 10000)


def test_a_merge_moves_the_duplicates_figures_to_the_survivor(store, seg_fixture):
    store.segments.refresh()
    ReplicaService(store).apply_changes([{"kind": "member.merge", "data": {
        "duplicate": seg_fixture["B"], "survivor": seg_fixture["C"]}}], "c1")
    incremental_equals_full(store)
    assert figures(store, seg_fixture["C"]) == (2, 9000)
    assert store.segments.of(seg_fixture["B"]) is None


def test_an_earn_leaving_the_window_is_taken_off(store, seg_fixture, cashier, clock):
    # E's only purchase, 364 days ago, before the first refresh: two days later it is out of the window
    earn(store, cashier, seg_fixture["E"], 7000, 364)
    store.segments.refresh()
    assert figures(store, seg_fixture["E"]) == (1, 7000)
    clock.advance(days=2)
    incremental_equals_full(store)
    assert figures(store, seg_fixture["E"]) == (0, 0)


def test_days_and_churn_score_are_worked_out_when_read(store, seg_fixture, clock):
    store.segments.refresh()
    clock.advance(days=3)
    row = store.segments.of(seg_fixture["B"])  # 70 days at the refresh, 73 now; 1 visit
    # round(100 × min(1, 73/120) × (0.5 + 0.5 × 1/12)) = round(60.83 × 0.5417) = round(32.95) = 33
    assert (row.days_since_visit, row.churn_score) == (73, 33)
    with store.db.read() as s:
        stamps = {m.computed_at for m in s.query(MemberSegment)}
    assert stamps == {store.segments.last_run().computed_at}


def test_weeks_without_a_refresh_recompute_those_whose_earns_left_the_window(store, seg_fixture, cashier, clock):
    earn(store, cashier, seg_fixture["B"], 1000, 355)  # leaves the 12-month window 10 days from now
    store.segments.refresh()
    assert figures(store, seg_fixture["B"]) == (2, 4000)
    clock.advance(days=20)
    incremental_equals_full(store)
    assert figures(store, seg_fixture["B"]) == (1, 3000)


@pytest.mark.parametrize("days", [FULL_AFTER_DAYS + 1, -1])
def test_a_long_gap_or_going_back_recomputes_everyone(store, seg_fixture, clock, days):
    store.segments.refresh()
    clock.advance(days=days)
    store.segments.refresh()
    assert store.segments.last_refresh_kind == "full"


def test_random_changes_between_refreshes_agree_with_the_ledger(store, manager, cashier, clock):
    """Rounds of earns (some backdated), voids, redeems and a day or two passing, an incremental
    refresh after each: every member's 12-month figures equal the ledger's, computed in Python."""
    rng = random.Random(11)
    kana = "アイウエオカキクケコサシスセソ"
    ids = [store.members.register(cashier, kana[i % 15] + kana[i // 15] + "タ").member.id for i in range(45)]
    entries = []
    for mid in ids:
        for _ in range(rng.choice([0, 1, 2, 4])):
            entries.append(earn(store, cashier, mid, rng.choice([500, 1200, 8000]), rng.randrange(0, 380),
                                clock=clock))
    store.segments.refresh()
    for _ in range(6):
        for mid in rng.sample(ids, 8):
            entries.append(earn(store, cashier, mid, rng.choice([300, 2500]), rng.randrange(0, 370), clock=clock))
        for e in rng.sample(entries, 3):
            try:
                store.ledger.void(manager, e.entry_id, uuid.uuid4())
            except Exception:  # already voided, or its points spent
                pass
        for mid in rng.sample(ids, 3):
            try:
                store.ledger.redeem(cashier, mid, 1, uuid.uuid4())
            except Exception:  # no points
                pass
        clock.advance(days=rng.choice([0, 1, 2]))
        store.segments.refresh()
        assert store.segments.last_refresh_kind == "incremental"
        cut = clock.now - timedelta(days=365)
        with store.db.read() as s:
            ledger = s.connection().exec_driver_sql(
                "SELECT id, member_id, kind, amount_yen, created_at, reverses_id FROM ledger").all()
            active = {m.id for m in s.query(Member).filter(Member.status == "active")}
        voided = {e.reverses_id for e in ledger if e.kind == "void"}
        want = {mid: (0, 0) for mid in active}
        for e in ledger:
            if e.kind == "earn" and parse_iso(e.created_at) >= cut and e.id not in voided:
                v, y = want[e.member_id]
                want[e.member_id] = (v + 1, y + e.amount_yen)
        got = {mid: (r[3], r[4]) for mid, r in rows(store).items()}
        assert got == want
    incremental_equals_full(store)
