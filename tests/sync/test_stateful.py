"""A hypothesis state machine over the real parts (HQ on uvicorn, store SQLite files): random
interleavings of register / earn / redeem / void at three stores, stores going offline and back,
responses lost after HQ committed, syncs, an HQ epoch reset and merges at HQ. At quiescence
(everyone online, pushed and pulled to HQ's head) the invariants must hold: every store's
balances equal HQ's, each event applied once (HQ's ledger has each store entry once, every
store holds every HQ entry), every outbox row has an outcome, balance == sum(ledger) ==
sum(lots.remaining) at every store.

Runtime is bounded for CI (a few examples of ~25 steps per HQ backend); raise
TSUMUGI_STATEFUL_EXAMPLES for a longer hunt."""
import os
import shutil
import uuid

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, precondition, rule, run_state_machine_as_test
from sqlalchemy import select

from app.errors import TsumugiError
from app.models import LedgerEntry, Member
from hq.models import MemberRow
from hq.service import HQError
from sync.client import SyncError
from tests.sync.harness import StoreHandle, assert_converged

EXAMPLES = int(os.environ.get("TSUMUGI_STATEFUL_EXAMPLES", "6"))
STEPS = int(os.environ.get("TSUMUGI_STATEFUL_STEPS", "25"))
N_STORES = 3


@pytest.fixture
def store_template(tmp_path_factory):
    from app.store import Store

    path = tmp_path_factory.mktemp("template") / "empty.sqlite"
    Store.open(path).close()
    return path


def test_random_interleavings_converge(hq, tmp_path, store_template):
    counter = iter(range(10**6))

    class Machine(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            run = next(counter)
            self.stores: list[StoreHandle] = []
            for i in range(N_STORES):
                h = StoreHandle(tmp_path / f"r{run}s{i}.sqlite", f"R{run}S{i}", hq, template=store_template)
                h.enroll()
                self.stores.append(h)
            self.earns: list[list[str]] = [[] for _ in range(N_STORES)]

        # -- helpers ---------------------------------------------------------------------
        def _members(self, i: int) -> list[str]:
            with self.stores[i].store.db.read() as s:
                return list(s.scalars(select(Member.id).where(Member.status == "active").order_by(Member.id)))

        def _pick(self, i: int, k: int) -> str | None:
            ms = self._members(i)
            return ms[k % len(ms)] if ms else None

        # -- counter actions ---------------------------------------------------------------
        @rule(i=st.integers(0, N_STORES - 1))
        def register(self, i):
            self.stores[i].register("テストタロウ")

        @rule(i=st.integers(0, N_STORES - 1), k=st.integers(0, 50), yen=st.integers(100, 20_000))
        def earn(self, i, k, yen):
            mid = self._pick(i, k)
            if mid is None:
                return
            res = self.stores[i].earn(mid, yen)
            self.earns[i].append(res.entry_id)

        @rule(i=st.integers(0, N_STORES - 1), k=st.integers(0, 50), points=st.integers(1, 400))
        def redeem(self, i, k, points):
            mid = self._pick(i, k)
            if mid is None:
                return
            try:
                self.stores[i].redeem(mid, points, timeout=2.0)
            except TsumugiError:
                pass  # not enough points, offline cap, allowance: refused at the counter

        @rule(i=st.integers(0, N_STORES - 1), k=st.integers(0, 50))
        def void(self, i, k):
            if not self.earns[i]:
                return
            entry_id = self.earns[i][k % len(self.earns[i])]
            try:
                self.stores[i].store.ledger.void(self.stores[i].actor, entry_id, uuid.uuid4())
            except TsumugiError:
                pass  # already voided, points already spent, member merged away...

        # -- network ------------------------------------------------------------------------
        @rule(i=st.integers(0, N_STORES - 1), down=st.booleans())
        def network(self, i, down):
            self.stores[i].transport.offline = down

        @rule(i=st.integers(0, N_STORES - 1), lose=st.booleans())
        def sync(self, i, lose):
            h = self.stores[i]
            h.transport.drop_push_responses = 1 if lose else 0
            try:
                h.sync()
            except SyncError:
                pass  # offline, or the response was lost after HQ committed: the next sync resends
            finally:
                h.transport.drop_push_responses = 0

        # -- HQ -------------------------------------------------------------------------------
        @rule(a=st.integers(0, 50), b=st.integers(0, 50))
        def merge(self, a, b):
            with hq.service.db.read() as s:
                prefix = self.stores[0].store_id[:-1]
                active = list(s.scalars(select(MemberRow.id).where(MemberRow.status == "active",
                                                                   MemberRow.home_store_id.like(prefix + "%"))
                                        .order_by(MemberRow.id)))
            if len(active) < 2 or a % len(active) == b % len(active):
                return
            try:
                hq.service.merge(active[a % len(active)], active[b % len(active)])
            except HQError:
                pass

        @precondition(lambda self: not getattr(self, "_reset", False))
        @rule()
        def epoch_reset(self):
            self._reset = True  # once per run: each reset makes every store replay a snapshot
            hq.service.bump_epoch()

        # -- quiescence -------------------------------------------------------------------------
        def teardown(self):
            try:
                for h in self.stores:
                    h.transport.offline = False
                    h.transport.drop_push_responses = 0
                for _ in range(3):
                    for h in self.stores:
                        h.sync()
                assert_converged(hq, self.stores)
                # this run's entries: each exactly once at every store
                for h in self.stores:
                    with h.store.db.read() as s:
                        ids = list(s.scalars(select(LedgerEntry.id)))
                    assert len(ids) == len(set(ids))
            finally:
                for h in self.stores:
                    h.close()

    run_state_machine_as_test(Machine, settings=settings(
        max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None, derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
