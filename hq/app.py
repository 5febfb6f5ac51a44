"""The HQ web service: ``create_app(database_url)`` → a FastAPI app (OpenAPI at /docs).

Every call is audited (who, what, when, outcome); every credential is rate limited in the
database (429 + Retry-After, never a 5xx); notifications fan out through the database
(LISTEN/NOTIFY on PostgreSQL, polling the change feed's head on SQLite), so any number of workers
behind a load balancer behave as one.
"""
from __future__ import annotations

import asyncio
import logging
import threading
import time
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from hq.db import HQDatabase
from hq.jobs import Scheduler, scheduler_enabled
from hq.service import NOTIFY_CHANNEL, Forbidden, HQError, HQService, RateLimitedError, Who
from hq.settings import Settings
from sync.protocol import ChangesPage, EnrollRequest, EnrollResponse, PushRequest, PushResponse, ReserveRequest, \
    ReserveResponse

log = logging.getLogger("hq.app")


class NewStore(BaseModel):
    name: str
    store_id: str | None = None


class Merge(BaseModel):
    survivor: str
    duplicate: str


class ChangeWatcher:
    """Wakes this worker's open event streams when the change feed grows (any worker's commit).

    A write that appended to the feed calls `changed()` after its commit. PostgreSQL: a sender
    thread turns those into one NOTIFY at a time on its own connection (asynchronous commit,
    coalesced, never inside a push's transaction: NOTIFY holds a database-wide lock through its
    commit); every worker LISTENs and re-reads the readable head of the feed, and also polls it
    every `poll_s` (a missed notification, or a change made by another process, costs ≤ poll_s).
    SQLite: the head is polled every `poll_s`, at once after a local change.

    Under load both ends coalesce: a worker sends at most one NOTIFY and reads the head at most
    once every `coalesce_s` (20 ms), however many pushes commit meanwhile. Without it, 200 pushes a
    second were 200 NOTIFYs and 200 head reads a second in every worker, each a round trip and a
    transaction, competing with the pushes themselves for the same two CPUs; a stream wakes at
    most `coalesce_s` later for it (local streams are woken at once by `changed()`)."""

    def __init__(self, service: HQService, poll_s: float, coalesce_s: float = 0.02):
        self.service = service
        self.poll_s = max(0.02, poll_s)
        self.coalesce_s = max(0.0, coalesce_s)
        self._subs: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._dirty = threading.Event()
        self._threads: list[threading.Thread] = []
        self.position = 0
        self.head = 0

    def start(self) -> None:
        try:
            self.position = self.head = self.service.feed_position()
        except Exception:  # noqa: BLE001 - the database may come up later
            self.position = self.head = 0
        self.service.db.on_feed_change = self.changed
        targets = [self._run_sqlite] if self.service.db.is_sqlite else [self._run_pg, self._run_sender]
        for target in targets:
            t = threading.Thread(target=target, name="hq-change-watcher", daemon=True)
            t.start()
            self._threads.append(t)

    def stop(self) -> None:
        self._stop.set()
        self._dirty.set()
        self.service.db.on_feed_change = None
        for t in self._threads:
            t.join(timeout=3)

    def changed(self) -> None:
        """After a commit that appended to the feed: this worker's streams are poked at once (the
        change is committed; if a writer with a smaller id is still in flight the pull finds
        nothing yet and the head check pokes again when it becomes readable); the others by NOTIFY."""
        self._dirty.set()
        self._wake()

    def subscribe(self) -> asyncio.Event:
        ev = asyncio.Event()
        with self._lock:
            self._subs.add((asyncio.get_running_loop(), ev))
        return ev

    def unsubscribe(self, ev: asyncio.Event) -> None:
        with self._lock:
            self._subs = {(lp, e) for lp, e in self._subs if e is not ev}

    def _wake(self) -> None:
        with self._lock:
            subs = list(self._subs)
        for loop, ev in subs:
            try:
                loop.call_soon_threadsafe(ev.set)
            except RuntimeError:
                pass

    def _check_head(self) -> None:
        pos = self.service.feed_position()
        if pos != self.position:
            self.position = self.head = pos
            self._wake()

    def _run_sqlite(self) -> None:
        while not self._stop.is_set():
            self._dirty.wait(self.poll_s)
            self._dirty.clear()
            try:
                self._check_head()
            except Exception:  # noqa: BLE001
                log.debug("change watcher poll failed", exc_info=True)

    def _conninfo(self) -> str:
        return make_url(self.service.db.url).set(drivername="postgresql").render_as_string(hide_password=False)

    def _run_sender(self) -> None:
        import psycopg

        while not self._stop.is_set():
            try:
                with psycopg.connect(self._conninfo(), autocommit=True) as conn:
                    conn.execute("SET synchronous_commit = off")  # a wake-up, not data: no fsync wait
                    while not self._stop.is_set():
                        if not self._dirty.wait(1.0):
                            continue
                        self._dirty.clear()
                        conn.execute(f"NOTIFY {NOTIFY_CHANNEL}")
                        if self.coalesce_s:  # the commits of the next few ms share the next NOTIFY
                            self._stop.wait(self.coalesce_s)
            except Exception:  # noqa: BLE001
                log.warning("NOTIFY connection lost; retrying", exc_info=True)
                self._stop.wait(1.0)

    def _run_pg(self) -> None:
        import psycopg

        while not self._stop.is_set():
            try:
                with psycopg.connect(self._conninfo(), autocommit=True) as conn:
                    conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    last = time.monotonic()
                    self._check_head()
                    while not self._stop.is_set():
                        for _ in conn.notifies(timeout=self.poll_s, stop_after=1):
                            pass
                        gap = last + self.coalesce_s - time.monotonic()
                        if gap > 0:  # read the head a moment ago: what arrives meanwhile shares the next read
                            self._stop.wait(gap)
                            for _ in conn.notifies(timeout=0):
                                pass
                        last = time.monotonic()
                        self._check_head()  # notified, or polling: a missed notification costs ≤ poll_s
            except Exception:  # noqa: BLE001
                log.warning("LISTEN connection lost; retrying", exc_info=True)
                self._stop.wait(1.0)


