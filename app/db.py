"""The one place where the store database engine is made.

SQLite in WAL mode, foreign keys on, synchronous=FULL (an acknowledged earn survives a power cut,
not only a crash), secure_delete on (deleted rows are overwritten, not left in free pages).
Transactions are begun by us, not by the DB-API module: `Database.write()` begins with BEGIN
IMMEDIATE, so a write that reads first never loses a race to another writer half-way;
`Database.read()` begins a deferred read transaction (a consistent snapshot).

Encryption at rest: every store database is a SQLCipher 4 file (AES-256-CBC pages, HMAC-SHA512 per
page), opened through the `sqlcipher3` wheel and SQLAlchemy's ``sqlite+pysqlcipher`` dialect.

- The key is 32 random bytes made when the database is created, kept ONLY in the OS keyring
  (`app.secrets`) under ``db-key:<database id>``. It is given to SQLCipher as a raw key
  (``PRAGMA key = "x'<64 hex key><32 hex salt>'"``), so no passphrase KDF runs per connection.
- The database id is the file's SQLCipher salt: the first 16 bytes of the file, which SQLCipher
  keeps in clear. The id travels with the file (moved, renamed, copied, backed up), needs no side
  file, and tells nothing about the contents.
- No keyring → `SecretStoreUnavailable` with the clear message (the explicit, weaker
  TSUMUGI_INSECURE_KEYFILE opt-in still works and is logged as weaker). A key that is missing
  from the keyring → `SecretStoreUnavailable(code="db_key_missing")`: never a plaintext fallback.
- An unencrypted store database (made before encryption) is converted in place when opened:
  sqlcipher_export into a new file, fsync, an encrypted backup in ``backups/``, os.replace, and
  the old plaintext overwritten through its still-open handle (best effort: on an SSD the old
  blocks may survive; BitLocker/FileVault below us is still recommended).
- `connect_raw(path)` gives a keyed DB-API connection for the few places that need one (checks,
  bulk loaders, tests). Nothing outside this module calls ``sqlite3.connect`` on a store database.
- Backups (`Database.backup`, the pre-encryption backup) are SQLCipher files with the same key and
  id, in ``<db dir>/backups/``. The rule for backups and deletion requests (APPI), told to members
  in docs/PRIVACY.md:
  * rotation: each new backup removes those older than ``BACKUP_RETENTION_DAYS`` (30) and keeps at
    most ``BACKUP_KEEP`` (30) files, so no backup lives longer than 30 days;
  * a deletion (at this store, or arriving from HQ by sync) does not wait for the rotation: every
    backup made before it is overwritten and removed, and one fresh backup of the scrubbed database
    is made in its place (if there were any backups). Restore points older than the deletion are
    lost — the price of not keeping the person's data; ``purge_backups_after_deletion`` does it.

Files beside the database (decided here):
- Evidence photos of paper cards: AES-256-GCM (`seal`/`unseal`, key derived from the database key
  by HKDF, entry id authenticated) in ``<db dir>/evidence/<entry id>.jpg.enc``.
- Reports folder (daily/monthly CSV and PDF): figures only (counts, points, yen, campaign and
  coupon names) — no personal data — so they stay plain files the manager can open.
- Customer-list CSV and APPI disclosure exports: written in plaintext to a path the manager
  chooses (handing them over is the point), manager only, audited and recorded as security events.
- Commit cost measured here (benchmarks/core.py commit_floor, one small row, WAL,
  synchronous=FULL): on tmpfs 0.008 ms plain vs 0.027 ms SQLCipher — the cipher adds ~0.02 ms;
  on a disk the fsync (0.5–7 ms on this shared machine) dominates both.
"""
from __future__ import annotations

import logging
import os
import re
import secrets as _random
import shutil
import struct
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import QueuePool

from app.errors import SecretStoreUnavailable

MIGRATIONS_DIR = Path(__file__).resolve().parents[1] / "migrations"
PLAINTEXT_HEADER = b"SQLite format 3\x00"
KEY_SECRET_PREFIX = "db-key:"
BACKUP_DIR = "backups"
BACKUP_RETENTION_DAYS = 30
BACKUP_KEEP = 30
dbapi = sqlcipher  # the DB-API module of store connections (errors: dbapi.OperationalError, ...)
Error = sqlcipher.Error
log = logging.getLogger(__name__)


