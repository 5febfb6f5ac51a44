"""HQ's push handler alone, in this process: no HTTP, no store, no load generator.

    .venv/bin/python -m benchmarks.hq_push [--batches 40] [--members 500] [--pushes 600] [--stores 20]

Two figures, each on a fresh PostgreSQL schema (TSUMUGI_BENCH_DATABASE_URL, else the tests' URL,
else the local `test` database), dropped afterwards:

- `hq.push_batch_500_earns`: `HQService.push` of batches of 500 earns, one for each of `members`
  members (the shape of issue 4's backlog drain), after the members were created by a push of
  their `member.upsert`s. ms per batch (the first 10 batches are warm-up and not counted).
- `hq.push_5_adjusts`: pushes of 5 `ledger.adjust` events from `stores` stores in turn (the shape of
  the many-stores figure), with the rate count and audit row folded in as `/v1/sync/push` does.
  ms per push, and the CPU this process spent per push (PostgreSQL's is not in it).

Made to compare HQ's own cost before and after a change (`benchmarks.sync drain` and `stores`
measure the whole path, where the store's Python, PostgreSQL and the load generator share the
machine's CPUs with HQ). On a noisy machine alternate old and new a few times; a difference under
~10 % was not distinguishable from the noise on session 11's machine.
"""
from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _url() -> str:
    return os.environ.get("TSUMUGI_BENCH_DATABASE_URL") or os.environ.get("TSUMUGI_TEST_DATABASE_URL") or DEFAULT_URL