def create_app(database_url: str | None = None, *, settings: Settings | None = None, upgrade: bool = True) -> FastAPI:
    settings = settings or Settings()
    if database_url:
        settings.database_url = database_url
    db = HQDatabase(settings.database_url, schema=settings.schema, pool_size=settings.pool_size)
    if upgrade:
        db.upgrade()
    service = HQService(db, settings)
    service.init()
    watcher = ChangeWatcher(service, settings.notify_poll_s)

    @asynccontextmanager
    async def lifespan(_app):
        watcher.start()
        scheduler = None
        if scheduler_enabled():  # hq/jobs.py: on in `python -m hq serve`, off by default
            scheduler = Scheduler(service)
            scheduler.start()
        try:
            yield
        finally:
            watcher.stop()
            if scheduler is not None:
                scheduler.stop()
            db.close()

    app = FastAPI(title="Tsumugi HQ", version="1", lifespan=lifespan)
    app.state.service = service
    app.state.watcher = watcher

    # Routes that count the request and write its audit row inside their own transaction (one
    # transaction per request). Every other request: the count (with the audit row of a 429) before
    # it, its audit row after it. A folded route that answers an error rolled its transaction back:
    # the count and the audit row are written after it, in one transaction (count_and_audit).
    fold_routes = {("POST", "/v1/sync/push"), ("GET", "/v1/sync/changes"), ("POST", "/v1/redemptions/reserve"),
                   ("POST", "/v1/security/head")}

    def _limited(wait: int) -> JSONResponse:
        return JSONResponse({"error": "rate_limited", "message": "Too many requests; retry later."}, 429,
                            headers={"Retry-After": str(wait)})

    class AuditAndLimit:
        """Authentication, the rate limit and the audit row around every HTTP request, as a plain
        ASGI middleware (no extra task and memory streams per request, as @app.middleware had).
        The audit row is written when the answer starts (its status is known then), before the
        start is passed on; a streamed answer (the event stream) is audited at its start."""

        def __init__(self, asgi_app):
            self.app = asgi_app

        async def __call__(self, scope, receive, send):
            if scope["type"] != "http":
                await self.app(scope, receive, send)
                return
            t0 = time.perf_counter()
            token = None
            for name, value in scope["headers"]:
                if name == b"authorization":
                    auth = value.decode("latin-1")
                    token = auth[7:].strip() if auth.lower().startswith("bearer ") else None
                    break
            who = None
            if token:
                # a verification this worker made in the last few seconds needs no thread hop, no database
                who = service.cached_principal(token) or await run_in_threadpool(service.authenticate, token)
            state = scope.setdefault("state", {})
            state["who"] = who
            state["audited"] = False
            method, path = scope["method"], scope["path"]
            fold, key, response = False, None, None
            if token and who is None:
                response = JSONResponse({"error": "unauthorised", "message": "Unknown or revoked credential."}, 401)
            else:
                client = scope.get("client")
                key = who.label if who else f"ip:{client[0] if client else '?'}"
                fold = who is not None and (method, path) in fold_routes
                state["rate_key"] = key if fold else None
                state["audit"] = (method, path) if fold else None
                try:
                    wait = None if fold or path == "/v1/health" else \
                        await run_in_threadpool(service.hit_rate_limit, key, who, method, path)
                    state["audited"] = bool(wait)  # a 429's audit row went with its count
                except OperationalError:
                    wait = 1
                if wait:
                    response = _limited(wait)

            async def settle(status: int) -> JSONResponse | None:
                """The audit row (and for a folded route's error answer, the count) unless the route
                wrote it; a 429 to answer instead when that count is over the limit."""
                if state["audited"]:
                    return None
                state["audited"] = True
                try:
                    if fold and status != 429:
                        # the route's transaction (its count and audit row with it) was rolled back
                        wait = await run_in_threadpool(service.count_and_audit, key, who, method, path, status)
                        if wait:
                            return _limited(wait)
                    else:
                        await run_in_threadpool(service.audit, who, method, path, status, None)
                except Exception:  # noqa: BLE001 - auditing must not turn an answer into an error page
                    log.exception("audit write failed")
                return None

            def timing() -> str:
                # HQ's own time for the request (the many-stores benchmark reads it: client-side
                # latency on a loaded box includes the load generator's own queueing)
                return f"app;dur={(time.perf_counter() - t0) * 1000:.1f}"

            async def answer(resp: JSONResponse) -> None:
                resp = await settle(resp.status_code) or resp
                resp.headers["Server-Timing"] = timing()
                await resp(scope, receive, send)

            if response is not None:
                await answer(response)
                return
            started = replaced = False

            async def send_on(message) -> None:
                nonlocal started, replaced
                if message["type"] == "http.response.start":
                    started = True
                    instead = await settle(message["status"])
                    if instead is not None:
                        replaced = True
                        instead.headers["Server-Timing"] = timing()
                        await instead(scope, receive, send)
                        return
                    message["headers"] = [*message.get("headers", ()), (b"server-timing", timing().encode())]
                    await send(message)
                elif not replaced:
                    await send(message)

            try:
                await self.app(scope, receive, send_on)
            except OperationalError:
                if started:
                    raise
                log.warning("database unavailable", exc_info=True)
                await answer(JSONResponse({"error": "unavailable", "message": "HQ database busy; retry."}, 503,
                                          headers={"Retry-After": "2"}))

    app.add_middleware(AuditAndLimit)

    @app.exception_handler(RateLimitedError)
    async def _rate_limited(_request, exc: RateLimitedError):
        return JSONResponse({"error": exc.code, "message": str(exc)}, 429, headers={"Retry-After": str(exc.retry_after)})

    @app.exception_handler(OperationalError)
    async def _db_unavailable(_request, exc: OperationalError):
        log.warning("database unavailable: %s", exc.__class__.__name__)
        return JSONResponse({"error": "unavailable", "message": "HQ database busy; retry."}, 503,
                            headers={"Retry-After": "2"})

    @app.exception_handler(HQError)
    async def _hq_error(_request, exc: HQError):
        return JSONResponse({"error": exc.code, "message": str(exc)}, exc.status)

    def who_any(request: Request) -> Who:
        who = request.state.who
        if who is None:
            raise HQError("Authentication required.", "unauthorised", 401)
        return who

    def who_store(who: Who = Depends(who_any)) -> Who:
        if who.kind != "store":
            raise Forbidden("Only a store credential may do this.", "not_a_store")
        return who

    def who_reader(who: Who = Depends(who_any)) -> Who:
        if who.kind not in ("admin", "auditor"):
            raise Forbidden("Admin or auditor credential required.", "not_admin")
        return who

    def who_admin(who: Who = Depends(who_any)) -> Who:
        if who.kind != "admin":
            raise Forbidden("Admin credential required (auditors read only).", "read_only")
        return who

    @app.get("/v1/health")
    def health():
        return {"ok": True, "epoch": service.epoch(), "head": service.head()}

    @app.post("/v1/enroll", response_model=EnrollResponse)
    def enroll(req: EnrollRequest):
        return service.enroll(req)

    @app.post("/v1/sync/push", response_model=PushResponse)
    def push(req: PushRequest, request: Request, who: Who = Depends(who_store)):
        # the rate-limit count, the push and its audit row: one transaction
        resp = service.push(who, req, rate_key=request.state.rate_key, audit=request.state.audit)
        request.state.audited = request.state.audit is not None
        return Response(resp.model_dump_json(), media_type="application/json")  # validated once, by construction

    @app.get("/v1/sync/changes", response_model=ChangesPage)
    def changes(request: Request, cursor: str | None = None, limit: int = Query(1000, ge=1, le=5000),
                who: Who = Depends(who_any)):
        # the stored JSON passed through as it is (no parse + validate + re-encode of every change);
        # the rate-limit count, the page and its audit row: one transaction
        body = service.changes_json(cursor, limit, who=who, rate_key=request.state.rate_key,
                                    audit=request.state.audit)
        request.state.audited = request.state.audit is not None
        return Response(body, media_type="application/json")

    @app.post("/v1/redemptions/reserve", response_model=ReserveResponse)
    def reserve(req: ReserveRequest, request: Request, who: Who = Depends(who_store)):
        resp = service.reserve(who, req, rate_key=request.state.rate_key, audit=request.state.audit)
        request.state.audited = request.state.audit is not None
        return resp

    @app.get("/v1/sync/stream")
    async def stream(request: Request, who: Who = Depends(who_any)):
        ev = watcher.subscribe()

        async def gen():
            try:
                yield f"event: hello\ndata: {watcher.head}\n\n"
                last_beat = time.monotonic()
                while True:
                    if await request.is_disconnected():
                        break
                    try:
                        await asyncio.wait_for(ev.wait(), timeout=1.0)
                    except asyncio.TimeoutError:
                        if time.monotonic() - last_beat > 15:
                            last_beat = time.monotonic()
                            yield ": keep-alive\n\n"
                        continue
                    ev.clear()
                    yield f"event: poke\ndata: {watcher.head}\n\n"
            finally:
                watcher.unsubscribe(ev)

        return StreamingResponse(gen(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    # -- admin ---------------------------------------------------------------------------
    @app.get("/v1/admin/status")
    def admin_status(who: Who = Depends(who_reader)):
        return service.status()

    @app.get("/v1/admin/stores")
    def admin_stores(who: Who = Depends(who_reader)):
        return service.list_stores()

    @app.post("/v1/admin/stores")
    def admin_add_store(body: NewStore, who: Who = Depends(who_admin)):
        store_id, code = service.add_store(body.name, body.store_id)
        return {"store_id": store_id, "enrollment_code": code}

    @app.post("/v1/admin/stores/{store_id}/revoke")
    def admin_revoke(store_id: str, who: Who = Depends(who_admin)):
        service.revoke_store(store_id)
        return {"store_id": store_id, "status": "revoked"}

    @app.get("/v1/admin/members/{member_id}")
    def admin_member(member_id: str, who: Who = Depends(who_reader)):
        return service.member(member_id)

    @app.post("/v1/admin/members/merge")
    def admin_merge(body: Merge, who: Who = Depends(who_admin)):
        return service.merge(body.survivor, body.duplicate)

    @app.delete("/v1/admin/members/{member_id}")
    def admin_delete(member_id: str, who: Who = Depends(who_admin)):
        service.delete_member(member_id)
        return {"member_id": member_id, "status": "deleted"}

    @app.get("/v1/admin/conflicts")
    def admin_conflicts(who: Who = Depends(who_reader)):
        return service.conflicts()

    @app.get("/v1/admin/duplicates")
    def admin_duplicates(who: Who = Depends(who_reader)):
        return service.duplicates()

    @app.post("/v1/admin/rule-sets")
    def admin_rule_set(body: dict, who: Who = Depends(who_admin)):
        return {"version": service.publish_rule_set(body)}

    @app.post("/v1/admin/epoch")
    def admin_epoch(who: Who = Depends(who_admin)):
        return {"epoch": service.bump_epoch()}

    from hq.campaigns_api import build_router

    app.include_router(build_router(service))  # campaigns, jobs, reports
    from hq import witness

    app.include_router(witness.build_router(service))  # stores' security-log heads (the outside witness)
    return app