# -- keys --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DatabaseKey:
    db_id: str  # 32 hex = the file's SQLCipher salt
    key: bytes  # 32 bytes

    def file_key(self, purpose: str) -> bytes:
        """A 256-bit key for files kept next to the database (evidence photos...), derived from
        the database key with HKDF-SHA256, one per purpose (never the page key itself)."""
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.kdf.hkdf import HKDF

        return HKDF(algorithm=hashes.SHA256(), length=32, salt=bytes.fromhex(self.db_id),
                    info=b"tsumugi/" + purpose.encode()).derive(self.key)

    def pragma(self) -> str:
        """The raw-key form for PRAGMA key / ATTACH ... KEY (no KDF; salt given explicitly)."""
        return f"\"x'{self.key.hex()}{self.db_id}'\""

    def __repr__(self) -> str:  # never print the key
        return f"DatabaseKey(db_id={self.db_id!r})"


def key_secret_name(db_id: str) -> str:
    return KEY_SECRET_PREFIX + db_id


def file_state(path: str | Path) -> str:
    """'missing' (no file or an empty one), 'plaintext' (an unencrypted SQLite file) or 'encrypted'."""
    p = Path(path)
    try:
        with open(p, "rb") as f:
            head = f.read(16)
    except FileNotFoundError:
        return "missing"
    if not head:
        return "missing"
    return "plaintext" if head == PLAINTEXT_HEADER else "encrypted"


def database_id(path: str | Path) -> str:
    with open(path, "rb") as f:
        head = f.read(16)
    if len(head) != 16 or head == PLAINTEXT_HEADER:
        raise ValueError(f"{Path(path).name} is not an encrypted store database")
    return head.hex()


def _new_key() -> DatabaseKey:
    from app.secrets import set_secret

    key = DatabaseKey(db_id=_random.token_bytes(16).hex(), key=_random.token_bytes(32))
    set_secret(key_secret_name(key.db_id), key.key.hex())  # refuses clearly when there is no keyring
    return key


def database_key(path: str | Path, *, create: bool = False) -> DatabaseKey:
    """The key of the store database at `path` (from the keyring). With create=True a missing
    file gets a new key (stored in the keyring before anything is written)."""
    from app.secrets import get_secret

    state = file_state(path)
    if state == "missing":
        if not create:
            raise FileNotFoundError(str(path))
        return _new_key()
    if state == "plaintext":
        raise SecretStoreUnavailable(
            f"{Path(path).name} is not encrypted yet; open it with the app (Store.open) to convert it.",
            code="db_not_encrypted")
    db_id = database_id(path)
    secret = get_secret(key_secret_name(db_id))
    if not secret:
        raise SecretStoreUnavailable(
            "The key of this store database is not in this computer's keyring, so it cannot be read. "
            "Restore the keyring (or the key file named in TSUMUGI_INSECURE_KEYFILE) this database was "
            "made with, or start a new store database and let it fill again from HQ by sync.",
            code="db_key_missing", db_id=db_id)
    return DatabaseKey(db_id=db_id, key=bytes.fromhex(secret))


# -- files kept next to the database (AES-256-GCM) ----------------------------------------------
SEALED_MAGIC = b"TSE1"


