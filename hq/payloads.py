"""What HQ checks in an event's payload before it applies it (hq/service.py `_push`).

A store's payloads are made by its own services, so a payload that fails here is a bug or a forgery:
a string where a number belongs, a time that is not a time, a field longer than HQ's column. Before
this check such a payload raised in the middle of the batch (a Python error, or a database error in
the safe mode) and HQ answered 500 for the whole batch, every time it was sent again: one bad event
held back every event queued behind it at that terminal. Now the event alone is refused, with the
reason `bad_payload` and the first problem found (kept in HQ's conflict row and shown to the store's
manager); the batch, and the queue behind it, goes on (a business rejection still advances).

Only what HQ reads or stores is checked; other keys a store sends along (`member_no` on a
migration, `source` on an import) are left alone. `problem()` is pure and cheap (a few dict
lookups per event): it runs on every event of every push.
"""
from __future__ import annotations

import uuid
from datetime import datetime

from sync.hlc import Timestamp
from sync.protocol import EVENT_TYPES, MAX_POINTS

LEDGER_KINDS = tuple(t[len("ledger."):] for t in EVENT_TYPES if t.startswith("ledger."))
PROFILE_LIMITS = {"name": 100, "name_kana": 100, "phone": 20, "email": 254, "line_user_id": 64, "birthday": 10}
MAX_YEN = 10 ** 12           # one purchase; the column is a bigint
MAX_STAFF_ID = 2 ** 31 - 1   # the column is an integer
MAX_REASON = 2000


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _text(p: dict, key: str, limit: int, *, required: bool = False) -> str | None:
    """A problem with p[key] as text of at most `limit` characters (None or absent allowed unless
    `required`), or None."""
    v = p.get(key)
    if v is None:
        return f"{key} is missing" if required else None
    if not isinstance(v, str):
        return f"{key} is not text"
    if required and not v:
        return f"{key} is empty"
    if len(v) > limit:
        return f"{key} is longer than {limit} characters"
    return None


def is_id(v) -> bool:
    """Whether `v` is an id as stores make them (a UUID, as text)."""
    return isinstance(v, str) and len(v) <= 36 and _uuid({"id": v}, "id") is None


def _uuid(p: dict, key: str, *, required: bool = False) -> str | None:
    bad = _text(p, key, 36, required=required)
    if bad or p.get(key) is None:
        return bad
    try:
        uuid.UUID(p[key])
    except ValueError:
        return f"{key} is not an id"
    return None


def _time(p: dict, key: str, *, required: bool = False) -> str | None:
    bad = _text(p, key, 32, required=required)  # HQ's time columns hold 32 characters
    if bad or p.get(key) is None:
        return bad
    try:
        at = datetime.fromisoformat(p[key].replace("Z", "+00:00"))
    except ValueError:
        return f"{key} is not a date and time"
    if not 2000 <= at.year <= 2999:  # (HQ shifts a skewed terminal's times: year 9999 overflowed)
        return f"{key} is not a plausible date"
    return None


def _int(p: dict, key: str, lo: int, hi: int, *, required: bool = False) -> str | None:
    v = p.get(key)
    if v is None:
        return f"{key} is missing" if required else None
    if not _is_int(v):
        return f"{key} is not a whole number"
    if not lo <= v <= hi:
        return f"{key} is out of range"
    return None


def _ledger(kind_from_type: str, p: dict) -> str | None:
    kind = p.get("kind")
    if kind not in LEDGER_KINDS:
        return "kind is not a kind of ledger entry"
    if kind != kind_from_type:
        return f"kind {kind} does not match the event type ledger.{kind_from_type}"
    for bad in (_uuid(p, "entry_id", required=True), _text(p, "member_id", 36, required=True),
                _int(p, "points", -MAX_POINTS, MAX_POINTS, required=True),
                _int(p, "amount_yen", -MAX_YEN, MAX_YEN), _int(p, "staff_id", -MAX_STAFF_ID, MAX_STAFF_ID),
                _text(p, "store_id", 32, required=True), _text(p, "terminal_id", 32, required=True),
                _time(p, "created_at", required=True), _text(p, "rule_set_version", 64),
                _uuid(p, "reverses_id"), _text(p, "coupon_id", 36), _text(p, "reason", MAX_REASON)):
        if bad:
            return bad
    cats = p.get("categories")
    if cats is not None and (not isinstance(cats, list) or not all(isinstance(c, str) and len(c) <= 64 for c in cats)):
        return "categories is not a list of category names"
    if kind == "migrate":
        card = p.get("card")
        if card is not None:
            if not isinstance(card, dict):
                return "card is not a card"
            if not _card_number(card.get("number")):
                return "card number is not a card number"
            if (bad := _text(card, "kind", 16)):
                return f"card {bad}"
        if not _card_number(p.get("card_number")):
            return "card_number is not a card number"
        if (bad := _text(p, "card_kind", 16)):
            return bad
    return None


def _card_number(v) -> bool:
    """None, or a paper card's number as text or digits, at most 64 characters (HQ's column)."""
    return v is None or isinstance(v, (str, int)) and not isinstance(v, bool) and len(str(v)) <= 64


def _member_upsert(p: dict) -> str | None:
    for bad in (_text(p, "member_id", 36, required=True), _text(p, "member_no", 20),
                _text(p, "home_store_id", 32)):
        if bad:
            return bad
    fields, times = p.get("fields"), p.get("field_times")
    if fields is not None and not isinstance(fields, dict):
        return "fields is not a set of fields"
    if times is not None and not isinstance(times, dict):
        return "field_times is not a set of times"
    for f, value in (fields or {}).items():
        if f == "consent_marketing":
            if value is not None and not isinstance(value, bool):
                return "consent_marketing is not yes or no"
        elif f in PROFILE_LIMITS and (bad := _text(fields, f, PROFILE_LIMITS[f])):
            return bad
    for f, t in (times or {}).items():
        if t is None:
            continue
        try:
            if not isinstance(t, str) or len(t) > 64:
                raise ValueError(t)
            Timestamp.parse(t)
        except (ValueError, TypeError, OverflowError):
            return f"the time of {f} is not a time"
    return None


def problem(event_type: str, payload) -> str | None:
    """The first thing wrong with an event's payload, in words (for the manager), or None."""
    if not isinstance(payload, dict):
        return "the payload is not a set of fields"
    if event_type.startswith("ledger."):
        return _ledger(event_type[len("ledger."):], payload)
    if event_type == "member.upsert":
        return _member_upsert(payload)
    if event_type == "member.delete_request":
        return _text(payload, "member_id", 36, required=True)
    if event_type == "card.revoke":
        number = payload.get("card")
        if not isinstance(number, str) or not number or len(number) > 64:
            return "card is not a card number"
        for bad in (_text(payload, "kind", 16), _text(payload, "member_id", 36), _text(payload, "at", 32)):
            if bad:
                return bad
        return None
    if event_type == "coupon.issue":
        return _text(payload, "coupon_id", 36, required=True) or _text(payload, "member_id", 36, required=True)
    return None  # an unknown type is refused as such by _apply_one
