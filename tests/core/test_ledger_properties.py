"""Random sequences of earn / redeem / void / adjust / expire / replay against a real SQLite file.

After every step: balance == sum(ledger) == sum(remaining lots) >= 0 for every member, and every
idempotency key has applied exactly once (a replay returns the original entry).
"""
import shutil
import tempfile
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, consumes, invariant, rule
from sqlalchemy import func, select

from app.errors import LedgerRefused, PermissionDenied
from app.models import LedgerEntry, Lot, Member, Outbox
from app.services.setup import init_store
from app.store import Actor, Store

_TEMPLATE: dict = {}
CASHIER = Actor(staff_id=2, role="cashier", name="cashier")
MANAGER = Actor(staff_id=1, role="manager", name="manager")


class Clock:
    def __init__(self):
        self.now = datetime(2026, 11, 17, 1, 0, tzinfo=timezone.utc)

    def __call__(self):
        return self.now


def template_db() -> Path:
    """One initialised store database, copied for each example (schema upgrade is the slow part)."""
    if "path" not in _TEMPLATE:
        folder = Path(tempfile.mkdtemp(prefix="tsumugi-template-"))
        store = Store.open(folder / "template.sqlite")
        init_store(store, "S001")
        _TEMPLATE["members"] = [store.members.register(MANAGER, "テスト").member.id for _ in range(3)]
        with store.db.write() as s:
            s.execute(Outbox.__table__.delete())
        store.close()
        _TEMPLATE["path"] = folder / "template.sqlite"
    return _TEMPLATE["path"]


class LedgerMachine(RuleBasedStateMachine):
    entries = Bundle("entries")
    requests = Bundle("requests")

    def __init__(self):
        super().__init__()
        src = template_db()
        self.dir = Path(tempfile.mkdtemp(prefix="tsumugi-prop-"))
        shutil.copy(src, self.dir / "store.sqlite")
        self.clock = Clock()
        self.store = Store.open(self.dir / "store.sqlite", clock=self.clock)
        self.members = _TEMPLATE["members"]
        self.applied: dict[str, str] = {}  # key -> entry id

    def teardown(self):
        self.store.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def _record(self, key, result):
        assert self.applied.setdefault(key, result.entry_id) == result.entry_id

    @rule(target=requests, m=st.integers(0, 2), amount=st.integers(1, 60_000))
    def earn(self, m, amount):
        key = str(uuid.uuid4())
        res = self.store.ledger.earn(CASHIER, self.members[m], amount, key)
        self._record(key, res)
        return ("earn", key, self.members[m], amount, res.entry_id)

    @rule(target=requests, m=st.integers(0, 2), points=st.integers(1, 800))
    def redeem(self, m, points):
        key = str(uuid.uuid4())
        try:
            res = self.store.ledger.redeem(CASHIER, self.members[m], points, key)
        except LedgerRefused as exc:
            assert exc.code == "insufficient_balance"
            return ("none", key, self.members[m], points, None)
        self._record(key, res)
        return ("redeem", key, self.members[m], points, res.entry_id)

    @rule(target=requests, m=st.integers(0, 2), points=st.integers(-300, 300).filter(bool))
    def adjust(self, m, points):
        key = str(uuid.uuid4())
        try:
            res = self.store.ledger.adjust(MANAGER, self.members[m], points, "property test", key)
        except LedgerRefused:
            return ("none", key, self.members[m], points, None)
        self._record(key, res)
        return ("adjust", key, self.members[m], points, res.entry_id)

    @rule(req=requests)
    def replay(self, req):
        kind, key, member_id, value, entry_id = req
        if kind == "earn":
            res = self.store.ledger.earn(CASHIER, member_id, value, key)
        elif kind == "redeem":
            res = self.store.ledger.redeem(CASHIER, member_id, value, key)
        elif kind == "adjust":
            res = self.store.ledger.adjust(MANAGER, member_id, value, "property test", key)
        else:
            return
        assert res.replayed and res.entry_id == entry_id

    @rule(req=consumes(requests))
    def void(self, req):
        kind, key, member_id, value, entry_id = req
        if entry_id is None:
            return
        try:
            res = self.store.ledger.void(MANAGER, entry_id)
        except LedgerRefused as exc:
            assert exc.code in ("points_already_used", "already_voided", "insufficient_balance")
            return
        except PermissionDenied:
            raise AssertionError("a manager may always void")
        self._record(res.entry_id, res)

    @rule(days=st.integers(1, 200))
    def time_passes(self, days):
        self.clock.now += timedelta(days=days)

    @rule()
    def expire(self):
        self.store.ledger.expire()

    @invariant()
    def balances_add_up(self):
        with self.store.db.read() as s:
            for m in s.scalars(select(Member)):
                ledger = s.scalar(select(func.coalesce(func.sum(LedgerEntry.points), 0))
                                  .where(LedgerEntry.member_id == m.id))
                lots = s.scalar(select(func.coalesce(func.sum(Lot.remaining), 0)).where(Lot.member_id == m.id))
                assert m.balance == ledger == lots >= 0
            # every applied key is exactly one entry, with exactly one outbox row
            n_entries = s.scalar(select(func.count()).select_from(LedgerEntry).where(LedgerEntry.kind != "expire"))
            n_outbox = s.scalar(select(func.count()).select_from(Outbox).where(Outbox.type != "ledger.expire"))
            assert n_entries == len(self.applied) == n_outbox


LedgerMachine.TestCase.settings = settings(
    max_examples=40, stateful_step_count=25, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestLedgerProperties = LedgerMachine.TestCase
