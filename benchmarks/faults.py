"""Faults between store and HQ: a day of counter traffic at several stores through a fault-injecting
proxy (tests/reliability/faultproxy.py) in front of a real HQ (uvicorn on loopback).

    python -m benchmarks.faults --faults 1000 [--stores 3] [--seed 1] [--rate 0.35]
                                [--database-url postgresql+psycopg://.../bench_NAME]

Each store runs in its own thread: registers members, earns, redeems online-first (HQ reserves the
points through the proxy; the offline cap when it cannot), voids, adjusts, and syncs (push, then
pull to HQ's head) after most actions, shrugging off what the network does to it as the counter's
worker would. The proxy injects faults (latency, dropped connections before and after HQ commits,
resets mid-response, truncated bodies, duplicated requests, one after the other or both in flight
at once) until the budget is spent. Then the
network heals, every store syncs until nothing moves, and the books are compared:

- duplicates: HQ rows that came from a store but are not one of that store's events (an event
  booked twice under another id), members known twice at HQ under one member number, a store
  holding a remote copy of one of its own entries;
- losses: a store's own entry that HQ does not hold (unless HQ rejected it), an HQ entry a store
  does not hold, an outbox row without an outcome;
- violations: everything tests/sync's assert_converged checks (every store's balance equals HQ's,
  balance == sum(ledger) == sum(lots) everywhere, ...) plus HQ's own balance == sum(ledger), and
  any exception that escaped a store thread.

Prints one JSON line: {"faults_injected", "by_kind", "events", "duplicates", "losses",
"violations", "seconds", ...}. Exit status 1 when any of duplicates/losses/violations is not 0.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import threading
import time
import traceback
import uuid
from pathlib import Path

KANA = ["ヤマダハナコ", "サトウイチロウ", "スズキジロウ", "タナカサブロウ", "タカハシミキ", "イトウケン"]


class StoreDay(threading.Thread):
    """One store's counter and sync worker, as one thread (the counter waits on sync here, which
    keeps each store's own order of work reproducible from the seed)."""

    def __init__(self, handle, seed: int, until, errors: list):
        super().__init__(name=f"store-{handle.store_id}", daemon=True)
        self.h = handle
        self.rng = random.Random(seed)
        self.until = until
        self.errors = errors
        self.actions = 0
        self.sync_failures = 0
        self.offline_redemptions = 0
        self.mine: list[str] = []

    def members(self) -> list[str]:
        from sqlalchemy import select

        from app.models import Member

        with self.h.store.db.read() as s:
            return list(s.scalars(select(Member.id).where(Member.status == "active")))

    def step(self) -> None:
        from app.errors import TsumugiError
        from sync.client import SyncError

        h, rng = self.h, self.rng
        members = self.members()
        r = rng.random()
        try:
            if r < 0.08 or not members:
                h.register(rng.choice(KANA))
            elif r < 0.58:
                self.mine.append(h.earn(rng.choice(members), rng.randint(100, 12_000)).entry_id)
            elif r < 0.73:
                member = rng.choice(members)
                bal = h.store.ledger.balance(member)["balance"]
                if bal > 0:
                    res = h.engine.redeem(h.actor, member, rng.randint(1, min(bal, 300)), uuid.uuid4(),
                                          timeout=1.5)
                    self.offline_redemptions += res["mode"] == "offline"
                    self.mine.append(res["entry"].entry_id)
            elif r < 0.83 and self.mine:
                h.store.ledger.void(h.actor, rng.choice(self.mine[-10:]), uuid.uuid4())
            elif r < 0.88:
                h.store.ledger.adjust(h.actor, rng.choice(members), rng.choice([-20, 10, 100]), "fault test",
                                      uuid.uuid4())
        except (TsumugiError, SyncError):
            pass  # a refusal (nothing to void, not enough points, ...) is an answer: nothing written
        self.actions += 1
        if rng.random() < 0.6:
            try:
                h.sync()
            except SyncError:
                self.sync_failures += 1

    def run(self) -> None:
        try:
            while not self.until():
                self.step()
        except BaseException:  # noqa: BLE001 - a finding, reported as a violation
            self.errors.append(f"{self.h.store_id}: {traceback.format_exc()}")


