"""HQ's domain: stores and credentials, applying pushed events, the change feed, the member
directory (duplicates, merges, deletions), rule sets, reservations.

Stateless: everything that matters is in the database. A pushed batch commits once (see push).

The change feed without a lock through COMMIT (PostgreSQL). A writer, before it draws change ids,
takes a *shared* transaction-scoped advisory lock whose key is the sequence's last value at that
moment (a lower bound of every id it will draw, in a key band of its own); shared locks never
wait for each other, so pushes commit in parallel and PostgreSQL groups their fsyncs. A reader
(1) reads the sequence's last value L, (2) the smallest key B held by a writer still in flight,
then (3), in a new statement (a new snapshot), returns only ids ≤ L and < B. Every id ≤ L was
drawn by a writer that had its lock before drawing; at (2) that writer either still held it
(so its ids are ≥ B: not returned yet) or had ended, and a transaction's commit is visible before
its locks are released — so a change that commits later can never sort below a cursor already
handed out. Only transactions that write to the feed can hold it back, and only from their first
change to their commit (xmin-based horizons were tried: they are cluster-wide, so any long write
transaction in any database of the server stalls the feed). SQLite has one writer at a time, so
there id order is commit order. Wake-ups (NOTIFY) are sent after the commit, outside the writing
transaction (NOTIFY takes a database-wide lock held through its commit).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from types import SimpleNamespace

from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from app import codes
from app.rules import MemberState, Purchase, load_default_rule_set, parse_rule_set, price_purchase, tier_for
from app.text import normalize_email, normalize_phone
from hq.db import HQDatabase
from hq.models import (AuditRow, CardRow, ChangeRow, ConflictRow, CouponRow, DuplicateCandidate, EventRow,
                       LedgerRow, MemberRow, Meta, Principal, RateWindow, Reservation, RuleSetRow, SigningKeyRow,
                       StoreRow, Terminal)
from hq.settings import Settings
from hq.payloads import is_id, problem as payload_problem
from sync.hlc import Timestamp
from sync.protocol import (Change, ChangesPage, EnrollRequest, EnrollResponse, EventResult, PushRequest,
                           PushResponse, ReserveRequest, ReserveResponse, make_cursor, parse_cursor)

log = logging.getLogger("hq")
_STORE_ID = re.compile(r"[A-Z0-9][A-Z0-9-]{0,31}")
HQ_NS = uuid.UUID("0b9c8c2e-6a55-4d8a-9c43-2f3a7e1c5d10")
PII_FIELDS = ("name", "name_kana", "phone", "email", "line_user_id", "birthday")
PROFILE_FIELDS = PII_FIELDS + ("consent_marketing",)
NOTIFY_CHANNEL = "tsumugi_changes"
# the feed writers' advisory-lock band: key = FEED_BAND + (a lower bound of the ids it draws)
FEED_BAND = -(2 ** 62)
_SEQ_LAST = "COALESCE(pg_sequence_last_value(pg_get_serial_sequence('changes', 'id')::regclass), 0)"
_LOCK_KEY = "((l.classid::bigint << 32) | l.objid::bigint)"
# steps 1 and 2 in one statement, in that order by data dependency: the lock scan is a subplan
# correlated with the materialised sequence read, so it cannot run before it
_FEED_WRITERS = ("SELECT s.last, (SELECT min(" + _LOCK_KEY + ") FROM pg_locks l WHERE s.last IS NOT NULL"
                 " AND l.locktype = 'advisory' AND l.objsubid = 1"
                 " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                 f" AND {_LOCK_KEY} >= {FEED_BAND} AND {_LOCK_KEY} < 0)"
                 f" FROM (SELECT {_SEQ_LAST} AS last OFFSET 0) s")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def iso(dt: datetime) -> str:
    """`dt` in UTC as 2026-12-07T22:25:41.877022Z (always six decimals: the stored times compare
    as text). isoformat is C; strftime with %f was ~5 % of a push's time."""
    if dt.tzinfo is not timezone.utc:
        dt = dt.astimezone(timezone.utc)
    return dt.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def parse_iso(text_: str) -> datetime:
    dt = datetime.fromisoformat(text_.replace("Z", "+00:00"))
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def sha256(text_: str) -> str:
    return hashlib.sha256(text_.encode()).hexdigest()


def _written_after(now_ms: int, *times: str | None) -> Timestamp:
    """The time of a field HQ writes itself now (a merge filling the survivor's empty field from
    the duplicate): now, and later than every earlier time of the field, the survivor's own (the
    value it replaces, perhaps a store's registration with the field left empty) included. With
    the duplicate's older time instead, a store whose registration HQ had applied (its answer
    lost) kept its empty field as the later write, pushed it again as a duplicate, and stayed
    apart from HQ for good (seed 13015392)."""
    stamp = Timestamp(now_ms, 0, "HQ")
    for text_ in times:
        if text_:
            try:
                t = Timestamp.parse(text_)
            except ValueError:
                continue
            stamp = max(stamp, Timestamp(t.ms, t.counter + 1, "HQ"))
    return stamp


class HQError(Exception):
    status = 400

    def __init__(self, message: str, code: str = "bad_request", status: int | None = None):
        super().__init__(message)
        self.code = code
        if status:
            self.status = status


class Forbidden(HQError):
    status = 403


class NotFoundError(HQError):
    status = 404


class Reject(Exception):
    """A business rejection of one event (the queue still advances)."""

    def __init__(self, code: str, **details):
        super().__init__(code)
        self.code = code
        self.details = details


@dataclass(frozen=True)
class Who:
    kind: str  # store | admin | auditor
    id: str

    @property
    def label(self) -> str:
        return f"{self.kind}:{self.id}"


@lru_cache(maxsize=256)
def _parsed_rule_set(body_json: str):
    return parse_rule_set(body_json)


_RULE_SETS: dict = {}  # version → parsed rule set (a version is immutable, so this is safe per process)


class _Retry(Exception):
    """The fast path hit a failing statement: redo the batch in the safe mode."""


class RateLimitedError(HQError):
    status = 429

    def __init__(self, retry_after: int):
        super().__init__("Too many requests; retry later.", "rate_limited", 429)
        self.retry_after = retry_after


SIGNING_KEY_ENV = "TSUMUGI_HQ_SIGNING_KEY"
KEYRING_SERVICE = "tsumugi-hq"  # as hq/notify.py's channel secrets


def _key_from_hex(private_hex: str) -> tuple[str, bytes, bytes]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    try:
        private = bytes.fromhex(private_hex.strip())
        public = Ed25519PrivateKey.from_private_bytes(private).public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    except ValueError:
        raise HQError(f"{SIGNING_KEY_ENV} must be an Ed25519 private key as 64 hex digits.",
                      "bad_signing_key", 503) from None
    return hashlib.sha256(public).hexdigest()[:8], private, public


def _keyring_set(key_id: str, private_hex: str) -> None:
    import keyring
    from keyring.errors import KeyringError

    try:
        keyring.set_password(KEYRING_SERVICE, f"hq_signing_key:{key_id}", private_hex)
    except KeyringError as exc:  # no backend on this machine (never a file instead)
        raise HQError(f"HQ needs somewhere safe for its signing key and this machine has no OS keyring "
                      f"({exc.__class__.__name__}): set {SIGNING_KEY_ENV} to an Ed25519 private key (64 hex "
                      "digits) from your secret manager, or install a keyring backend.",
                      "no_keyring", 503) from None


def _keyring_get(key_id: str) -> str | None:
    import keyring
    from keyring.errors import KeyringError

    try:
        return keyring.get_password(KEYRING_SERVICE, f"hq_signing_key:{key_id}")
    except KeyringError:
        return None


