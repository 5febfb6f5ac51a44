"""Sync protocol schemas (pydantic v2), shared by the store (sync/) and HQ (hq/).

Push  POST /v1/sync/push      PushRequest → PushResponse
Pull  GET  /v1/sync/changes   ?cursor=EPOCH:N&limit= → ChangesPage
Poke  GET  /v1/sync/stream    server-sent events: ``event: poke`` ("pull now"), no payload that matters
Redeem online-first: POST /v1/redemptions/reserve ReserveRequest → ReserveResponse

Cursor: ``"<epoch>:<last change id>"``. An unknown epoch, or a cursor older than HQ's retention,
answers ``reset=True`` with a fresh cursor ``"<epoch>:0"``: the store rebuilds its cache (keeping
its outbox) by pulling from there.
"""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, field_validator

PROTOCOL_VERSION = 1
# bounds on numbers a store sends (a 64-bit column must hold them; no real value comes near)
MAX_POINTS = 100_000_000
MAX_SEQ = 2 ** 62
MAX_BATCH = 500
MAX_PAGE = 5000

Outcome = Literal["applied", "duplicate", "adjusted", "rejected", "redirected"]

EVENT_TYPES = (
    "ledger.earn", "ledger.redeem", "ledger.adjust", "ledger.void", "ledger.expire", "ledger.migrate",
    "ledger.coupon", "member.upsert", "member.delete_request", "card.revoke", "coupon.issue",
)

CHANGE_KINDS = (
    "member",          # upsert of a member (fields, field_times, status, hq balance)
    "member.merge",    # {"duplicate": id, "survivor": id}
    "member.delete",   # {"member_id": id}: scrub personal data everywhere
    "ledger",          # one ledger entry booked at HQ (from any store, or by HQ)
    "ledger.rejected", # {"entry_id", "member_id", "reason"}: HQ refused this entry; a copy is reversed
    "card.revoke",     # {"kind", "number"}
    "card.migrated",   # {"kind", "number", "member_id", "store_id", "at", "entry_id"}
    "card.released",   # {"kind", "number", "entry_id", "store_id", "at"}: that migration was voided, the card is free
    "signing_key",     # {"key_id", "public_key" (hex), "owner", "revoked_at"}
    "rule_set",        # {"body": rule set JSON}
    "coupon",          # coupon issued/used
)


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Event(_M):
    event_id: str = Field(min_length=36, max_length=36)
    seq: StrictInt = Field(ge=1, le=MAX_SEQ)
    type: str = Field(max_length=32)
    hlc: str = Field(max_length=64)
    rule_set_version: str | None = Field(default=None, max_length=64)
    payload: dict[str, Any]
    # Sent again after HQ lost it (restored from an older backup) though HQ had already refused it:
    # the store reversed it then, so HQ records the refusal again instead of applying it now.
    prior_outcome: Literal["rejected"] | None = None
    # Resent after HQ lost it (restored from a backup): the entries HQ booked for it the first time
    # (compensations), id → points. HQ announces them withdrawn (ledger.rejected), so the stores
    # that pulled them take them back (seed 7009876); what it books now has ids of the new epoch.
    prior_compensation: dict[str, StrictInt] | None = Field(default=None, max_length=20)
    # An event HQ holds (below the sequence it expects) sent again because this store's answer to
    # it came from a judgment after a restore, which a later restore may have undone: HQ compares
    # its verdict with what the stores acted on (prior_outcome, prior_compensation: the points the
    # store holds now under each id, 0 once taken back) and settles what differs.
    recheck: bool | None = None

    @field_validator("event_id")
    @classmethod
    def _uuid(cls, v: str) -> str:
        import uuid

        return str(uuid.UUID(v))


class PushRequest(_M):
    store_id: str = Field(max_length=32)
    terminal_id: str = Field(max_length=32)
    sent_at: str = Field(max_length=40)  # the store's wall clock when sending (skew detection)
    events: list[Event] = Field(max_length=MAX_BATCH)
    queue_length: StrictInt | None = Field(default=None, ge=0, le=MAX_SEQ)  # unacknowledged events (status)
    oldest_pending_at: str | None = None
    # The feed epoch the store knew when it made the request (its cursor's). HQ refuses a push made
    # under another epoch (409 stale_epoch) and applies nothing: a request held up in the network
    # and delivered after HQ was restored from a backup would otherwise be applied to the restored
    # state, its verdicts never seen by the store (seed 6005248). None: not checked.
    epoch: str | None = Field(default=None, max_length=64)


class EventResult(_M):
    event_id: str
    seq: int
    outcome: Outcome
    reason: str | None = None
    member_id: str | None = None          # survivor, when redirected
    compensation: list[dict[str, Any]] = Field(default_factory=list)  # HQ entries booked for it
    change_id: int | None = None


class PushResponse(_M):
    results: list[EventResult]
    expected_seq: int          # the next sequence HQ expects from this terminal
    gap: bool = False          # True when the batch started past expected_seq (resend from it)
    clock_skew_ms: int = 0     # sent_at - HQ time, when it was large enough to be clamped


class Change(_M):
    id: int
    kind: str
    data: dict[str, Any]


class ChangesPage(_M):
    epoch: str
    changes: list[Change]
    next_cursor: str
    has_more: bool
    reset: bool = False


class ReserveRequest(_M):
    event_id: str = Field(max_length=64)
    member_id: str = Field(max_length=64)
    points: StrictInt = Field(ge=1, le=MAX_POINTS)
    terminal_id: str = Field(max_length=32)
    # this store's unacknowledged net points for the member
    pending_points: StrictInt = Field(default=0, ge=-MAX_POINTS, le=MAX_POINTS)


class ReserveResponse(_M):
    ok: bool
    available: int
    reason: str | None = None
    member_id: str | None = None


class EnrollRequest(_M):
    code: str
    store_id: str | None = None
    terminal_id: str = "T01"
    signing_key_id: str
    signing_public_key: str  # hex


class EnrollResponse(_M):
    store_id: str
    credential: str
    certificate: str        # HQ's signature over (key id, public key, store id), hex
    hq_key_id: str
    hq_public_key: str      # hex
    cursor: str


def make_cursor(epoch: str, n: int) -> str:
    return f"{epoch}:{n}"


def parse_cursor(cursor: str | None) -> tuple[str | None, int]:
    if not cursor:
        return None, 0
    epoch, _, n = cursor.rpartition(":")
    try:
        return (epoch or None), int(n)
    except ValueError:
        return None, 0
