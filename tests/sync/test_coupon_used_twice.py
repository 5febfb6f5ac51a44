"""A coupon HQ issued is used once chain-wide. Two stores offline can both take it; HQ books both
uses and, as for a paper card migrated twice, the first HQ commit wins: the second use's points are
taken back as far as the member still has them, and its store's manager gets a conflict (要確認).
Before, both uses counted and the member had the coupon's points twice. A use voided at its store
gives the coupon back at HQ and at every store. HQ on uvicorn over loopback, store SQLite files."""
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from app.models import Conflict
from hq import jobs
from hq.models import ConflictRow, CouponRow
from tests.hq_campaigns.helpers import JST
from tests.sync.fixtures import hq, make_store  # noqa: F401
from tests.sync.harness import assert_converged


def _coupon_at_both(hq, make_store):  # noqa: F811
    """Stores a and b, a member with a win-back coupon (+500 pt) that both have pulled."""
    a, b = make_store("S001"), make_store("S002")
    now = datetime.now(timezone.utc)
    m = a.register("モリタカズキ")
    a.store.ledger.earn(a.actor, m.id, 6000, key=uuid.uuid4(), at=now - timedelta(days=40))
    a.sync()
    b.sync()
    assert jobs.run_job(hq.service, "win_back", now.astimezone(JST).date(), now=now)["issued"] == 1
    a.sync()
    b.sync()
    [ca] = a.store.coupons.available(m.id)
    [cb] = b.store.coupons.available(m.id)
    assert ca.id == cb.id and ca.value == 500
    return a, b, m, ca.id


def test_a_coupon_used_offline_at_two_stores_counts_once(hq, make_store):  # noqa: F811
    a, b, m, coupon = _coupon_at_both(hq, make_store)
    before = hq.service.balances()[m.id]
    used_a = a.store.coupons.use(a.actor, coupon, uuid.uuid4())    # both offline: neither knows
    b.store.coupons.use(b.actor, coupon, uuid.uuid4())
    for h in (a, b, a, b):
        h.sync()
    assert hq.service.balances()[m.id] == before + 500 == a.store.ledger.balance(m.id)["balance"] \
        == b.store.ledger.balance(m.id)["balance"]
    with hq.service.db.read() as s:
        assert s.get(CouponRow, coupon).used_entry_id == used_a.entry_id   # the first HQ commit
        [c] = s.scalars(select(ConflictRow).where(ConflictRow.kind == "coupon_used_twice")).all()
        assert c.store_id == "S002" and c.details["reversed"] == 500
    with b.store.db.read() as s:
        assert [c.kind for c in s.scalars(select(Conflict))] == ["coupon_used_twice"]
    with a.store.db.read() as s:
        assert s.scalars(select(Conflict)).all() == []
    assert_converged(hq, [a, b])


@pytest.mark.parametrize("b_pulled_the_use", [False, True])
def test_a_coupon_use_voided_at_its_store_frees_the_coupon_at_hq_and_at_the_stores(hq, make_store,  # noqa: F811
                                                                                  b_pulled_the_use):
    a, b, m, coupon = _coupon_at_both(hq, make_store)
    before = hq.service.balances()[m.id]
    used = a.store.coupons.use(a.actor, coupon, uuid.uuid4())
    a.sync()
    if b_pulled_the_use:
        b.sync()
        assert b.store.coupons.available(m.id) == []       # used at a
    a.store.ledger.void(a.actor, used.entry_id, uuid.uuid4(), reason="wrong member")
    a.sync()
    with hq.service.db.read() as s:
        assert s.get(CouponRow, coupon).used_entry_id is None
    b.sync()                                                 # the void: usable again at b too
    assert [c.id for c in b.store.coupons.available(m.id)] == [coupon]
    used_b = b.store.coupons.use(b.actor, coupon, uuid.uuid4())
    for h in (b, a, b):
        h.sync()
    assert hq.service.balances()[m.id] == before + 500 == a.store.ledger.balance(m.id)["balance"]
    with hq.service.db.read() as s:
        assert s.get(CouponRow, coupon).used_entry_id == used_b.entry_id
        assert s.scalars(select(ConflictRow).where(ConflictRow.kind == "coupon_used_twice")).all() == []
    assert_converged(hq, [a, b])
