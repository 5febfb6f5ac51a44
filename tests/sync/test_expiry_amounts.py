"""A lot's expiry is booked under one id by whoever books it first: the counter (at the member's
visit, app/services/ledger.py) or HQ's expiry job (hq/jobs.py), each with the lot's remaining
points as it knew them. When a store expired a lot while it had not yet sent, or not yet pulled, a
redemption taken from that lot, the two amounts differ; HQ's stands and the store takes it
(ReplicaService._take_hq_expiry). Before, each side skipped the other's entry as already held and
the store stayed apart from HQ for good. HQ on uvicorn over loopback, store SQLite files."""
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from app.models import LedgerEntry
from hq import jobs
from hq.jobs import EXPIRE_NS  # the store's expiry ids too (app/services/ledger.py)
from hq.models import LedgerRow
from tests.sync.fixtures import hq, make_store  # noqa: F401
from tests.sync.harness import assert_converged



def expiry_times() -> tuple[datetime, datetime, datetime]:
    """(earned, redeemed, a moment after the lot's 12-month expiry): in the past, inside the
    default rule set's validity, whatever day the tests run."""
    earned = max(datetime.now(timezone.utc) - timedelta(days=200), datetime(2026, 1, 5, 3, tzinfo=timezone.utc))
    return earned, earned + timedelta(days=100), earned + timedelta(days=372)


def member_with_a_lot(make_store, kana: str, stores=None):
    """Stores a and b (or ``stores``), both synced with a member registered at a who earned a
    500 pt lot at the first of expiry_times(): (a, b, member, the earn, (redeemed, after))."""
    a, b = stores or (make_store("S001"), make_store("S002"))
    earned_at, redeemed_at, after = expiry_times()
    m = a.register(kana)
    lot = a.earn(m.id, 50000, at=earned_at)
    a.sync()
    b.sync()
    return a, b, m, lot, (redeemed_at, after)


def expiry_points(hq, stores, lot_entry_id: str) -> dict[str, int | None]:  # noqa: F811
    """The expiry's points at HQ and at each store (None: not held)."""
    eid = str(uuid.uuid5(EXPIRE_NS, f"{lot_entry_id}:0"))
    with hq.service.db.read() as s:
        row = s.get(LedgerRow, eid)
        out = {"HQ": row.points if row else None}
    for h in stores:
        with h.store.db.read() as s:
            out[h.store_id] = s.scalars(select(LedgerEntry.points).where(LedgerEntry.id == eid)).first()
    return out


def test_a_store_that_expired_a_lot_before_sending_a_redemption_from_it_takes_hqs_amount(hq, make_store):  # noqa: F811
    """a redeemed 200 of a 500 pt lot offline; HQ's job expired the whole lot (500, not knowing the
    redemption); the member then visited a, which expired what it held of the lot (300) under the
    same id. a's redemption reached HQ as an overdraft, written off (+200) for every store."""
    a, b, m, lot, (redeemed_at, after) = member_with_a_lot(make_store, "イトウハルカ")
    a.store.ledger.redeem(a.actor, m.id, 200, uuid.uuid4(), at=redeemed_at)   # not sent yet
    assert jobs.run_job(hq.service, "expiry", after.date(), now=after)["points_expired"] == 500
    b.sync()
    a.earn(m.id, 1000, at=after)                 # the visit: a expires the 300 it holds of the lot
    assert expiry_points(hq, [a, b], lot.entry_id) == {"HQ": -500, "S001": -300, "S002": -500}
    for h in (a, b, a):
        h.sync()
    assert expiry_points(hq, [a, b], lot.entry_id) == {"HQ": -500, "S001": -500, "S002": -500}
    assert a.store.ledger.balance(m.id)["balance"] == hq.service.balances()[m.id] == \
        b.store.ledger.balance(m.id)["balance"] > 0
    assert_converged(hq, [a, b])


@pytest.mark.parametrize("visit_yen", [1000, 30000])
def test_a_store_that_expired_a_lot_before_pulling_a_redemption_from_it_takes_hqs_amount(hq, make_store,  # noqa: F811
                                                                                       visit_yen):
    """b redeemed 200 of a 500 pt lot and sent it; HQ's job expired the rest (300); a, which had not
    pulled the redemption, expired the whole lot (500) at the member's visit. The redemption pulled
    later finds at a either too few points (a 10 pt visit: it waits, parked, until a gives the 200
    back to the lot) or the visit's new lot (300 pt: it takes 200 from it, and a gives them back to
    that lot). Either way nothing of the expired lot is left to expire a second time."""
    a, b, m, lot, (redeemed_at, after) = member_with_a_lot(make_store, "ナカタミキ")
    b.store.ledger.redeem(b.actor, m.id, 200, uuid.uuid4(), at=redeemed_at)
    b.sync()
    assert jobs.run_job(hq.service, "expiry", after.date(), now=after)["points_expired"] == 300
    a.earn(m.id, visit_yen, at=after)            # a, not yet told of the redemption, expires 500
    assert expiry_points(hq, [a, b], lot.entry_id) == {"HQ": -300, "S001": -500, "S002": None}
    for h in (a, b, a):
        h.sync()
    assert expiry_points(hq, [a, b], lot.entry_id) == {"HQ": -300, "S001": -300, "S002": -300}
    assert a.store.ledger.balance(m.id)["balance"] == hq.service.balances()[m.id] == \
        b.store.ledger.balance(m.id)["balance"] > 0
    assert_converged(hq, [a, b])
    a.earn(m.id, 1000, at=after + timedelta(days=1))   # the redemption took what was given back:
    with a.store.db.read() as s:                       # nothing of the lot is left to expire again
        assert len(s.scalars(select(LedgerEntry.id).where(LedgerEntry.member_id == m.id,
                                                          LedgerEntry.kind == "expire")).all()) == 1
