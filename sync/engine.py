"""The store's sync engine: enrollment, push (outbox → HQ), pull (change feed → store), poke
(server-sent events, polling fallback), online-first redemptions, and the worker thread.

    engine = SyncEngine(store)                 # store enrolled before (credential in the keyring)
    engine.sync_once()                         # push everything, then pull to HQ's head
    worker = SyncWorker(engine); worker.start()  # background: wakes on local changes and on pokes
    worker.add_listener(lambda state: ...)     # SyncState after every change of state (worker thread!)

One worker per store database: a lock file next to the database refuses a second one.
"""
from __future__ import annotations

import logging
import os
import random
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from app.clock import iso, parse_iso
from app.errors import LedgerRefused, TsumugiError
from app.rules import RuleViolation, check_offline_redemption
from app.secrets import get_secret, set_secret
from app.services.replica import ReplicaService
from sync.client import BadReply, HQClient, Offline, RateLimited, Refused, SyncError
from sync.hlc import HLC, Timestamp
from sync.protocol import MAX_BATCH, EnrollRequest, Event, PushRequest, ReserveRequest, parse_cursor

log = logging.getLogger("sync")

S_URL, S_HQ_KEY, S_LAST_OK, S_LAST_ERR, S_HLC, S_ENROLLED = (
    "sync.hq_url", "sync.hq_public_key", "sync.last_success", "sync.last_error", "sync.hlc", "sync.enrolled_at")
# Set with the cursor when HQ answers "reset" (a new epoch): HQ may have been restored from an
# older backup that lacks events it had acknowledged. Cleared once HQ has said which sequence it
# expects next and whatever it lost is queued again (kept in the database: survives a crash).
S_CHECK_SEQ = "sync.check_seq_after_reset"


def credential_name(store_id: str) -> str:
    return f"hq-credential:{store_id}"


class NotEnrolled(SyncError):
    code = "not_enrolled"


class SyncLocked(SyncError):
    code = "sync_locked"


@dataclass
class SyncState:
    """What the status bar shows (and `status --json` prints)."""
    enrolled: bool
    online: bool
    queue: int
    oldest_pending_at: str | None
    oldest_pending_age_s: float | None
    last_sync: str | None
    last_error: str | None
    cursor: str | None
    stream: bool = False
    open_conflicts: int = 0
    without_outcome: int = 0
    error_code: str | None = None  # the last round's SyncError code (e.g. tls_expired); the UI words it

    def as_dict(self) -> dict:
        return asdict(self)


def enroll(store, hq_url: str, code: str, *, verify: bool | str = True) -> dict:
    """Exchange a one-time enrollment code for this store's credential (kept in the OS keyring
    only: refused clearly when there is no keyring). HQ certifies our signing key."""
    from sqlalchemy import select

    from app.models import SigningKey

    hq_url = HQClient(hq_url).base_url
    with store.db.read() as s:
        key = s.scalars(select(SigningKey).where(SigningKey.is_own.is_(True), SigningKey.revoked_at.is_(None))
                        .order_by(SigningKey.created_at.desc())).first()
    if key is None:
        raise NotEnrolled("Initialise the store first (it needs its signing key).")
    # the keyring must work before we spend the one-time code
    get_secret(credential_name(store.store_id))
    client = HQClient(hq_url, verify=verify)
    try:
        resp = client.enroll(EnrollRequest(code=code, store_id=store.store_id, terminal_id=store.terminal_id,
                                           signing_key_id=key.key_id, signing_public_key=key.public_key.hex()))
    finally:
        client.close()
    set_secret(credential_name(store.store_id), resp.credential)
    with store.db.write() as s:
        store.set_settings(s, **{S_URL: hq_url, S_HQ_KEY: resp.hq_public_key, S_ENROLLED: iso(store.now())})
        store.audit.record(s, None, "sync.enroll", "store", store.store_id, None, {"hq": hq_url})
    return {"store_id": resp.store_id, "hq_url": hq_url, "hq_key_id": resp.hq_key_id}


