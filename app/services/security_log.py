"""Security events at the store: an append-only, hash-chained table (security_events).

    store.security.record(session, "signin_failed", staff_id=3)     # inside the caller's transaction
    store.security.record_now("permission_denied", actor, ...)      # its own small transaction
    store.security.verify_chain()                                    # [] when intact, else problems

What is recorded: sign-in failures, lockouts, permission denials, exports (disclosure, customer
CSV), deletions (APPI), key events (signing key created, database key changed). Never personal data:
ids, codes and counts only (the table lives in the encrypted store database anyway).

Each row carries `prev_hash` (the previous row's hash) and `hash` = SHA-256 over the previous hash
and this row's canonical JSON (id, at, kind, staff_id, terminal_id, object_type, object_id,
details). Changing, inserting or removing a row breaks the chain from there on; `verify_chain()`
says where. SQLite triggers refuse UPDATE always and DELETE of rows younger than 366 days (so
pruning never goes below a year); whoever drops the triggers (they need the database key) is
still caught by the chain. Pruning keeps an anchor (the last pruned row's id and hash, in
settings) so the chain still verifies from the first kept row.

Outside witness: rewriting the whole chain (every hash recomputed) or cutting its tail leaves a
chain that verifies on its own. So the head (``head()``: last row id and hash) leaves the store:
sync sends it to HQ after every successful round and HQ keeps every distinct head it saw
(hq/witness.py); ``verify_against(witnessed)`` compares those (id, hash) pairs with the rows here:
a witnessed row whose hash differs means the chain was rewritten, a witnessed id beyond the last
row means rows were removed. ``python -m sync.witness --db PATH`` does both and exits 4 on a
mismatch. The head is also what an auditor can note from HQ (GET /v1/security/heads).
"""
from __future__ import annotations

import hashlib
import json
import logging
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.clock import iso
from app.models import SecurityEvent, Setting

log = logging.getLogger(__name__)

GENESIS = "0" * 64
RETENTION_DAYS = 366  # at least one year
ANCHOR_KEY = "security_log.anchor"
KINDS = (
    "signin_failed", "signin_locked", "lockout", "permission_denied", "export.disclosure",
    "export.customers", "member.delete", "key.signing_created", "key.db_rekey", "chain.pruned",
)


