"""Sync benchmarks (HQ on PostgreSQL): ``run()`` returns a list of JSON-able dicts.

    TSUMUGI_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench_sync \\
        .venv/bin/python -m benchmarks.sync [push] [drain] [stream] [pull] [stores] [concurrent] [--events N] ...

Each figure runs against a fresh PostgreSQL schema (dropped afterwards), HQ served by uvicorn
on loopback — as its own process, `python -m hq serve --workers N` (`--hq-workers N`, default 1;
0 = in this process on a thread, as in the tests) — and real store SQLite files. Use a database
of your own for TSUMUGI_BENCH_DATABASE_URL (e.g. `createdb bench_sync`), not the tests' one.
Every row carries the load average it was measured at. Targets (issue 4): backlog drain of 100,000 events ≤ 20 s;
A earns → B sees via the stream p95 ≤ 300 ms; first sync of 1,000,000 members ≤ 120 s; 200 stores
pushing for 60 s p99 ≤ 200 ms.

Latest figures and their caveats (a shared, overloaded machine): sync/README.md, "Figures".
`stores` runs HQ as `python -m hq serve --workers N` (default 3) and drives it from this process
with asyncio + httpx (one connection per store at most); 429s are counted apart and their
Retry-After honoured.
"""
from __future__ import annotations

import argparse
import json
import os
import secrets
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _url() -> str:
    return os.environ.get("TSUMUGI_BENCH_DATABASE_URL") or os.environ.get("TSUMUGI_TEST_DATABASE_URL") or DEFAULT_URL


def _memory_keyring():
    import keyring
    import keyring.backend

    class Mem(keyring.backend.KeyringBackend):
        priority = 1

        def __init__(self):
            super().__init__()
            self.d = {}

        def get_password(self, s, u):
            return self.d.get((s, u))

        def set_password(self, s, u, p):
            self.d[(s, u)] = p

        def delete_password(self, s, u):
            self.d.pop((s, u), None)

    keyring.set_keyring(Mem())


