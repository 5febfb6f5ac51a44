"""Deterministic simulation: HQ and several stores in one process, clocks and network from a seed.

    python -m benchmarks.simulate --schedules 100000 [--seed-start S] [--jobs 2] [--steps 40]
    python -m benchmarks.simulate --seed N [--verbose]        # one schedule, printed step by step

Everything is real except time and the wire: HQ is the real FastAPI app (``hq.app.create_app``)
on a real SQLite file, driven through httpx's ASGI transport; each store is a real (SQLCipher)
store database with the real ``SyncEngine``. The seed decides everything else:

- the store clocks (a simulated instant plus a per-store skew that changes), and HQ's clock
  (``hq.service.utcnow`` is pointed at the simulated instant while a schedule runs);
- the network between each store and HQ (``SimNet``, an httpx transport): requests dropped before
  HQ sees them, replies dropped after HQ committed, requests delivered twice, requests held back
  and delivered later (after newer ones: delay and reordering), a store going offline;
- the interleaving of counter work (register, earn, redeem online-first, void, replay of an earlier
  request with its idempotency key, profile edit, paper-card migration, deletion requested at a
  store), HQ administration (merge, deletion, rule-set change, backup, restore from an older
  backup — the last one or the one before it — followed by an epoch reset), store crashes (the store is dropped in the middle of a sync
  round, after HQ answered a request the store never saw, and reopened from its file), and syncs;
- ids (``uuid.uuid4`` is seeded while a schedule runs), so orderings by id repeat too.

After quiescence (everyone online, drained and pulled, twice) the invariants are checked
(``check``): every store equals HQ (members, statuses, merges, profiles, balances, cards), every
event applied once (HQ holds each entry once; each store holds every HQ entry and nothing else
except its local reversals of rejected events; every entry the cashier was told about is at HQ or
was rejected with a reversal), each card belongs to one live member, every balance equals its
ledger (and its lots, at the stores), and every outbox row has an outcome.

A failing schedule prints its seed and its schedule; ``--seed N`` runs exactly that one again.
To keep one schedule cheap, a template (HQ + enrolled stores, synced) is built once per process
and its files copied per schedule, on /dev/shm when there is one (no fsync cost on tmpfs).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import sqlite3
import sys
import tempfile
import time
import traceback
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx

N_STORES = 3
STEPS = 40
T0 = datetime(2026, 6, 1, 1, 0, tzinfo=timezone.utc)  # a Monday, 10:00 in Tokyo
HQ_URL = "http://127.0.0.1:8399"
CARD_POOL = ["2000123456782", "2000000000015", "2000000000022", "4901234567894"]
PIN = "482916"


class SimCrash(Exception):
    """The store process dies here (raised from the network layer in the middle of a sync)."""


class Violation(AssertionError):
    pass


def install_memory_keyring():
    """No OS keyring on build machines: an in-memory one for this process (synthetic data)."""
    import keyring

    from benchmarks.gen_store import MemoryKeyring

    keyring.set_keyring(MemoryKeyring())  # in memory only: no keys file


def default_workdir() -> Path:
    shm = Path("/dev/shm")
    base = shm if shm.is_dir() and os.access(shm, os.W_OK) else None
    return Path(tempfile.mkdtemp(prefix="tsumugi-sim-", dir=base))


# -------------------------------------------------------------------------------------- clocks
class SimTime:
    def __init__(self):
        self.now = T0

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class StoreClock:
    def __init__(self, t: SimTime):
        self.t = t
        self.skew = timedelta(0)

    def __call__(self) -> datetime:
        return self.t.now + self.skew


# ------------------------------------------------------------------------------------- network
class Hub:
    """The ASGI app driven on one event loop for the whole process (requests are sequential)."""

    def __init__(self, app):
        self.asgi = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        self.loop = asyncio.new_event_loop()

    def deliver(self, method: str, url, headers, body: bytes) -> httpx.Response:
        import anyio.to_thread

        async def inline(func, *args, **_kw):  # the app's blocking calls run right here, in order
            return func(*args)

        async def go():
            req = httpx.Request(method, url, headers=headers, content=body)
            resp = await self.asgi.handle_async_request(req)
            data = await resp.aread()
            return httpx.Response(resp.status_code, headers=resp.headers, content=data)

        # One thread for everything: no thread hops (cheaper, and nothing left to the scheduler).
        saved, anyio.to_thread.run_sync = anyio.to_thread.run_sync, inline
        try:
            return self.loop.run_until_complete(go())
        finally:
            anyio.to_thread.run_sync = saved

    def close(self) -> None:
        self.loop.close()


class SimNet(httpx.BaseTransport):
    """The wire between one store and HQ, driven by the schedule's random generator."""

    def __init__(self, world: "World", i: int):
        self.world = world
        self.i = i
        self.offline = False
        self.crash_after: int | None = None  # requests HQ answers before the store dies

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        w = self.world
        body = request.read()
        what = f"{request.method} {request.url.path}"
        if self.offline:
            raise httpx.ConnectError("offline (simulated)", request=request)
        r = w.rng.random()
        f = w.faults
        if r < f["drop_request"]:
            w.note(f"  net S{self.i}: {what} dropped before HQ")
            w.stats["faults"] += 1
            raise httpx.ConnectError("request lost (simulated)", request=request)
        r -= f["drop_request"]
        if r < f["delay"]:
            w.delayed.append((request.method, request.url, dict(request.headers), body, self.i))
            w.note(f"  net S{self.i}: {what} held back (delivered later)")
            w.stats["faults"] += 1
            raise httpx.ReadTimeout("timed out (simulated)", request=request)
        r -= f["delay"]
        dup = r < f["duplicate"]
        r -= f["duplicate"] if dup else 0
        resp = w.hub.deliver(request.method, request.url, request.headers, body)
        if dup:
            w.note(f"  net S{self.i}: {what} delivered twice")
            w.stats["faults"] += 1
            resp = w.hub.deliver(request.method, request.url, request.headers, body)
        if self.crash_after is not None:
            self.crash_after -= 1
            if self.crash_after < 0:
                self.crash_after = None
                w.note(f"  S{self.i} crashes after HQ answered {what} ({resp.status_code})")
                raise SimCrash()
        if w.rng.random() < f["drop_reply"]:
            w.note(f"  net S{self.i}: {what} reply lost after HQ answered {resp.status_code}")
            w.stats["faults"] += 1
            raise httpx.ReadError("reply lost (simulated)", request=request)
        return resp