def quiesce(handles, rounds: int = 12) -> list[str]:
    """Sync every store until a whole round pushes and pulls nothing (the network healed)."""
    from sync.client import SyncError

    problems = []
    for i in range(rounds):
        moved = 0
        for h in handles:
            try:
                res = h.sync()
            except SyncError as exc:
                problems.append(f"{h.store_id}: sync failed after the network healed: {exc}")
                moved += 1
                continue
            moved += sum(res["pushed"].values()) + res["pulled"]["changes"]
        if moved == 0 and i > 0:
            return []
    return problems or ["the stores did not settle"]


def count_books(hq, handles) -> dict:
    """Duplicates and losses, counted (not asserted) from HQ's and every store's books."""
    from sqlalchemy import func, select

    from app.models import LedgerEntry, Outbox
    from hq.models import LedgerRow, MemberRow

    dup = loss = 0
    details: list[str] = []
    with hq.service.db.read() as s:
        hq_rows = {i: st for i, st in s.execute(select(LedgerRow.id, LedgerRow.store_id))}
        hq_bal = dict(s.execute(select(MemberRow.id, MemberRow.balance)).all())
        hq_sum = dict(s.execute(select(LedgerRow.member_id, func.sum(LedgerRow.points))
                                .group_by(LedgerRow.member_id)).all())
        twice_no = s.scalar(select(func.count()).select_from(
            select(MemberRow.member_no).group_by(MemberRow.member_no).having(func.count() > 1).subquery()))
    if twice_no:
        dup += twice_no
        details.append(f"{twice_no} member numbers held twice at HQ")
    events: dict[str, set[str]] = {}
    for h in handles:
        with h.store.db.read() as s:
            outbox = dict(s.execute(select(Outbox.event_id, Outbox.outcome)).all())
            local = dict(s.execute(select(LedgerEntry.id, LedgerEntry.sync_state)).all())
        events[h.store_id] = set(outbox)
        own_remote = [i for i, st in local.items() if st == "remote" and i in outbox]
        if own_remote:
            dup += len(own_remote)
            details.append(f"{h.store_id}: {len(own_remote)} own entries also booked as remote copies")
        no_outcome = sum(1 for o in outbox.values() if o is None)
        if no_outcome:
            loss += no_outcome
            details.append(f"{h.store_id}: {no_outcome} outbox rows without an outcome")
        for eid, st in local.items():
            if st == "remote" or eid in hq_rows:
                continue
            if outbox.get(eid) == "rejected" or eid not in outbox:
                continue  # HQ refused it (and the store reversed it), or a local reversal of one
            loss += 1
            details.append(f"{h.store_id}: entry {eid} ({outbox.get(eid)}) never reached HQ")
        missing_here = set(hq_rows) - set(local)
        if missing_here:
            loss += len(missing_here)
            details.append(f"{h.store_id}: {len(missing_here)} HQ entries missing")
    for eid, sid in hq_rows.items():
        if sid in events and eid not in events[sid]:
            dup += 1
            details.append(f"HQ entry {eid} says it came from {sid}, which never sent it")
    bad_hq = [m for m, b in hq_bal.items() if b != (hq_sum.get(m) or 0)]
    return {"duplicates": dup, "losses": loss, "hq_balance_problems": len(bad_hq), "details": details[:10],
            "hq_entries": len(hq_rows), "hq_members": len(hq_bal)}