def _iso(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class _HQ:
    """A fresh schema with HQ's tables and an HQService on it."""

    def __init__(self):
        from benchmarks.sync import _memory_keyring
        from hq.db import HQDatabase
        from hq.service import HQService
        from hq.settings import Settings

        _memory_keyring()
        self.url = _url()
        self.schema = "tsumugi_bench_" + secrets.token_hex(4)
        self.db = HQDatabase(self.url, schema=self.schema)
        self.db.upgrade()
        self.service = HQService(self.db, Settings(database_url=self.url, schema=self.schema, rate_limit=10 ** 9))
        self.service.init()
        with self.db.read() as s:
            self.version = self.service._rule_sets(s)[-1].version
        self.seq: dict[str, int] = {}

    def push(self, store_id: str, events: list[tuple[str, dict]], **kw) -> float:
        from hq.service import Who
        from sync.protocol import Event, PushRequest

        seq = self.seq.get(store_id, 1)
        evs = []
        for type_, payload in events:
            evs.append(Event(event_id=payload.get("entry_id") or str(uuid.uuid4()), seq=seq, type=type_,
                             hlc=_iso(datetime.now(timezone.utc)), payload=payload))
            seq += 1
        self.seq[store_id] = seq
        req = PushRequest(store_id=store_id, terminal_id="T01", sent_at=_iso(datetime.now(timezone.utc)), events=evs)
        t0 = time.perf_counter()
        resp = self.service.push(Who("store", store_id), req, **kw)
        dt = time.perf_counter() - t0
        wrong = [r for r in resp.results if r.outcome not in ("applied", "adjusted")]
        if wrong:
            raise RuntimeError(f"push refused: {wrong[:3]}")
        return dt

    def close(self) -> None:
        from sqlalchemy import create_engine, text

        self.db.close()
        eng = create_engine(self.url)
        with eng.begin() as c:
            c.execute(text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
        eng.dispose()


def _member(mid: str, i: int) -> tuple[str, dict]:
    return ("member.upsert", {"member_id": mid, "member_no": f"{i:08d}", "fields": {"name_kana": "ベンチ"},
                              "field_times": {}})


def bench_batches(batches: int = 40, members: int = 500) -> dict:
    hq = _HQ()
    try:
        sid, _ = hq.service.add_store("S001", "S001")
        mids = [str(uuid.uuid4()) for _ in range(members)]
        for i in range(0, members, 500):
            hq.push(sid, [_member(m, i + j) for j, m in enumerate(mids[i:i + 500])])
        start, n, times = datetime.now(timezone.utc) - timedelta(hours=2), 0, []
        for _ in range(batches):
            events = []
            for m in mids[:500]:
                at = _iso(start + timedelta(microseconds=n * 50))
                n += 1
                events.append(("ledger.earn", {
                    "entry_id": str(uuid.uuid4()), "kind": "earn", "member_id": m, "points": 2, "amount_yen": 200,
                    "staff_id": 1, "store_id": sid, "terminal_id": "T01", "created_at": at,
                    "rule_set_version": hq.version, "reverses_id": None, "coupon_id": None, "reason": None}))
            times.append(hq.push(sid, events))
        counted = times[10:] if len(times) > 12 else times
        return {"name": "hq.push_batch_500_earns", "batches": batches, "counted": len(counted),
                "members": members, "p50_ms": round(1000 * statistics.median(counted), 1),
                "mean_ms": round(1000 * statistics.mean(counted), 1), "max_ms": round(1000 * max(counted), 1),
                "events_per_s": round(500 / statistics.mean(counted), 1), "hq": "postgresql", "unit": "ms"}
    finally:
        hq.close()


def bench_small_pushes(pushes: int = 600, stores: int = 20) -> dict:
    hq = _HQ()
    try:
        sids = [hq.service.add_store(f"B{i:03d}", f"B{i:03d}")[0] for i in range(stores)]
        mids = {sid: str(uuid.uuid4()) for sid in sids}

        def five(sid: str) -> list[tuple[str, dict]]:
            now = _iso(datetime.now(timezone.utc))
            return [("ledger.adjust", {"entry_id": str(uuid.uuid4()), "kind": "adjust", "member_id": mids[sid],
                                       "points": 10, "store_id": sid, "terminal_id": "T01", "created_at": now,
                                       "reason": "bench"}) for _ in range(5)]

        for i, sid in enumerate(sids):
            hq.push(sid, [_member(mids[sid], i)])
        fold = {sid: {"rate_key": f"store:{sid}", "audit": ("POST", "/v1/sync/push")} for sid in sids}
        for i in range(pushes // 4):  # warm-up
            hq.push(sids[i % stores], five(sids[i % stores]), **fold[sids[i % stores]])
        cpu0, times = time.process_time(), []
        for i in range(pushes):
            sid = sids[i % stores]
            times.append(hq.push(sid, five(sid), **fold[sid]))
        cpu = time.process_time() - cpu0
        return {"name": "hq.push_5_adjusts", "pushes": pushes, "stores": stores,
                "p50_ms": round(1000 * statistics.median(times), 2), "mean_ms": round(1000 * statistics.mean(times), 2),
                "p99_ms": round(1000 * sorted(times)[int(0.99 * len(times)) - 1], 2),
                "cpu_ms_per_push": round(1000 * cpu / pushes, 2), "hq": "postgresql", "unit": "ms",
                "note": "one thread, no HTTP; cpu is this process's (HQ's Python), not PostgreSQL's"}
    finally:
        hq.close()


def run(*, batches: int = 40, members: int = 500, pushes: int = 600, stores: int = 20) -> list[dict]:
    return [bench_batches(batches, members), bench_small_pushes(pushes, stores)]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.hq_push")
    p.add_argument("--batches", type=int, default=40)
    p.add_argument("--members", type=int, default=500)
    p.add_argument("--pushes", type=int, default=600)
    p.add_argument("--stores", type=int, default=20)
    a = p.parse_args(argv)
    import logging

    logging.basicConfig(level=logging.ERROR)
    for row in run(batches=a.batches, members=a.members, pushes=a.pushes, stores=a.stores):
        row["loadavg"] = [round(x, 2) for x in os.getloadavg()]
        print(json.dumps(row, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