class _HQProcess:
    """HQ as a server of its own: `python -m hq serve --workers N` in a child process (so the
    store under test and HQ do not share one interpreter), with an in-process HQService on the
    same database for the admin side (adding stores, reading balances) — the shape StoreHandle
    expects from tests.sync.harness.HQServer (`.url`, `.service`)."""

    def __init__(self, url: str, schema: str, workers: int = 1, rate_limit: int = 10**9):
        import subprocess

        import httpx

        from hq.db import HQDatabase
        from hq.service import HQService
        from hq.settings import Settings
        from tests.sync.harness import free_port

        self.settings = Settings(database_url=url, schema=schema, rate_limit=rate_limit)
        db = HQDatabase(url, schema=schema)
        db.upgrade()
        self.service = HQService(db, self.settings)
        self.service.init()
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        env = dict(os.environ, TSUMUGI_HQ_SCHEMA=schema, TSUMUGI_HQ_RATE_LIMIT=str(rate_limit))
        self.proc = subprocess.Popen([sys.executable, "-m", "hq", "--database-url", url, "serve", "--port", str(port),
                                      "--workers", str(workers)], env=env, cwd=Path(__file__).resolve().parents[1],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(self.url + "/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.stop()
                raise RuntimeError("HQ did not start")
            time.sleep(0.2)
        time.sleep(0.5 * workers)  # every worker up

    def stop(self) -> None:
        import subprocess

        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:  # an event stream can hold uvicorn's graceful shutdown
                self.proc.kill()
                self.proc.wait(10)


class _Env:
    """A fresh PostgreSQL schema + HQ on loopback + a temp folder for store files. `hq_workers`:
    HQ in its own process with that many uvicorn workers (0: in this process, on a thread)."""

    def __init__(self, hq_workers: int = 0, **settings):
        from sqlalchemy import create_engine, text

        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
        from tests.sync.harness import HQServer

        self.url = _url()
        self.schema = "tsumugi_bench_" + secrets.token_hex(4)
        self._text, self._create_engine = text, create_engine
        if hq_workers:
            self.hq = _HQProcess(self.url, self.schema, hq_workers, **settings)
        else:
            self.hq = HQServer(self.url, schema=self.schema, **settings).start()
        self.dir = Path(tempfile.mkdtemp(prefix="tsumugi-bench-"))
        self.stores = []

    def store(self, store_id: str):
        from tests.sync.harness import StoreHandle

        h = StoreHandle(self.dir / f"{store_id}.sqlite", store_id, self.hq)
        h.enroll()
        self.stores.append(h)
        return h

    def close(self):
        for h in self.stores:
            h.close()
        self.hq.stop()
        self.hq.service.db.close()
        eng = self._create_engine(self.url)
        with eng.begin() as c:
            c.execute(self._text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
        eng.dispose()
        import shutil

        shutil.rmtree(self.dir, ignore_errors=True)


def _bulk_earns(h, members: int, per_member: int, yen: int = 200) -> int:
    """Register members through the service, then bulk-insert `per_member` pending earns each
    (ledger, lots, lot moves, outbox), priced by the real engine, consistent with the services."""
    from app.rules import MemberState, Purchase, expiry_for, price_purchase

    ids = [h.register(f"ベンチ{i:05d}"[:3] + "タロウ").id for i in range(members)]
    rule_set = h.store.rules.current()
    now = datetime.now(timezone.utc)
    fairy = h.store.db.engine.raw_connection()  # the store's own connection (encrypted or not)
    con = fairy.dbapi_connection
    ledger, lots, moves, outbox, bal = [], [], [], [], {}
    lot_id = (con.execute("SELECT COALESCE(MAX(id),0) FROM lots").fetchone()[0] or 0)
    start = now - timedelta(hours=2)
    n = 0
    for j in range(per_member):
        for mid in ids:
            at = start + timedelta(microseconds=n * 50)
            created = at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            pts = price_purchase(rule_set, MemberState(tier="bronze", annual_spend_yen=j * yen), Purchase(yen), at,
                                 h.store_id).points
            eid = str(uuid.uuid4())
            ledger.append((eid, mid, "earn", pts, yen, h.actor.staff_id, h.store_id, "T01", created,
                           rule_set.version, "bench", "pending"))
            lot_id += 1
            lots.append((lot_id, mid, eid, pts, pts, expiry_for(rule_set, at).strftime("%Y-%m-%dT%H:%M:%S.%fZ")))
            moves.append((eid, lot_id, pts))
            outbox.append((eid, "ledger.earn", json.dumps({
                "entry_id": eid, "kind": "earn", "member_id": mid, "points": pts, "amount_yen": yen,
                "staff_id": h.actor.staff_id, "store_id": h.store_id, "terminal_id": "T01", "created_at": created,
                "rule_set_version": rule_set.version, "reverses_id": None, "coupon_id": None, "reason": None}),
                created))
            bal[mid] = bal.get(mid, 0) + pts
            n += 1
    con.execute("BEGIN IMMEDIATE")
    if True:
        con.executemany("INSERT INTO ledger (id, member_id, kind, points, amount_yen, staff_id, store_id, terminal_id,"
                        " created_at, rule_set_version, request_hash, sync_state) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                        ledger)
        con.executemany("INSERT INTO lots (id, member_id, entry_id, points, remaining, expires_at) VALUES "
                        "(?,?,?,?,?,?)", lots)
        con.executemany("INSERT INTO lot_moves (entry_id, lot_id, points) VALUES (?,?,?)", moves)
        con.executemany("INSERT INTO outbox (event_id, type, payload, created_at, attempts) VALUES (?,?,?,?,0)",
                        outbox)
        con.executemany("UPDATE members SET balance = balance + ?, lifetime_spend_yen = lifetime_spend_yen + ?,"
                        " last_visit_at = ? WHERE id = ?",
                        [(b, per_member * yen, now.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), m) for m, b in bal.items()])
    con.execute("COMMIT")
    fairy.close()
    return n


def bench_push_and_drain(events: int, hq_workers: int = 1) -> list[dict]:
    """A store with `events` queued earns comes online: push (batches of 500) and pull back."""
    env = _Env(hq_workers, rate_limit=10**9)
    try:
        a = env.store("S001")
        members = max(1, min(500, events // 200))
        n = _bulk_earns(a, members, events // members)
        queued = a.engine.replica.queue_stats()["queue"]
        t0 = time.perf_counter()
        a.engine.push_all()
        t_push = time.perf_counter() - t0
        a.engine.pull_all()
        total = time.perf_counter() - t0
        assert a.engine.replica.queue_stats()["queue"] == 0
        assert a.engine.replica.invariant_problems() == []
        hq_bal = env.hq.service.balances()
        assert all(hq_bal[m] == b for m, b in a.engine.replica.balances().items() if m in hq_bal)
        return [
            {"name": "sync.push_throughput", "events": queued, "batch": 500, "seconds": round(t_push, 2),
             "events_per_s": round(queued / t_push, 1), "hq": "postgresql", "hq_workers": hq_workers},
            {"name": "sync.backlog_drain", "events": queued, "seconds": round(total, 2), "target_s": 20,
             "ok": total <= 20 * queued / 100_000 if queued < 100_000 else total <= 20, "hq": "postgresql",
             "hq_workers": hq_workers,
             "note": "push all + pull back to head"},
        ]
    finally:
        env.close()


def bench_stream_latency(samples: int = 100, hq_workers: int = 1) -> dict:
    """Store A earns and pushes; store B (worker with the SSE stream) shows the new balance."""
    from sync.engine import SyncWorker, WorkerConfig

    env = _Env(hq_workers, rate_limit=10**9)
    try:
        a, b = env.store("S001"), env.store("S002")
        m = a.register("ヤマダハナコ")
        a.sync()
        b.sync()
        worker = SyncWorker(b.engine, WorkerConfig(poll_s=3600, outbox_check_s=0.5))
        worker.start()
        deadline = time.monotonic() + 10
        while not worker.state().stream and time.monotonic() < deadline:
            time.sleep(0.01)
        lat = []
        for _ in range(samples):
            t0 = time.perf_counter()
            res = a.earn(m.id, 1000)
            a.engine.push_all()
            while True:
                with b.store.db.read() as s:
                    from app.models import LedgerEntry
                    from sqlalchemy import select

                    if s.scalars(select(LedgerEntry.seq).where(LedgerEntry.id == res.entry_id)).first():
                        break
                if time.perf_counter() - t0 > 10:
                    raise RuntimeError("B never saw A's earn")
                time.sleep(0.002)
            lat.append((time.perf_counter() - t0) * 1000)
        worker.stop()
        lat.sort()
        return {"name": "sync.earn_to_other_store_via_stream", "samples": samples,
                "p50_ms": round(statistics.median(lat), 1), "p95_ms": round(lat[int(0.95 * len(lat)) - 1], 1),
                "max_ms": round(lat[-1], 1), "target_p95_ms": 300, "ok": lat[int(0.95 * len(lat)) - 1] <= 300,
                "hq": "postgresql", "hq_workers": hq_workers, "note": "earn + push at A, SSE poke, pull + apply at B"}
    finally:
        env.close()


# Member ids for the first-sync figure: "random" (version-4-like: ids made elsewhere, or by a
# legacy import, which derives them from the old ledger's keys) or "ordered" (UUIDv7, as the
# counter's registration makes them: registered one after another, fed one after another).
_MEMBER_ID_SQL = {
    "random": "md5(g::text)::uuid::text",
    "ordered": "(lpad(to_hex(1767225600000 + g), 12, '0') || '7' || substr(md5(g::text), 14, 3) || '8'"
               " || substr(md5(g::text), 18, 15))::uuid::text",
}


def bench_first_sync(members: int, hq_workers: int = 1, member_ids: str = "random", counter_every: float = 0) -> dict:
    """A new store's first pull of `members` members (HQ's feed generated in SQL). With
    `counter_every` S: meanwhile the counter earns for a member every S seconds (as a cashier
    would during the catch-up), and how long each earn took is reported: a bulk transaction makes
    a counter write wait (at most for the page it is applying and its commit)."""
    env = _Env(hq_workers, rate_limit=10**9)
    try:
        from sqlalchemy import text

        with env.hq.service.db.write() as s:
            s.execute(text("""
                INSERT INTO members (id, member_no, name_kana, phone, consent_marketing, status, home_store_id,
                                     field_times, balance, lifetime_spend_yen, created_at, updated_at)
                SELECT MEMBER_ID, lpad(g::text, 11, '0'), 'ベンチ', '090' || lpad(g::text, 8, '0'),
                       false, 'active', 'S900', '{}', 0, 0, '2026-01-01T00:00:00.000000Z',
                       '2026-01-01T00:00:00.000000Z'
                FROM generate_series(1, :n) g""".replace("MEMBER_ID", _MEMBER_ID_SQL[member_ids])), {"n": members})
            s.execute(text("""
                INSERT INTO changes (kind, member_id, data, created_at)
                SELECT 'member', id, json_build_object('member_id', id, 'member_no', member_no, 'status', 'active',
                       'merged_into', null, 'home_store_id', 'S900', 'tier', null, 'balance', 0,
                       'fields', json_build_object('name', null, 'name_kana', name_kana, 'phone', phone,
                                                   'email', null, 'line_user_id', null, 'birthday', null,
                                                   'consent_marketing', false),
                       'field_times', '{}'::json, 'created_at', created_at, 'updated_at', updated_at),
                       created_at
                FROM members ORDER BY member_no"""))
        b = env.store("S002")
        b.store.db.start_checkpointer()  # as the app opens its store (ui/main.py): the WAL folded in off the sync thread
        b.engine.page_size = 5000
        earns: list[float] = []
        stop = threading.Event()
        counter = None
        if counter_every:
            regular = b.register("ジョウレンハナコ")

            def cashier():
                while not stop.wait(counter_every):
                    t = time.perf_counter()
                    b.earn(regular.id, 1000)
                    earns.append(time.perf_counter() - t)

            counter = threading.Thread(target=cashier, name="bench-counter", daemon=True)
            counter.start()
        t0 = time.perf_counter()
        try:
            res = b.engine.pull_all()
        finally:
            stop.set()
        dt = time.perf_counter() - t0
        if counter is not None:
            counter.join(30)
        from app.models import Member
        from sqlalchemy import func, select

        with b.store.db.read() as s:
            got = s.scalar(select(func.count()).select_from(Member))
        # Short: HQ reported its head early. Its feed reader stops below the lowest feed-writer lock
        # in the whole PostgreSQL database (pg_locks): another HQ's pushes in another schema of the
        # same database (tests run meanwhile) can do that. Use a database of your own then.
        assert got >= members + (1 if counter_every else 0), \
            f"pulled {got} members of {members} ({res}): HQ ended the feed early (see the comment above)"
        out = {"name": "sync.first_sync_members", "members": members, "member_ids": member_ids,
               "seconds": round(dt, 1),
               "members_per_s": round(members / dt), "pages": res["pages"],
               "target_s_for_1M": 120, "projected_1M_s": round(dt * 1_000_000 / members, 1),
               "ok": dt * 1_000_000 / members <= 120, "hq": "postgresql", "hq_workers": hq_workers}
        if counter_every:
            from benchmarks.core import percentile

            earns.sort()
            out["counter_earn_every_s"] = counter_every
            out["counter_earns"] = len(earns)
            if earns:
                out["counter_earn_ms"] = {"p50": round(percentile(earns, 0.5) * 1000, 1),
                                          "p99": round(percentile(earns, 0.99) * 1000, 1),
                                          "max": round(earns[-1] * 1000, 1)}
        return out
    finally:
        env.close()


def bench_concurrent_service(stores: int = 40, rounds: int = 25) -> dict:
    """HQ's push path without HTTP: `stores` threads, each pushing `rounds` batches of 5 events
    (a member, then adjusts) for its own store straight into HQService.push on PostgreSQL — what
    the database side does with concurrent pushes (the feed no longer serialises commits)."""
    import threading

    from app.codes import new_key_pair
    from hq.db import HQDatabase
    from hq.service import HQService, Who
    from hq.settings import Settings
    from sqlalchemy import create_engine, text
    from sync.protocol import EnrollRequest, PushRequest

    url = _url()
    schema = "tsumugi_bench_" + secrets.token_hex(4)
    db = HQDatabase(url, schema=schema, pool_size=stores)
    try:
        db.upgrade()
        svc = HQService(db, Settings(database_url=url, schema=schema, rate_limit=10**9))
        svc.init()
        sids = []
        for i in range(stores):
            sid = f"C{i:03d}"
            _, code = svc.add_store(sid, sid)
            kid, _, pub = new_key_pair()
            svc.enroll(EnrollRequest(code=code, store_id=sid, signing_key_id=kid, signing_public_key=pub.hex()))
            sids.append(sid)
        lat: list[float] = []

        def worker(sid: str):
            mid, seq = str(uuid.uuid4()), 1
            for r in range(rounds):
                now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
                evs = []
                if r == 0:
                    evs.append({"event_id": str(uuid.uuid4()), "seq": seq, "type": "member.upsert", "hlc": "x",
                                "payload": {"member_id": mid, "member_no": sid + "0001", "home_store_id": sid,
                                            "fields": {"name_kana": "ベンチ"}, "field_times": {}}})
                    seq += 1
                while len(evs) < 5:
                    eid = str(uuid.uuid4())
                    evs.append({"event_id": eid, "seq": seq, "type": "ledger.adjust", "hlc": now,
                                "payload": {"entry_id": eid, "kind": "adjust", "member_id": mid, "points": 10,
                                            "store_id": sid, "terminal_id": "T01", "created_at": now,
                                            "reason": "bench"}})
                    seq += 1
                req = PushRequest.model_validate({"store_id": sid, "terminal_id": "T01", "sent_at": now, "events": evs})
                t0 = time.perf_counter()
                svc.push(Who("store", sid), req, rate_key="store:" + sid, audit=("POST", "/v1/sync/push"))
                lat.append((time.perf_counter() - t0) * 1000)

        threads = [threading.Thread(target=worker, args=(sid,)) for sid in sids]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        dt = time.perf_counter() - t0
        lat.sort()
        return {"name": "sync.hq_concurrent_push_service", "stores": stores, "pushes": len(lat),
                "events_per_push": 5, "seconds": round(dt, 2), "pushes_per_s": round(len(lat) / dt, 1),
                "p50_ms": round(statistics.median(lat), 1), "p99_ms": round(lat[int(0.99 * len(lat)) - 1], 1),
                "hq": "postgresql", "note": "HQService.push from threads, no HTTP"}
    finally:
        db.close()
        eng = create_engine(url)
        with eng.begin() as c:
            c.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        eng.dispose()


class _Headers(dict):
    """Header names in lower case; looked up in any case."""

    def get(self, key, default=None):
        return super().get(key.lower(), default)


class _Answer:
    """What `_LeanHTTP.post` read: status, headers and body."""

    def __init__(self, status: int, headers: _Headers, body: bytes):
        self.status_code, self.headers, self.content = status, headers, body

    def json(self):
        return json.loads(self.content)


class _LeanHTTP:
    """One store's keep-alive HTTP/1.1 connection for the many-stores figure: asyncio streams,
    requests written and answers read by hand (Content-Length bodies; HQ answers pushes that way).
    The load generator shares the machine's two CPUs with HQ and PostgreSQL, and httpx spent a
    millisecond or more of CPU a request there (the generator alone used ~75 % of a CPU at 200
    requests a second), so the figure measured the client as much as HQ. A connection the server
    closed while idle (keep-alive timeout) is opened again and the request sent on it once: a push
    sent twice is answered from its stored outcomes, as with any resend."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader = self.writer = None

    async def _open(self):
        import asyncio

        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> _Answer:
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        request = (f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n{head}"
                   f"Content-Length: {len(body)}\r\n\r\n").encode("latin-1") + body
        for attempt in (0, 1):
            if self.writer is None:
                await self._open()
            try:
                self.writer.write(request)
                await self.writer.drain()
                status_line = await self.reader.readline()
                if not status_line:
                    raise ConnectionResetError("closed before an answer")
                break
            except (ConnectionError, OSError):
                self.close()
                if attempt:
                    raise
        status = int(status_line.split(b" ", 2)[1])
        hdrs = _Headers()
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            k, _, v = line.decode("latin-1").partition(":")
            hdrs[k.strip().lower()] = v.strip()
        data = await self.reader.readexactly(int(hdrs.get("content-length", "0")))
        if hdrs.get("connection", "").lower() == "close":
            self.close()
        return _Answer(status, hdrs, data)

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def bench_many_stores(stores: int, seconds: float, workers: int = 3, events_per_push: int = 5,
                      interval_s: float = 1.0, client_kind: str = "lean") -> dict:
    """`stores` simulated stores each push `events_per_push` events about every `interval_s` for
    `seconds`. HQ runs as `python -m hq serve --workers N` (separate processes) on PostgreSQL; the
    load generator is this process: asyncio on loopback, one keep-alive connection per store, through
    `_LeanHTTP` (`client_kind="lean"`, the default) or httpx (`"httpx"`, ~10x the client's CPU). A
    429 is counted apart, its Retry-After honoured and the same batch sent again; anything else
    that is not a 200 is a failure."""
    import asyncio
    import random
    import subprocess

    import httpx
    from sqlalchemy import create_engine, text

    from hq.db import HQDatabase
    from hq.service import HQService
    from hq.settings import Settings
    from tests.sync.harness import free_port

    url = _url()
    schema = "tsumugi_bench_" + secrets.token_hex(4)
    settings = Settings(database_url=url, schema=schema)
    db = HQDatabase(url, schema=schema)
    db.upgrade()
    svc = HQService(db, settings)
    svc.init()
    tokens = {}
    from app.codes import new_key_pair
    from sync.protocol import EnrollRequest

    for i in range(stores):
        sid = f"B{i:03d}"
        _, code = svc.add_store(sid, sid)
        kid, _, pub = new_key_pair()
        tokens[sid] = svc.enroll(EnrollRequest(code=code, store_id=sid, signing_key_id=kid,
                                               signing_public_key=pub.hex())).credential
    db.close()
    port = free_port()
    env = dict(os.environ, TSUMUGI_HQ_SCHEMA=schema)
    env.setdefault("TSUMUGI_HQ_RATE_LIMIT", "1200")  # the production default: 1,200 requests/min/credential
    proc = subprocess.Popen([sys.executable, "-m", "hq", "--database-url", url, "serve", "--port", str(port),
                             "--workers", str(workers)], env=env, cwd=Path(__file__).resolve().parents[1],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    lat: list[float] = []
    server: list[float] = []  # HQ's own time per push (Server-Timing), without client-side queueing
    counts = {"ok": 0, "failed": 0, "rate_limited": 0, "rate_limited_without_retry_after": 0, "events": 0}
    failures: dict[str, int] = {}

    async def run_store(client, sid: str, stop: float):
        headers = {"Authorization": f"Bearer {tokens[sid]}", "Content-Type": "application/json"}
        lean = _LeanHTTP("127.0.0.1", port) if client is None else None
        mid = str(uuid.uuid4())
        seq = 1
        evs = [{"event_id": str(uuid.uuid4()), "seq": seq, "type": "member.upsert", "hlc": "x",
                "payload": {"member_id": mid, "member_no": sid + "0001", "home_store_id": sid,
                            "fields": {"name_kana": "ベンチ"}, "field_times": {}}}]
        await asyncio.sleep(random.random() * interval_s)
        while time.monotonic() < stop:
            now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            while len(evs) < events_per_push:
                seq += 1
                eid = str(uuid.uuid4())
                evs.append({"event_id": eid, "seq": seq, "type": "ledger.adjust", "hlc": now,
                            "payload": {"entry_id": eid, "kind": "adjust", "member_id": mid, "points": 10,
                                        "store_id": sid, "terminal_id": "T01", "created_at": now,
                                        "reason": "bench"}})
            body = json.dumps({"store_id": sid, "terminal_id": "T01", "sent_at": now, "events": evs})
            t0 = time.perf_counter()
            wait = None
            try:
                if lean is not None:
                    r = await lean.post("/v1/sync/push", body.encode(), headers)
                else:
                    r = await client.post("/v1/sync/push", content=body, headers=headers)
                status = r.status_code
                if status == 429:
                    retry_after = r.headers.get("Retry-After")
                    if retry_after is None:
                        counts["rate_limited_without_retry_after"] += 1
                    wait = float(retry_after or 1)
                elif status == 200:
                    st = r.headers.get("Server-Timing", "")
                    if "dur=" in st:
                        server.append(float(st.split("dur=", 1)[1].split(";")[0]))
                    res = r.json()
                    if len(res["results"]) != len(evs) or res["gap"]:
                        status = "bad_answer"
            except (httpx.HTTPError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
                status = exc.__class__.__name__
                if lean is not None:
                    lean.close()
            dt = (time.perf_counter() - t0) * 1000
            if status == 200:
                lat.append(dt)
                counts["ok"] += 1
                counts["events"] += len(evs)
                evs = []
                await asyncio.sleep(max(0.0, interval_s - dt / 1000) * random.uniform(0.8, 1.2))
            elif status == 429:
                counts["rate_limited"] += 1
                await asyncio.sleep(wait)  # honoured: the same batch again after Retry-After
            else:
                counts["failed"] += 1
                failures[str(status)] = failures.get(str(status), 0) + 1
                await asyncio.sleep(interval_s)
        if lean is not None:
            lean.close()

    async def main():
        if client_kind == "lean":
            stop = time.monotonic() + seconds
            await asyncio.gather(*(run_store(None, sid, stop) for sid in tokens))
            return
        limits = httpx.Limits(max_connections=stores, max_keepalive_connections=stores)
        async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
            stop = time.monotonic() + seconds
            await asyncio.gather(*(run_store(client, sid, stop) for sid in tokens))

    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("HQ did not start")
            time.sleep(0.2)
        time.sleep(1.0)  # every worker up
        cpu0 = time.process_time()
        asyncio.run(main())
        lat.sort()
        server.sort()
        p99 = lat[max(0, int(0.99 * len(lat)) - 1)]
        s99 = server[max(0, int(0.99 * len(server)) - 1)] if server else None
        return {"name": "sync.many_stores_push", "stores": stores, "seconds": seconds, "requests_ok": counts["ok"],
                "events": counts["events"], "failed": counts["failed"], "failures": failures,
                "rate_limited_429": counts["rate_limited"],
                "rate_limited_without_retry_after": counts["rate_limited_without_retry_after"],
                "events_per_request": events_per_push, "interval_s": interval_s,
                "offered_requests_per_s": round(stores / interval_s, 1),
                "requests_per_s": round(counts["ok"] / seconds, 1),
                "p50_ms": round(statistics.median(lat), 1), "p95_ms": round(lat[int(0.95 * len(lat)) - 1], 1),
                "p99_ms": round(p99, 1), "max_ms": round(lat[-1], 1), "target_p99_ms": 200,
                "server_p50_ms": round(statistics.median(server), 1) if server else None,
                "server_p99_ms": round(s99, 1) if server else None,
                "ok": p99 <= 200 and counts["failed"] == 0, "hq_workers": workers, "hq": "postgresql",
                "cpus": os.cpu_count(), "client": client_kind,
                "client_cpu_s": round(time.process_time() - cpu0, 1),
                "note": "HQ workers, PostgreSQL and this asyncio load generator share the same CPUs"}
    finally:
        proc.terminate()
        proc.wait(10)
        eng = create_engine(url)
        with eng.begin() as c:
            c.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        eng.dispose()


def run(which=("push", "stream", "drain", "pull", "stores"), *, events: int = 100_000, members: int = 1_000_000,
        client: str = "lean",
        stores: int = 200, seconds: float = 60, workers: int = 3, hq_workers: int = 1,
        interval_s: float = 1.0, member_ids: str = "random", counter_every: float = 0) -> list[dict]:
    _memory_keyring()
    out: list[dict] = []
    if "push" in which and "drain" not in which:
        out += bench_push_and_drain(min(events, 10_000), hq_workers)
    if "stream" in which:
        out.append(bench_stream_latency(hq_workers=hq_workers))
    if "drain" in which:
        out += bench_push_and_drain(events, hq_workers)
    if "pull" in which:
        out.append(bench_first_sync(members, hq_workers, member_ids, counter_every))
    if "concurrent" in which:
        out.append(bench_concurrent_service())
    if "stores" in which:
        out.append(bench_many_stores(stores, seconds, workers=workers, interval_s=interval_s, client_kind=client))
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.sync")
    p.add_argument("which", nargs="*", default=["push", "stream", "drain", "pull", "stores"])
    p.add_argument("--events", type=int, default=100_000)
    p.add_argument("--members", type=int, default=1_000_000)
    p.add_argument("--stores", type=int, default=200)
    p.add_argument("--seconds", type=float, default=60)
    p.add_argument("--workers", type=int, default=3, help="HQ uvicorn workers for the many-stores figure")
    p.add_argument("--interval", type=float, default=1.0, help="many-stores: seconds between one store's pushes")
    p.add_argument("--client", choices=("lean", "httpx"), default="lean",
                   help="many-stores: the load generator's HTTP client (lean: asyncio streams; httpx: ~10x its CPU)")
    p.add_argument("--hq-workers", type=int, default=1,
                   help="push/drain/stream/pull: HQ as `python -m hq serve` with N workers (0: in this process)")
    p.add_argument("--member-ids", choices=sorted(_MEMBER_ID_SQL), default="random",
                   help="pull: the members' ids, random (worst case) or time-ordered as the counter makes them")
    p.add_argument("--counter-every", type=float, default=0,
                   help="pull: the counter earns every S seconds during the first sync (each earn's time reported)")
    a = p.parse_args(argv)
    import logging

    logging.basicConfig(level=logging.ERROR)
    for row in run(tuple(a.which), events=a.events, members=a.members, stores=a.stores, seconds=a.seconds,
                   workers=a.workers, hq_workers=a.hq_workers, interval_s=a.interval, member_ids=a.member_ids,
                   counter_every=a.counter_every, client=a.client):
        row["loadavg"] = [round(x, 2) for x in os.getloadavg()]
        print(json.dumps(row, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