class HQService:
    def __init__(self, db: HQDatabase, settings: Settings | None = None):
        self.db = db
        self.settings = settings or Settings(database_url=db.url)
        self._auth_cache: dict[str, tuple[Who, float]] = {}

    # ---------------------------------------------------------------------------- bootstrap
    def init(self) -> None:
        """Epoch, HQ signing key and the default rule set (idempotent)."""
        with self.db.write() as s:
            if s.get(Meta, "epoch") is None:
                s.add(Meta(key="epoch", value=secrets.token_hex(4)))
                s.add(Meta(key="retained_from", value="0"))
            row = s.get(Meta, "hq_key")
            if row is None:
                # The HQ certifying key: from TSUMUGI_HQ_SIGNING_KEY (hex, from the deployment's
                # secret manager) or made here and kept in the OS keyring. Only its public half
                # and id are in the database.
                supplied = os.environ.get(SIGNING_KEY_ENV)
                if supplied:
                    key_id, _, public = _key_from_hex(supplied)
                else:
                    key_id, private, public = codes.new_key_pair()
                    _keyring_set(key_id, private.hex())
                s.add(Meta(key="hq_key", value=json.dumps({"key_id": key_id, "public": public.hex(),
                                                           "private": None})))
            else:
                data = json.loads(row.value)
                supplied = os.environ.get(SIGNING_KEY_ENV)
                if data.get("private") and supplied and _key_from_hex(supplied)[2].hex() == data["public"]:
                    row.value = json.dumps(dict(data, private=None))  # the deployment supplies it now
                    log.info("HQ's signing key removed from its database: %s supplies it", SIGNING_KEY_ENV)
                elif data.get("private"):
                    # written by an HQ before the key moved out of the database
                    try:
                        _keyring_set(data["key_id"], data["private"])
                    except HQError:
                        log.warning("HQ's signing key is still stored in its database: set %s or give HQ "
                                    "an OS keyring; it moves there at the next start", SIGNING_KEY_ENV)
                    else:
                        row.value = json.dumps(dict(data, private=None))
                        log.info("HQ's signing key moved from its database to the OS keyring")
            has_rules = s.scalar(select(func.count()).select_from(RuleSetRow))
        if not has_rules:
            self.publish_rule_set(json.loads(load_default_rule_set().model_dump_json()))

    def _meta(self, s: Session, key: str) -> str | None:
        row = s.get(Meta, key)
        return row.value if row else None

    def check_signing_key(self) -> str:
        """The certifying key's id when HQ can sign with it, else HQError saying where it is missing."""
        with self.db.read() as s:
            return self._hq_key(s)[0]

    def _hq_key(self, s: Session) -> tuple[str, bytes, bytes]:
        """(key id, private, public) of the HQ certifying key: the environment, else the OS
        keyring, else (an HQ not yet moved) its database. A clear error when none holds it."""
        data = json.loads(self._meta(s, "hq_key"))
        key_id, public = data["key_id"], bytes.fromhex(data["public"])
        supplied = os.environ.get(SIGNING_KEY_ENV)
        if supplied:
            _, private, env_public = _key_from_hex(supplied)
            if env_public != public:
                raise HQError(f"{SIGNING_KEY_ENV} is not the key this HQ's stores trust (key {key_id}).",
                              "signing_key_mismatch", 503)
            return key_id, private, public
        private_hex = _keyring_get(key_id) or data.get("private")
        if not private_hex:
            raise HQError(f"HQ's signing key {key_id} is not available: set {SIGNING_KEY_ENV} (hex) or run HQ "
                          "where the OS keyring that holds it is.", "signing_key_unavailable", 503)
        return key_id, bytes.fromhex(private_hex), public

    # ---------------------------------------------------------------------------- changes
    def _emit(self, s: Session, changes: list[tuple[str, dict, str | None]]) -> list[int]:
        """Append to the change feed inside the caller's transaction; ids in emission order. On
        PostgreSQL: the shared lock first, then the ids (see the module docstring)."""
        if not changes:
            return []
        now = iso(utcnow())
        s.info["feed_changed"] = True  # HQDatabase.write wakes the streams after the commit
        if self.db.is_sqlite:
            return [s.execute(insert(ChangeRow).values(kind=k, data=d, member_id=m, created_at=now)
                              .returning(ChangeRow.id)).scalar_one() for k, d, m in changes]
        ids = self._feed_ids(s, len(changes))
        self._copy(s, "changes", ("id", "kind", "data", "member_id", "created_at"),
                   [(i, k, json.dumps(d), m, now) for i, (k, d, m) in zip(ids, changes)])
        return ids

    @staticmethod
    def _copy(s: Session, table: str, columns: tuple[str, ...], rows) -> None:
        """PostgreSQL: rows into `table` by COPY, inside the session's transaction (set-based, no
        per-row statement, no giant VALUES list to compile)."""
        raw = s.connection().connection.dbapi_connection
        cols = ", ".join(f'"{c}"' for c in columns)
        with raw.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN") as cp:
            for r in rows:
                cp.write_row(r)

    def head(self) -> int:
        with self.db.read() as s:
            return s.scalar(select(func.coalesce(func.max(ChangeRow.id), 0)))

    def _readable_below(self, s: Session) -> int | None:
        """PostgreSQL: every change with an id below this is committed or will never be (steps
        1 and 2 of the module docstring; the caller's next statement is step 3). SQLite: None."""
        if self.db.is_sqlite:
            return None
        last, held = s.execute(text(_FEED_WRITERS)).one()
        last = int(last)
        return last + 1 if held is None else min(last + 1, int(held) - FEED_BAND)

    def feed_position(self) -> int:
        """The last change id a reader may see now (what the stream watcher compares)."""
        with self.db.read() as s:
            below = self._readable_below(s)
            q = select(func.coalesce(func.max(ChangeRow.id), 0))
            return s.scalar(q if below is None else q.where(ChangeRow.id < below))

    def epoch(self) -> str:
        with self.db.read() as s:
            return self._meta(s, "epoch")

    _PAGE_META = text("SELECT key, value FROM hq_meta WHERE key IN ('epoch', 'retained_from')")

    def _page(self, s: Session, cursor: str | None, limit: int, data_col):
        """(epoch, rows, more, next_cursor); rows is None for a reset. Keyset paging on the id,
        on PostgreSQL only below the first id a writer still in flight may hold."""
        epoch, n = parse_cursor(cursor)
        meta = dict(s.execute(self._PAGE_META).all())  # both in one plain statement
        cur_epoch = meta.get("epoch")
        retained_from = int(meta.get("retained_from") or 0)
        if (cursor and epoch != cur_epoch) or (n and n + 1 < retained_from):
            return cur_epoch, None, True, make_cursor(cur_epoch, 0)
        below = self._readable_below(s)
        q = select(ChangeRow.id, ChangeRow.kind, data_col).where(ChangeRow.id > n)
        if below is not None:
            q = q.where(ChangeRow.id < below)
        rows = s.execute(q.order_by(ChangeRow.id).limit(limit + 1)).all()
        more = len(rows) > limit
        rows = rows[:limit]
        return cur_epoch, rows, more, make_cursor(cur_epoch, rows[-1][0] if rows else n)

    def changes(self, cursor: str | None, limit: int = 1000) -> ChangesPage:
        limit = max(1, min(int(limit), 5000))
        with self.db.read() as s:
            epoch, rows, more, nxt = self._page(s, cursor, limit, ChangeRow.data)
        if rows is None:
            return ChangesPage(epoch=epoch, changes=[], next_cursor=nxt, has_more=True, reset=True)
        return ChangesPage(epoch=epoch, changes=[Change(id=i, kind=k, data=d) for i, k, d in rows],
                           next_cursor=nxt, has_more=more)

    def changes_json(self, cursor: str | None, limit: int = 1000, *, who: Who | None = None,
                     rate_key: str | None = None, audit: tuple[str, str] | None = None) -> bytes:
        """The same page as `changes()`, as JSON bytes built from the stored JSON text (the rows'
        JSON is passed through, never parsed and re-encoded). With `rate_key`/`audit`: the
        request's rate-limit count and audit row in the same transaction (request_tx)."""
        from sqlalchemy import Text, cast

        limit = max(1, min(int(limit), 5000))
        with (self.request_tx(who, rate_key, audit) if rate_key or audit else self.db.read()) as s:
            epoch, rows, more, nxt = self._page(s, cursor, limit, cast(ChangeRow.data, Text))
        if rows is None:
            return ChangesPage(epoch=epoch, changes=[], next_cursor=nxt, has_more=True,
                               reset=True).model_dump_json().encode()
        dumps = json.dumps
        body = ",".join(f'{{"id":{i},"kind":{dumps(k)},"data":{d}}}' for i, k, d in rows)
        return (f'{{"epoch":{dumps(epoch)},"changes":[{body}],"next_cursor":{dumps(nxt)},'
                f'"has_more":{"true" if more else "false"},"reset":false}}').encode()

    # ---------------------------------------------------------------------------- principals
    def add_store(self, name: str, store_id: str | None = None) -> tuple[str, str]:
        """A store row and its one-time enrollment code (shown once; HQ keeps only a hash)."""
        from app.text import nfkc

        code = "-".join(base64.b32encode(os.urandom(10)).decode()[i:i + 4] for i in range(0, 16, 4))
        now = utcnow()
        with self.db.write() as s:
            if store_id is None:
                candidate = nfkc(name).strip().upper()
                if candidate.replace("-", "").isalnum() and len(candidate) <= 32:
                    store_id = candidate
                else:
                    n = s.scalar(select(func.count()).select_from(StoreRow)) + 1
                    store_id = f"S{n:03d}"
            store_id = nfkc(store_id).strip().upper()
            if not _STORE_ID.fullmatch(store_id):
                raise HQError("A store id is 1 to 32 letters, digits or '-', starting with a letter or digit.",
                              "bad_store_id", 400)
            if not name.strip() or len(name) > 200:
                raise HQError("A store's name is 1 to 200 characters.", "bad_store_name", 400)
            row = s.get(StoreRow, store_id)
            if row is not None and row.status == "active":
                raise HQError(f"Store {store_id} is already enrolled; revoke it first.", "store_exists", 409)
            if row is None:
                row = StoreRow(id=store_id, name=name, status="pending", created_at=iso(now))
                s.add(row)
            row.status = "pending"
            row.enroll_code_hash = sha256(code.replace("-", "").upper())
            row.enroll_expires_at = iso(now + timedelta(hours=self.settings.enrollment_code_hours))
        return store_id, code

    def list_stores(self) -> list[dict]:
        with self.db.read() as s:
            rows = s.scalars(select(StoreRow).order_by(StoreRow.id)).all()
            return [{"store_id": r.id, "name": r.name, "status": r.status, "enrolled_at": r.enrolled_at,
                     "last_contact_at": r.last_contact_at, "last_push_at": r.last_push_at,
                     "queue_length": r.queue_length, "oldest_pending_at": r.oldest_pending_at,
                     "last_error": r.last_error, "clock_skew_ms": r.clock_skew_ms} for r in rows]

    def revoke_store(self, store_id: str) -> None:
        now = iso(utcnow())
        changes = []
        with self.db.write() as s:
            row = s.get(StoreRow, store_id)
            if row is None:
                raise NotFoundError(f"No store {store_id}.", "unknown_store")
            row.status = "revoked"
            row.revoked_at = now
            row.credential_hash = None
            self._auth_cache.clear()  # this worker at once; the others within auth_cache_s
            row.enroll_code_hash = None
            for key in s.scalars(select(SigningKeyRow).where(SigningKeyRow.owner == store_id,
                                                             SigningKeyRow.revoked_at.is_(None))):
                key.revoked_at = now
                changes.append(("signing_key", self._key_dict(key), None))
            self._emit(s, changes)

    def add_principal(self, name: str, role: str) -> str:
        if role not in ("admin", "auditor"):
            raise HQError("role must be admin or auditor", "bad_role")
        secret = secrets.token_urlsafe(32)
        with self.db.write() as s:
            p = Principal(name=name, role=role, token_hash="-", created_at=iso(utcnow()))
            s.add(p)
            s.flush()
            token = f"{role[:3]}_{p.id}.{secret}"
            p.token_hash = sha256(token)
        return token

    def authenticate(self, token: str | None) -> Who | None:
        """The principal a bearer token names, or None. A successful verification is remembered
        in this process for `settings.auth_cache_s` (default 5 s, keyed by the token's SHA-256):
        a revoked credential is refused by every worker within that many seconds (at once by the
        worker that revoked it). Failures are never cached (a new enrollment works at once)."""
        if not token or "." not in token:
            return None
        digest = sha256(token)
        hit = self._auth_cache.get(digest)
        if hit is not None and hit[1] > time.monotonic():
            return hit[0]
        who = self._authenticate(token, digest)
        if who is not None and self.settings.auth_cache_s > 0:
            if len(self._auth_cache) > 10_000:
                self._auth_cache.clear()
            self._auth_cache[digest] = (who, time.monotonic() + self.settings.auth_cache_s)
        else:
            self._auth_cache.pop(digest, None)
        return who

    def cached_principal(self, token: str | None) -> Who | None:
        """The cached result only (no database): lets the web layer skip a thread hop."""
        if not token:
            return None
        hit = self._auth_cache.get(sha256(token))
        return hit[0] if hit is not None and hit[1] > time.monotonic() else None

    def _authenticate(self, token: str, digest: str) -> Who | None:
        head, _ = token.split(".", 1)
        with self.db.read() as s:
            if head.startswith(("adm_", "aud_")):
                try:
                    pid = int(head[4:])
                except ValueError:
                    return None
                p = s.get(Principal, pid)
                if p and p.revoked_at is None and hmac.compare_digest(p.token_hash, digest):
                    return Who(p.role, str(p.id))
                return None
            row = s.get(StoreRow, head)
            if row and row.status == "active" and row.credential_hash and hmac.compare_digest(row.credential_hash,
                                                                                               digest):
                return Who("store", row.id)
        return None

    def enroll(self, req: EnrollRequest) -> EnrollResponse:
        code = req.code.replace("-", "").replace(" ", "").upper()
        digest = sha256(code)
        now = utcnow()
        with self.db.write() as s:
            row = s.scalars(select(StoreRow).where(StoreRow.enroll_code_hash == digest)).first()
            if row is None or row.status != "pending":
                raise Forbidden("This enrollment code is not valid (already used, revoked or mistyped).",
                                "bad_enrollment_code")
            if row.enroll_expires_at and parse_iso(row.enroll_expires_at) < now:
                raise Forbidden("This enrollment code has expired; ask HQ for a new one.", "enrollment_expired")
            if req.store_id and req.store_id.upper() != row.id:
                raise HQError(f"This code is for store {row.id}, but this database is store {req.store_id}.",
                              "store_id_mismatch", 409)
            secret = secrets.token_urlsafe(32)
            credential = f"{row.id}.{secret}"
            row.credential_hash = sha256(credential)
            row.enroll_code_hash = None
            row.status = "active"
            row.enrolled_at = iso(now)
            key_id, private, public = self._hq_key(s)
            pub = bytes.fromhex(req.signing_public_key)
            cert = _certify(private, req.signing_key_id, pub, row.id)
            key = s.get(SigningKeyRow, req.signing_key_id)
            if key is None:
                key = SigningKeyRow(key_id=req.signing_key_id, public_key=pub.hex(), owner=row.id, certificate=cert,
                                    created_at=iso(now))
                s.add(key)
            elif key.owner != row.id or key.public_key != pub.hex():
                raise HQError("That signing key id belongs to another store.", "key_conflict", 409)
            s.flush()
            changes = [("signing_key", self._key_dict(key), None)]
            s.merge(Terminal(store_id=row.id, terminal_id=req.terminal_id,
                             next_seq=(s.get(Terminal, (row.id, req.terminal_id)) or Terminal(next_seq=1)).next_seq))
            self._emit(s, changes)
            epoch = self._meta(s, "epoch")
        return EnrollResponse(store_id=row.id, credential=credential, certificate=cert, hq_key_id=key_id,
                              hq_public_key=public.hex(), cursor=make_cursor(epoch, 0))

    @staticmethod
    def _key_dict(key: SigningKeyRow) -> dict:
        return {"key_id": key.key_id, "public_key": key.public_key, "owner": key.owner,
                "certificate": key.certificate, "revoked_at": key.revoked_at}

    # ---------------------------------------------------------------------------- rate limits, audit
    # One statement each, as plain SQL (same text on SQLite and PostgreSQL): no ORM unit of work,
    # no statement building per request.
    _COUNT_SQL = text('INSERT INTO rate_windows (principal, "window", count) VALUES (:principal, :window, 1) '
                      'ON CONFLICT (principal, "window") DO UPDATE SET count = rate_windows.count + 1 '
                      'RETURNING count')
    _AUDIT_SQL = text("INSERT INTO audit_log (at, principal, role, method, path, status, detail) "
                      "VALUES (:at, :principal, :role, :method, :path, :status, :detail)")

    def hit_rate_limit(self, principal: str, who: Who | None = None, method: str | None = None,
                       path: str | None = None) -> int | None:
        """Count a request; returns seconds to wait when over the limit, else None. With `method`
        and `path`: a refused request's audit row (429) is written in the same transaction."""
        with self.db.write() as s:
            wait = self._count_request(s, principal)
            if wait and method is not None:
                self._audit_row(s, who, method, path, 429, None)
            return wait

    def audit(self, who: Who | None, method: str, path: str, status: int, detail: str | None = None) -> None:
        with self.db.write() as s:
            self._audit_row(s, who, method, path, status, detail)

    def count_and_audit(self, principal: str, who: Who | None, method: str, path: str, status: int) -> int | None:
        """After an answer whose own transaction was rolled back (an error answer from a route that
        counts inside its transaction): count the request and write its audit row, one transaction.
        Over the limit: the row says 429 and the seconds to wait are returned (the caller answers
        429 instead: the route's work was rolled back, nothing was done)."""
        with self.db.write() as s:
            wait = self._count_request(s, principal)
            self._audit_row(s, who, method, path, 429 if wait else status, None)
            return wait

    def _audit_row(self, s: Session, who: Who | None, method: str, path: str, status: int,
                   detail: str | None) -> None:
        s.execute(self._AUDIT_SQL, {"at": iso(utcnow()), "principal": who.label if who else None,
                                    "role": who.kind if who else None, "method": method, "path": path[:200],
                                    "status": status, "detail": detail})

    @contextmanager
    def request_tx(self, who: Who | None, rate_key: str | None, audit: tuple[str, str] | None):
        """A request's own work in ONE write transaction with its rate-limit count (first: over
        the limit raises RateLimitedError, which rolls everything back) and its audit row (last,
        outcome 200). An exception rolls all three back; the web layer then counts and audits the
        error answer (count_and_audit)."""
        with self.db.write() as s:
            if rate_key:
                wait = self._count_request(s, rate_key)
                if wait:
                    raise RateLimitedError(wait)
            yield s
            if audit:
                self._audit_row(s, who, audit[0], audit[1], 200, None)

    def prune(self) -> dict:
        cutoff = iso(utcnow() - timedelta(days=max(30, self.settings.audit_retention_days)))
        window = int(utcnow().timestamp() // self.settings.rate_window_s) - 2
        with self.db.write() as s:
            a = s.execute(delete(AuditRow).where(AuditRow.at < cutoff)).rowcount
            r = s.execute(delete(RateWindow).where(RateWindow.window < window)).rowcount
        return {"audit_rows": a, "rate_windows": r}

    # ---------------------------------------------------------------------------- push
    def push(self, who: Who, req: PushRequest, *, rate_key: str | None = None,
             audit: tuple[str, str] | None = None) -> PushResponse:
        """Apply one batch in ONE transaction (the fast path): batch-level reads, set-based inserts,
        no savepoints. A business rejection is an outcome, not an exception: every `Reject` is
        raised before its event wrote anything, so nothing needs undoing. When a statement itself
        fails (an integrity error: a race on a card number, say), the whole transaction is rolled
        back and the batch is applied again in the safe mode (a SAVEPOINT per event, flushed
        per event), which is the old per-event semantics: one bad event never undoes the others.

        `rate_key`/`audit`: the caller's rate-limit window and audit row, counted and written in
        this same transaction (one transaction per request instead of three)."""
        if who.kind != "store" or req.store_id != who.id:
            raise Forbidden("A store pushes only for its own terminals.", "not_your_terminal")
        try:
            return self._push(who, req, safe=False, rate_key=rate_key, audit=audit)
        except _Retry:
            log.warning("push from %s/%s: a statement failed; applying the batch event by event",
                        req.store_id, req.terminal_id)
            return self._push(who, req, safe=True, rate_key=rate_key, audit=audit)

    def _dialect_insert(self):
        if self.db.is_sqlite:
            from sqlalchemy.dialects.sqlite import insert as dialect_insert
        else:
            from sqlalchemy.dialects.postgresql import insert as dialect_insert
        return dialect_insert

    def _count_request(self, s: Session, principal: str) -> int | None:
        now = utcnow().timestamp()
        window = int(now // self.settings.rate_window_s)
        count = s.execute(self._COUNT_SQL, {"principal": principal, "window": window}).scalar_one()
        if count > self.settings.rate_limit:
            return max(1, int((window + 1) * self.settings.rate_window_s - now) + 1)
        return None

    def _push(self, who: Who, req: PushRequest, *, safe: bool, rate_key: str | None,
              audit: tuple[str, str] | None) -> PushResponse:
        now = utcnow()
        now_iso = iso(now)
        try:
            skew = int((parse_iso(req.sent_at) - now).total_seconds() * 1000)
        except ValueError:
            raise HQError("sent_at is not an ISO time.", "bad_sent_at") from None
        if abs(skew) > self.settings.max_clock_off_s * 1000:
            days = abs(skew) / 86_400_000
            message = (f"This terminal's clock is {days:,.0f} days {'ahead of' if skew > 0 else 'behind'} HQ's; "
                       "set the computer's date and time, then sync again.")
            with self.db.write() as s:  # `python -m hq status` shows why this store stopped syncing
                s.execute(update(StoreRow).where(StoreRow.id == req.store_id).values(
                    last_contact_at=iso(now), clock_skew_ms=skew, queue_length=req.queue_length,
                    last_error=f"{req.terminal_id}: {message}"))
            raise HQError(message, "clock_off", 400)
        shift = -skew if abs(skew) > self.settings.max_clock_skew_ms else 0
        if shift:
            log.warning("store %s clock is %d ms off HQ; its event times are shifted back into line", who.id, skew)
        changes: list = []
        with self.db.write() as s:
            if self.db.is_sqlite:
                wait = self._count_request(s, rate_key) if rate_key else None
                seq = None if wait else self._terminal_seq(s, req.store_id, req.terminal_id)
                epoch = self._meta(s, "epoch") if req.epoch is not None else None
            else:
                wait, seq, epoch = self._count_and_seq_pg(s, rate_key, req.store_id, req.terminal_id)
            if wait:
                raise RateLimitedError(wait)  # rolls this transaction back, the count included
            if req.epoch is not None and req.epoch != epoch:
                # made before a restore (or a compaction) started this epoch: its verdicts would be
                # about a state the store no longer shares; it pulls the reset first, then resends
                raise HQError("The feed has a new epoch; pull it, then push again.", "stale_epoch", 409)
            next_seq = start_seq = seq
            events = sorted(req.events, key=lambda e: e.seq)
            # a malformed payload is refused alone (hq/payloads.py), and read by nothing before that
            s.info["bad_payload"] = {ev.event_id: bad for ev in events if ev.seq >= next_seq
                                     and (bad := payload_problem(ev.type, ev.payload)) is not None}
            self._prefetch(s, req, events, next_seq, shift)
            s.info["safe"] = safe
            s.info["new_ledger"] = []
            results: list[EventResult] = []
            new_rows: list[dict] = []
            gap = False
            old = s.info["old_events"]
            try:
                for ev in events:
                    if ev.seq < next_seq:
                        row = old.get(ev.seq)
                        if row is not None and row[0] == ev.event_id:
                            if getattr(ev, "recheck", None):
                                self._recheck(s, ev, changes)
                            results.append(EventResult(**row[1]))
                        elif row is not None:
                            results.append(EventResult(event_id=ev.event_id, seq=ev.seq, outcome="rejected",
                                                       reason="sequence_reused"))
                        else:
                            results.append(EventResult(event_id=ev.event_id, seq=ev.seq, outcome="duplicate",
                                                       reason="sequence_pruned"))
                        continue
                    if ev.seq > next_seq:
                        gap = True
                        break
                    res = self._apply_one(s, req, ev, shift, changes)
                    new_rows.append({"store_id": req.store_id, "terminal_id": req.terminal_id, "seq": ev.seq,
                                     "event_id": ev.event_id, "type": ev.type, "outcome": res.outcome,
                                     "received_at": now_iso, "_res": res})
                    next_seq = ev.seq + 1
                    results.append(res)
                if self.db.is_sqlite:
                    self._flush_ledger(s)  # PostgreSQL: written with the rest in _finish_push_pg
                s.flush()  # member balances etc. (one executemany UPDATE)
            except DBAPIError as exc:
                if isinstance(exc, OperationalError) or safe:
                    raise
                raise _Retry() from exc
            rejected = [r for r in results if r.outcome == "rejected"]
            values = {"last_contact_at": now_iso, "last_push_at": now_iso, "clock_skew_ms": skew,
                      "queue_length": req.queue_length, "oldest_pending_at": req.oldest_pending_at}
            if rejected:
                values["last_error"] = f"{len(rejected)} event(s) rejected, last: {rejected[-1].reason}"
            if not self.db.is_sqlite:
                self._finish_push_pg(s, who, req, changes, new_rows, values,
                                     next_seq if next_seq != start_seq else None, audit, safe)
                return PushResponse(results=results, expected_seq=next_seq, gap=gap,
                                    clock_skew_ms=skew if shift else 0)
            s.execute(update(StoreRow).where(StoreRow.id == req.store_id).values(**values))
            if next_seq != start_seq:
                s.execute(update(Terminal).where(Terminal.store_id == req.store_id,
                                                 Terminal.terminal_id == req.terminal_id).values(next_seq=next_seq))
            ids = self._emit(s, [(k, d, m) for k, d, m, _ in changes])
            by_event: dict[str, int] = {}
            for cid, (_, _, _, ev_id) in zip(ids, changes):
                by_event.setdefault(ev_id, cid)
            for row in new_rows:
                r = row.pop("_res")
                if r.event_id in by_event:
                    r.change_id = by_event[r.event_id]
                row["result"] = r
            if new_rows and self.db.is_sqlite:
                for row in new_rows:
                    row["result"] = row["result"].model_dump()
                s.execute(EventRow.__table__.insert(), new_rows)
            elif new_rows:
                cols = ("store_id", "terminal_id", "seq", "event_id", "type", "outcome", "received_at")
                self._copy(s, "events", cols + ("result",),
                           [tuple(row[c] for c in cols) + (row["result"].model_dump_json(),) for row in new_rows])
            if audit:
                self._audit_row(s, who, audit[0], audit[1], 200, None)
        return PushResponse(results=results, expected_seq=next_seq, gap=gap, clock_skew_ms=skew if shift else 0)

    _FINISH_PG = text("""
        WITH p AS (
            SELECT CAST(:store_id AS varchar) AS store_id, CAST(:terminal_id AS varchar) AS terminal_id,
                   CAST(:now AS varchar) AS now, CAST(:next_seq AS bigint) AS next_seq),
        led AS (
            INSERT INTO ledger (id, member_id, kind, points, amount_yen, store_id, terminal_id, staff_id, created_at,
                                booked_at, rule_set_version, reverses_id, coupon_id, reason, origin_event_id)
            SELECT id, member_id, kind, points, amount_yen, store_id, terminal_id, staff_id, created_at, booked_at,
                   rule_set_version, reverses_id, coupon_id, reason, origin_event_id
            FROM json_populate_recordset(NULL::ledger, CAST(:ledger AS json))),
        chg AS (
            INSERT INTO changes (id, kind, data, member_id, created_at)
            SELECT id, kind, data, member_id, created_at FROM json_populate_recordset(NULL::changes, CAST(:changes AS json))),
        evs AS (
            INSERT INTO events (store_id, terminal_id, seq, event_id, type, outcome, result, received_at)
            SELECT store_id, terminal_id, seq, event_id, type, outcome, result, received_at
            FROM json_populate_recordset(NULL::events, CAST(:events AS json))),
        term AS (
            UPDATE terminals t SET next_seq = p.next_seq FROM p
            WHERE t.store_id = p.store_id AND t.terminal_id = p.terminal_id AND p.next_seq IS NOT NULL),
        aud AS (
            INSERT INTO audit_log (at, principal, role, method, path, status, detail)
            SELECT p.now, CAST(:principal AS varchar), CAST(:role AS varchar), CAST(:method AS varchar),
                   CAST(:path AS varchar), 200, NULL FROM p WHERE CAST(:method AS varchar) IS NOT NULL)
        UPDATE stores s SET last_contact_at = p.now, last_push_at = p.now, clock_skew_ms = CAST(:skew AS bigint),
               queue_length = CAST(:queue_length AS integer),
               oldest_pending_at = CAST(:oldest_pending_at AS varchar),
               last_error = COALESCE(CAST(:last_error AS text), s.last_error)
        FROM p WHERE s.id = p.store_id""")

    def _finish_push_pg(self, s: Session, who: Who, req: PushRequest, changes: list, new_rows: list,
                        values: dict, next_seq: int | None, audit, safe: bool) -> None:
        """PostgreSQL: the batch's change ids in one statement (the feed's shared lock, then the
        ids), then every remaining write of the batch — ledger rows, change rows, events with
        their stored outcomes, the terminal's sequence, the audit row and the store's status —
        in ONE statement (JSON record sets, data-modifying CTEs): two round trips, then COMMIT."""
        ids = self._feed_ids(s, len(changes))
        now = iso(utcnow())
        by_event: dict[str, int] = {}
        for cid, (_, _, _, ev_id) in zip(ids, changes):
            by_event.setdefault(ev_id, cid)
        events = []
        for row in new_rows:
            r = row.pop("_res")
            if r.event_id in by_event:
                r.change_id = by_event[r.event_id]
            row["result"] = r.model_dump()
            events.append(row)
        ledger = s.info.get("new_ledger") or []
        params = {"ledger": json.dumps(ledger), "events": json.dumps(events),
                  "changes": json.dumps([{"id": i, "kind": k, "data": d, "member_id": m, "created_at": now}
                                         for i, (k, d, m, _) in zip(ids, changes)]),
                  "next_seq": next_seq, "store_id": req.store_id, "terminal_id": req.terminal_id, "now": now,
                  "principal": who.label, "role": who.kind, "method": audit[0] if audit else None,
                  "path": audit[1][:200] if audit else None, "skew": values["clock_skew_ms"],
                  "queue_length": values["queue_length"], "oldest_pending_at": values["oldest_pending_at"],
                  "last_error": values.get("last_error")}
        try:
            s.execute(self._FINISH_PG, params)
        except DBAPIError as exc:
            if isinstance(exc, OperationalError) or safe:
                raise
            raise _Retry() from exc  # e.g. a ledger id already booked: redo the batch event by event
        ledger.clear()

    def _feed_ids(self, s: Session, n: int) -> list[int]:
        """PostgreSQL: `n` change ids in order, drawn after this transaction holds the feed's shared
        lock (keyed by the sequence's last value: see the module docstring) — one statement (the
        lock is an InitPlan in a one-time filter, evaluated before any id is drawn)."""
        if n == 0:
            return []
        if s.info.get("feed_lock"):
            lock = "TRUE"
        else:
            lock = f"(SELECT pg_advisory_xact_lock_shared({FEED_BAND} + {_SEQ_LAST})::text) IS NOT NULL"
        ids = list(s.scalars(text(f"SELECT nextval(pg_get_serial_sequence('changes', 'id')) "
                                  f"FROM generate_series(1, :n) WHERE {lock} ORDER BY 1"), {"n": n}))
        s.info["feed_lock"] = True
        s.info["feed_changed"] = True
        return ids

    def _count_and_seq_pg(self, s: Session, rate_key: str | None, store_id: str,
                          terminal_id: str) -> tuple[int | None, int, str | None]:
        """PostgreSQL, one round trip: count the request in its rate window (when `rate_key`),
        lock the terminal's row, reading its next sequence (created at 1 if new), and read the
        feed's epoch."""
        now = utcnow().timestamp()
        window = int(now // self.settings.rate_window_s)
        row = s.execute(text("""
            WITH r AS (
                INSERT INTO rate_windows (principal, "window", count)
                SELECT CAST(:principal AS varchar), CAST(:window AS bigint), 1 WHERE CAST(:principal AS varchar) IS NOT NULL
                ON CONFLICT (principal, "window") DO UPDATE SET count = rate_windows.count + 1
                RETURNING count),
            t AS (
                INSERT INTO terminals (store_id, terminal_id, next_seq)
                VALUES (CAST(:store_id AS varchar), CAST(:terminal_id AS varchar), 1)
                ON CONFLICT (store_id, terminal_id) DO UPDATE SET next_seq = terminals.next_seq
                RETURNING next_seq)
            SELECT (SELECT count FROM r), (SELECT next_seq FROM t),
                   (SELECT value FROM hq_meta WHERE key = 'epoch')"""),
            {"principal": rate_key, "window": window, "store_id": store_id, "terminal_id": terminal_id}).one()
        count, seq, epoch = row
        wait = None
        if count is not None and count > self.settings.rate_limit:
            wait = max(1, int((window + 1) * self.settings.rate_window_s - now) + 1)
        return wait, int(seq), epoch

    def _terminal_seq(self, s: Session, store_id: str, terminal_id: str) -> int:
        """The terminal's next sequence, its row locked for this transaction (one statement)."""
        stmt = self._dialect_insert()(Terminal).values(store_id=store_id, terminal_id=terminal_id, next_seq=1)
        stmt = stmt.on_conflict_do_update(index_elements=["store_id", "terminal_id"],
                                          set_={"next_seq": Terminal.next_seq}).returning(Terminal.next_seq)
        return int(s.execute(stmt).scalar_one())

    def _prefetch(self, s: Session, req: PushRequest, events: list, next_seq: int, shift: int) -> None:
        """One round trip each for what every event would otherwise look up alone."""
        bad = s.info.get("bad_payload") or {}
        fresh = [e for e in events if e.seq >= next_seq and e.event_id not in bad]  # (events and payloads stay aligned)
        ids = [e.event_id for e in fresh]
        payloads = [e.payload or {} for e in fresh]
        entry_ids = [str(p.get("entry_id")) for e, p in zip(fresh, payloads) if e.type.startswith("ledger.")]
        if not self.db.is_sqlite and ids:  # one round trip for both
            s.info["done"], s.info["booked"] = set(), set()
            for tag, key in s.execute(text(
                    "SELECT 'e', event_id FROM events WHERE event_id = ANY(CAST(:ids AS varchar[])) "
                    "AND outcome IN ('applied', 'adjusted', 'redirected') "
                    "UNION ALL SELECT 'l', id FROM ledger WHERE id = ANY(CAST(:eids AS varchar[]))"),
                    {"ids": ids, "eids": entry_ids}):
                s.info["done" if tag == "e" else "booked"].add(key)
        else:
            s.info["done"] = set(s.scalars(select(EventRow.event_id).where(
                EventRow.event_id.in_(ids), EventRow.outcome.in_(("applied", "adjusted", "redirected"))))) \
                if ids else set()
            s.info["booked"] = set(s.scalars(select(LedgerRow.id).where(LedgerRow.id.in_(entry_ids)))) \
                if entry_ids else set()
        old_seqs = [e.seq for e in events if e.seq < next_seq]
        s.info["old_events"] = {seq: (eid, res) for seq, eid, res in s.execute(
            select(EventRow.seq, EventRow.event_id, EventRow.result).where(
                EventRow.store_id == req.store_id, EventRow.terminal_id == req.terminal_id,
                EventRow.seq.in_(old_seqs)))} if old_seqs else {}
        s.info["members"] = {}
        s.info["history"] = {}
        s.info["batch_hi"] = None
        s.info["entries"] = {}
        s.info["reservations"] = {}
        member_ids = sorted({str(p["member_id"]) for p in payloads if p.get("member_id")})
        if member_ids:
            self._lock_members(s, member_ids)
            survivors = sorted({m.merged_into for m in s.info["members"].values()
                                if m.status == "merged" and m.merged_into} - set(s.info["members"]))
            if survivors:
                self._lock_members(s, survivors)
        kinds = [(p.get("kind"), p) for e, p in zip(fresh, payloads) if e.type.startswith("ledger.")]
        reverses = [str(p["reverses_id"]) for k, p in kinds if k == "void" and p.get("reverses_id")]
        if reverses:
            for e in s.scalars(select(LedgerRow).where(LedgerRow.id.in_(reverses))):
                s.info["entries"][e.id] = e
        redeems = [str(p["entry_id"]) for k, p in kinds if k == "redeem" and p.get("entry_id")]
        if redeems:
            s.info["reservations"] = {r.event_id: r for r in s.scalars(
                select(Reservation).where(Reservation.event_id.in_(redeems)))}
        earners = set()
        oldest = newest = None
        for k, p in kinds:
            if k == "earn" and p.get("member_id") and p.get("created_at"):
                m = s.info["members"].get(str(p["member_id"]))
                hops = 0
                while m is not None and m.status == "merged" and m.merged_into and hops < 20:
                    m = s.info["members"].get(m.merged_into)
                    hops += 1
                if m is not None:
                    earners.add(m.id)
                if oldest is None or p["created_at"] < oldest:
                    oldest = p["created_at"]
                if newest is None or p["created_at"] > newest:
                    newest = p["created_at"]
        if newest is not None:
            try:
                lo = parse_iso(oldest) + timedelta(milliseconds=shift)
                hi = parse_iso(newest) + timedelta(milliseconds=shift)
            except ValueError:
                lo = None
            if lo is not None:
                s.info["batch_hi"] = hi
                if earners:
                    self._load_history(s, sorted(earners), lo, hi)

    _LOCK_MEMBERS_PG = text("SELECT * FROM members WHERE id = ANY(CAST(:ids AS varchar[])) ORDER BY id FOR UPDATE")

    def _lock_members(self, s: Session, ids: list[str]) -> None:
        # sorted ids, one statement: rows are locked in id order, so two batches never deadlock here
        cache = s.info["members"]
        for i in range(0, len(ids), 1000):
            if self.db.is_sqlite:
                q = select(MemberRow).where(MemberRow.id.in_(ids[i:i + 1000])).order_by(MemberRow.id)
                rows = s.scalars(q)
            else:  # one array parameter: the same query text every time (see _HISTORY_PG)
                rows = s.scalars(select(MemberRow).from_statement(self._LOCK_MEMBERS_PG), {"ids": ids[i:i + 1000]})
            for m in rows:
                cache[m.id] = m

    def _load_history(self, s: Session, member_ids: list[str], lo: datetime, hi: datetime) -> None:
        """What HQ reprices an earn at time t with: the member's not-voided earns in [t-365d, t),
        for every t of the batch in [lo, hi]. The part every such window shares, [hi-365d, lo),
        comes back as one SUM/COUNT per member; only the two slivers at the ends, [lo-365d,
        hi-365d) and [lo, hi], come back as rows (a batch spans minutes, so they are small).
        Later events of the batch add their earns and voids to it (see _reprice)."""
        year = timedelta(days=365)
        a_lo, a_hi = iso(hi - year), iso(lo)
        b_lo, c_hi = iso(lo - year), iso(hi + timedelta(microseconds=1))
        hist = s.info["history"]
        for mid in member_ids:
            hist[mid] = {"lo": lo, "hi": hi, "a": (a_lo, a_hi), "spend": 0, "visits": 0, "rows": [],
                         "voided": set()}
        if not self.db.is_sqlite:
            self._load_history_pg(s, member_ids, a_lo, a_hi, b_lo, c_hi)
            return
        voided = select(LedgerRow.reverses_id).where(LedgerRow.member_id.in_(member_ids), LedgerRow.kind == "void",
                                                     LedgerRow.reverses_id.is_not(None))
        for mid, rid in s.execute(select(LedgerRow.member_id, LedgerRow.reverses_id).where(
                LedgerRow.member_id.in_(member_ids), LedgerRow.kind == "void", LedgerRow.reverses_id.is_not(None))):
            hist[mid]["voided"].add(rid)  # so a second void of the same earn is not subtracted twice
        if a_lo < a_hi:
            for mid, spend, visits in s.execute(
                    select(LedgerRow.member_id, func.coalesce(func.sum(LedgerRow.amount_yen), 0), func.count())
                    .where(LedgerRow.member_id.in_(member_ids), LedgerRow.kind == "earn",
                           LedgerRow.created_at >= a_lo, LedgerRow.created_at < a_hi, LedgerRow.id.not_in(voided))
                    .group_by(LedgerRow.member_id)):
                hist[mid]["spend"], hist[mid]["visits"] = int(spend), int(visits)
        sliver = ((LedgerRow.created_at >= b_lo) & (LedgerRow.created_at < min(a_lo, a_hi))) | \
                 ((LedgerRow.created_at >= max(a_hi, a_lo)) & (LedgerRow.created_at < c_hi))
        for mid, eid, created, yen in s.execute(
                select(LedgerRow.member_id, LedgerRow.id, LedgerRow.created_at, LedgerRow.amount_yen)
                .where(LedgerRow.member_id.in_(member_ids), LedgerRow.kind == "earn", sliver,
                       LedgerRow.id.not_in(voided))):
            hist[mid]["rows"].append((created, int(yen or 0), eid))

    # PostgreSQL: the three reads of _load_history in one round trip, the ids as one array parameter
    # (a 500-member IN list was a new query text for every batch: compiled, converted and planned
    # again each time, ~15 % of a push of 500 earns)
    _HISTORY_PG = text("""
        WITH v AS (
            SELECT member_id, reverses_id FROM ledger
            WHERE member_id = ANY(CAST(:ids AS varchar[])) AND kind = 'void' AND reverses_id IS NOT NULL),
        e AS MATERIALIZED (
            SELECT member_id, id, created_at, amount_yen FROM ledger
            WHERE member_id = ANY(CAST(:ids AS varchar[])) AND kind = 'earn'
              AND created_at >= CAST(:b_lo AS varchar) AND created_at < CAST(:c_hi AS varchar)
              AND id NOT IN (SELECT reverses_id FROM v))
        SELECT 'v', member_id, reverses_id, NULL, NULL, NULL FROM v
        UNION ALL
        SELECT 'a', member_id, NULL, NULL, COALESCE(SUM(amount_yen), 0), COUNT(*) FROM e
        WHERE CAST(:a_lo AS varchar) < CAST(:a_hi AS varchar)
          AND created_at >= CAST(:a_lo AS varchar) AND created_at < CAST(:a_hi AS varchar)
        GROUP BY member_id
        UNION ALL
        SELECT 'r', member_id, id, created_at, amount_yen, NULL FROM e
        WHERE (created_at >= CAST(:b_lo AS varchar) AND created_at < CAST(:s1_hi AS varchar))
           OR (created_at >= CAST(:s2_lo AS varchar) AND created_at < CAST(:c_hi AS varchar))""")

    def _load_history_pg(self, s: Session, member_ids: list[str], a_lo: str, a_hi: str, b_lo: str,
                         c_hi: str) -> None:
        hist = s.info["history"]
        params = {"ids": member_ids, "a_lo": a_lo, "a_hi": a_hi, "b_lo": b_lo, "c_hi": c_hi,
                  "s1_hi": min(a_lo, a_hi), "s2_lo": max(a_hi, a_lo)}
        for tag, mid, key, created, n1, n2 in s.execute(self._HISTORY_PG, params):
            h = hist[mid]
            if tag == "v":
                h["voided"].add(key)
            elif tag == "a":
                h["spend"], h["visits"] = int(n1), int(n2)
            else:
                h["rows"].append((created, int(n1 or 0), key))

    def _history(self, s: Session, member_id: str, t: datetime) -> dict:
        h = s.info["history"].get(member_id)
        if h is None or not (h["lo"] <= t <= h["hi"]):
            self._flush_ledger(s)  # the batch's own rows so far, so the query sees them
            # up to the batch's newest time, so this member's later earns in the batch hit (a
            # member created earlier in this same batch was not there for the prefetch)
            hi = s.info.get("batch_hi")
            self._load_history(s, [member_id], t, hi if hi is not None and hi > t else t)
            h = s.info["history"][member_id]
        return h

    @staticmethod
    def _history_void(h: dict, orig: dict | None, entry_id: str) -> None:
        """A void in the batch: its earn leaves the annual spend of later events."""
        if entry_id in h["voided"]:
            return
        h["voided"].add(entry_id)
        if orig is None or orig.get("kind") != "earn":
            return
        created = orig.get("created_at")
        a_lo, a_hi = h["a"]
        if created is not None and a_lo <= created < a_hi:  # counted in the shared part
            h["spend"] -= int(orig.get("amount_yen") or 0)
            h["visits"] -= 1

    _LEDGER_COLS = ("id", "member_id", "kind", "points", "amount_yen", "store_id", "terminal_id", "staff_id",
                    "created_at", "booked_at", "rule_set_version", "reverses_id", "coupon_id", "reason",
                    "origin_event_id")

    def _flush_ledger(self, s: Session) -> None:
        rows = s.info.get("new_ledger")
        if rows:
            if self.db.is_sqlite:
                s.execute(LedgerRow.__table__.insert(), rows)
            else:
                cols = self._LEDGER_COLS
                self._copy(s, "ledger", cols, [tuple(r[c] for c in cols) for r in rows])
            rows.clear()

    def _apply_one(self, s: Session, req: PushRequest, ev, shift: int, changes: list) -> EventResult:
        base = {"event_id": ev.event_id, "seq": ev.seq}
        if ev.event_id in s.info.get("done", ()):
            return EventResult(**base, outcome="duplicate", reason="event_already_applied")
        local: list = []
        safe = s.info.get("safe", True)
        sp = s.begin_nested() if safe else None
        try:
            handler = {
                "member.upsert": self._ev_member_upsert, "member.delete_request": self._ev_member_delete,
                "card.revoke": self._ev_card_revoke, "coupon.issue": self._ev_coupon_issue,
            }.get(ev.type)
            if handler is None and ev.type.startswith("ledger."):
                handler = self._ev_ledger
            if handler is None:
                raise Reject("unknown_event_type")
            bad = (s.info.get("bad_payload") or {}).get(ev.event_id)
            if bad is not None:
                raise Reject("bad_payload", problem=bad)
            if getattr(ev, "prior_outcome", None) == "rejected":
                # HQ refused it before a restore lost the verdict; the store reversed it then
                raise Reject("rejected_before_restore")
            res = handler(s, req, ev, shift, local)
            self._withdraw_lost(s, ev, {c.get("entry_id") for c in res.get("compensation") or ()}, local)
            if sp is not None:
                self._flush_ledger(s)
                sp.commit()
            if res.get("outcome") in ("applied", "adjusted", "redirected"):
                s.info.setdefault("done", set()).add(ev.event_id)
        except Reject as r:
            # raised before the event wrote anything (in the fast path nothing needs undoing)
            if sp is not None:
                self._undo_event(s, sp)
            payload = ev.payload if isinstance(ev.payload, dict) else {}
            if r.code == "bad_payload":  # only what is sure to be well formed is read from it
                payload = {k: v for k, v in payload.items()
                           if k in ("entry_id", "member_id", "reverses_id") and isinstance(v, str) and len(v) <= 36}
                if not is_id(payload.get("entry_id")):
                    payload.pop("entry_id", None)
            rejected = self._rejected_dict(s, payload, r.code) if ev.type.startswith("ledger.") \
                and payload.get("entry_id") else {}
            s.add(ConflictRow(kind="rejected_event", store_id=req.store_id,
                              member_id=payload.get("member_id"),
                              details={"event_id": ev.event_id, "type": ev.type, "reason": r.code, **r.details,
                                       **({"reverses_id": str(payload["reverses_id"])}
                                          if payload.get("reverses_id") else {}),
                                       **({"card": rejected["card"]} if rejected.get("card") else {})},
                              created_at=iso(utcnow())))
            if ev.type.startswith("ledger.") and payload.get("entry_id"):
                # Other stores may hold a copy: HQ booked it, they pulled it, then HQ was restored
                # from an older backup and now refuses the resend. They reverse their copy as the
                # sending store does (ReplicaService._ch_ledger_rejected).
                changes.append(("ledger.rejected", rejected, payload.get("member_id"), ev.event_id))
            lost: list = []
            self._withdraw_lost(s, ev, set(), lost)
            changes.extend((k, d, m, ev.event_id) for k, d, m in lost)
            return EventResult(**base, outcome="rejected", reason=r.code)
        except OperationalError:
            raise  # lock timeouts, lost connections: the whole batch is retried by the store
        except DBAPIError as exc:
            if sp is None:
                raise  # the fast path: the batch is redone in the safe mode
            self._undo_event(s, sp)
            log.exception("event %s failed", ev.event_id)
            return EventResult(**base, outcome="rejected", reason=f"error:{exc.__class__.__name__}")
        changes.extend((k, d, m, ev.event_id) for k, d, m in local)
        return EventResult(**base, **res)

    def _withdraw_lost(self, s: Session, ev, booked_now: set, out: list) -> None:
        """An event resent after HQ lost it (restored from a backup) and judged again: entries HQ
        booked for it before (its compensations, pulled by the stores since) are announced
        withdrawn, as ledger.rejected changes, so every store holding one takes it back (seed
        7009876: a lost paper-card migration's −190 pt, when the resent migration now won the
        card). What this verdict books is under new ids (_book), the same amount or not."""
        member_id = _payload_member(ev)
        for cid in getattr(ev, "prior_compensation", None) or ():
            if not is_id(cid):  # entries HQ books have UUIDs: anything else names nothing to withdraw
                continue
            if cid in booked_now or cid in s.info.get("booked", ()) or self._entry(s, cid) is not None:
                continue
            out.append(("ledger.rejected", {"entry_id": cid, "member_id": member_id,
                                            "reason": "withdrawn_after_restore"}, member_id))
            # kept (closed: nothing for anyone to do) so that an epoch bump's snapshot says it again
            s.add(ConflictRow(kind="compensation_withdrawn", store_id=None, member_id=member_id, status="resolved",
                              details={"entry_id": cid, "event_id": ev.event_id}, created_at=iso(utcnow())))

    def _recheck(self, s: Session, ev, changes: list) -> None:
        """An event HQ holds (with its verdict of old), sent again by a store that acted on a later
        judgment of it (made after a restore, undone by restoring a backup taken before that
        restore). Settles, for the entries HQ booked for it (its compensations), what the stores
        hold against what HQ holds — HQ's verdict stands:
        - an entry the stores hold that HQ does not: withdrawn (ledger.rejected), as _withdraw_lost;
        - an entry HQ holds that the stores took back: HQ books the same take-back under the
          stores' own id for it (they hold it already, so nothing changes there) and the entry's
          points again under a new id (every store books that), so everyone ends with HQ's verdict.
        The event's own entry is among them for a recheck: booked by HQ's verdict, taken back at
        the stores on a later refusal, it is restated the same way. With the same verdict at both
        ends nothing is booked."""
        from app.services.replica import LOCAL_NS

        prior = getattr(ev, "prior_compensation", None) or {}
        if not prior:
            return
        member_id = _payload_member(ev)
        own = str((ev.payload or {}).get("entry_id") or "")
        local: list = []
        for cid, net in prior.items():
            if not is_id(cid):
                continue
            entry = s.info["entries"].get(cid) or s.get(LedgerRow, cid)
            if entry is None:
                if net and cid != own:  # HQ's refusal of the event itself was announced when made
                    self._withdraw_lost(s, SimpleNamespace(prior_compensation={cid: net}, event_id=ev.event_id,
                                                           payload={"member_id": member_id}), set(), local)
                continue
            points, owner = (entry["points"], entry["member_id"]) if isinstance(entry, dict) \
                else (entry.points, entry.member_id)
            if net or not points:
                continue
            m, _ = self._resolve(s, owner)
            if m is None or m.status != "active":
                continue
            epoch = self._id_epoch(s)
            for eid, pts, why in ((str(uuid.uuid5(LOCAL_NS, f"{cid}:rejected")), -points,
                                   f"taken back at the stores after a restore: {cid}"),
                                  (str(uuid.uuid5(HQ_NS, f"{cid}:restated:{epoch}")), points,
                                   f"HQ's verdict of old restated: {cid}")):
                if self._entry(s, eid) is not None or eid in s.info.get("booked", ()):
                    continue
                row = self._new_entry(s, {"id": eid, "member_id": m.id, "kind": "adjust", "points": pts,
                                          "store_id": "HQ", "terminal_id": "HQ", "created_at": iso(utcnow()),
                                          "booked_at": iso(utcnow()), "reason": why,
                                          "origin_event_id": ev.event_id})
                m.balance += pts
                local.append(("ledger", self._ledger_dict(row, m.balance), m.id))
        changes.extend((k, d, mid, ev.event_id) for k, d, mid in local)

    def _rejected_dict(self, s: Session, payload: dict, reason: str) -> dict:
        """A ledger.rejected change; for a void, whether HQ holds the entry it voids (a store
        holding copies of both reverses neither when HQ refused both)."""
        d = {"entry_id": str(payload["entry_id"]), "member_id": payload.get("member_id"), "reason": reason}
        if payload.get("kind") == "migrate":
            # a store holding a copy of the migration holds the card as migrated too: it frees it
            card = payload.get("card") or {"number": payload.get("card_number"), "kind": payload.get("card_kind")}
            if card.get("number"):
                d["card"] = {"number": str(card["number"]), "kind": card.get("kind") or "paper"}
        target = payload.get("reverses_id")
        if target:
            target = str(target)
            d["target_booked"] = target in s.info.get("booked", ()) or s.get(LedgerRow, target) is not None
        return d

    def _undo_event(self, s: Session, sp) -> None:
        """Safe mode: roll the event's savepoint back and forget what this batch learnt inside it."""
        sp.rollback()
        for row in s.info.get("new_ledger") or ():
            s.info["booked"].discard(row["id"])
        s.info["new_ledger"] = []
        s.info["members"] = {}  # locks taken inside the savepoint were released with it
        s.info["history"] = {}
        s.info["entries"] = {}
        s.info["reservations"] = {}

    # -- members -------------------------------------------------------------------------
    def _lock_member(self, s: Session, member_id: str) -> MemberRow | None:
        cache = s.info.get("members")
        if cache is not None and member_id in cache:
            return cache[member_id]  # already locked by this transaction
        q = select(MemberRow).where(MemberRow.id == member_id)
        if not self.db.is_sqlite:
            q = q.with_for_update()
        m = s.scalars(q).first()
        if cache is not None and m is not None:
            cache[member_id] = m
        return m

    def _resolve(self, s: Session, member_id: str) -> tuple[MemberRow | None, bool]:
        m = self._lock_member(s, member_id)
        hops = 0
        redirected = False
        while m is not None and m.status == "merged" and m.merged_into and hops < 20:
            m = self._lock_member(s, m.merged_into)
            redirected = True
            hops += 1
        return m, redirected

    @staticmethod
    def member_dict(m: MemberRow) -> dict:
        return {"member_id": m.id, "member_no": m.member_no, "status": m.status, "merged_into": m.merged_into,
                "home_store_id": m.home_store_id, "tier": m.tier, "balance": m.balance,
                "fields": {f: getattr(m, f) for f in PROFILE_FIELDS}, "field_times": dict(m.field_times or {}),
                "created_at": m.created_at, "updated_at": m.updated_at}

    def _field_time(self, raw: str | None, shift: int, now_ms: int) -> Timestamp:
        ts = Timestamp.parse(raw) if raw else Timestamp(0)
        if shift:
            ts = ts.shifted(shift)
        limit = now_ms + self.settings.max_clock_skew_ms
        if ts.ms > limit:
            log.warning("field time clamped by %d ms", ts.ms - limit)
            ts = Timestamp(limit, ts.counter, ts.node)
        return ts

    def _ev_member_upsert(self, s, req, ev, shift, out) -> dict:
        p = ev.payload
        now = utcnow()
        now_ms = int(now.timestamp() * 1000)
        m, redirected = self._resolve(s, p["member_id"])
        if m is not None and m.status == "deleted":
            raise Reject("member_deleted")
        created = m is None
        if created:
            m = MemberRow(id=p["member_id"], member_no=p.get("member_no") or "", status="active",
                          home_store_id=p.get("home_store_id") or req.store_id, field_times={}, balance=0,
                          lifetime_spend_yen=0, consent_marketing=False, created_at=iso(now), updated_at=iso(now))
            s.add(m)
        times = dict(m.field_times or {})
        changed = []
        for f, value in (p.get("fields") or {}).items():
            if f not in PROFILE_FIELDS:
                continue
            t_in = self._field_time((p.get("field_times") or {}).get(f), shift, now_ms)
            if len(t_in.node) == 0:
                t_in = Timestamp(t_in.ms, t_in.counter, req.store_id)
            cur = times.get(f)
            if cur is None or t_in > Timestamp.parse(cur):
                if f == "phone" and value:
                    value = normalize_phone(value) or value
                if f == "email" and value:
                    value = normalize_email(value) or value
                setattr(m, f, value)
                times[f] = str(t_in)
                changed.append(f)
        m.field_times = times
        m.updated_at = iso(now)
        s.flush()
        if "phone" in changed or "email" in changed or created:
            self._find_duplicates(s, m)
        out.append(("member", self.member_dict(m), m.id))
        return {"outcome": "redirected" if redirected else "applied", "member_id": m.id if redirected else None}

    def _find_duplicates(self, s: Session, m: MemberRow) -> None:
        for reason, value in (("phone", m.phone), ("email", m.email)):
            if not value:
                continue
            col = MemberRow.phone if reason == "phone" else MemberRow.email
            for other in s.scalars(select(MemberRow.id).where(col == value, MemberRow.id != m.id,
                                                              MemberRow.status == "active")):
                a, b = sorted((m.id, other))
                if s.scalars(select(DuplicateCandidate.id).where(DuplicateCandidate.member_id == a,
                                                                 DuplicateCandidate.other_id == b,
                                                                 DuplicateCandidate.reason == reason)).first() is None:
                    s.add(DuplicateCandidate(member_id=a, other_id=b, reason=reason, created_at=iso(utcnow())))

    def _ev_member_delete(self, s, req, ev, shift, out) -> dict:
        self._delete_member(s, ev.payload["member_id"], out, requested_by=req.store_id)
        return {"outcome": "applied"}

    def _ev_card_revoke(self, s, req, ev, shift, out) -> dict:
        p = ev.payload
        number = p["card"]
        kind = p.get("kind", "member_code")
        card = s.scalars(select(CardRow).where(CardRow.kind == kind, CardRow.number == number)).first()
        if card is None:
            card = CardRow(kind=kind, number=number, member_id=p.get("member_id"))
            s.add(card)
        card.status = "revoked"
        card.at = p.get("at")
        card.store_id = req.store_id
        out.append(("card.revoke", {"kind": kind, "number": number, "member_id": p.get("member_id"),
                                    "at": p.get("at")}, None))
        return {"outcome": "applied"}

    def _ev_coupon_issue(self, s, req, ev, shift, out) -> dict:
        p = ev.payload
        m, redirected = self._resolve(s, p["member_id"])
        if m is None:
            raise Reject("unknown_member")
        if s.get(CouponRow, p["coupon_id"]) is None:
            data = dict(p, member_id=m.id)
            s.add(CouponRow(id=p["coupon_id"], member_id=m.id, data=data))
            out.append(("coupon", data, m.id))
        return {"outcome": "redirected" if redirected else "applied", "member_id": m.id if redirected else None}

    # -- ledger --------------------------------------------------------------------------
    @staticmethod
    def _ledger_dict(e, balance_after: int) -> dict:
        g = e.get if isinstance(e, dict) else (lambda k: getattr(e, k))
        return {"entry_id": g("id"), "member_id": g("member_id"), "kind": g("kind"), "points": g("points"),
                "amount_yen": g("amount_yen"), "store_id": g("store_id"), "terminal_id": g("terminal_id"),
                "staff_id": g("staff_id"), "created_at": g("created_at"), "rule_set_version": g("rule_set_version"),
                "reverses_id": g("reverses_id"), "coupon_id": g("coupon_id"), "reason": g("reason"),
                "origin_event_id": g("origin_event_id"), "balance_after": balance_after}

    def _new_entry(self, s: Session, row: dict) -> dict:
        """A ledger row to insert with the batch (set-based), visible to later events of the batch."""
        full = {"amount_yen": None, "staff_id": None, "rule_set_version": None, "reverses_id": None,
                "coupon_id": None, "reason": None, "origin_event_id": None, **row}
        s.info["new_ledger"].append(full)
        s.info["entries"][full["id"]] = full
        s.info["booked"].add(full["id"])
        return full

    def _entry(self, s: Session, entry_id: str):
        e = s.info["entries"].get(entry_id)
        if e is None:
            e = s.get(LedgerRow, entry_id)
        if e is None:
            return None
        return e if isinstance(e, dict) else {"id": e.id, "kind": e.kind, "amount_yen": e.amount_yen,
                                              "member_id": e.member_id, "created_at": e.created_at}

    def _refused_target(self, s: Session, target: str, member_id: str) -> bool:
        """A void's target that HQ does not hold because it refused it (its rejected_event conflict).
        A target HQ simply has not seen yet (lost in a restore, its store still to resend it) is
        not refused: that void is booked as before and the target when it comes."""
        if target in s.info.get("booked", ()) or self._entry(s, target) is not None:
            return False
        rows = s.scalars(select(ConflictRow.details).where(ConflictRow.kind == "rejected_event",
                                                           ConflictRow.member_id == member_id))
        return any((d or {}).get("event_id") == target for d in rows)

    def _id_epoch(self, s: Session) -> str:
        """The feed epoch, read once per transaction: it names the entries HQ books itself."""
        if "epoch_for_ids" not in s.info:
            s.info["epoch_for_ids"] = self._meta(s, "epoch") or ""
        return s.info["epoch_for_ids"]

    def _book(self, s: Session, m: MemberRow, kind: str, points: int, *, origin: str, tag: str, reason: str,
              at: str, out: list) -> dict:
        """An entry HQ makes itself (a compensation); the same id everywhere, forever. The id
        names the feed epoch it was booked in: an event is judged once per epoch, and judged again
        only after a restore (a new epoch), when whatever it booked before is lost to HQ and
        withdrawn (_withdraw_lost) where stores hold it. A store that took an id back would skip
        the same id booked again as already held: so a compensation of the same event, the same
        tag and even the same amount booked after another restore is a new entry (restoring the
        same backup twice: the first re-judgment withdrew it, the second booked it again)."""
        entry_id = str(uuid.uuid5(HQ_NS, f"{origin}:{tag}:{self._id_epoch(s)}"))
        entry = self._new_entry(s, {"id": entry_id, "member_id": m.id, "kind": kind,
                                    "points": points, "store_id": "HQ", "terminal_id": "HQ", "created_at": at,
                                    "booked_at": iso(utcnow()), "reason": reason, "origin_event_id": origin})
        m.balance += points
        d = self._ledger_dict(entry, m.balance)
        out.append(("ledger", d, m.id))
        return d

    def _ev_ledger(self, s, req, ev, shift, out) -> dict:
        p = ev.payload
        kind = p["kind"]
        entry_id = str(uuid.UUID(p["entry_id"]))
        if entry_id in s.info["booked"]:
            return {"outcome": "duplicate", "reason": "entry_already_booked"}
        if p.get("store_id") != req.store_id or p.get("terminal_id") != req.terminal_id:
            raise Reject("foreign_terminal")
        m, redirected = self._resolve(s, p["member_id"])
        if m is None:
            raise Reject("unknown_member")
        if kind == "void" and p.get("reverses_id") and self._refused_target(s, str(p["reverses_id"]), p["member_id"]):
            # HQ refused the entry this voids (e.g. its member was unknown after a restore): booking
            # the void alone would take points HQ never gave. Refused too, the sender (and any copy)
            # cancels the pair out (ledger.rejected with target_booked false; seed 303806).
            raise Reject("target_rejected")
        # -- nothing is written above this line: a Reject leaves no trace but its conflict row --
        points = int(p["points"])
        created_at = p["created_at"]
        if shift:
            created_at = iso(parse_iso(created_at) + timedelta(milliseconds=shift))
        t = parse_iso(created_at)
        compensation: list[dict] = []
        reasons = []
        hq_points = points
        if kind == "earn":
            hq_points, used_version = self._reprice(s, m, p, t, req.store_id)
        entry = self._new_entry(s, {"id": entry_id, "member_id": m.id, "kind": kind, "points": points,
                                    "amount_yen": p.get("amount_yen"), "store_id": req.store_id,
                                    "terminal_id": req.terminal_id, "staff_id": p.get("staff_id"),
                                    "created_at": created_at, "booked_at": iso(utcnow()),
                                    "rule_set_version": p.get("rule_set_version"), "reverses_id": p.get("reverses_id"),
                                    "coupon_id": p.get("coupon_id"), "reason": p.get("reason")})
        m.balance += points
        out.append(("ledger", self._ledger_dict(entry, m.balance), m.id))
        if kind == "earn":
            m.lifetime_spend_yen += int(p.get("amount_yen") or 0)
            if not m.last_visit_at or created_at > m.last_visit_at:
                m.last_visit_at = created_at
            h = s.info["history"].get(m.id)
            if h is not None:
                h["rows"].append((created_at, int(p.get("amount_yen") or 0), entry_id))
            if hq_points != points:
                diff = hq_points - points
                if diff < 0:
                    diff = -min(-diff, m.balance)
                if diff:
                    compensation.append(self._book(s, m, "adjust", diff, origin=entry_id, tag="reprice",
                                                   reason=f"repriced with rule set {used_version}", at=created_at,
                                                   out=out))
                    reasons.append("repriced")
        elif kind == "void" and p.get("reverses_id"):
            orig = self._entry(s, p["reverses_id"])
            h = s.info["history"].get(m.id)
            if h is not None:
                self._history_void(h, orig, str(p["reverses_id"]))
            if orig is not None and orig["kind"] == "earn" and orig["amount_yen"]:
                m.lifetime_spend_yen -= orig["amount_yen"]
            if orig is not None and orig["kind"] == "migrate":
                self._release_card(s, p, str(p["reverses_id"]), req.store_id, created_at, out)
            if orig is not None and orig["kind"] == "coupon" and p.get("coupon_id"):  # the store gave it back
                c = s.get(CouponRow, p["coupon_id"])
                if c is not None and c.used_entry_id == str(p["reverses_id"]):
                    c.used_entry_id = None
        elif kind == "redeem":
            res = s.info["reservations"].get(entry_id) if entry_id in s.info["reservations"] else \
                s.get(Reservation, entry_id) if s.info.get("safe") else None
            if res is not None:
                res.status = "consumed"
        elif kind == "coupon" and p.get("coupon_id"):
            c = s.get(CouponRow, p["coupon_id"])
            if c is not None and c.used_entry_id and c.used_entry_id != entry_id:
                # used already: two stores took it offline. The first HQ commit wins, as for a
                # paper card: this use's points are taken back as far as the member still has them
                # (a yen-off coupon's discount was given at the register: only flagged).
                take = -min(points, max(m.balance, 0))
                if take:
                    compensation.append(self._book(s, m, "adjust", take, origin=entry_id, tag="coupon-used",
                                                   reason=f"coupon already used: {c.used_entry_id}", at=created_at,
                                                   out=out))
                reasons.append("coupon_already_used")
                s.add(ConflictRow(kind="coupon_used_twice", store_id=req.store_id, member_id=m.id,
                                  details={"coupon_id": c.id, "entry_id": entry_id, "first_entry_id": c.used_entry_id,
                                           "reversed": -take},
                                  created_at=iso(utcnow())))
            elif c is not None:
                c.used_entry_id = entry_id
        elif kind == "migrate":
            card = p.get("card") or {"number": p.get("card_number"), "kind": p.get("card_kind") or "paper"}
            number, ckind = card.get("number"), card.get("kind") or "paper"
            if number:
                row = s.scalars(select(CardRow).where(CardRow.kind == ckind, CardRow.number == number)).first()
                if row is not None and row.status == "migrated" and row.entry_id != entry_id:
                    take = -min(points, max(m.balance, 0))
                    if take:
                        compensation.append(self._book(s, m, "adjust", take, origin=entry_id, tag="migration-lost",
                                                       reason=f"paper card already migrated at {row.store_id}",
                                                       at=created_at, out=out))
                    reasons.append("card_already_migrated")
                    s.add(ConflictRow(kind="migration_lost", store_id=req.store_id, member_id=m.id,
                                      details={"card": number, "winner_store": row.store_id, "winner_at": row.at,
                                               "entry_id": entry_id, "reversed": -take},
                                      created_at=iso(utcnow())))
                else:
                    if row is None:
                        row = CardRow(kind=ckind, number=number)
                        s.add(row)
                    row.status, row.member_id, row.store_id, row.at, row.entry_id = (
                        "migrated", m.id, req.store_id, created_at, entry_id)
                    out.append(("card.migrated", {"kind": ckind, "number": number, "member_id": m.id,
                                                  "store_id": req.store_id, "at": created_at,
                                                  "entry_id": entry_id}, m.id))
        if m.balance < 0:
            # An overdraft (two stores redeemed offline): booked and flagged, never taken back.
            compensation.append(self._book(s, m, "adjust", -m.balance, origin=entry_id, tag="overdraft",
                                           reason="overdraft written off (offline redemptions)", at=created_at,
                                           out=out))
            reasons.append("overdraft")
            s.add(ConflictRow(kind="overdraft", store_id=req.store_id, member_id=m.id,
                              details={"entry_id": entry_id, "written_off": compensation[-1]["points"]},
                              created_at=iso(utcnow())))
        m.updated_at = iso(utcnow())
        if compensation or "coupon_already_used" in reasons:
            return {"outcome": "adjusted", "reason": ",".join(reasons), "compensation": compensation,
                    "member_id": m.id if redirected else None}
        return {"outcome": "redirected" if redirected else "applied", "member_id": m.id if redirected else None}

    def _release_card(self, s: Session, p: dict, migrate_id: str, store_id: str, at: str, out: list) -> None:
        """A store voided its migration of a paper card (the points were taken back): when that
        migration is the one HQ holds for the card, the card is free again, here and at every
        store (card.released). Not when the migration lost to another store's. The row keeps the
        released migration's entry id: an epoch-bump snapshot sends card.released again from it."""
        number = p.get("card_number")
        if number:
            q = select(CardRow).where(CardRow.kind == (p.get("card_kind") or "paper"), CardRow.number == number)
        else:  # a void queued before stores named the card in it
            q = select(CardRow).where(CardRow.entry_id == migrate_id)
        row = s.scalars(q).first()
        if row is None or row.status != "migrated" or row.entry_id != migrate_id:
            return
        row.status, row.member_id, row.store_id, row.at = "active", None, store_id, at
        out.append(("card.released", {"kind": row.kind, "number": row.number, "entry_id": migrate_id,
                                      "store_id": store_id, "at": at}, None))

    def _rule_sets(self, s: Session) -> list:
        """Every rule set, parsed once per process (a version is immutable; new ones are read in)."""
        if "rule_sets" in s.info:
            return s.info["rule_sets"]
        versions = sorted(s.scalars(select(RuleSetRow.version)))
        missing = [v for v in versions if v not in _RULE_SETS]
        if missing:
            for v, body in s.execute(select(RuleSetRow.version, RuleSetRow.body).where(RuleSetRow.version.in_(missing))):
                _RULE_SETS[v] = _parsed_rule_set(json.dumps(body, sort_keys=True))
        s.info["rule_sets"] = [_RULE_SETS[v] for v in versions]
        return s.info["rule_sets"]

    def _reprice(self, s: Session, m: MemberRow, p: dict, t: datetime, store_id: str) -> tuple[int, str]:
        from app.rules import rule_set_for

        all_sets = self._rule_sets(s)
        current = rule_set_for(all_sets, t)
        used = next((r for r in all_sets if r.version == p.get("rule_set_version")), None)
        chosen = current
        if used is not None and used.version != current.version:
            # effective until its valid_to, or until a later version took over; plus the grace period
            later = [r.valid_from for r in all_sets if r.valid_from > used.valid_from]
            until = min([x for x in [used.valid_to, *later] if x is not None], default=None)
            if used.valid_from <= t and (until is None or t < until + timedelta(seconds=self.settings.rule_grace_s)):
                chosen = used
        since, until_iso = iso(t - timedelta(days=365)), iso(t)
        # the member's earns in the 12 months before t, not voided (loaded once per batch, kept up to date)
        h = self._history(s, m.id, t)
        a_lo, a_hi = h["a"]
        spend, visits = (h["spend"], h["visits"]) if a_lo < a_hi else (0, 0)
        voided = h["voided"]
        for created, yen, eid in h["rows"]:
            if since <= created < until_iso and eid not in voided and not (a_lo <= created < a_hi):
                spend += yen
                visits += 1
        tier = tier_for(chosen, int(spend))
        state = MemberState(tier=tier.id if tier else None, annual_spend_yen=int(spend),
                            lifetime_spend_yen=m.lifetime_spend_yen,
                            last_visit=parse_iso(m.last_visit_at) if m.last_visit_at else None,
                            visits_12m=int(visits),
                            birthday=date.fromisoformat(m.birthday) if m.birthday else None)
        pricing = price_purchase(chosen, state, Purchase(amount_yen=int(p.get("amount_yen") or 0),
                                                         categories=frozenset(p.get("categories") or ())), t, store_id)
        return pricing.points, chosen.version

    # ---------------------------------------------------------------------------- reservations
    def reserve(self, who: Who, req: ReserveRequest, *, rate_key: str | None = None,
                audit: tuple[str, str] | None = None) -> ReserveResponse:
        """`rate_key`/`audit`: the request's count and audit row in this transaction (request_tx)."""
        if who.kind != "store":
            raise Forbidden("Only stores reserve points.", "not_a_store")
        now = utcnow()
        with self.request_tx(who, rate_key, audit) as s:
            m, _ = self._resolve(s, req.member_id)
            if m is None or m.status == "deleted":
                return ReserveResponse(ok=False, available=0, reason="unknown_member")
            existing = s.get(Reservation, req.event_id)
            held = s.scalar(select(func.coalesce(func.sum(Reservation.points), 0)).where(
                Reservation.member_id == m.id, Reservation.status == "held", Reservation.expires_at > iso(now),
                Reservation.event_id != req.event_id))
            available = m.balance + int(req.pending_points) - int(held)
            if existing is not None:
                return ReserveResponse(ok=True, available=available, member_id=m.id)
            if req.points > available:
                return ReserveResponse(ok=False, available=max(0, available), reason="insufficient_balance",
                                       member_id=m.id)
            s.add(Reservation(event_id=req.event_id, member_id=m.id, points=req.points, store_id=who.id,
                              status="held", created_at=iso(now),
                              expires_at=iso(now + timedelta(minutes=self.settings.reservation_minutes))))
            return ReserveResponse(ok=True, available=available - req.points, member_id=m.id)

    # ---------------------------------------------------------------------------- admin: members
    def merge(self, survivor_id: str, duplicate_id: str) -> dict:
        if survivor_id == duplicate_id:
            raise HQError("A member cannot be merged into itself.", "same_member")
        out: list = []
        with self.db.write() as s:
            a, b = sorted((survivor_id, duplicate_id))
            first, second = self._lock_member(s, a), self._lock_member(s, b)
            survivor = first if first and first.id == survivor_id else second
            dup = second if survivor is first else first
            if survivor is None or dup is None:
                raise NotFoundError("No such member.", "unknown_member")
            if survivor.status != "active" or dup.status != "active":
                raise HQError("Both members must be active to merge.", "not_active", 409)
            s.execute(update(LedgerRow).where(LedgerRow.member_id == dup.id).values(member_id=survivor.id))
            s.execute(update(CardRow).where(CardRow.member_id == dup.id).values(member_id=survivor.id))
            s.execute(update(CouponRow).where(CouponRow.member_id == dup.id).values(member_id=survivor.id))
            s.execute(update(Reservation).where(Reservation.member_id == dup.id).values(member_id=survivor.id))
            survivor.balance += dup.balance
            survivor.lifetime_spend_yen += dup.lifetime_spend_yen
            if dup.last_visit_at and (not survivor.last_visit_at or dup.last_visit_at > survivor.last_visit_at):
                survivor.last_visit_at = dup.last_visit_at
            now_ms = int(utcnow().timestamp() * 1000)
            for f in PROFILE_FIELDS:  # fill the survivor's empty fields from the duplicate
                if getattr(survivor, f) in (None, "") and getattr(dup, f) not in (None, ""):
                    setattr(survivor, f, getattr(dup, f))
                    times = dict(survivor.field_times or {})
                    times[f] = str(_written_after(now_ms, times.get(f), (dup.field_times or {}).get(f)))
                    survivor.field_times = times
            dup.balance = 0
            dup.status = "merged"
            dup.merged_into = survivor.id
            s.execute(update(MemberRow).where(MemberRow.merged_into == dup.id, MemberRow.id != dup.id)
                      .values(merged_into=survivor.id))
            s.execute(update(DuplicateCandidate).where(
                ((DuplicateCandidate.member_id == dup.id) | (DuplicateCandidate.other_id == dup.id)))
                .values(status="merged"))
            now = iso(utcnow())
            dup.updated_at = survivor.updated_at = now
            out.append(("member.merge", {"duplicate": dup.id, "survivor": survivor.id, "at": now}, dup.id))
            out.append(("member", self.member_dict(survivor), survivor.id))
            self._emit(s, out)
            return {"survivor": survivor.id, "duplicate": dup.id, "balance": survivor.balance}

    def delete_member(self, member_id: str) -> None:
        out: list = []
        with self.db.write() as s:
            self._delete_member(s, member_id, out, requested_by="HQ")
            self._emit(s, out)

    def _delete_member(self, s: Session, member_id: str, out: list, requested_by: str) -> None:
        m = self._lock_member(s, member_id)
        if m is None and requested_by == "HQ":
            raise NotFoundError("No such member.", "unknown_member")
        if m is None:
            # A store asks to delete someone HQ does not hold: HQ was restored from a backup older
            # than the member, whose registration another store will send again. The request
            # stands: a row without personal data, deleted, so that registration cannot bring the
            # person back (it is refused as member_deleted) and their entries still book.
            now = iso(utcnow())
            m = MemberRow(id=member_id, member_no="", status="deleted", home_store_id=requested_by, field_times={},
                          balance=0, lifetime_spend_yen=0, consent_marketing=False, created_at=now,
                          updated_at=now, deleted_at=now)
            s.add(m)
            s.flush()
            if s.info.get("members") is not None:
                s.info["members"][member_id] = m
            out.append(("member.delete", {"member_id": m.id, "at": now, "requested_by": requested_by}, m.id))
            return
        if m.status == "merged" and m.merged_into:
            # a deletion request names the person: follow to the survivor
            return self._delete_member(s, m.merged_into, out, requested_by)
        now = iso(utcnow())
        for f in PII_FIELDS:
            setattr(m, f, None)
        m.consent_marketing = False
        m.field_times = {}
        m.status = "deleted"
        m.deleted_at = m.updated_at = now
        s.execute(update(CardRow).where(CardRow.member_id == m.id, CardRow.status == "active")
                  .values(status="revoked", at=now))
        # the change feed holds earlier profile changes: scrub them too
        scrub = {"member_id": m.id, "member_no": m.member_no, "status": "deleted", "scrubbed": True}
        s.execute(update(ChangeRow).where(ChangeRow.member_id == m.id, ChangeRow.kind == "member")
                  .values(data=scrub))
        s.execute(update(CouponRow).where(CouponRow.member_id == m.id).values(data={"member_id": m.id}))
        # the same person's records merged into this one keep their status (their points are this
        # member's now) but not their personal data, here or in the feed
        for dup in s.scalars(select(MemberRow).where(MemberRow.merged_into == m.id, MemberRow.id != m.id)):
            for f in PII_FIELDS:
                setattr(dup, f, None)
            dup.consent_marketing = False
            dup.field_times = {}
            dup.updated_at = now
            s.execute(update(ChangeRow).where(ChangeRow.member_id == dup.id, ChangeRow.kind == "member")
                      .values(data=self.member_dict(dup)))
        out.append(("member.delete", {"member_id": m.id, "at": now, "requested_by": requested_by}, m.id))

    def member(self, member_id: str) -> dict:
        with self.db.read() as s:
            m = s.get(MemberRow, member_id)
            if m is None:
                raise NotFoundError("No such member.", "unknown_member")
            return self.member_dict(m)

    def balances(self) -> dict[str, int]:
        with self.db.read() as s:
            return dict(s.execute(select(MemberRow.id, MemberRow.balance)).all())

    def duplicates(self) -> list[dict]:
        with self.db.read() as s:
            return [{"member_id": d.member_id, "other_id": d.other_id, "reason": d.reason, "status": d.status}
                    for d in s.scalars(select(DuplicateCandidate).order_by(DuplicateCandidate.id))]

    def conflicts(self) -> list[dict]:
        with self.db.read() as s:
            return [{"id": c.id, "kind": c.kind, "store_id": c.store_id, "member_id": c.member_id,
                     "details": c.details, "created_at": c.created_at, "status": c.status}
                    for c in s.scalars(select(ConflictRow).order_by(ConflictRow.id))]

    # ---------------------------------------------------------------------------- admin: rules, epoch
    def publish_rule_set(self, body: dict) -> str:
        from app.rules.errors import RuleSetError

        try:
            rs = parse_rule_set(body)
        except RuleSetError as exc:  # a bad document is the caller's: 422 with every problem named
            raise HQError("; ".join(f"{f or 'rule set'}: {m}" for f, m in exc.errors), "invalid_rule_set",
                          422) from None
        data = json.loads(rs.model_dump_json())
        with self.db.write() as s:
            if s.get(RuleSetRow, rs.version) is not None:
                return rs.version  # immutable: publishing the same version again changes nothing
            s.add(RuleSetRow(version=rs.version, valid_from=iso(rs.valid_from),
                             valid_to=iso(rs.valid_to) if rs.valid_to else None, body=data,
                             published_at=iso(utcnow())))
            self._emit(s, [("rule_set", {"body": data}, None)])
        return rs.version

    def bump_epoch(self) -> str:
        """Start a new epoch with a compacted change feed (a snapshot of the current state): every
        store's cursor answers "reset" and it rebuilds its cache from the snapshot."""
        with self.db.write() as s:
            if not self.db.is_sqlite:
                s.execute(text("LOCK TABLE changes IN EXCLUSIVE MODE"))
            old_head = s.scalar(select(func.coalesce(func.max(ChangeRow.id), 0)))
            new_epoch = secrets.token_hex(4)
            s.merge(Meta(key="epoch", value=new_epoch))
            s.execute(delete(ChangeRow))
            out: list = []
            for k in s.scalars(select(SigningKeyRow)):
                out.append(("signing_key", self._key_dict(k), None))
            for r in s.scalars(select(RuleSetRow).order_by(RuleSetRow.valid_from)):
                out.append(("rule_set", {"body": r.body}, None))
            members = s.scalars(select(MemberRow).order_by(MemberRow.created_at)).all()
            for m in members:
                if m.status == "deleted":
                    out.append(("member.delete", {"member_id": m.id, "at": m.deleted_at}, m.id))
                else:
                    out.append(("member", self.member_dict(m), m.id))
            for m in members:
                if m.status == "merged":
                    out.append(("member.merge", {"duplicate": m.id, "survivor": m.merged_into}, m.id))
            running: dict[str, int] = {}
            for e in s.scalars(select(LedgerRow).order_by(LedgerRow.booked_at, LedgerRow.created_at)):
                running[e.member_id] = running.get(e.member_id, 0) + e.points
                out.append(("ledger", self._ledger_dict(e, running[e.member_id]), e.member_id))
            # entries HQ refused: a store may hold a copy pulled before a restore (see _apply_one).
            # Before the cards: a refused migration's copy frees its card, and the card's state
            # now (migrated again, perhaps to the same member) follows.
            for c in s.scalars(select(ConflictRow).where(ConflictRow.kind == "rejected_event")):
                d = c.details or {}
                if str(d.get("type", "")).startswith("ledger.") and d.get("event_id"):
                    rd = self._rejected_dict(s, {"entry_id": d["event_id"], "member_id": c.member_id,
                                                 "reverses_id": d.get("reverses_id")}, d.get("reason") or "")
                    if d.get("card"):  # a refused migration: a store holding its copy frees the card
                        rd["card"] = d["card"]
                    out.append(("ledger.rejected", rd, c.member_id))
            # compensations withdrawn after a restore (_withdraw_lost): a store holding one takes it back
            for c in s.scalars(select(ConflictRow).where(ConflictRow.kind == "compensation_withdrawn")):
                d = c.details or {}
                if d.get("entry_id") and s.get(LedgerRow, d["entry_id"]) is None:
                    out.append(("ledger.rejected", {"entry_id": d["entry_id"], "member_id": c.member_id,
                                                    "reason": "withdrawn_after_restore"}, c.member_id))
            for c in s.scalars(select(CardRow).where((CardRow.status != "active") | CardRow.entry_id.is_not(None))):
                if c.status == "active":  # a migration voided: a store that pulled it frees the card
                    out.append(("card.released", {"kind": c.kind, "number": c.number, "entry_id": c.entry_id,
                                                  "store_id": c.store_id, "at": c.at}, None))
                elif c.status == "revoked":
                    out.append(("card.revoke", {"kind": c.kind, "number": c.number, "member_id": c.member_id,
                                                "at": c.at}, None))
                else:
                    out.append(("card.migrated", {"kind": c.kind, "number": c.number, "member_id": c.member_id,
                                                  "store_id": c.store_id, "at": c.at, "entry_id": c.entry_id},
                                c.member_id))
            for c in s.scalars(select(CouponRow)):
                if len(c.data) > 1:
                    out.append(("coupon", c.data, c.member_id))
            ids = self._emit(s, out)
            # The new feed starts at the snapshot's first id. Not old_head + 1: on SQLite the ids
            # start again at 1 once every row is deleted, and a retention mark above them made
            # every later page answer "reset" (a store paging the snapshot looped for ever).
            s.merge(Meta(key="retained_from", value=str(ids[0] if ids else old_head + 1)))
        return new_epoch

    def status(self) -> dict:
        with self.db.read() as s:
            head = s.scalar(select(func.coalesce(func.max(ChangeRow.id), 0)))
            epoch = self._meta(s, "epoch")
            members = s.scalar(select(func.count()).select_from(MemberRow))
            open_conflicts = s.scalar(select(func.count()).select_from(ConflictRow).where(ConflictRow.status == "open"))
        return {"epoch": epoch, "head": head, "members": members, "open_conflicts": open_conflicts,
                "stores": self.list_stores()}


def _payload_member(ev) -> str | None:
    """The member id an event's payload names, when it is well formed (text of an id's length);
    else None. For the resend paths (a withdrawn compensation, a recheck), which read it from a
    payload that may be the damaged one HQ refused (hq/payloads.py)."""
    v = ev.payload.get("member_id") if isinstance(ev.payload, dict) else None
    return v if isinstance(v, str) and len(v) <= 36 else None


def _certify(hq_private: bytes, key_id: str, public: bytes, store_id: str) -> str:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    msg = b"TSUMUGI-KEY-CERT|" + key_id.encode() + b"|" + public + b"|" + store_id.encode()
    return Ed25519PrivateKey.from_private_bytes(hq_private).sign(msg).hex()


def verify_certificate(hq_public: bytes, key_id: str, public: bytes, store_id: str, certificate: str) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    msg = b"TSUMUGI-KEY-CERT|" + key_id.encode() + b"|" + public + b"|" + store_id.encode()
    try:
        Ed25519PublicKey.from_public_bytes(hq_public).verify(bytes.fromhex(certificate), msg)
        return True
    except (InvalidSignature, ValueError):
        return False