def seal(key: DatabaseKey, purpose: str, name: str, data: bytes) -> bytes:
    """AES-256-GCM with a key derived for `purpose`; `name` (e.g. the entry id) is authenticated,
    so a file swapped for another one is refused. Layout: TSE1 | nonce (12) | ciphertext+tag."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = _random.token_bytes(12)
    return SEALED_MAGIC + nonce + AESGCM(key.file_key(purpose)).encrypt(nonce, data, name.encode())


def unseal(key: DatabaseKey, purpose: str, name: str, blob: bytes) -> bytes:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if not blob.startswith(SEALED_MAGIC) or len(blob) < len(SEALED_MAGIC) + 12 + 16:
        raise ValueError("not a sealed Tsumugi file")
    nonce = blob[4:16]
    return AESGCM(key.file_key(purpose)).decrypt(nonce, blob[16:], name.encode())


# -- connections -------------------------------------------------------------------------------
WAL_AUTOCHECKPOINT_PAGES = 10_000  # backstop: ~40 MB of WAL before a writer checkpoints itself
CHECKPOINT_MIN_PAGES = 1_000  # the background checkpointer folds the WAL in beyond this
CHECKPOINT_INTERVAL_S = 1.0
CHECKPOINT_POKE_PAGES = 4_000  # a write leaving more than this to copy wakes the checkpointer
# The WAL-index header in the -shm file (https://www.sqlite.org/walformat.html): mxFrame is a u32
# at byte 16 of the header, nBackfill the first u32 of the checkpoint information at byte 96.
_SHM_U32 = struct.Struct("=I")
_SHM_MX_FRAME, _SHM_N_BACKFILL, _SHM_READ = 16, 96, 100
CANCEL_CHECK_OPS = 5_000  # SQLite VM steps between two looks at a read's cancel_if() test (well under a ms)


class Cancelled(Exception):
    """A read abandoned inside Database.cancel_if() because its result was no longer wanted."""

def _pragmas(con, *, foreign_keys: bool = True) -> None:
    cur = con.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA secure_delete=ON")
    cur.execute("PRAGMA busy_timeout=15000")
    # A checkpoint copies the WAL into the main file and fsyncs it (~10 ms with the cipher): left
    # to SQLite's default (every 1,000 pages) one counter action in ~100 pays for it. A store
    # opened by the app checkpoints from a background thread instead (Database.start_checkpointer);
    # this larger threshold is the backstop for every other process (CLI, tools, tests).
    cur.execute(f"PRAGMA wal_autocheckpoint={WAL_AUTOCHECKPOINT_PAGES}")
    cur.close()


def _check_key(con, path) -> None:
    try:
        con.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher.DatabaseError as exc:
        con.close()
        raise SecretStoreUnavailable(
            f"The key in this computer's keyring does not open {Path(path).name} (wrong key or a damaged file).",
            code="db_key_wrong") from exc


def connect_raw(path: str | Path, *, key: DatabaseKey | None = None, readonly: bool = False,
                create: bool = False, timeout: float = 15, isolation_level=None,
                check_same_thread: bool = False, pragmas: bool = True):
    """A keyed sqlcipher3 connection to a store database (for checks, bulk loaders and tests).
    Autocommit by default (isolation_level=None): issue BEGIN yourself. Caller closes it."""
    path = Path(path)
    key = key or database_key(path, create=create)
    target = f"{path.resolve().as_uri()}?mode=ro" if readonly else str(path)
    con = sqlcipher.connect(target, uri=readonly, timeout=timeout, isolation_level=isolation_level,
                            check_same_thread=check_same_thread)
    con.execute(f"PRAGMA key = {key.pragma()}")
    _check_key(con, path)
    if pragmas and not readonly:
        _pragmas(con)
    return con


def make_engine(path: str | Path, *, key: DatabaseKey | None = None, foreign_keys: bool = True) -> Engine:
    """The store engine: SQLCipher-keyed, WAL, foreign keys, synchronous=FULL, secure_delete."""
    path = Path(path)
    key = key or database_key(path, create=True)
    url = URL.create("sqlite+pysqlcipher", password=f"x'{key.key.hex()}{key.db_id}'", database=str(path))
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 15},
        poolclass=QueuePool,  # as plain SQLite files had; the dialect would default to one per thread
        # The connection given back last is handed out next. SQLite drops a connection's whole
        # page cache when it begins a transaction after another connection wrote; first-in
        # first-out, two idle connections (the counter's and the sync's) took turns, so each of
        # the counter's transactions began on the connection that had not made the last write and
        # read every b-tree page it needed again from the file, through the cipher.
        pool_use_lifo=True,
        pool_pre_ping=False,
    )
    engine.tsumugi_key = key  # type: ignore[attr-defined]

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        _pragmas(dbapi_conn, foreign_keys=foreign_keys)

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        mode = conn.get_execution_options().get("tsumugi_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def dbapi_of(s):
    """The DB-API connection under a Session's transaction (begun now if it was not), or ``s``
    itself when it already is one (the counter's raw transactions, Database.raw_write/raw_read).
    Statements issued on it are part of the Session's transaction; like Core statements through
    ``Session.connection()``, they do not autoflush pending ORM changes."""
    if isinstance(s, Session):
        return s.connection().connection.dbapi_connection
    return s


class Database:
    def __init__(self, path: str | Path, *, upgrade: bool = True):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if file_state(self.path) == "plaintext":
            encrypt_in_place(self.path)
        self.key = database_key(self.path, create=True)
        if upgrade:
            upgrade_to_head(self.path, key=self.key)
        self.engine = make_engine(self.path, key=self.key)
        self._local = threading.local()
        self._checkpointer: threading.Thread | None = None
        self._checkpoint_stop = threading.Event()
        self._checkpoint_wake = threading.Event()
        self.checkpoints = 0  # background checkpoints that folded frames into the main file
        self._writers = 0  # write transactions of this process begun or waiting to begin
        self._writers_cv = threading.Condition()

    # -- checkpoints off the counter's path ------------------------------------------------------
    def _wal_index(self) -> tuple[int, int]:
        """(frames in the WAL log, frames a checkpoint already copied into the main file), read
        from the WAL-index header in the ``-shm`` file (https://www.sqlite.org/walformat.html,
        native byte order: mxFrame and nBackfill); (0, 0) when there is no WAL."""
        try:
            with open(f"{self.path}-shm", "rb", buffering=0) as f:  # (os.pread: not on Windows)
                head = f.read(_SHM_READ)
        except OSError:
            return 0, 0
        if len(head) < _SHM_READ:
            return 0, 0
        frames, = _SHM_U32.unpack_from(head, _SHM_MX_FRAME)
        backfilled, = _SHM_U32.unpack_from(head, _SHM_N_BACKFILL)
        return frames, min(backfilled, frames)

    def wal_pages(self) -> int:
        """Pages written to the WAL and not yet copied into the main file (0 when there is no WAL).
        Not the WAL file's size: SQLite reuses the file from its start after a checkpoint without
        shrinking it, so once it had grown past the thresholds its size said "checkpoint" after
        every write, and the background thread copied and fsynced the main file after every
        counter action, its fsync beside the counter's own commit."""
        frames, backfilled = self._wal_index()
        return frames - backfilled

    def checkpoint(self, min_pages: int = CHECKPOINT_MIN_PAGES, *, mode: str = "PASSIVE", con=None) -> bool:
        """Fold the WAL into the main file when more than ``min_pages`` of its pages are not in it
        yet. PASSIVE never waits for readers or writers (what it cannot copy now waits for the next
        round). ``con``: a keyed DB-API connection to use (the background thread keeps one);
        default: one opened for this checkpoint. Returns True when a checkpoint ran."""
        if mode not in ("PASSIVE", "TRUNCATE"):
            raise ValueError(mode)
        if self.wal_pages() <= min_pages:
            return False
        own = con is None
        if own:
            con = connect_raw(self.path, key=self.key, check_same_thread=False)
        try:
            busy, _log, _done = con.execute(f"PRAGMA wal_checkpoint({mode})").fetchone()
        finally:
            if own:
                con.close()
        if not busy:
            self.checkpoints += 1
        return True

    def start_checkpointer(self, interval: float = CHECKPOINT_INTERVAL_S,
                           min_pages: int = CHECKPOINT_MIN_PAGES) -> None:
        """Checkpoint from a daemon thread when more than ``min_pages`` WAL pages wait to be copied,
        so a counter action never pays for one (started by the app's Store): every ``interval``
        seconds, and at once when writes come faster (_poke_checkpointer). One keyed connection of
        its own, kept while it runs."""
        if self._checkpointer is not None:
            return

        def loop() -> None:
            con = None
            try:
                while not self._checkpoint_stop.is_set():
                    self._checkpoint_wake.wait(interval)
                    self._checkpoint_wake.clear()
                    if self._checkpoint_stop.is_set():
                        break
                    try:
                        if con is None and self.wal_pages() > min_pages:
                            con = connect_raw(self.path, key=self.key, check_same_thread=False)
                        self.checkpoint(min_pages, con=con)
                    except Exception as exc:  # noqa: BLE001 - a failed round is retried next round
                        log.warning("background checkpoint failed: %s", type(exc).__name__)
                        if con is not None:
                            con.close()
                            con = None
            finally:
                if con is not None:
                    con.close()

        self._checkpoint_stop.clear()
        self._checkpoint_wake.clear()
        self._checkpointer = threading.Thread(target=loop, name="tsumugi-checkpoint", daemon=True)
        self._checkpointer.start()

    def stop_checkpointer(self) -> None:
        thread, self._checkpointer = self._checkpointer, None
        if thread is None:
            return
        self._checkpoint_stop.set()
        self._checkpoint_wake.set()
        thread.join(timeout=30)

    def _poke_checkpointer(self) -> None:
        """After a write transaction: wake the background checkpointer at once when writes come
        faster than its rounds, more than CHECKPOINT_POKE_PAGES waiting to be copied (at a counter,
        earns seconds apart, the timed rounds copy a thousand pages or so between two of them).
        Each checkpoint ends with an fsync of the main file, and the counter's commit (an fsync of
        the WAL) waits behind it: waking it after every 256 pages (a checkpoint every ~5 earns
        back to back on the 1M store) gave `python -m benchmarks core` an earn p99 of 4.3-4.6 ms,
        every 4,000 (one in ~100) 3.0 ms; copying the rest of a long log in follow-up checkpoints
        was worse again (p99 7-15 ms). What it costs: writes back to back can still grow the WAL
        log to a connection's own autocheckpoint (WAL_AUTOCHECKPOINT_PAGES; the log starts again
        from its first frame only after a checkpoint that copied all of it, which one racing the
        next commits rarely does), and that one runs inside a counter action (~50 ms, a few
        earns in 2,000 there). At a counter, earns seconds apart, the timed rounds copy the WAL
        between two of them and this never happens."""
        if self._checkpointer is not None and self.wal_pages() > CHECKPOINT_POKE_PAGES:
            self._checkpoint_wake.set()

    @contextmanager
    def _write_scope(self):
        """This thread's write nesting: the after_write hooks run when the outermost write ends.
        The outermost write is counted from before its BEGIN IMMEDIATE (which may wait for the
        lock) to its end, for yield_to_writers()."""
        local = self._local
        local.depth = getattr(local, "depth", 0) + 1
        outer = local.depth == 1
        if outer:
            with self._writers_cv:
                self._writers += 1
        try:
            yield
        finally:
            local.depth -= 1
            if outer:
                with self._writers_cv:
                    self._writers -= 1
                    self._writers_cv.notify_all()
            if local.depth == 0:
                self._run_after_write()

    def writers_waiting(self) -> int:
        """Write transactions of OTHER threads of this process begun or waiting to begin (this
        thread's own is not counted). For bulk work inside a long transaction: a non-zero answer
        means the counter waits for it, so it should commit now."""
        return self._writers - (1 if getattr(self._local, "depth", 0) else 0)

    def yield_to_writers(self, max_wait: float = 5.0) -> bool:
        """For bulk work between two of its transactions: wait while another thread of this
        process is in or waiting for a write (the counter's earn during a long catch-up, say),
        at most max_wait seconds. SQLite's lock is not fair: a writer that starts its next
        transaction at once can keep a waiting BEGIN IMMEDIATE sleeping in its busy handler.
        True when there was such a write."""
        deadline = time.monotonic() + max_wait
        seen = False
        with self._writers_cv:
            while self._writers > 0:
                seen = True
                left = deadline - time.monotonic()
                if left <= 0:
                    return seen
                self._writers_cv.wait(left)
        return seen

    @contextmanager
    def bulk(self, cache_mib: int, *, fsync_commits: bool = True) -> Iterator[None]:
        """For a long run of bulk write transactions on this thread (a first sync's catch-up):
        every write() of this thread inside the block runs on ONE connection, kept out of the pool
        for the whole block, with a page cache of ``cache_mib`` MiB. The pages a transaction read
        or wrote stay decrypted in that cache for the next one (SQLite keeps a connection's cache
        across its own transactions; a commit by another connection, e.g. the counter's, makes it
        start again from the file). Without it each bulk transaction began on whichever pooled
        connection came, with a cold cache, and read back through the cipher every index page it
        touched. The cache is given back (shrunk to what it was) when the block ends. Nested: the
        outer block's connection is used.

        ``fsync_commits=False``: the block's commits do not wait for the disk (synchronous=NORMAL
        on that connection; FULL again when the block ends). Only for writes that nobody is told
        about and that can be made again, e.g. pages pulled from HQ with their cursor: a crash of
        the process loses nothing committed (the WAL is written at each commit), a power cut can
        take back the last such transactions whole (WAL mode stays consistent), cursor included,
        so they are pulled again. Any later commit with synchronous=FULL (the counter's, the sync
        round's own settings) fsyncs the WAL, and with it every transaction before it."""
        local = self._local
        if getattr(local, "bulk_conn", None) is not None:
            yield
            return
        conn = self.engine.connect()
        try:
            raw = conn.connection.dbapi_connection
            before = raw.execute("PRAGMA cache_size").fetchone()[0]
            raw.execute(f"PRAGMA cache_size=-{int(cache_mib) * 1024}")
            if not fsync_commits:
                raw.execute("PRAGMA synchronous=NORMAL")
            local.bulk_conn = conn
            try:
                yield
            finally:
                local.bulk_conn = None
                try:
                    raw.execute("PRAGMA synchronous=FULL")
                    raw.execute(f"PRAGMA cache_size={int(before)}")
                except Exception:
                    conn.invalidate()  # never back to the pool without synchronous=FULL
                    raise
        finally:
            conn.close()

    @contextmanager
    def _write_connection(self):
        """The connection for this thread's next write(): the bulk block's, or one from the pool."""
        pinned = getattr(self._local, "bulk_conn", None)
        if pinned is not None:
            yield pinned
            return
        with self.engine.connect() as conn:
            yield conn

    @contextmanager
    def write(self, *, cache_mib: int | None = None) -> Iterator[Session]:
        """A write transaction begun with BEGIN IMMEDIATE; commits on success, rolls back on error.

        ``cache_mib``: this transaction's page cache (SQLite's default is 2 MB), given back when
        it ends. For bulk writes (a page of thousands of pulled members): with the default cache
        their random inserts into the large indexes spill dirty pages to the WAL mid-transaction
        and read them back, each time through the cipher. Ignored inside a bulk() block (its
        connection has its own large cache, kept between transactions)."""
        if getattr(self._local, "bulk_conn", None) is not None:
            cache_mib = None
        with self._write_scope(), self._write_connection() as conn:
            raw = before = None
            if cache_mib:
                raw = conn.connection.dbapi_connection
                before = raw.execute("PRAGMA cache_size").fetchone()[0]
                raw.execute(f"PRAGMA cache_size=-{int(cache_mib) * 1024}")
            try:
                conn = conn.execution_options(tsumugi_begin="IMMEDIATE")
                with Session(bind=conn, expire_on_commit=False, autoflush=True) as session:
                    with session.begin():
                        yield session
            finally:
                if raw is not None:
                    raw.execute(f"PRAGMA cache_size={int(before)}")

    @contextmanager
    def raw_write(self):
        """What write() does (BEGIN IMMEDIATE; commit on success, rollback on error; after_write
        hooks run when it ends), on the pooled DB-API connection itself: no engine Connection,
        no Session, no events. For the counter's hot path, which issues its few statements as
        plain SQL (app/services/ledger.py); everything else uses write()."""
        with self._write_scope(), self._raw_transaction("BEGIN IMMEDIATE") as con:
            yield con

    @contextmanager
    def raw_read(self):
        """read() on the pooled DB-API connection: a deferred read transaction (one snapshot)."""
        with self._raw_transaction("BEGIN") as con, self._cancellable(con):
            yield con

    @contextmanager
    def cancel_if(self, unwanted):
        """Reads (read(), raw_read()) this thread begins inside the block stop as soon as
        unwanted() returns true while a statement runs: SQLite's progress handler asks it every
        CANCEL_CHECK_OPS steps, the statement is interrupted and the read raises Cancelled (its
        transaction rolled back as for any error). For a screen's worker: the count of a search
        the manager has typed past no longer holds up the next keystroke's page. unwanted() runs
        on this thread, inside SQLite: keep it a cheap look at a value."""
        local = self._local
        before = getattr(local, "unwanted", None)
        local.unwanted = unwanted
        try:
            yield
        finally:
            local.unwanted = before

    @contextmanager
    def _cancellable(self, con):
        unwanted = getattr(self._local, "unwanted", None)
        if unwanted is None:
            yield
            return
        con.set_progress_handler(lambda: 1 if unwanted() else 0, CANCEL_CHECK_OPS)
        try:
            yield
        except Exception as exc:
            if unwanted() and "interrupted" in str(exc):
                raise Cancelled() from exc
            raise
        finally:
            con.set_progress_handler(None, 0)

    @contextmanager
    def _raw_transaction(self, begin: str):
        pooled = self.engine.raw_connection()
        try:
            con = pooled.dbapi_connection
            con.execute(begin)
            try:
                yield con
            except BaseException:
                con.rollback()
                raise
            con.commit()
        finally:
            pooled.close()  # back to the pool (its reset is a no-op: no transaction is open)

    def after_write(self, fn) -> None:
        """Run fn once this thread's write transaction has ended (committed or rolled back), or
        now if there is none. For writes that must not share the caller's fate (a security event
        about a refusal raised inside a write) and must not wait for its lock."""
        if getattr(self._local, "depth", 0):
            self._local.__dict__.setdefault("pending", []).append(fn)
        else:
            fn()

    def _run_after_write(self) -> None:
        self._poke_checkpointer()
        pending = self._local.__dict__.pop("pending", None)
        for fn in pending or ():
            fn()

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self.engine.connect() as conn, self._cancellable(conn.connection.dbapi_connection):
            with Session(bind=conn, expire_on_commit=False) as session:
                with session.begin():
                    yield session

    def connect_raw(self, **kw):
        return connect_raw(self.path, key=self.key, **kw)

    def wipe_free_pages(self) -> None:
        """After personal data was deleted: secure_delete already zeroed the freed cells; fold the
        WAL (which still holds the old pages) into the main file and truncate it, then VACUUM so
        free pages and the slack of half-empty pages are rewritten too."""
        with self.engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            raw.execute("PRAGMA secure_delete=ON")
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            raw.execute("VACUUM")
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def backup(self, dest: str | Path | None = None) -> Path:
        """An encrypted, consistent copy (VACUUM INTO keeps the key and the database id, so the
        same keyring entry opens it). Default: <db dir>/backups/<name>.<UTC time>.bak"""
        dest = Path(dest) if dest else _backup_path(self.path, "bak")
        dest.parent.mkdir(parents=True, exist_ok=True)
        with self.engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            raw.execute("VACUUM INTO ?", (str(dest),))
        _fsync(dest)
        self.rotate_backups()
        return dest

    def backups(self) -> list[Path]:
        """This database's backups in <db dir>/backups/, oldest first."""
        folder = self.path.resolve().parent / BACKUP_DIR
        if not folder.is_dir():
            return []
        prefix = self.path.name + "."
        return sorted((p for p in folder.iterdir() if p.is_file() and p.name.startswith(prefix)
                       and p.name.endswith(".bak")), key=_backup_time)

    def rotate_backups(self, now: datetime | None = None) -> list[Path]:
        """Remove backups older than BACKUP_RETENTION_DAYS and all but the newest BACKUP_KEEP."""
        now = now or datetime.now(timezone.utc)
        cutoff = now - timedelta(days=BACKUP_RETENTION_DAYS)
        files = self.backups()
        doomed = [p for p in files if _backup_time(p) < cutoff]
        kept = [p for p in files if p not in doomed]
        doomed += kept[:-BACKUP_KEEP] if len(kept) > BACKUP_KEEP else []
        for p in doomed:
            _shred(p)
        return doomed

    def purge_backups_after_deletion(self) -> dict:
        """A member's data was deleted: the backups made before hold it still. Overwrite and remove
        them all, then (if there were any) make one fresh backup of the scrubbed database."""
        old = self.backups()
        for p in old:
            _shred(p)
        fresh = self.backup() if old else None
        if old:
            log.warning("deletion request: %d backup(s) made before it removed; fresh backup made", len(old))
        return {"removed": len(old), "fresh": str(fresh) if fresh else None}

    def close(self) -> None:
        if self._checkpointer is not None:
            self.stop_checkpointer()
            try:
                self.checkpoint(0, mode="TRUNCATE")
            except Exception as exc:  # noqa: BLE001 - the next open checkpoints anyway
                log.warning("checkpoint at close failed: %s", type(exc).__name__)
        self.engine.dispose()


# -- converting an unencrypted store database --------------------------------------------------
def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    if os.name == "posix":  # a directory cannot be opened for fsync on Windows
        _fsync(path)


def _backup_time(p: Path) -> datetime:
    """When a backup was made: the UTC stamp in its name (<db>.<stamp>.<tag>), else its mtime."""
    for part in p.name.split("."):
        try:
            return datetime.strptime(part, "%Y%m%dT%H%M%S%fZ").replace(tzinfo=timezone.utc)
        except ValueError:
            continue
    return datetime.fromtimestamp(p.stat().st_mtime, timezone.utc)


def _shred(p: Path) -> None:
    """Overwrite then remove (best effort below the file system: the file is encrypted anyway)."""
    try:
        left = p.stat().st_size
        zeros = b"\0" * (1 << 20)
        with open(p, "r+b") as f:
            while left > 0:
                left -= f.write(zeros[:min(left, len(zeros))])
            f.flush()
            os.fsync(f.fileno())
    except OSError:
        pass
    p.unlink(missing_ok=True)


def _backup_path(db_path: Path, tag: str) -> Path:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    return db_path.resolve().parent / BACKUP_DIR / f"{db_path.name}.{stamp}.{tag}"


def _export(con, part: Path, key: DatabaseKey) -> None:
    """Copy the database open on ``con`` (every committed page, and its user_version) into the new
    file ``part`` keyed with ``key``; no writer runs meanwhile. On failure ``con`` is closed and
    ``part`` removed."""
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # every committed page into the main file
        con.execute(f"ATTACH DATABASE ? AS enc KEY {key.pragma()}", (str(part),))
        con.execute("BEGIN IMMEDIATE")  # no writer while we copy
        con.execute("SELECT sqlcipher_export('enc')")
        version = con.execute("PRAGMA main.user_version").fetchone()[0]
        con.execute(f"PRAGMA enc.user_version = {int(version)}")
        con.execute("COMMIT")
        con.execute("DETACH DATABASE enc")
    except BaseException:
        con.close()
        part.unlink(missing_ok=True)
        raise


def encrypt_in_place(path: str | Path) -> Path:
    """Convert an unencrypted store database to SQLCipher, atomically. Returns the encrypted backup
    (a copy of the converted file, made before the swap, in <db dir>/backups/)."""
    path = Path(path)
    parent = path.resolve().parent
    part = path.with_name(f".{path.name}.{_random.token_hex(4)}.encrypting")
    key = _new_key()
    # The plaintext: no key, but through sqlcipher3 (it reads plain SQLite files too).
    src = sqlcipher.connect(str(path), isolation_level=None, timeout=15)
    src.execute("PRAGMA busy_timeout=15000")
    _export(src, part, key)
    try:
        check = connect_raw(part, key=key, pragmas=False)
        try:
            if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise RuntimeError("the encrypted copy failed its integrity check")
            check.execute("PRAGMA journal_mode=WAL")
        finally:
            check.close()
        _fsync(part)
        backup = _backup_path(path, "pre-encryption.bak")
        backup.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(part, backup)  # already encrypted: the backup is too
        _fsync(backup)
        _fsync_dir(backup.parent)
        # Keep a handle on the plaintext: after the swap it is reachable only through it.
        old = open(path, "r+b")
    except BaseException:
        src.close()
        part.unlink(missing_ok=True)
        raise
    try:
        src.close()
        os.replace(part, path)
        _fsync_dir(parent)
        for suffix in ("-wal", "-shm", "-journal"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        _fsync_dir(parent)
        # Best effort: overwrite the old plaintext's blocks (gone from the directory already).
        size = os.fstat(old.fileno()).st_size
        old.seek(0)
        chunk = b"\0" * (1 << 20)
        left = size
        while left > 0:
            n = min(left, len(chunk))
            old.write(chunk[:n])
            left -= n
        old.flush()
        os.fsync(old.fileno())
    finally:
        old.close()
    log.warning("Store database converted to an encrypted (SQLCipher) database; encrypted backup in %s",
                BACKUP_DIR)
    return backup


def rekey(path: str | Path) -> DatabaseKey:
    """A new key (and database id) for a store database: export into a new file with the new key,
    swap atomically, then drop the old key from the keyring. The database must be closed."""
    from app.secrets import delete_secret

    path = Path(path)
    old = database_key(path)
    part = path.with_name(f".{path.name}.{_random.token_hex(4)}.rekeying")
    new = _new_key()
    con = connect_raw(path, key=old, pragmas=False)
    _export(con, part, new)
    con.close()
    check = connect_raw(part, key=new, pragmas=False)
    try:
        check.execute("PRAGMA journal_mode=WAL")
    finally:
        check.close()
    _fsync(part)
    os.replace(part, path)
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    _fsync_dir(path.resolve().parent)
    delete_secret(key_secret_name(old.db_id))
    return new


# -- schema ------------------------------------------------------------------------------------
def alembic_config(db_path: str | Path):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    # Only for offline (SQL script) mode; online runs get the keyed connection in attributes.
    cfg.set_main_option("sqlalchemy.url", f"sqlite:///{Path(db_path)}")
    cfg.attributes["configure_logger"] = False
    return cfg


def upgrade_to_head(db_path: str | Path, *, key: DatabaseKey | None = None) -> None:
    db_path = Path(db_path)
    if file_state(db_path) == "plaintext":
        encrypt_in_place(db_path)
    if schema_is_current(db_path, key=key):
        return  # the usual case at start-up: no need to import Alembic (~0.3 s on a shop PC)
    from alembic import command

    key = key or database_key(db_path, create=True)
    # Foreign keys off while migrating: batch mode re-creates tables (copy, drop, rename).
    engine = make_engine(db_path, key=key, foreign_keys=False)
    try:
        with engine.connect() as conn:
            cfg = alembic_config(db_path)
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
            conn.commit()
    finally:
        engine.dispose()


_REV = re.compile(r"^revision\s*(?::[^=]*)?=\s*['\"]([^'\"]+)['\"]", re.M)
_DOWN = re.compile(r"^down_revision\s*(?::[^=]*)?=\s*(.+)$", re.M)


def _script_heads() -> set[str]:
    """The head revision(s) of migrations/versions, read from the files without Alembic; an empty
    set when a file does not look as expected (then Alembic decides)."""
    revisions, downs = set(), set()
    for f in (MIGRATIONS_DIR / "versions").glob("*.py"):
        text = f.read_text(encoding="utf-8")
        rev, down = _REV.search(text), _DOWN.search(text)
        if rev is None or down is None:
            return set()
        revisions.add(rev.group(1))
        downs.update(re.findall(r"['\"]([^'\"]+)['\"]", down.group(1)))
    return revisions - downs


def schema_is_current(db_path: str | Path, *, key: DatabaseKey | None = None) -> bool:
    """True when the database exists, is encrypted and is stamped with the one head revision
    (read-only check)."""
    path = Path(db_path)
    heads = _script_heads()
    if len(heads) != 1 or file_state(path) != "encrypted":
        return False
    try:
        con = connect_raw(path, key=key, readonly=True)
    except (sqlcipher.Error, SecretStoreUnavailable):
        return False
    try:
        rows = con.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlcipher.Error:
        return False
    finally:
        con.close()
    return {r[0] for r in rows} == heads


def integrity_ok(db_path: str | Path) -> bool:
    con = connect_raw(db_path, pragmas=False)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        con.close()