class _DbLock:
    """An exclusive lock file next to the store database (one sync worker per database)."""

    def __init__(self, db_path: Path):
        self.path = Path(str(db_path) + ".sync.lock")
        self._fh = None

    def acquire(self) -> None:
        self._fh = open(self.path, "a+")
        try:
            if os.name == "nt":
                import msvcrt

                msvcrt.locking(self._fh.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(self._fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._fh.close()
            self._fh = None
            raise SyncLocked("Another sync worker is already running for this store database.") from None

    def release(self) -> None:
        if self._fh is not None:
            try:
                if os.name == "nt":
                    import msvcrt

                    msvcrt.locking(self._fh.fileno(), msvcrt.LK_UNLCK, 1)
                else:
                    import fcntl

                    fcntl.flock(self._fh.fileno(), fcntl.LOCK_UN)
            finally:
                self._fh.close()
                self._fh = None


PREFETCH_MIN = 1_000  # see SyncEngine.pull_all
BULK_PAGES = 40  # at most this many pages to a bulk transaction (200,000 changes of 5,000)
BULK_SECONDS = 3.0  # and no page begun after the transaction has been open this long (see pull_all)
BULK_POLL_S = 0.05  # waiting for the next page inside a transaction: how often it looks at the counter
BULK_COUNTER_QUIET_S = 30.0  # one page to a transaction until the counter has not written for this long


BULK_GC_THRESHOLD = 20_000
_gc_lock = threading.Lock()
_gc_users = 0
_gc_before: tuple | None = None


@contextmanager
def _fewer_collections():
    """Python's cyclic garbage collector runs less often during a bulk catch-up. Each page makes
    tens of thousands of objects (the parsed changes) that live while it waits to be applied, so
    at the default threshold (700 allocations) they are promoted and the collector walks the whole
    heap every few pages: a quarter of the catch-up's time went to it (py-spy). Nothing is kept
    from being freed (objects without cycles go as before; cycles at the next collection); the
    thresholds are put back when the last catch-up of the process ends (the collector is
    process-wide)."""
    import gc

    global _gc_users, _gc_before
    with _gc_lock:
        if _gc_users == 0:
            _gc_before = gc.get_threshold()
            gc.set_threshold(max(_gc_before[0], BULK_GC_THRESHOLD), *_gc_before[1:])
        _gc_users += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_users -= 1
            if _gc_users == 0 and _gc_before is not None:
                gc.set_threshold(*_gc_before)
                _gc_before = None


class _PageFeed:
    """Pages of HQ's feed fetched on a thread of their own, from a cursor, in order, until a page
    that is the last, a reset, smaller than `full` (the catch-up is over), or a fetch error
    (handed on in its place). At most `depth` pages wait to be applied."""

    _END = object()
    _NOTHING = object()
    LATER = object()  # take_plain: no page has arrived yet

    def __init__(self, client: HQClient, cursor: str, page_size: int, full: int, depth: int):
        import queue

        self._q: queue.Queue = queue.Queue(maxsize=max(1, depth))
        self._stop = threading.Event()
        self._ended = False
        self._next = self._NOTHING  # an item looked at and left for take()
        self._thread = threading.Thread(target=self._run, args=(client, cursor, page_size, full),
                                        name="tsumugi-pull-ahead", daemon=True)
        self._thread.start()

    def _put(self, item) -> bool:
        import queue

        while not self._stop.is_set():
            try:
                self._q.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def _run(self, client, cursor, page_size, full) -> None:
        try:
            while not self._stop.is_set():
                page = client.changes(cursor, page_size)
                if not self._put(page):
                    return
                if page.reset or not page.has_more or len(page.changes) < full:
                    break
                cursor = page.next_cursor
        except BaseException as exc:  # noqa: BLE001 - handed to the applying thread, raised there
            self._put(exc)
            return
        self._put(self._END)

    def _peek(self, timeout: float | None):
        """The next item without taking it (waiting up to timeout; None: as long as it takes), or
        _NOTHING when none came in time."""
        import queue

        if self._next is self._NOTHING:
            try:
                self._next = self._q.get(timeout=timeout)
            except queue.Empty:
                return self._NOTHING
        return self._next

    def take(self):
        """The next page in feed order (waiting for it); None when the feed has ended. A fetch
        error is raised in its place, once the pages before it are taken."""
        if self._ended:
            return None
        item, self._next = self._peek(None), self._NOTHING
        if item is self._END:
            self._ended = True
            return None
        if isinstance(item, BaseException):
            self._ended = True
            raise item
        return item

    def take_plain(self, timeout: float):
        """For a transaction already open: the next page if it is an ordinary one (no reset) and
        arrives within timeout; LATER when none has arrived yet; None when what comes next is not
        an ordinary page (a reset, a fetch error, the end of the feed): it is left for take()."""
        if self._ended:
            return None
        item = self._peek(timeout)
        if item is self._NOTHING:
            return self.LATER
        if item is self._END or isinstance(item, BaseException) or item.reset:
            return None
        self._next = self._NOTHING
        return item

    def close(self) -> None:
        """Stop fetching ahead. A request in flight is not waited for (it could take the client's
        whole timeout, e.g. when the app closes mid catch-up): the thread drops its answer and ends
        by itself, since a stopped feed takes nothing more into its queue."""
        self._stop.set()
        self._thread.join(timeout=0.25)  # the usual case: the thread was waiting on a full queue


class SyncEngine:
    def __init__(self, store, *, client: HQClient | None = None, batch_size: int = MAX_BATCH,
                 page_size: int = 5000, verify: bool | str = True, lock: bool = True, transport=None,
                 pipeline: bool = True):
        self.store = store
        self.replica = ReplicaService(store)
        self.batch_size = min(batch_size, MAX_BATCH)
        self.pipeline = pipeline  # push a long queue one batch ahead (push_all)
        self.page_size = page_size
        # From a full page at least this large on (a first sync, a long catch-up), the next pages
        # are fetched while the store applies, up to bulk_pages of them to a transaction (pull_all).
        self.prefetch_min = PREFETCH_MIN
        self.bulk_pages = BULK_PAGES
        self.bulk_seconds = BULK_SECONDS
        self.counter_quiet_s = BULK_COUNTER_QUIET_S
        self._counter_seen = float("-inf")  # when a write of the counter last waited for the catch-up
        self._client = client
        self._verify = verify
        self._transport = transport
        self._lock = _DbLock(store.db.path) if lock else None
        self._locked = False
        self._mutex = threading.RLock()  # one sync step at a time within this process
        last = store.setting(S_HLC)
        self.hlc = HLC(store.store_id if store.initialised else "?", last=Timestamp.parse(last) if last else None)
        self.online = False
        self.last_error: str | None = None
        self.last_error_code: str | None = None
        self._stale_epoch = False  # a push met a new feed epoch: pull (the reset) before pushing again

    # -- plumbing -------------------------------------------------------------------------
    @property
    def enrolled(self) -> bool:
        return bool(self.store.setting(S_URL))

    @property
    def client(self) -> HQClient:
        if self._client is None:
            url = self.store.setting(S_URL)
            if not url:
                raise NotEnrolled("This store is not enrolled with HQ yet (run enroll).")
            credential = get_secret(credential_name(self.store.store_id))
            if not credential:
                raise NotEnrolled("This store's HQ credential is not in this computer's keyring; enroll again.")
            self._client = HQClient(url, credential, verify=self._verify, transport=self._transport)
        return self._client

    def acquire(self) -> None:
        if self._lock is not None and not self._locked:
            self._lock.acquire()
            self._locked = True

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._lock is not None and self._locked:
            self._lock.release()
            self._locked = False

    def _hq_key(self) -> bytes | None:
        k = self.store.setting(S_HQ_KEY)
        return bytes.fromhex(k) if k else None

    def _note(self, ok: bool, error: str | None = None) -> None:
        values = {S_HLC: str(self.hlc.last)}
        if ok:
            values[S_LAST_OK] = iso(self.store.now())
            values[S_LAST_ERR] = None
        else:
            values[S_LAST_ERR] = f"{iso(self.store.now())} {error}"
        self.store.write_settings(**values)

    # -- one round ------------------------------------------------------------------------
    def sync_once(self) -> dict:
        """Push everything queued, then pull to HQ's head. Raises Offline / RateLimited / Refused."""
        self.acquire()
        with self._mutex:
            try:
                pushed = self.push_all()
                pulled = self.pull_all()
                if self._stale_epoch or self.store.setting(S_CHECK_SEQ):  # HQ reset its feed in this round
                    for k, v in self.push_all().items():
                        pushed[k] = pushed.get(k, 0) + v
                    again = self.pull_all()
                    pulled = {**again, "pages": pulled["pages"] + again["pages"],
                              "changes": pulled["changes"] + again["changes"], "reset": True}
            except SyncError as exc:
                self.online = not isinstance(exc, Offline)
                self.last_error = str(exc)
                self.last_error_code = getattr(exc, "code", None)
                self._note(False, str(exc))
                raise
            self.online = True
            self.last_error = None
            self.last_error_code = None
            self._note(True)
            from sync.witness import after_sync

            after_sync(self)  # the security log's head to HQ, the outside witness (never fails the round)
            return {"pushed": pushed, "pulled": pulled}

    def _push_request(self, rows: list, left: int) -> PushRequest:
        events = []
        for r in rows:
            at_ms = int(parse_iso(r.created_at).timestamp() * 1000)
            detail = r.outcome_detail or {}  # set only on an event resent after HQ lost it
            prior = detail.get("prior_outcome")
            extra = {"prior_outcome": prior} if prior else {}
            comp = self.replica.prior_compensation(
                detail, (r.payload or {}).get("entry_id") if r.type.startswith("ledger.") else None)
            if comp:
                extra["prior_compensation"] = dict(list(comp.items())[:20])
            if detail.get("recheck"):
                extra["recheck"] = True
            events.append(Event.model_construct(event_id=r.event_id, seq=r.seq, type=r.type,
                                                hlc=str(self.hlc.now(at_ms)),
                                                rule_set_version=(r.payload or {}).get("rule_set_version"),
                                                payload=r.payload, **extra))
        return PushRequest(store_id=self.store.store_id, terminal_id=self.store.terminal_id,
                           sent_at=iso(self.store.now()),
                           events=events, queue_length=max(left, len(rows)),
                           oldest_pending_at=rows[0].created_at, epoch=self._epoch())

    def _send(self, req: PushRequest, body: str | None = None):
        return self.client.push(req, body)

    def push_all(self) -> dict:
        """Push the queue in batches. A batch HQ refuses as made under an old feed epoch
        (stale_epoch) stops the push with nothing applied and sets _stale_epoch: the caller pulls
        the reset, then pushes again (sync_once).

        With ``pipeline`` (the default), a long queue goes to HQ one batch ahead: while HQ applies
        batch N the next one is read and built, and batch N+1 is sent as soon as N is answered,
        before N's outcomes are recorded here (which then overlaps HQ's work on N+1). HQ still sees
        the batches one after the other, in sequence order, each only after the one before was
        answered, exactly the requests it would see without it. Only batches of events sent for
        the first time go ahead: an event sent again after HQ lost it carries what this store
        holds of HQ's earlier answers (prior_compensation), which the outcomes being recorded may
        change. An error, a gap or a stale epoch in N's answer sends nothing more. If recording N
        fails, N+1 is waited for and its answer dropped: it is asked for again by the next push
        (HQ answers a sequence it holds with its stored outcome)."""
        self._stale_epoch = False
        if self.store.setting(S_CHECK_SEQ) and not self._requeue_lost():
            return {}
        totals: dict[str, int] = {}
        resent_from = None
        stats = self.replica.queue_stats()  # once: then counted down as HQ answers
        left = stats["queue"]
        pool = ThreadPoolExecutor(1, thread_name_prefix="tsumugi-push") if self.pipeline else None
        ahead = None  # (rows, future): the next batch, already sent
        try:
            while True:
                if ahead is not None:
                    (rows, fut), ahead = ahead, None
                else:
                    rows = self.replica.pending(self.batch_size)
                    if not rows:
                        return totals
                    req = self._push_request(rows, left)
                    fut = pool.submit(self._send, req) if pool is not None else None
                nxt = None
                if pool is not None and len(rows) == self.batch_size:  # a long queue: the next batch, meanwhile
                    more = self.replica.pending(self.batch_size, after_seq=rows[-1].seq)
                    if more and more[0].seq == rows[-1].seq + 1 and not any(r.outcome_detail for r in more):
                        nreq = self._push_request(more, max(left - len(rows), len(more)))
                        # serialised here, now: on the sending thread it would wait for Python's
                        # lock while this one records the answer before it
                        nxt = (more, nreq, HQClient.push_body(nreq))
                try:
                    resp = fut.result() if fut is not None else self.client.push(req)
                except Refused as exc:
                    if exc.error == "stale_epoch":
                        # HQ was restored (or compacted its feed) since our last pull: nothing was
                        # applied; sync_once pulls the reset, then pushes again
                        log.warning("HQ's feed has a new epoch: pulling it before pushing")
                        self._stale_epoch = True
                        return totals
                    self.replica.note_attempt([r.seq for r in rows], str(exc))
                    raise
                except SyncError as exc:
                    self.replica.note_attempt([r.seq for r in rows], str(exc))
                    raise
                if nxt is not None and not resp.gap and len(resp.results) == len(rows):
                    ahead = (nxt[0], pool.submit(self._send, nxt[1], nxt[2]))
                try:
                    counts = self.replica.record_outcomes([r.model_dump() for r in resp.results])
                except BaseException:
                    if ahead is not None:
                        wait([ahead[1]])  # its answer is dropped: the next push asks for it again
                    raise
                for k, v in counts.items():
                    totals[k] = totals.get(k, 0) + v
                left -= sum(counts.values())
                if resp.gap:
                    first = rows[0].seq
                    if resp.expected_seq < first and resent_from != resp.expected_seq:
                        n = self.replica.unack_from(resp.expected_seq)
                        log.warning("HQ expects sequence %d (we were at %d): resending %d event(s)",
                                    resp.expected_seq, first, n)
                        resent_from = resp.expected_seq
                        if n == 0:
                            raise Refused(409, "sequence_gap", f"HQ expects sequence {resp.expected_seq}, which this "
                                                               "store no longer holds")
                        continue
                    if not resp.results:
                        raise Refused(409, "sequence_gap", f"HQ expects sequence {resp.expected_seq}")
        finally:
            if pool is not None:
                pool.shutdown(wait=True)

    def _epoch(self) -> str | None:
        """The feed epoch our cursor is in (sent with every push: see PushRequest.epoch)."""
        return parse_cursor(self.replica.cursor())[0]

    def _requeue_lost(self) -> bool:
        """After an epoch reset: an empty push asks HQ which sequence it expects next; events we
        hold as acknowledged from that sequence on were lost by HQ (restored from a backup) and
        are sent again. Without this a store with nothing new to send would never resend them.
        False: HQ is in yet another epoch (pull again first)."""
        req = PushRequest(store_id=self.store.store_id, terminal_id=self.store.terminal_id,
                          sent_at=iso(self.store.now()), events=[], queue_length=0, epoch=self._epoch())
        try:
            expected = self.client.push(req).expected_seq
        except Refused as exc:
            if exc.error != "stale_epoch":
                raise
            self._stale_epoch = True  # another epoch since the reset we pulled: pull again first
            return False
        n = self.replica.unack_from(expected)
        if n:
            log.warning("HQ expects sequence %d after its reset: resending %d event(s) it no longer holds",
                        expected, n)
        self.store.write_settings(**{S_CHECK_SEQ: None})
        return True

    def pull_all(self) -> dict:
        """Pull to HQ's head, page by page, each applied with its cursor in one transaction.

        In a bulk catch-up (a first sync, a long absence: full pages of at least prefetch_min
        changes) a thread fetches the next pages while the store applies, the store's writes run
        on one connection with a large page cache kept for the whole catch-up (Database.bulk), and
        a transaction goes on from page to page (_bulk_transaction): at a million members every
        page of random new ids dirties thousands of index pages, and each commit writes all of them
        again (encrypted, to the WAL, then checkpointed). A transaction ends early when a write of
        this process waits (the counter's: it then waits for the page being applied and the commit;
        earns took at most ~0.4 s at 200,000 members and ~1.1 s at 1,000,000, see sync/README.md;
        while the cashier keeps working, transactions are of one page: _bulk_transaction), and in any
        case no page is begun after bulk_pages pages or bulk_seconds: the bound for a writer the
        count does not see (another process, e.g. a CLI tool; SQLite's busy timeout is 15 s).
        Between two transactions the counter's waiting writes go first
        (Database.yield_to_writers). The catch-up's commits do not wait for the disk
        (Database.bulk(fsync_commits=False)): pages lost to a power cut are pulled again."""
        from contextlib import ExitStack

        from app.services.replica import BULK_CACHE_MIB

        cursor = self.replica.cursor()
        pages = changes = 0
        reset = False
        touched: set[str] = set()
        feed: _PageFeed | None = None
        with ExitStack() as bulk:
            try:
                while True:
                    if feed is not None:
                        if self.store.db.yield_to_writers():
                            self._counter_seen = time.monotonic()
                        page = feed.take()  # a fetch error is raised once the pages before it are applied
                        if page is None:
                            feed.close()
                            feed = None
                            bulk.close()  # the large page cache is given back
                            continue
                        if not page.reset:
                            cursor, n, m, done = self._bulk_transaction(feed, page, touched)
                            pages, changes = pages + n, changes + m
                            if done:
                                return {"pages": pages, "changes": changes, "reset": reset, "cursor": cursor}
                            continue
                    else:
                        page = self.client.changes(cursor, self.page_size)
                        if page.has_more and not page.reset and len(page.changes) >= self.prefetch_min:
                            feed = _PageFeed(self.client, page.next_cursor, self.page_size, self.prefetch_min,
                                             depth=4)
                            bulk.enter_context(self.store.db.bulk(BULK_CACHE_MIB, fsync_commits=False))
                            bulk.enter_context(_fewer_collections())
                    cursor, pages, changes, reset, done = self._pull_page(page, cursor, pages, changes, reset,
                                                                          touched)
                    if done:
                        return {"pages": pages, "changes": changes, "reset": reset, "cursor": cursor}
            finally:
                if feed is not None:
                    feed.close()  # pages fetched ahead and not applied are dropped

    def _bulk_transaction(self, feed: _PageFeed, first, touched: set) -> tuple:
        """Apply `first` and the pages that follow it in one transaction: (cursor, pages, changes,
        done) after it. The next page is taken inside the transaction only while no write of the
        counter waits (Database.writers_waiting, looked at between pages and every BULK_POLL_S
        while a page is awaited from HQ), fewer than bulk_pages have been applied and the
        transaction has been open less than bulk_seconds; a reset, a fetch error or the end of the
        feed end it too (they are the next take's). Once a counter write has had to wait for the
        catch-up, transactions are of one page until none has for counter_quiet_s: a cashier at
        work then waits for a one-page commit, not for one of every index page the big
        transaction dirtied (~0.1-0.2 s instead of ~0.2-0.4 s at 200,000 members)."""
        db = self.store.db
        applied: list = []
        deadline = time.monotonic() + self.bulk_seconds

        def more():
            page = first
            while True:
                applied.append(page)
                yield [{"id": c.id, "kind": c.kind, "data": c.data} for c in page.changes], page.next_cursor
                if not page.has_more or len(applied) >= self.bulk_pages:
                    return
                if time.monotonic() - self._counter_seen < self.counter_quiet_s:
                    return  # the counter is at work: small transactions, quick commits
                while True:
                    if db.writers_waiting():
                        self._counter_seen = time.monotonic()
                        return
                    if time.monotonic() >= deadline:
                        return
                    page = feed.take_plain(BULK_POLL_S)
                    if page is None:
                        return
                    if page is not _PageFeed.LATER:
                        break

        summary = self.replica.apply_pages(more(), hq_public_key=self._hq_key())
        touched.update(summary["touched_members"])
        n = 0
        for page in applied:
            self._receive_times(page)
            n += len(page.changes)
        last = applied[-1]
        return last.next_cursor, len(applied), n, not last.has_more

    def _receive_times(self, page) -> None:
        for c in page.changes:  # keep our clock ahead of what we have seen
            for t in (c.data.get("field_times") or {}).values() if c.kind == "member" else ():
                try:
                    self.hlc.receive(Timestamp.parse(t))
                except ValueError:
                    pass

    def _pull_page(self, page, cursor, pages, changes, reset, touched):
        """Apply one pulled page: (cursor, pages, changes, reset, done) after it."""
        if page.reset:
            log.warning("HQ answered reset (epoch %s): rebuilding the cache from a snapshot, outbox kept",
                        page.epoch)
            self.replica.set_cursor(page.next_cursor, **{S_CHECK_SEQ: True})
            return page.next_cursor, pages, changes, True, False
        if page.changes:
            summary = self.replica.apply_changes([{"id": c.id, "kind": c.kind, "data": c.data}
                                                  for c in page.changes], page.next_cursor,
                                                 hq_public_key=self._hq_key())
            touched.update(summary["touched_members"])
            changes += len(page.changes)
            self._receive_times(page)
        elif page.next_cursor != cursor:
            self.replica.set_cursor(page.next_cursor)
        return page.next_cursor, pages + 1, changes, reset, not page.has_more

    # -- status ---------------------------------------------------------------------------
    def state(self, stream: bool = False) -> SyncState:
        q = self.replica.queue_stats()
        age = None
        if q["oldest_pending_at"]:
            age = max(0.0, (self.store.now() - parse_iso(q["oldest_pending_at"])).total_seconds())
        return SyncState(enrolled=self.enrolled, online=self.online, queue=q["queue"],
                         oldest_pending_at=q["oldest_pending_at"], oldest_pending_age_s=age,
                         last_sync=self.store.setting(S_LAST_OK), last_error=self.store.setting(S_LAST_ERR),
                         cursor=self.replica.cursor(), stream=stream,
                         open_conflicts=self.store.conflicts.open_count(),
                         without_outcome=q["without_outcome"], error_code=self.last_error_code)

    # -- redemptions, online first ----------------------------------------------------------
    def redeem(self, actor, member_id: str, points: int, key, *, bill_yen: int | None = None,
               timeout: float = 1.5, at: datetime | None = None) -> dict:
        """Redeem online-first: HQ reserves the points (short timeout); when HQ cannot be reached,
        the offline cap applies: last known balance minus pending redemptions, and the rule set's
        daily offline allowance. Returns {"entry": EntryResult, "mode": "online"|"offline"}."""
        key = str(uuid.UUID(str(key)))
        now = at or self.store.now()
        member = self.store.members.get(member_id)
        mode = "online"
        try:
            if not self.enrolled:
                raise Offline("not enrolled")
            pending = self.replica.pending_points(member.id)
            resp = self.client.reserve(ReserveRequest(event_id=key, member_id=member.id, points=int(points),
                                                      terminal_id=self.store.terminal_id, pending_points=pending),
                                       timeout=timeout)
            if not resp.ok:
                raise LedgerRefused(f"HQ: not enough points ({resp.available:,} pt available chain-wide).",
                                    code="insufficient_balance", available=resp.available)
            self.online = True
        except (Offline, RateLimited, NotEnrolled, BadReply):  # an unreadable answer: as if none came
            mode = "offline"
            self.online = False
        if mode == "offline":
            rule_set = self.store.rules.valid_at(now)
            bal = self.store.ledger.balance(member.id)
            pending_redemptions = -min(0, self._pending_debits(member.id))
            last_known = bal["balance"] - bal["pending"]  # HQ-confirmed
            try:
                check_offline_redemption(rule_set, int(points), bill_yen,
                                         max(0, last_known - pending_redemptions),
                                         self.replica.offline_redeemed_today(member.id, now))
            except RuleViolation as exc:
                raise LedgerRefused(str(exc), code=exc.code, offline=True, **exc.params) from None
            self.replica.hold_offline(key, member.id, int(points), now)
        try:
            entry = self.store.ledger.redeem(actor, member.id, points, key, bill_yen=bill_yen, at=at)
        except TsumugiError:
            if mode == "offline":
                self.replica.release_offline(key)
            raise
        return {"entry": entry, "mode": mode}

    def _pending_debits(self, member_id: str) -> int:
        from sqlalchemy import func, select

        from app.models import LedgerEntry

        with self.store.db.read() as s:
            return int(s.scalar(select(func.coalesce(func.sum(LedgerEntry.points), 0)).where(
                LedgerEntry.member_id == member_id, LedgerEntry.sync_state == "pending", LedgerEntry.points < 0)))


class Backoff:
    """Exponential backoff with full jitter."""

    def __init__(self, base: float = 0.5, cap: float = 60.0, rng: random.Random | None = None):
        self.base, self.cap, self.n = base, cap, 0
        self.rng = rng or random.Random()

    def next(self) -> float:
        delay = self.rng.uniform(0, min(self.cap, self.base * (2 ** self.n)))
        self.n += 1
        return delay

    def reset(self) -> None:
        self.n = 0


@dataclass
class WorkerConfig:
    poll_s: float = 30.0          # pull at least this often when the stream is down (± jitter)
    outbox_check_s: float = 1.0   # how often the outbox is looked at for new events
    stream: bool = True
    backoff_cap_s: float = 60.0


class SyncWorker:
    """The background sync loop (a thread). Thread-safe API: start(), stop(), wake(), state(),
    add_listener(fn). Listeners are called on the worker thread: bridge them to the GUI thread."""

    def __init__(self, engine: SyncEngine, config: WorkerConfig | None = None):
        self.engine = engine
        self.config = config or WorkerConfig()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._stream_thread: threading.Thread | None = None
        self._listeners: list[Callable[[SyncState], None]] = []
        self._stream_up = False
        self.backoff = Backoff(cap=self.config.backoff_cap_s)
        self.rounds = 0

    def add_listener(self, fn: Callable[[SyncState], None]) -> None:
        self._listeners.append(fn)

    def remove_listener(self, fn) -> None:
        if fn in self._listeners:
            self._listeners.remove(fn)

    def start(self) -> None:
        self.engine.acquire()  # refuse a second worker for the same database
        self._thread = threading.Thread(target=self._run, name="tsumugi-sync", daemon=True)
        self._thread.start()
        if self.config.stream:
            self._stream_thread = threading.Thread(target=self._run_stream, name="tsumugi-sync-stream", daemon=True)
            self._stream_thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout)
        if self._stream_thread:
            self._stream_thread.join(timeout)
        self.engine.close()

    def wake(self) -> None:
        """Sync now (call after a local action, or when the user presses 再同期)."""
        self._wake.set()

    def state(self) -> SyncState:
        return self.engine.state(stream=self._stream_up)

    def _emit(self) -> None:
        if not self._listeners:
            return
        try:
            st = self.state()
        except Exception:  # noqa: BLE001
            return
        for fn in list(self._listeners):
            try:
                fn(st)
            except Exception:  # noqa: BLE001 - a listener must not kill sync
                log.exception("sync listener failed")

    def _run(self) -> None:
        next_pull = 0.0
        delay = 0.0
        while not self._stop.is_set():
            now = time.monotonic()
            due = self._wake.is_set() or now >= next_pull or self.engine.replica.queue_stats()["queue"] > 0
            if due and now >= delay:
                self._wake.clear()
                try:
                    self.engine.sync_once()
                    self.backoff.reset()
                    self.rounds += 1
                    poll = self.config.poll_s * (5 if self._stream_up else 1)
                    next_pull = time.monotonic() + poll * random.uniform(0.8, 1.2)
                    delay = 0.0
                except RateLimited as exc:
                    delay = time.monotonic() + exc.retry_after
                except (Offline, Refused, NotEnrolled, BadReply) as exc:
                    log.info("sync failed: %s", exc)
                    delay = time.monotonic() + self.backoff.next()
                except Exception as exc:  # noqa: BLE001 - keep the worker alive, say why
                    log.exception("sync round failed")
                    self.engine.last_error = f"{exc.__class__.__name__}: {exc}"
                    delay = time.monotonic() + self.backoff.next()
                self._emit()
            wait = self.config.outbox_check_s
            if delay > time.monotonic():
                wait = min(wait, max(0.01, delay - time.monotonic()))
            self._wake.wait(wait)

    def _run_stream(self) -> None:
        backoff = Backoff(base=1.0, cap=30.0)
        while not self._stop.is_set():
            try:
                for name in self.engine.client.stream(read_timeout=20.0):
                    if self._stop.is_set():
                        break
                    if not self._stream_up:
                        self._stream_up = True
                        backoff.reset()
                    if name in ("poke", "hello"):
                        self._wake.set()
            except (SyncError, TsumugiError) as exc:
                log.debug("event stream down: %s", exc)
            except Exception:  # noqa: BLE001
                log.exception("event stream failed")
            self._stream_up = False
            self._stop.wait(backoff.next())