def row_hash(prev_hash: str, row: dict) -> str:
    body = json.dumps({k: row.get(k) for k in ("id", "at", "kind", "staff_id", "terminal_id", "object_type",
                                              "object_id", "details")},
                      sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256((prev_hash + "|" + body).encode("ascii")).hexdigest()


def _as_dict(e: SecurityEvent) -> dict:
    return {"id": e.id, "at": e.at, "kind": e.kind, "staff_id": e.staff_id, "terminal_id": e.terminal_id,
            "object_type": e.object_type, "object_id": e.object_id, "details": e.details}


class SecurityLog:
    def __init__(self, store):
        self.store = store

    def record(self, session: Session, kind: str, *, actor=None, staff_id: int | None = None,
               object_type: str | None = None, object_id=None, details: dict | None = None) -> SecurityEvent:
        """Append one event inside the caller's transaction (a write transaction: BEGIN IMMEDIATE
        holds the write lock, so no other writer can take the same previous hash)."""
        if kind not in KINDS:
            raise ValueError(f"unknown security event kind {kind!r}")
        last = session.execute(select(SecurityEvent.id, SecurityEvent.hash)
                               .order_by(SecurityEvent.id.desc()).limit(1)).first()
        if last is None:
            anchor = session.get(Setting, ANCHOR_KEY)
            prev_id, prev = (json.loads(anchor.value)["id"], json.loads(anchor.value)["hash"]) if anchor else (0, GENESIS)
        else:
            prev_id, prev = last
        sid = staff_id if staff_id is not None else getattr(actor, "staff_id", None)
        row = {"id": prev_id + 1, "at": iso(self.store.now()), "kind": kind, "staff_id": sid,
               "terminal_id": self.store.setting("terminal_id"), "object_type": object_type,
               "object_id": None if object_id is None else str(object_id), "details": details or {}}
        event = SecurityEvent(**row, prev_hash=prev, hash=row_hash(prev, row))
        session.add(event)
        session.flush()
        return event

    def record_now(self, kind: str, **kw) -> None:
        """Record in its own small transaction, after the caller's write transaction (if this
        thread is inside one) has ended: a denial raised inside a write is rolled back with it,
        but its security event must stay. Never raises: a failure to log is logged."""
        def write():
            try:
                with self.store.db.write() as s:
                    self.record(s, kind, **kw)
            except Exception:  # noqa: BLE001 - the original error matters more
                log.exception("could not record security event %s", kind)

        self.store.db.after_write(write)

    def events(self, kind: str | None = None, limit: int = 500) -> list[SecurityEvent]:
        q = select(SecurityEvent).order_by(SecurityEvent.id.desc()).limit(limit)
        if kind:
            q = q.where(SecurityEvent.kind == kind)
        with self.store.db.read() as s:
            return list(s.scalars(q))

    def verify_chain(self) -> list[str]:
        """Problems found walking the chain from the anchor (or the first row): [] when intact."""
        problems: list[str] = []
        with self.store.db.read() as s:
            anchor = s.get(Setting, ANCHOR_KEY)
            if anchor is not None:
                a = json.loads(anchor.value)
                expect_id, prev = a["id"] + 1, a["hash"]
            else:
                expect_id, prev = 1, GENESIS
            for e in s.scalars(select(SecurityEvent).order_by(SecurityEvent.id)).yield_per(1000):
                if e.id != expect_id:
                    problems.append(f"row {expect_id} is missing (next row is {e.id})")
                if e.prev_hash != prev:
                    problems.append(f"row {e.id}: previous hash does not match row {e.id - 1}")
                if row_hash(e.prev_hash, _as_dict(e)) != e.hash:
                    problems.append(f"row {e.id}: its content does not match its hash (altered)")
                prev, expect_id = e.hash, e.id + 1
        return problems

    def prune(self) -> int:
        """Delete events older than the retention (never less than a year), keeping the anchor."""
        cutoff = iso(self.store.now() - timedelta(days=RETENTION_DAYS))
        with self.store.db.write() as s:
            last = s.execute(select(SecurityEvent.id, SecurityEvent.hash).where(SecurityEvent.at < cutoff)
                             .order_by(SecurityEvent.id.desc()).limit(1)).first()
            if last is None:
                return 0
            n = s.execute(delete(SecurityEvent).where(SecurityEvent.id <= last.id)).rowcount
            self.store.set_settings(s, **{ANCHOR_KEY: {"id": last.id, "hash": last.hash}})
            self.record(s, "chain.pruned", details={"rows": n, "through_id": last.id})
            return n

    def head(self) -> dict:
        """The chain's head: {"id", "hash", "at"} of the newest row (the anchor, or id 0 and the
        genesis hash, when there is none). What an outside witness keeps."""
        with self.store.db.raw_read() as con:  # plain SQL: asked after every sync round
            e = con.execute("SELECT id, hash, at FROM security_events ORDER BY id DESC LIMIT 1").fetchone()
            if e is not None:
                return {"id": e[0], "hash": e[1], "at": e[2]}
            anchor = con.execute("SELECT value FROM settings WHERE key = ?", (ANCHOR_KEY,)).fetchone()
        if anchor is not None:
            a = json.loads(anchor[0])
            return {"id": a["id"], "hash": a["hash"], "at": None}
        return {"id": 0, "hash": GENESIS, "at": None}

    def verify_against(self, witnessed) -> list[str]:
        """Compare heads witnessed outside the store ((id, hash) pairs) with the rows here, after
        walking the chain itself (verify_chain). [] when everything agrees."""
        problems = self.verify_chain()
        pairs = sorted({(int(i), str(h)) for i, h in witnessed})
        if not pairs:
            return problems
        with self.store.db.read() as s:
            last = s.scalar(select(func.max(SecurityEvent.id)))
            anchor = s.get(Setting, ANCHOR_KEY)
            a = json.loads(anchor.value) if anchor is not None else {"id": 0, "hash": GENESIS}
            last = last if last is not None else a["id"]
            for wid, whash in pairs:
                if wid > last:
                    problems.append(f"row {wid} was witnessed outside the store but the log ends at row {last} "
                                    f"(rows removed)")
                    continue
                if wid < a["id"]:
                    continue  # pruned after a year: nothing left to compare
                here = a["hash"] if wid == a["id"] else s.scalar(select(SecurityEvent.hash)
                                                                  .where(SecurityEvent.id == wid))
                if here is None:
                    problems.append(f"row {wid} was witnessed outside the store and is missing here")
                elif here != whash:
                    problems.append(f"row {wid}: its hash differs from the one witnessed outside the store "
                                    f"(the log was rewritten)")
        return problems

    def count(self) -> int:
        with self.store.db.read() as s:
            return s.scalar(select(func.count()).select_from(SecurityEvent))