def run(faults: int = 1000, *, seed: int = 1, stores: int = 3, rate: float = 0.35, folder: Path | None = None,
        database_url: str | None = None, schema: str | None = None, max_seconds: float = 3600.0,
        kinds=None) -> dict:
    from sync.engine import enroll
    from tests.reliability.faultproxy import KINDS, FaultProxy
    from tests.sync.harness import HQServer, StoreHandle, assert_converged

    own_folder = folder is None
    folder = Path(folder or tempfile.mkdtemp(prefix="tsumugi-faults-"))
    started = time.perf_counter()
    hq = HQServer(database_url or f"sqlite:///{folder / 'hq.sqlite'}", schema=schema, rate_limit=10**9).start()
    proxy = FaultProxy(("127.0.0.1", hq.port), seed=seed, rate=rate, budget=faults, kinds=tuple(kinds or KINDS))
    proxy.enabled = False
    proxy.start()
    handles = []
    errors: list[str] = []
    try:
        for i in range(stores):
            sid = f"F{i + 1:03d}"
            h = StoreHandle(folder / f"{sid}.sqlite", sid, hq)
            _, code = hq.service.add_store(sid, sid)
            enroll(h.store, proxy.url, code)  # the one-time code goes through a healthy network
            h.engine.close()
            h.engine.page_size = 50 if i % 2 else 500  # several pages per pull at some stores
            handles.append(h)
        proxy.enabled = True
        deadline = time.monotonic() + max_seconds
        done = lambda: proxy.budget <= 0 or time.monotonic() > deadline or bool(errors)  # noqa: E731
        days = [StoreDay(h, seed * 7919 + i, done, errors) for i, h in enumerate(handles)]
        for d in days:
            d.start()
        for d in days:
            d.join()
        proxy.enabled = False
        problems = quiesce(handles)
        books = count_books(hq, handles)
        try:
            assert_converged(hq, handles)
        except AssertionError as exc:
            problems.append(f"assert_converged: {exc}")
        violations = len(problems) + len(errors) + books["hq_balance_problems"]
        events = sum(d.actions for d in days)
        return {
            "name": "faults.store_hq_proxy", "faults_injected": proxy.injected, "by_kind": dict(proxy.by_kind),
            "events": events, "duplicates": books["duplicates"], "losses": books["losses"],
            "violations": violations, "seconds": round(time.perf_counter() - started, 1),
            "stores": stores, "seed": seed, "rate": rate, "requests": proxy.requests,
            "hq_entries": books["hq_entries"], "hq_members": books["hq_members"],
            "offline_redemptions": sum(d.offline_redemptions for d in days),
            "sync_failures_seen": sum(d.sync_failures for d in days),
            "hq_backend": "postgresql" if database_url else "sqlite",
            "details": (books["details"] + problems + [e[-2000:] for e in errors])[:10],
        }
    finally:
        for h in handles:
            h.close()
        proxy.stop()
        hq.stop()
        hq.service.db.close()
        if own_folder:
            import shutil

            shutil.rmtree(folder, ignore_errors=True)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--faults", type=int, default=1000)
    p.add_argument("--stores", type=int, default=3)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--rate", type=float, default=0.35, help="share of requests that get a fault")
    p.add_argument("--database-url", default=None, help="HQ database (default: SQLite in a temporary folder); "
                   "use your own PostgreSQL database, never a shared one")
    p.add_argument("--max-seconds", type=float, default=3600.0)
    p.add_argument("--kinds", default=None, help="comma-separated fault kinds (default: all of them)")
    args = p.parse_args(argv)
    from benchmarks.crash import _install_memory_keyring

    _install_memory_keyring()
    import logging

    logging.basicConfig(level=logging.ERROR)  # the sync worker's warnings about the injected faults
    schema = None
    if args.database_url and not args.database_url.startswith("sqlite"):
        import secrets

        from sqlalchemy import create_engine, text

        schema = "tsumugi_faults_" + secrets.token_hex(4)  # a fresh schema each run, dropped after it
    try:
        result = run(args.faults, seed=args.seed, stores=args.stores, rate=args.rate,
                     database_url=args.database_url, schema=schema, max_seconds=args.max_seconds,
                     kinds=args.kinds.split(",") if args.kinds else None)
    finally:
        if schema:
            eng = create_engine(args.database_url)
            with eng.begin() as c:
                c.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            eng.dispose()
    print(json.dumps(result, ensure_ascii=False), flush=True)
    return 1 if result["duplicates"] or result["losses"] or result["violations"] else 0


if __name__ == "__main__":
    sys.exit(main())