# ------------------------------------------------------------------------------------ template
@dataclass
class Template:
    folder: Path
    store_ids: list[str]
    manager_ids: dict[str, int]


def _enroll(store, service, code: str) -> None:
    """sync.engine.enroll, with HQ reached in-process (enroll() takes no transport)."""
    from sqlalchemy import select

    from app.clock import iso
    from app.models import SigningKey
    from app.secrets import set_secret
    from sync.engine import S_ENROLLED, S_HQ_KEY, S_URL, credential_name
    from sync.protocol import EnrollRequest

    with store.db.read() as s:
        key = s.scalars(select(SigningKey).where(SigningKey.is_own.is_(True))).first()
    resp = service.enroll(EnrollRequest(code=code, store_id=store.store_id, terminal_id=store.terminal_id,
                                        signing_key_id=key.key_id, signing_public_key=key.public_key.hex()))
    set_secret(credential_name(store.store_id), resp.credential)
    with store.db.write() as s:
        store.set_settings(s, **{S_URL: HQ_URL, S_HQ_KEY: resp.hq_public_key, S_ENROLLED: iso(store.now())})


def build_template(folder: Path) -> Template:
    """HQ with N_STORES enrolled stores, each synced once; files closed (WAL folded in)."""
    import hq.service as hq_service
    from app.services.setup import init_store
    from app.store import SYSTEM, Store
    from hq.app import create_app
    from hq.settings import Settings
    from sync.engine import SyncEngine

    folder.mkdir(parents=True, exist_ok=True)
    t = SimTime()
    saved = hq_service.utcnow
    hq_service.utcnow = lambda: t.now
    try:
        app = create_app(settings=Settings(database_url=f"sqlite:///{folder / 'hq.sqlite'}"))
        service = app.state.service
        hub = Hub(app)
        ids, managers = [f"S{i}" for i in range(N_STORES)], {}
        for sid in ids:
            _, code = service.add_store(sid, sid)
            store = Store.open(folder / f"{sid}.sqlite", clock=lambda: t.now)
            init_store(store, sid)
            managers[sid] = store.staff.add(SYSTEM, "店長", "manager", PIN).id
            _enroll(store, service, code)

            class _Direct(httpx.BaseTransport):
                def handle_request(self, request):
                    return hub.deliver(request.method, request.url, request.headers, request.read())

            eng = SyncEngine(store, transport=_Direct(), lock=False, pipeline=False)
            eng.sync_once()
            eng.close()
            store.close()
        service.db.close()
        hub.close()
    finally:
        hq_service.utcnow = saved
    return Template(folder, ids, managers)


