"""HQ as the outside witness of each store's security log (the hash chain in the store database).

The chain (app/services/security_log.py) shows tampering *inside* the table; someone with the
database key who rewrites the whole chain, or cuts its tail, leaves a chain that verifies. So each
store sends its chain head (last row id + hash) to HQ after every successful sync
(``POST /v1/security/head``, store credential; sync/witness.py) and HQ keeps every distinct head it
has seen, with when it was received. A store (``python -m sync.witness --db PATH``) or an
auditor (``GET /v1/security/heads?store_id=``) then compares: a witnessed row whose hash differs,
or a witnessed row id beyond the store's last row, means the log was rewritten or truncated.

HQ also judges each head as it arrives: the same row id with another hash, or a head older than
one already witnessed, is kept as a problem (the first witness is never overwritten).

Storage: one ``hq_meta`` row per store (key ``security_head:<store id>``, JSON), the most recent
``KEEP`` heads and problems. Heads change only when security events happen (sign-in failures,
exports, deletions...), a handful a day, so the history covers months to years. No personal data:
ids and hashes only.
"""
from __future__ import annotations

import json

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field, StrictInt

from hq.models import Meta
from hq.service import Forbidden, HQError, Who, iso, utcnow

KEEP = 5000
PREFIX = "security_head:"


class SecurityHead(BaseModel):
    model_config = ConfigDict(extra="forbid")
    head_id: StrictInt = Field(ge=0, le=2 ** 62)
    head_hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    at: str | None = Field(default=None, max_length=40)  # the row's time at the store (information only)


def _load(s, store_id: str, lock: bool = False) -> tuple[Meta | None, dict]:
    row = s.get(Meta, PREFIX + store_id, with_for_update=lock or None)
    return row, (json.loads(row.value) if row else {"heads": [], "problems": []})


def record(service, store_id: str, head: SecurityHead, *, rate_key: str | None = None,
           audit: tuple[str, str] | None = None) -> dict:
    """`rate_key`/`audit`: the request's rate-limit count and audit row in this transaction."""
    now = iso(utcnow())
    with service.request_tx(Who("store", store_id), rate_key, audit) as s:
        # the row first (if missing), so FOR UPDATE below always has one to lock: two copies of a
        # store's first head in flight at once would otherwise both insert it (a unique violation)
        s.execute(service._dialect_insert()(Meta).values(key=PREFIX + store_id, value='{"heads":[],"problems":[]}')
                  .on_conflict_do_nothing(index_elements=["key"]))
        row, data = _load(s, store_id, lock=True)
        heads = data["heads"]
        problem = None
        same = next((h for h in reversed(heads) if h["id"] == head.head_id), None)
        latest = max((h["id"] for h in heads), default=-1)
        if same is not None and same["hash"] != head.head_hash:
            problem = {"kind": "rewritten", "id": head.head_id, "witnessed": same["hash"], "sent": head.head_hash}
        elif head.head_id < latest:
            problem = {"kind": "truncated", "id": head.head_id, "witnessed_latest": latest}
        elif same is None:
            heads.append({"id": head.head_id, "hash": head.head_hash, "at": head.at, "received_at": now})
            del heads[:-KEEP]
        if problem:
            problem["received_at"] = now
            data["problems"].append(problem)
            del data["problems"][:-KEEP]
        value = json.dumps(data, separators=(",", ":"))
        if row is None:
            s.add(Meta(key=PREFIX + store_id, value=value))
        else:
            row.value = value
    return {"ok": problem is None, "problem": problem["kind"] if problem else None, "witnessed": len(heads)}


def heads(service, store_id: str) -> dict:
    with service.db.read() as s:
        _, data = _load(s, store_id)
    return {"store_id": store_id, **data}


def build_router(service) -> APIRouter:
    r = APIRouter(prefix="/v1/security")

    def who(request: Request) -> Who:
        w = request.state.who
        if w is None:
            raise HQError("Authentication required.", "unauthorised", 401)
        return w

    @r.post("/head")
    def post_head(body: SecurityHead, request: Request, w: Who = Depends(who)):
        if w.kind != "store":
            raise Forbidden("Only a store credential may do this.", "not_a_store")
        # the rate-limit count, the witness row and the audit row: one transaction (hq/app.py)
        res = record(service, w.id, body, rate_key=request.state.rate_key, audit=request.state.audit)
        request.state.audited = request.state.audit is not None
        return res

    @r.get("/heads")
    def get_heads(store_id: str | None = Query(None, max_length=32), w: Who = Depends(who)):
        if w.kind == "store":
            if store_id not in (None, w.id):
                raise Forbidden("A store sees only its own witness.", "not_your_store")
            return heads(service, w.id)
        if store_id is None:
            raise HQError("store_id is required.", "missing_store_id", 422)
        return heads(service, store_id)

    return r
