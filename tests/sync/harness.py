"""Real parts for sync tests: HQ served by uvicorn on a loopback port (SQLite, and PostgreSQL when
TSUMUGI_TEST_DATABASE_URL is set), real store SQLite files, a fault-injecting httpx transport at
the edge (a lost response), and the invariants every scenario ends with."""
from __future__ import annotations

import os
import secrets
import socket
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlalchemy import create_engine, func, select, text

PG_ENV = "TSUMUGI_TEST_DATABASE_URL"


def backends() -> list[str]:
    return ["sqlite", "postgresql"] if os.environ.get(PG_ENV) else ["sqlite"]


def pg_url() -> str:
    url = os.environ[PG_ENV]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def check_pg_reachable() -> None:
    """Fail loudly (not skip) when CI asked for PostgreSQL and it is not there."""
    url = pg_url()
    try:
        eng = create_engine(url)
        with eng.connect() as c:
            c.execute(text("SELECT 1"))
        eng.dispose()
    except Exception as exc:  # noqa: BLE001
        pytest.fail(f"{PG_ENV} is set to {url!r} but PostgreSQL cannot be reached: {exc}", pytrace=False)


class PgSchema:
    """A fresh schema, dropped afterwards."""

    def __init__(self):
        self.url = pg_url()
        self.name = "tsumugi_t_" + secrets.token_hex(5)

    def drop(self) -> None:
        eng = create_engine(self.url)
        with eng.begin() as c:
            c.execute(text(f'DROP SCHEMA IF EXISTS "{self.name}" CASCADE'))
        eng.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class HQServer:
    """uvicorn serving hq.app.create_app on 127.0.0.1:<port> in a thread; stop() and start() again
    on the same port simulate HQ going down and coming back."""

    def __init__(self, database_url: str, schema: str | None = None, **settings):
        from hq.app import create_app
        from hq.settings import Settings

        self.settings = Settings(database_url=database_url, schema=schema, notify_poll_s=0.05, **settings)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.app = create_app(settings=self.settings)
        self.service = self.app.state.service
        self._server = None
        self._thread = None

    def start(self) -> "HQServer":
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on",
                                timeout_graceful_shutdown=1)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("HQ did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
            self._thread.join(10)
            self._server = None

    @property
    def running(self) -> bool:
        return self._server is not None

    def admin_token(self) -> str:
        return self.service.add_principal("test-admin", "admin")


class FaultyTransport(httpx.HTTPTransport):
    """Real HTTP, with faults at the edge: drop the response of the next N pushes after HQ has
    committed them (the store sees a network error)."""

    def __init__(self):
        super().__init__()
        self.drop_push_responses = 0
        self.pushes = 0
        self.offline = False  # the store's network is down: every request fails to connect
        self.changes_requests = 0
        self.fail_changes_from: int | None = None  # the network goes down at this pull request (1-based)
        self.fail_push_from: int | None = None  # ... at this push request (1-based)
        self.hold_next_push = False  # the next push is held up in the network (the store sees it fail) ...
        self.held: list[httpx.Request] = []
        # path → body: HQ's next answer on that path (after HQ acted on the request) reaches the
        # store as this body instead, status 200 (a proxy's page, another server, a garbled reply)
        self.garble: dict[str, bytes] = {}

    def deliver_held(self) -> list[httpx.Response]:
        """... and delivered now, late: HQ's answers (which never reach the store)."""
        out = []
        for request in self.held:
            response = super().handle_request(request)
            response.read()
            out.append(response)
        self.held = []
        return out

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/sync/push" and self.hold_next_push:
            self.hold_next_push = False
            request.read()
            self.held.append(request)
            raise httpx.ConnectTimeout("request held up in the network (injected)", request=request)
        if request.url.path == "/v1/sync/changes":
            self.changes_requests += 1
            if self.fail_changes_from is not None and self.changes_requests >= self.fail_changes_from:
                self.offline = True
        if request.url.path == "/v1/sync/push" and self.fail_push_from is not None \
                and self.pushes + 1 >= self.fail_push_from:
            self.offline = True
        if self.offline:
            raise httpx.ConnectError("network down (injected)", request=request)
        response = super().handle_request(request)
        if request.url.path in self.garble:
            response.read()
            response.close()
            return httpx.Response(200, content=self.garble.pop(request.url.path),
                                  headers={"Content-Type": "application/json"}, request=request)
        if request.url.path == "/v1/sync/push":
            self.pushes += 1
            if self.drop_push_responses > 0:
                self.drop_push_responses -= 1
                response.read()
                response.close()
                raise httpx.ReadError("response lost (injected)", request=request)
        return response


class Clock:
    """A store clock that can be set off by hours (skew) or moved on."""

    def __init__(self, offset: timedelta = timedelta(0)):
        self.offset = offset

    def __call__(self) -> datetime:
        return datetime.now(timezone.utc) + self.offset


class StoreHandle:
    def __init__(self, path: Path, store_id: str, hq: HQServer, clock: Clock | None = None,
                 template: Path | None = None):
        from app.services.setup import init_store
        from app.store import SYSTEM, Store
        from sync.engine import SyncEngine

        if template is not None:  # a migrated, empty store database: skips the schema upgrade
            import shutil

            shutil.copyfile(template, path)
        self.path = path
        self.clock = clock or Clock()
        self.store = Store.open(path, clock=self.clock)
        init_store(self.store, store_id)
        self.manager = self.store.staff.add(SYSTEM, "店長", "manager", "482916") if self.store.staff.count() == 0 \
            else None
        self.actor = self.store.staff.authenticate(self.manager.id, "482916")
        self.hq = hq
        self.transport = FaultyTransport()
        self.engine = SyncEngine(self.store, transport=self.transport, page_size=500)
        self.store_id = store_id

    def enroll(self) -> None:
        from sync.engine import enroll

        _, code = self.hq.service.add_store(self.store_id, self.store_id)
        enroll(self.store, self.hq.url, code)
        self.engine.close()

    def sync(self) -> dict:
        return self.engine.sync_once()

    def register(self, kana: str = "ヤマダハナコ", **kw):
        return self.store.members.register(self.actor, kana, **kw).member

    def earn(self, member_id: str, yen: int, at: datetime | None = None):
        return self.store.ledger.earn(self.actor, member_id, yen, key=uuid.uuid4(), at=at)

    def redeem(self, member_id: str, points: int, **kw):
        return self.engine.redeem(self.actor, member_id, points, uuid.uuid4(), **kw)

    def close(self) -> None:
        self.engine.close()
        self.store.close()


def assert_converged(hq: HQServer, stores: list[StoreHandle]) -> None:
    """The invariants every scenario ends with, after everyone has synced:
    - every store: balance == sum(ledger) == sum(lots) for every member;
    - every outbox row has an outcome (nothing left unacknowledged);
    - every store's balances equal HQ's (for every member HQ knows);
    - each event applied once: HQ's ledger holds every store entry exactly once, and every store
      holds every HQ entry (entries only a store holds are rejected ones — its own, or copies it
      pulled before HQ was restored from an older backup — with their local reversals).
    """
    from app.models import LedgerEntry, Outbox
    from app.services.replica import ReplicaService
    from hq.models import LedgerRow, MemberRow

    with hq.service.db.read() as s:
        hq_bal = dict(s.execute(select(MemberRow.id, MemberRow.balance)).all())
        hq_ids = set(s.scalars(select(LedgerRow.id)))
        n_rows = s.scalar(select(func.count()).select_from(LedgerRow))
    assert n_rows == len(hq_ids)
    refused: set[str] = set()  # entries HQ refused from any store: a copy pulled earlier is reversed too
    for h in stores:
        with h.store.db.read() as s:
            refused.update(s.scalars(select(Outbox.event_id).where(Outbox.outcome == "rejected",
                                                                   Outbox.type.like("ledger.%"))))
    for h in stores:
        rep = ReplicaService(h.store)
        assert rep.invariant_problems() == [], h.store_id
        with h.store.db.read() as s:
            no_outcome = s.scalar(select(func.count()).select_from(Outbox).where(Outbox.outcome.is_(None)))
            local = dict(s.execute(select(LedgerEntry.id, LedgerEntry.sync_state)).all())
            hq_made = set(s.scalars(select(LedgerEntry.id).where(LedgerEntry.store_id == "HQ")))
            rejected = set(s.scalars(select(Outbox.event_id).where(Outbox.outcome == "rejected")))
        assert no_outcome == 0, f"{h.store_id}: {no_outcome} outbox rows without an outcome"
        local_bal = rep.balances()
        for mid, bal in hq_bal.items():
            assert local_bal.get(mid) == bal, f"{h.store_id}: member {mid} has {local_bal.get(mid)}, HQ {bal}"
        local_only = {i for i, st in local.items() if i not in hq_ids}
        allowed = {str(uuid.uuid5(_local_ns(), f"{r}:rejected")) for r in rejected | refused} | rejected | refused
        # an HQ compensation HQ withdrew after a restore, with this store's reversal of it: the
        # pair nets to nothing (balances compared above)
        taken_back = {i for i in hq_made if str(uuid.uuid5(_local_ns(), f"{i}:rejected")) in local}
        allowed |= taken_back | {str(uuid.uuid5(_local_ns(), f"{i}:rejected")) for i in taken_back}
        assert local_only <= allowed, f"{h.store_id}: entries HQ never booked: {local_only - allowed}"
        missing = hq_ids - set(local)
        assert not missing, f"{h.store_id}: HQ entries missing here: {len(missing)}"


def _local_ns():
    from app.services.replica import LOCAL_NS

    return LOCAL_NS