# --------------------------------------------------------------------------------------- world
class StoreNode:
    def __init__(self, world: "World", i: int, sid: str, manager_id: int):
        self.world, self.i, self.sid, self.manager_id = world, i, sid, manager_id
        self.path = world.folder / f"{sid}.sqlite"
        self.clock = StoreClock(world.t)
        self.net = SimNet(world, i)
        self.open()

    def open(self) -> None:
        from app.store import Actor, Store
        from sync.engine import SyncEngine

        # The Database (engine, pool, compiled-SQL cache) is kept per file path for the process:
        # a crash disposes its connections, so the file is opened again; only the cache of
        # compiled statements survives (it holds no data), which keeps a schedule cheap.
        db = self.world.databases.get(self.path)
        if db is None:
            from app.db import Database

            db = self.world.databases[self.path] = Database(self.path, upgrade=False)
        self.store = Store(db, clock=self.clock)
        self.actor = Actor(staff_id=self.manager_id, role="manager", name="店長", store=self.store)
        w = self.world
        # pipeline=False: SimNet draws its faults from the run's one generator and drives HQ's
        # app on one event loop; a push on a second thread would make a seed irreproducible
        self.engine = SyncEngine(self.store, transport=self.net, lock=False, pipeline=False,
                                 batch_size=w.rng.choice([3, 7, 500]), page_size=w.rng.choice([5, 50, 500]))
        self.engine.hlc.now_ms = lambda: int(self.clock().timestamp() * 1000)

    def crash(self) -> None:
        """Drop everything in memory; what was committed is in the file (SQLite transactions)."""
        self.engine._client = None
        self.store.db.engine.dispose()
        self.open()

    def close(self) -> None:
        self.engine.close()
        self.store.db.engine.dispose()


@dataclass
class Result:
    seed: int
    steps: int
    violations: list[str] = field(default_factory=list)
    schedule: list[str] = field(default_factory=list)
    stats: dict = field(default_factory=dict)


class World:
    """One process's simulation: the HQ app (built once) and a template copied per schedule."""

    def __init__(self, workdir: Path | None = None):
        import hq.service as hq_service
        from hq.app import create_app
        from hq.settings import Settings

        self.workdir = workdir or default_workdir()
        self.template = build_template(self.workdir / "template")
        self.folder = self.workdir / "run"
        self._copy_template()
        self.t = SimTime()
        self._hq_service = hq_service
        self._saved_utcnow = hq_service.utcnow
        hq_service.utcnow = lambda: self.t.now
        try:
            self.app = create_app(settings=Settings(database_url=f"sqlite:///{self.folder / 'hq.sqlite'}"),
                                  upgrade=False)
        finally:
            hq_service.utcnow = self._saved_utcnow
        self.service = self.app.state.service
        self.hub = Hub(self.app)
        self.verbose = False
        self.databases: dict = {}

    def close(self) -> None:
        for db in self.databases.values():
            db.close()
        self.service.db.close()
        self.hub.close()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def _copy_template(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        for p in self.template.folder.iterdir():
            if p.suffix == ".sqlite":
                shutil.copyfile(p, self.folder / p.name)

    def note(self, line: str) -> None:
        self.log.append(line)
        if self.verbose:
            print(line, file=sys.stderr, flush=True)

    # -- one schedule -------------------------------------------------------------------------
    def run(self, seed: int, steps: int = STEPS, verbose: bool = False) -> Result:
        self.verbose = verbose
        self.rng = random.Random(seed)
        self.seed = seed
        self.log: list[str] = []
        self.stats = {"faults": 0, "crashes": 0, "restores": 0, "older_restores": 0}
        self.delayed: list = []
        self.t = SimTime()
        idrng = random.Random(seed * 7919 + 1)
        saved_uuid4 = uuid.uuid4
        uuid.uuid4 = lambda: uuid.UUID(int=idrng.getrandbits(128), version=4)
        self._hq_service.utcnow = lambda: self.t.now
        self.service.db.engine.dispose()
        self.service._auth_cache.clear()
        self._copy_template()
        r = self.rng
        self.faults = {"drop_request": r.choice([0.0, 0.03, 0.1]), "drop_reply": r.choice([0.0, 0.05, 0.15]),
                       "duplicate": r.choice([0.0, 0.05]), "delay": r.choice([0.0, 0.03, 0.08])}
        self.note(f"seed {seed}: faults {self.faults}")
        self.nodes: list[StoreNode] = []
        result = Result(seed, steps)
        try:
            self.nodes = [StoreNode(self, i, sid, self.template.manager_ids[sid])
                          for i, sid in enumerate(self.template.store_ids)]
            self.members: list[str] = []       # every member registered, in order
            self.acked: dict[str, str] = {}     # entry id the cashier was shown → store id
            self.keys: list[tuple] = []         # (node index, kind, args, key, entry id) to replay
            self.backup: Path | None = None
            self.older_backup: Path | None = None  # the one before it (op_backup), kept until retired
            self.rule_n = 0
            for n in range(steps):
                self.t.advance(r.expovariate(1 / 40))
                self.step(n)
            self.quiesce()
            result.violations = self.check()
        except Exception as exc:  # noqa: BLE001 - an unexpected error is a finding too
            result.violations = [f"unexpected {exc.__class__.__name__}: {exc}",
                                 traceback.format_exc(limit=8)]
        finally:
            for node in self.nodes:
                try:
                    node.close()
                except Exception:  # noqa: BLE001
                    pass
            uuid.uuid4 = saved_uuid4
            self._hq_service.utcnow = self._saved_utcnow
        result.schedule = self.log
        result.stats = dict(self.stats)
        return result

    # -- the steps ------------------------------------------------------------------------------
    OPS = (("register", 7), ("earn", 22), ("redeem", 9), ("void", 5), ("replay", 5), ("edit", 5),
           ("migrate", 4), ("store_delete", 1), ("sync", 20), ("network", 6), ("crash", 3), ("merge", 3),
           ("hq_delete", 1), ("rules", 2), ("backup", 2), ("restore", 2), ("skew", 3), ("late", 4),
           ("hours", 2))

    def step(self, n: int) -> None:
        from app.errors import TsumugiError
        from hq.service import HQError
        from sync.client import SyncError

        r = self.rng
        names, weights = zip(*self.OPS)
        op = r.choices(names, weights)[0]
        i = r.randrange(len(self.nodes))
        node = self.nodes[i]
        try:
            getattr(self, f"op_{op}")(n, node)
        except SimCrash:
            self.stats["crashes"] += 1
            node.crash()
        except (TsumugiError, HQError, SyncError) as exc:
            self.note(f"{n:3d} {op} S{i}: refused ({getattr(exc, 'code', exc.__class__.__name__)})")

    def _member(self) -> str | None:
        return self.rng.choice(self.members) if self.members else None

    def _ack(self, n, node, what, entry_id, key, kind, args) -> None:
        self.acked[entry_id] = node.sid
        self.keys.append((node.i, kind, args, key, entry_id))
        self.note(f"{n:3d} {what} S{node.i}: ok {entry_id[:8]}")

    def op_register(self, n, node):
        phone = f"090{self.rng.randrange(10**8):08d}" if self.rng.random() < 0.5 else None
        m = node.store.members.register(node.actor, "シミュレーション", phone=phone).member
        self.members.append(m.id)
        self.note(f"{n:3d} register S{node.i}: member {m.id[:8]}")

    def op_earn(self, n, node):
        mid, yen = self._member(), self.rng.randrange(100, 20000)
        if mid is None:
            return
        key = uuid.uuid4()
        self.note(f"{n:3d} earn S{node.i}: {mid[:8]} ¥{yen}")
        res = node.store.ledger.earn(node.actor, mid, yen, key=key)
        self._ack(n, node, "earn", res.entry_id, key, "earn", (mid, yen))

    def op_redeem(self, n, node):
        mid, pts = self._member(), self.rng.randrange(1, 300)
        if mid is None:
            return
        key = uuid.uuid4()
        self.note(f"{n:3d} redeem S{node.i}: {mid[:8]} {pts} pt")
        res = node.engine.redeem(node.actor, mid, pts, key, timeout=1.5)
        self._ack(n, node, f"redeem ({res['mode']})", res["entry"].entry_id, key, "redeem", (mid, pts))

    def op_void(self, n, node):
        # a voided paper-card migration releases the card (it may be migrated again, here or elsewhere)
        mine = [k for k in self.keys if k[0] == node.i and k[1] in ("earn", "redeem", "migrate")]
        if not mine:
            return
        pick = self.rng.choice(mine)
        entry_id = pick[4]
        key = uuid.uuid4()
        self.note(f"{n:3d} void S{node.i}: {entry_id[:8]} ({pick[1]})")
        res = node.store.ledger.void(node.actor, entry_id, key)
        self._ack(n, node, "void", res.entry_id, key, "void", (entry_id,))

    def op_replay(self, n, node):
        """The cashier presses again after a crash/timeout: same key, same answer."""
        if not self.keys:
            return
        i, kind, args, key, entry_id = self.rng.choice(self.keys)
        node = self.nodes[i]
        self.note(f"{n:3d} replay {kind} S{i}: key of {entry_id[:8]}")
        if kind == "earn":
            got = node.store.ledger.earn(node.actor, args[0], args[1], key=key).entry_id
        elif kind == "redeem":
            got = node.store.ledger.redeem(node.actor, args[0], args[1], key).entry_id
        elif kind == "void":
            got = node.store.ledger.void(node.actor, args[0], key).entry_id
        else:
            got = node.store.migration.migrate(node.actor, args[0], args[1], key, points=args[2]).entry.entry_id
        if got != entry_id:
            raise Violation(f"replay of {kind} with the same key gave {got}, first {entry_id}")

    def op_edit(self, n, node):
        mid = self._member()
        if mid is None:
            return
        phone = f"080{self.rng.randrange(10**8):08d}"
        self.note(f"{n:3d} edit S{node.i}: {mid[:8]} phone")
        node.store.members.update(node.actor, mid, phone=phone)

    def op_migrate(self, n, node):
        mid = self._member()
        if mid is None:
            return
        card, pts = self.rng.choice(CARD_POOL), self.rng.randrange(1, 200)
        key = uuid.uuid4()
        self.note(f"{n:3d} migrate S{node.i}: card {card} → {mid[:8]} {pts} pt")
        res = node.store.migration.migrate(node.actor, card, mid, key, points=pts)
        self._ack(n, node, "migrate", res.entry.entry_id, key, "migrate", (card, mid, pts))

    def op_store_delete(self, n, node):
        mid = self._member()
        if mid is None:
            return
        self.note(f"{n:3d} delete (privacy request) S{node.i}: {mid[:8]}")
        node.store.privacy.delete_member(node.actor, mid)

    def op_sync(self, n, node):
        from sync.client import SyncError

        self.note(f"{n:3d} sync S{node.i}")
        try:
            node.engine.sync_once()
        except SyncError as exc:
            self.note(f"      sync S{node.i} failed: {exc.__class__.__name__}")

    def op_network(self, n, node):
        node.net.offline = not node.net.offline
        self.note(f"{n:3d} S{node.i} goes {'offline' if node.net.offline else 'online'}")

    def op_crash(self, n, node):
        from sync.client import SyncError

        node.net.crash_after = self.rng.randrange(0, 4)
        self.note(f"{n:3d} crash S{node.i} during sync (after {node.net.crash_after} answered request(s))")
        try:
            node.engine.sync_once()
        except SyncError:
            pass
        if node.net.crash_after is not None:  # the round ended first: crash right after it
            node.net.crash_after = None
            self.note("      (round ended first: crash after it)")
        raise SimCrash()

    def _admin(self, what: str) -> None:
        if self.backup is not None or self.older_backup is not None:
            # HQ's admin log since the backup would be lost by a restore: an operator restoring
            # an older backup redoes those by hand; this simulation restores only across store
            # traffic, so an admin action retires the backups.
            self.backup = self.older_backup = None
            self.note(f"      ({what} after the backup: backup retired)")

    def op_merge(self, n, node):
        from sqlalchemy import select

        from hq.models import MemberRow

        with self.service.db.read() as s:
            active = list(s.scalars(select(MemberRow.id).where(MemberRow.status == "active")
                                    .order_by(MemberRow.created_at, MemberRow.id)))
        if len(active) < 2:
            return
        a, b = self.rng.sample(active, 2)
        self.note(f"{n:3d} HQ merge {b[:8]} into {a[:8]}")
        self.service.merge(a, b)
        self._admin("merge")

    def op_hq_delete(self, n, node):
        mid = self._member()
        if mid is None:
            return
        self.note(f"{n:3d} HQ delete {mid[:8]}")
        self.service.delete_member(mid)
        self._admin("delete")

    def op_rules(self, n, node):
        from app.clock import iso
        from app.rules import load_default_rule_set

        body = json.loads(load_default_rule_set().model_dump_json())
        self.rule_n += 1
        body["version"] = f"sim{self.seed}-{self.rule_n}"
        start = self.t.now + timedelta(seconds=self.rng.randrange(-3600, 7200))
        body["valid_from"] = iso(start)
        body["base"]["points_per_unit"] = self.rng.choice([1, 2, 3])
        self.note(f"{n:3d} HQ rule set {body['version']} from {body['valid_from']} "
                  f"({body['base']['points_per_unit']} pt/¥100)")
        self.service.publish_rule_set(body)
        self._admin("rule set")

    def _hq_files(self) -> list[Path]:
        p = self.folder / "hq.sqlite"
        return [p, Path(f"{p}-wal"), Path(f"{p}-shm")]

    def op_backup(self, n, node):
        src = sqlite3.connect(self.folder / "hq.sqlite")
        dest_path = self.folder / "hq.backup"
        if self.backup is not None:
            older = self.folder / "hq.older-backup"
            os.replace(self.backup, older)
            self.older_backup = older
        dest_path.unlink(missing_ok=True)
        dest = sqlite3.connect(dest_path)
        src.backup(dest)
        dest.close()
        src.close()
        self.backup = dest_path
        self.note(f"{n:3d} HQ backup taken")

    def op_restore(self, n, node):
        if self.backup is None:
            return
        # Now and then the backup before the last one: after a restore from one of the two, the
        # other is a backup taken before or after the state HQ was put back to — an operator
        # putting back "the right backup" after the wrong one. Chosen by the step, not drawn, so
        # schedules with one backup are drawn as before.
        source = self.older_backup if self.older_backup is not None and n % 2 == 0 else self.backup
        self.note(f"{n:3d} HQ restored from the {'older ' if source != self.backup else ''}backup, epoch bumped")
        self.service.db.engine.dispose()
        for p in self._hq_files():
            p.unlink(missing_ok=True)
        shutil.copyfile(source, self.folder / "hq.sqlite")
        self.service._auth_cache.clear()
        self.service.bump_epoch()
        self.stats["restores"] += 1
        self.stats["older_restores"] += source != self.backup

    def op_skew(self, n, node):
        node.clock.skew = timedelta(seconds=self.rng.choice([0, 0, 20, -20, 300, -300, 7200, -7200]))
        self.note(f"{n:3d} S{node.i} clock skew {node.clock.skew.total_seconds():+.0f} s")

    def op_late(self, n, node):
        """A request held back by the network arrives now (its reply goes nowhere)."""
        if not self.delayed:
            return
        method, url, headers, body, i = self.delayed.pop(self.rng.randrange(len(self.delayed)))
        resp = self.hub.deliver(method, url, headers, body)
        self.note(f"{n:3d} late delivery from S{i}: {method} {url.path} → {resp.status_code}")

    def op_hours(self, n, node):
        hours = self.rng.choice([3, 14, 30, 24 * 8])
        self.t.advance(hours * 3600)
        self.note(f"{n:3d} {hours} h pass")

    # -- quiescence and the invariants ---------------------------------------------------------
    def quiesce(self) -> None:
        self.note("quiescence: every store online, late requests delivered, drained and pulled")
        for node in self.nodes:
            node.net.offline = False
            node.net.crash_after = None
        for method, url, headers, body, i in self.delayed:
            self.hub.deliver(method, url, headers, body)
        self.delayed = []
        self.faults = {k: 0.0 for k in self.faults}
        self.t.advance(60)
        for _ in range(4):  # until a whole round moves nothing (a round after a reset replays it)
            moved = 0
            for node in self.nodes:
                done = node.engine.sync_once()
                moved += sum(done["pushed"].values()) + done["pulled"]["changes"] + int(done["pulled"]["reset"])
            if not moved:
                break

    def check(self) -> list[str]:
        from sqlalchemy import func, select

        from app.models import Card, LedgerEntry, Lot, Member, Outbox
        from app.services.replica import LOCAL_NS
        from hq.models import CardRow, LedgerRow, MemberRow

        problems: list[str] = []
        with self.service.db.read() as s:
            hq_members = {m.id: m for m in s.scalars(select(MemberRow))}
            hq_ledger = list(s.execute(select(LedgerRow.id, LedgerRow.member_id, LedgerRow.points)).all())
            hq_cards = {(c.kind, c.number): (c.member_id, c.status) for c in s.scalars(select(CardRow))}
        hq_ids = {e[0] for e in hq_ledger}
        if len(hq_ids) != len(hq_ledger):
            problems.append("HQ: an entry id booked twice")
        sums: dict[str, int] = {}
        for _, mid, pts in hq_ledger:
            sums[mid] = sums.get(mid, 0) + pts
        for mid, m in hq_members.items():
            if m.balance != sums.get(mid, 0):
                problems.append(f"HQ: member {mid[:8]} balance {m.balance} != ledger {sums.get(mid, 0)}")
            if m.balance < 0:
                problems.append(f"HQ: member {mid[:8]} balance {m.balance} < 0")
        for (kind, number), (mid, status) in hq_cards.items():
            if status == "active" and mid is None and kind != "member_code":
                continue  # a paper card whose migration was voided: released, no one's
            if status == "active" and (mid not in hq_members or hq_members[mid].status != "active"):
                problems.append(f"HQ: active {kind} card {number} belongs to "
                                f"{hq_members[mid].status if mid in hq_members else 'no'} member {str(mid)[:8]}")
            if status == "migrated" and mid in hq_members and hq_members[mid].status == "merged":
                problems.append(f"HQ: migrated card {number} still on merged member {mid[:8]}")
        # entries HQ refused (from any store): their sender reverses them, and so does a store that
        # pulled a copy before HQ was restored from an older backup (the ledger.rejected change)
        refused: set[str] = set()
        for node in self.nodes:
            with node.store.db.read() as s:
                refused.update(s.scalars(select(Outbox.event_id).where(Outbox.outcome == "rejected",
                                                                       Outbox.type.like("ledger.%"))))
        for node in self.nodes:
            sid = node.sid
            st = node.store
            problems += [f"{sid}: {p}" for p in node.engine.replica.invariant_problems()]
            with st.db.read() as s:
                members = {m.id: m for m in s.scalars(select(Member))}
                ledger = list(s.execute(select(LedgerEntry.id, LedgerEntry.member_id)).all())
                hq_made = set(s.scalars(select(LedgerEntry.id).where(LedgerEntry.store_id == "HQ")))
                lots_neg = s.scalar(select(func.count()).select_from(Lot).where(Lot.remaining < 0))
                no_outcome = s.scalar(select(func.count()).select_from(Outbox).where(Outbox.outcome.is_(None)))
                rejected = set(s.scalars(select(Outbox.event_id).where(Outbox.outcome == "rejected")))
                cards = {(c.kind, c.number): (c.member_id, c.status) for c in s.scalars(select(Card))
                         if c.kind != "member_code"}
            if no_outcome:
                problems.append(f"{sid}: {no_outcome} outbox row(s) without an outcome")
            if lots_neg:
                problems.append(f"{sid}: {lots_neg} lot(s) below zero")
            ids = [e[0] for e in ledger]
            if len(ids) != len(set(ids)):
                problems.append(f"{sid}: an entry held twice")
            allowed = rejected | refused | {str(uuid.uuid5(LOCAL_NS, f"{r}:rejected")) for r in rejected | refused}
            # an HQ compensation HQ withdrew after a restore, and this store's reversal of it: the
            # pair nets to nothing (the balances are compared below)
            held = set(ids)
            taken_back = {e for e in hq_made if str(uuid.uuid5(LOCAL_NS, f"{e}:rejected")) in held}
            allowed |= taken_back | {str(uuid.uuid5(LOCAL_NS, f"{e}:rejected")) for e in taken_back}
            extra = set(ids) - hq_ids - allowed
            if extra:
                problems.append(f"{sid}: {len(extra)} entr(y/ies) HQ never booked, e.g. {sorted(extra)[0][:8]}")
            # A member deleted at HQ before this store ever heard of them is not sent here at all
            # (their feed rows are scrubbed): neither the member nor their entries are expected.
            unknown_deleted = {mid for mid, hm in hq_members.items() if hm.status == "deleted" and mid not in members}
            missing = {e[0] for e in hq_ledger if e[1] not in unknown_deleted} - set(ids)
            if missing:
                problems.append(f"{sid}: {len(missing)} HQ entr(y/ies) missing, e.g. {sorted(missing)[0][:8]}")
            for mid, hm in hq_members.items():
                m = members.get(mid)
                if m is None and mid in unknown_deleted:
                    continue
                if m is None:
                    problems.append(f"{sid}: member {mid[:8]} ({hm.status}) missing")
                    continue
                if m.balance != hm.balance:
                    problems.append(f"{sid}: member {mid[:8]} balance {m.balance}, HQ {hm.balance}")
                if m.status != hm.status or (m.merged_into or None) != (hm.merged_into or None):
                    problems.append(f"{sid}: member {mid[:8]} {m.status}→{str(m.merged_into)[:8]}, "
                                    f"HQ {hm.status}→{str(hm.merged_into)[:8]}")
                if hm.status == "active":
                    for f in ("name_kana", "phone", "email", "birthday"):
                        if (getattr(m, f) or None) != (getattr(hm, f) or None):
                            problems.append(f"{sid}: member {mid[:8]} {f} differs from HQ")
            for mid in set(members) - set(hq_members):
                problems.append(f"{sid}: member {mid[:8]} unknown to HQ")
            for key, (mid, status) in cards.items():
                if key[1].startswith("deleted:"):
                    continue  # a deletion made here pseudonymises the customer's card numbers here
                if status == "active" and mid is not None and (mid not in members or members[mid].status != "active"):
                    whose = members[mid].status if mid in members else "missing"
                    problems.append(f"{sid}: active card {key[1]} on a {whose} member")
                hq_card = hq_cards.get(key)
                if status == "migrated" and (hq_card is None or hq_card[1] != "migrated"):
                    problems.append(f"{sid}: card {key[1]} migrated here, HQ {hq_card}")
            for key, (mid, status) in hq_cards.items():
                if status == "migrated" and key[0] != "member_code":
                    if mid in hq_members and hq_members[mid].status == "deleted":
                        continue  # pseudonymised where the deletion was asked for
                    here = cards.get(key)
                    if here is None or here[1] != "migrated":
                        problems.append(f"{sid}: card {key[1]} migrated at HQ, here {here}")
        for entry_id, sid in self.acked.items():
            if entry_id in hq_ids:
                continue
            node = next(x for x in self.nodes if x.sid == sid)
            with node.store.db.read() as s:
                outcome = s.scalar(select(Outbox.outcome).where(Outbox.event_id == entry_id))
            if outcome != "rejected":
                problems.append(f"{sid}: acknowledged entry {entry_id[:8]} not at HQ (outcome {outcome})")
        return problems


# ------------------------------------------------------------------------------------- running
_WORLD: World | None = None  # one per worker process: the template is built once


def _process_world() -> World:
    global _WORLD
    if _WORLD is None:
        from multiprocessing import util

        _WORLD = World()
        util.Finalize(None, _WORLD.close, exitpriority=10)  # a pool worker skips atexit
    return _WORLD


def _worker(args) -> dict:
    start, count, steps, stop_on_fail = args
    world = _process_world()
    out = {"schedules": 0, "steps": 0, "violations": 0, "first_failing_seed": None, "failures": [],
           "faults": 0, "crashes": 0, "restores": 0, "older_restores": 0}
    for seed in range(start, start + count):
        res = world.run(seed, steps)
        out["schedules"] += 1
        out["steps"] += res.steps
        for k in ("faults", "crashes", "restores", "older_restores"):
            out[k] += res.stats.get(k, 0)
        if res.violations:
            out["violations"] += len(res.violations)
            if out["first_failing_seed"] is None or seed < out["first_failing_seed"]:
                out["first_failing_seed"] = seed
            out["failures"].append({"seed": seed, "violations": res.violations[:10]})
            if stop_on_fail:
                break
    return out


def run_many(schedules: int, seed_start: int = 1, jobs: int = 1, steps: int = STEPS,
             stop_on_fail: bool = False, chunk: int | None = None, progress: bool = False) -> dict:
    """Run seeds seed_start .. seed_start+schedules-1 (in chunks over `jobs` processes)."""
    t0 = time.perf_counter()
    chunk = chunk or max(5, min(100, -(-schedules // (max(1, jobs) * 4))))
    tasks = [(s, min(chunk, seed_start + schedules - s), steps, stop_on_fail)
             for s in range(seed_start, seed_start + schedules, chunk)]
    parts: list[dict] = []

    def done(part: dict) -> None:
        parts.append(part)
        if progress:
            for f in part["failures"]:
                print(f"seed {f['seed']}: " + " | ".join(v.splitlines()[0] for v in f["violations"][:3]) +
                      f"  (reproduce: python -m benchmarks.simulate --seed {f['seed']} --steps {steps})",
                      file=sys.stderr, flush=True)
            n = sum(p["schedules"] for p in parts)
            spent = time.perf_counter() - t0
            print(json.dumps({"progress": n, "of": schedules, "violations": sum(p["violations"] for p in parts),
                              "seconds": round(spent, 1), "per_second": round(n / spent, 2),
                              "load": " ".join(f"{x:.1f}" for x in os.getloadavg())}), file=sys.stderr, flush=True)

    if jobs <= 1:
        global _WORLD
        install_memory_keyring_if_needed()
        try:
            for t in tasks:
                done(_worker(t))
        finally:
            if _WORLD is not None:
                _WORLD.close()
                _WORLD = None
    else:
        import multiprocessing as mp

        pool = mp.get_context("spawn").Pool(jobs, initializer=_init_worker)
        try:
            for part in pool.imap_unordered(_worker, tasks):
                done(part)
            pool.close()  # workers exit on their own: their worlds are cleaned up (Finalize)
        except BaseException:
            pool.terminate()
            raise
        finally:
            pool.join()
    total = {"schedules": 0, "steps": 0, "violations": 0, "faults": 0, "crashes": 0, "restores": 0,
             "older_restores": 0}
    first, failures = None, []
    for p in parts:
        for k in total:
            total[k] += p[k]
        if p["first_failing_seed"] is not None and (first is None or p["first_failing_seed"] < first):
            first = p["first_failing_seed"]
        failures += p["failures"]
    return {"schedules": total["schedules"], "steps": total["steps"], "violations": total["violations"],
            "seconds": round(time.perf_counter() - t0, 1), "first_failing_seed": first,
            "faults_injected": total["faults"], "crashes": total["crashes"], "hq_restores": total["restores"],
            "hq_restores_from_the_backup_before": total["older_restores"], "seed_start": seed_start,
            "failures": sorted(failures, key=lambda f: f["seed"])[:20]}


def _init_worker() -> None:
    import logging

    install_memory_keyring()
    logging.disable(logging.WARNING)  # the sync engine's warnings about what the schedule does to it


def install_memory_keyring_if_needed() -> None:
    import keyring

    if keyring.get_keyring().__class__.__module__.startswith(("keyring.backends.fail", "keyring.backends.chainer")):
        install_memory_keyring()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.simulate", description=__doc__.split("\n\n")[0])
    ap.add_argument("--schedules", type=int, default=1000)
    ap.add_argument("--seed-start", type=int, default=1)
    ap.add_argument("--seed", type=int, help="run this one schedule and print it step by step")
    ap.add_argument("--steps", type=int, default=STEPS)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args(argv)
    import logging

    logging.disable(logging.WARNING)
    if args.seed is not None:
        install_memory_keyring_if_needed()
        world = World()
        try:
            res = world.run(args.seed, args.steps, verbose=args.verbose)
        finally:
            world.close()
        if not args.verbose:
            print("\n".join(res.schedule), file=sys.stderr)
        for v in res.violations:
            print(f"VIOLATION: {v}", file=sys.stderr)
        print(json.dumps({"seed": args.seed, "steps": res.steps, "violations": len(res.violations),
                          **res.stats}), flush=True)
        return 1 if res.violations else 0
    out = run_many(args.schedules, args.seed_start, args.jobs, args.steps, progress=True)
    out.pop("failures")  # printed as they came in
    print(json.dumps(out), flush=True)
    return 1 if out["violations"] else 0


if __name__ == "__main__":
    sys.exit(main())
