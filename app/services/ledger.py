"""The points ledger: earn, redeem, adjust, void, expire.

Rules that hold after every committed transaction (tests check them as properties):
- ledger rows are only ever added; a correction is a void entry pointing at what it reverses;
- member.balance == sum(ledger.points) == sum(lots.remaining), and never below zero;
- an idempotency key (the entry id, a UUID made when the cashier started the action) applies
  once: the same request again returns the original entry and changes nothing;
- every entry has its audit row and its outbox row in the same transaction.

The counter's actions (earn, redeem, adjust, and the expiry due before them) write with Core
statements built once here (SQLAlchemy keeps their compiled form): one statement per row, no
unit-of-work flush, reads that touch only index entries where an index covers them (a member's
pending points, voids and live lots: revision 0007). The ORM stays where an object is handed back
to, or changed by, a caller: void, coupons, paper-card migration (`_add_entry`).
"""
from __future__ import annotations

import functools
import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import SimpleNamespace

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from app.clock import iso, parse_iso
from app.db import dbapi_of
from app.errors import InvalidInput, LedgerRefused, NotFound, PermissionDenied
from app.models import Coupon, LedgerEntry, Lot, LotMove, Member
from app.rules import MemberState, Purchase, RuleViolation, check_redemption, expiry_for, price_purchase, tier_for
from app.services.members import _POINTS_FIELDS
from app.services.staff import require

VOIDABLE = ("earn", "redeem", "adjust", "migrate", "coupon")
# An entry the sync booked on HQ's word (the reversal of an event HQ refused) has no request of its
# own: its request_hash is its sync state (ReplicaService._book). Not a counter's action: never voided.
SYNC_BOOKED = "acked"
MAX_AMOUNT_YEN = 100_000_000
MAX_POINTS = 10_000_000
_EXPIRE_NS = uuid.UUID("6f1c1d43-7c55-4d0e-9d43-3e1f5d1a7a11")

# The counter's statements, as plain SQL on the DB-API connection (app.db.dbapi_of): SQLAlchemy
# Core cost ~0.1-0.2 ms of Python per statement, and an earn issues a dozen. Same columns and
# values as the models' Core inserts wrote (JSON columns as json.dumps text, None as 'null', as
# SQLAlchemy's JSON type stores them); sqlite3 keeps each prepared statement in its cache.
_json = json.dumps
_KEY_HASH = "SELECT request_hash FROM ledger WHERE id = ?"
_ENTRY_BY_ID = ("SELECT id, kind, member_id, points, breakdown, rule_set_version, created_at, reverses_id, "
                "amount_yen FROM ledger WHERE id = ?")
_MEMBER_BALANCE = "SELECT balance FROM members WHERE id = ?"
_INSERT_ENTRY = ("INSERT INTO ledger (id, member_id, kind, points, amount_yen, staff_id, store_id, terminal_id, "
                 "created_at, rule_set_version, reverses_id, coupon_id, card_id, reason, breakdown, request_hash, "
                 "sync_state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
_INSERT_LOT = "INSERT INTO lots (member_id, entry_id, points, remaining, expires_at) VALUES (?, ?, ?, ?, ?)"
_INSERT_MOVE = "INSERT INTO lot_moves (entry_id, lot_id, points) VALUES (?, ?, ?)"
_INSERT_OUTBOX = "INSERT INTO outbox (event_id, type, payload, created_at, attempts) VALUES (?, ?, ?, ?, ?)"
_INSERT_AUDIT = ('INSERT INTO audit_log (at, staff_id, terminal_id, action, object_type, object_id, "before", '
                 '"after") VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
# What the points actions change on a member row. Only the columns whose value changed are SET:
# SQLite rewrites the entries of every index on a column named in SET, even with the same value
# (one more dirty page, one more WAL frame to encrypt and write per index: the tier's index on
# every earn that kept the tier, the lifetime spend's two pages on every redemption).
_SAVE_COLUMNS = ("tier", "balance", "lifetime_spend_yen", "last_visit_at", "updated_at")
_SAVE_READ_AT = tuple(_POINTS_FIELDS.index(c) for c in _SAVE_COLUMNS)
@functools.lru_cache(maxsize=None)
def _save_member_sql(columns: tuple[str, ...]) -> str:
    return f"UPDATE members SET {', '.join(f'{c} = ?' for c in columns)} WHERE id = ?"


# ix_ledger_member_pending: index entries only.
_PENDING = "SELECT coalesce(sum(points), 0) FROM ledger WHERE member_id = ? AND sync_state = 'pending'"
# ix_lots_member_live: the member's lots that still hold points, soonest expiry first.
_DUE_LOTS = ("SELECT id, entry_id, remaining, expires_at FROM lots WHERE member_id = ? AND remaining > 0 "
             "AND expires_at <= ? ORDER BY expires_at, id")
_SPENDABLE_LOTS = ("SELECT id, entry_id, remaining, expires_at FROM lots WHERE member_id = ? AND remaining > 0 "
                   "AND expires_at > ? ORDER BY expires_at, id")
_SET_LOT_REMAINING = "UPDATE lots SET remaining = ? WHERE id = ?"
_LOT_EXPIRIES = ("SELECT count(*) FROM lot_moves JOIN ledger ON ledger.id = lot_moves.entry_id "
                 "WHERE lot_moves.lot_id = ? AND ledger.kind = 'expire'")
# The 12-month spend and visits that set the tier: the member's earns in the window
# (ix_ledger_earn_member) less those voided (the member's voids from ix_ledger_member_voids, then
# the voided earns by id). Same figures as "earns whose id no void of the member reverses".
_EARNS_SINCE = ("SELECT coalesce(sum(amount_yen), 0), count(*) FROM ledger "
                "WHERE member_id = ? AND kind = 'earn' AND created_at >= ?")
_VOIDED_IDS = ("SELECT reverses_id FROM ledger WHERE member_id = ? AND kind = 'void' "
               "AND reverses_id IS NOT NULL")
_VOIDED_EARNS_SINCE = ("SELECT coalesce(sum(amount_yen), 0), count(*) FROM ledger WHERE id IN ({ids}) "
                       "AND member_id = ? AND kind = 'earn' AND created_at >= ?")
_ENTRY_COLUMNS = ("id", "member_id", "kind", "points", "amount_yen", "staff_id", "store_id", "terminal_id",
                  "created_at", "rule_set_version", "reverses_id", "coupon_id", "card_id", "reason", "breakdown",
                  "request_hash", "sync_state")


@dataclass(frozen=True)
class EntryResult:
    entry_id: str
    kind: str
    member_id: str
    points: int
    balance: int
    pending: int
    breakdown: list = field(default_factory=list)
    rule_set_version: str | None = None
    created_at: str = ""
    replayed: bool = False
    reverses_id: str | None = None
    amount_yen: int | None = None

    def as_dict(self) -> dict:
        return {
            "entry_id": self.entry_id, "kind": self.kind, "member_id": self.member_id, "points": self.points,
            "balance": self.balance, "pending": self.pending, "breakdown": self.breakdown,
            "rule_set_version": self.rule_set_version, "created_at": self.created_at,
            "replayed": self.replayed, "reverses_id": self.reverses_id, "amount_yen": self.amount_yen,
        }


def _key(key) -> str:
    try:
        return str(uuid.UUID(str(key)))
    except (ValueError, TypeError, AttributeError):
        raise InvalidInput("The request key must be a UUID.", code="bad_key") from None


def _request_hash(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def _categories(categories) -> tuple[str, ...]:
    """A purchase's product categories: trimmed, distinct, sorted (empty = none given)."""
    if isinstance(categories, str):
        categories = [categories]
    return tuple(sorted({str(c).strip() for c in categories or () if str(c).strip()}))


def _int(value, what: str, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value).replace(",", "").strip())
        except ValueError:
            raise InvalidInput(f"{what} must be a whole number.", code="bad_number", field=what) from None
    if not lo <= value <= hi:
        raise InvalidInput(f"{what} must be between {lo:,} and {hi:,}.", code="out_of_range", field=what)
    return value


def _lines(pricing) -> list[dict]:
    return [{"label": ln.label, "kind": ln.kind, "points": ln.points, "factor": ln.factor, "rule_id": ln.rule_id}
            for ln in pricing.lines]


class LedgerService:
    def __init__(self, store):
        self.store = store

    # -- shared steps -----------------------------------------------------------------------
    # `s` below: an ORM Session (void, coupons, paper-card migration, the expiry job) or the DB-API
    # connection of a raw transaction (earn, redeem, adjust: Database.raw_write); the statements
    # run on the DB-API connection either way (app.db.dbapi_of), in the caller's transaction.
    def _open(self, cx, key: str, request_hash: str, member_id: str, now: datetime):
        """The prologue every points action shares, in its write transaction: the request key
        (a replay returns the original entry and changes nothing), the member (merges followed;
        a plain row the action updates and `_save_member` writes), the lots due to expire before
        `now` expired, the rule set valid at `now`. Returns (replay, member, rule_set); when
        replay is not None the action returns it and writes nothing."""
        replay = self._replay(cx, key, request_hash)
        if replay is not None:
            return replay, None, None
        member = self.store.members._active_row(cx, member_id)
        self._expire_due(cx, member, now)
        return None, member, self.store.rules.valid_at(now, cx)

    def _replay(self, s, key: str, request_hash: str) -> EntryResult | None:
        cx = dbapi_of(s)
        row = cx.execute(_KEY_HASH, (key,)).fetchone()
        if row is None:
            return None
        if row[0] != request_hash:
            raise LedgerRefused("This request key was already used for a different action.", code="key_reused")
        eid, kind, member_id, points, breakdown, version, created_at, reverses_id, amount_yen = cx.execute(
            _ENTRY_BY_ID, (key,)).fetchone()
        entry = SimpleNamespace(id=eid, kind=kind, member_id=member_id, points=points,
                                breakdown=None if breakdown is None else json.loads(breakdown),
                                rule_set_version=version, created_at=created_at, reverses_id=reverses_id,
                                amount_yen=amount_yen)
        member = SimpleNamespace(id=member_id, balance=cx.execute(_MEMBER_BALANCE, (member_id,)).fetchone()[0])
        return self._result(cx, entry, member, replayed=True)

    def _result(self, s, entry, member, replayed=False) -> EntryResult:
        """entry and member: ORM objects or the rows the Core path wrote (same attribute names)."""
        pending = dbapi_of(s).execute(_PENDING, (member.id,)).fetchone()[0]
        return EntryResult(
            entry_id=entry.id, kind=entry.kind, member_id=entry.member_id, points=entry.points,
            balance=member.balance, pending=pending, breakdown=entry.breakdown or [],
            rule_set_version=entry.rule_set_version, created_at=entry.created_at, replayed=replayed,
            reverses_id=entry.reverses_id, amount_yen=entry.amount_yen,
        )

    def _member(self, s: Session, member_id: str) -> Member:
        return self.store.members._get_active(s, member_id)

    def _save_member(self, cx, member) -> None:
        """Write what the points actions change on a member row from `_open` (one UPDATE; the
        write transaction holds the lock since BEGIN IMMEDIATE, so nothing changed it meanwhile)."""
        before = member._as_read
        changed = [(c, v) for c, i in zip(_SAVE_COLUMNS, _SAVE_READ_AT)
                   if (v := getattr(member, c)) != before[i] or type(v) is not type(before[i])]
        if changed:
            cx.execute(_save_member_sql(tuple(c for c, _ in changed)), (*(v for _, v in changed), member.id))

    def _entry_row(self, actor, member_id: str, kind: str, points: int, *, key: str, request_hash: str,
                   now: datetime, amount_yen=None, rule_set_version=None, breakdown=None, reverses_id=None,
                   coupon_id=None, reason=None, card_id=None) -> dict:
        return {
            "id": key, "member_id": member_id, "kind": kind, "points": points, "amount_yen": amount_yen,
            "staff_id": actor.staff_id, "store_id": self.store.store_id, "terminal_id": self.store.terminal_id,
            "created_at": iso(now), "rule_set_version": rule_set_version, "reverses_id": reverses_id,
            "coupon_id": coupon_id, "card_id": card_id, "reason": reason, "breakdown": breakdown,
            "request_hash": request_hash, "sync_state": "pending",
        }

    def _insert_entry(self, cx, row: dict) -> None:
        params = [row[c] for c in _ENTRY_COLUMNS]
        params[14] = _json(params[14])  # breakdown (JSON)
        cx.execute(_INSERT_ENTRY, params)

    def _outbox_and_audit(self, s, actor, row: dict, categories=()) -> None:
        """The entry's outbox event and audit row, in the entry's transaction (an earn's purchase
        categories travel in the event only: HQ reprices with them)."""
        cx = dbapi_of(s)
        kind, key = row["kind"], row["id"]
        cx.execute(_INSERT_OUTBOX, (key, f"ledger.{kind}", _json({
            "entry_id": key, "kind": kind, "member_id": row["member_id"], "points": row["points"],
            "amount_yen": row["amount_yen"], "staff_id": row["staff_id"], "store_id": row["store_id"],
            "terminal_id": row["terminal_id"], "created_at": row["created_at"],
            "rule_set_version": row["rule_set_version"], "reverses_id": row["reverses_id"],
            "coupon_id": row["coupon_id"], "reason": row["reason"],
            **({"categories": list(categories)} if categories else {})}), row["created_at"], 0))
        audit = self.store.audit.values(
            actor, f"ledger.{kind}", "ledger", key, None,
            {"member_id": row["member_id"], "points": row["points"], "amount_yen": row["amount_yen"],
             "reverses_id": row["reverses_id"], "reason": row["reason"]})
        cx.execute(_INSERT_AUDIT, (audit["at"], audit["staff_id"], audit["terminal_id"], audit["action"],
                                   audit["object_type"], audit["object_id"], _json(audit["before"]),
                                   _json(audit["after"])))

    def _write_entry(self, cx, actor, member, kind: str, points: int, *, categories=(),
                     **fields) -> SimpleNamespace:
        """The entry, its outbox event and audit row; the member row's balance (in memory: the
        caller saves the member). Returns the entry as attributes."""
        member.balance += points
        if member.balance < 0:
            raise LedgerRefused("Not enough points.", code="insufficient_balance")
        row = self._entry_row(actor, member.id, kind, points, **fields)
        member.updated_at = row["created_at"]
        self._insert_entry(cx, row)
        self._outbox_and_audit(cx, actor, row, categories)
        return SimpleNamespace(**row)

    def _add_entry(self, s: Session, actor, member: Member, kind: str, points: int, **fields) -> LedgerEntry:
        """The same through the ORM, for callers that hold ORM objects and change the entry or
        the member afterwards (void, coupons, paper-card migration)."""
        row = self._entry_row(actor, member.id, kind, points, **fields)
        entry = LedgerEntry(**row)
        s.add(entry)
        member.balance += points
        if member.balance < 0:
            raise LedgerRefused("Not enough points.", code="insufficient_balance")
        member.updated_at = row["created_at"]
        s.flush()
        self._outbox_and_audit(s, actor, row)
        return entry

    def _credit_lot(self, s, member, entry, points: int, now: datetime, rule_set):
        if points <= 0:
            return
        cx = dbapi_of(s)
        lot_id = cx.execute(_INSERT_LOT, (member.id, entry.id, points, points,
                                          iso(expiry_for(rule_set, now)))).lastrowid
        cx.execute(_INSERT_MOVE, (entry.id, lot_id, points))

    def _consume_lots(self, cx, member, entry, points: int, now: datetime) -> None:
        """Take `points` from the member's lots, soonest expiry first."""
        left, moves = points, []
        for lot_id, _entry_id, remaining, _expires in cx.execute(_SPENDABLE_LOTS, (member.id, iso(now))).fetchall():
            take = min(left, remaining)
            cx.execute(_SET_LOT_REMAINING, (remaining - take, lot_id))
            moves.append((entry.id, lot_id, -take))
            left -= take
            if left == 0:
                break
        if left:
            raise LedgerRefused("Not enough points that are still valid.", code="insufficient_balance")
        cx.executemany(_INSERT_MOVE, moves)

    def _expire_due(self, s, member, now: datetime) -> int:
        """Write expire entries for this member's lots past their date. Returns points expired.
        `member` (an ORM object or a row from `_open`) gets the new balance; its owner writes it."""
        from app.store import SYSTEM

        cx = dbapi_of(s)
        due = cx.execute(_DUE_LOTS, (member.id, iso(now))).fetchall()
        total = 0
        for lot_id, entry_id, remaining, expires_at in due:
            n = cx.execute(_LOT_EXPIRIES, (lot_id,)).fetchone()[0]
            key = str(uuid.uuid5(_EXPIRE_NS, f"{entry_id}:{n}"))
            row = self._entry_row(SYSTEM, member.id, "expire", -remaining, key=key,
                                  request_hash=_request_hash("expire", entry_id, n), now=now,
                                  reason=f"expired {expires_at}")
            self._insert_entry(cx, row)
            self._outbox_and_audit(cx, SYSTEM, row)
            cx.execute(_SET_LOT_REMAINING, (0, lot_id))
            cx.execute(_INSERT_MOVE, (key, lot_id, -remaining))
            total += remaining
        if total:
            member.balance -= total
            member.updated_at = iso(now)
        return total

    def member_state(self, s, member, now: datetime) -> MemberState:
        from datetime import date

        cx = dbapi_of(s)
        since = iso(now - timedelta(days=365))
        spend, visits = cx.execute(_EARNS_SINCE, (member.id, since)).fetchone()
        voided_spend = voided_visits = 0
        voided = [v for (v,) in cx.execute(_VOIDED_IDS, (member.id,))]  # usually none
        if voided:
            voided_spend, voided_visits = cx.execute(_VOIDED_EARNS_SINCE.format(ids=",".join("?" * len(voided))),
                                                     (*voided, member.id, since)).fetchone()
        return MemberState(
            tier=member.tier, annual_spend_yen=int(spend - voided_spend),
            lifetime_spend_yen=member.lifetime_spend_yen,
            last_visit=parse_iso(member.last_visit_at) if member.last_visit_at else None,
            visits_12m=int(visits - voided_visits),
            birthday=date.fromisoformat(member.birthday) if member.birthday else None,
        )

    # -- actions ----------------------------------------------------------------------------
    def quote(self, member_id: str, amount_yen: int, at: datetime | None = None, *, categories=()):
        """The pricing the cashier sees before confirming an earn (nothing is written).
        ``categories``: the purchase's product categories (category campaigns)."""
        amount_yen = _int(amount_yen, "amount_yen", 1, MAX_AMOUNT_YEN)
        categories = _categories(categories)
        now = at or self.store.now()
        with self.store.db.raw_read() as cx:
            member = self.store.members._active_row(cx, member_id)
            rule_set = self.store.rules.valid_at(now, cx)
            state = self.member_state(cx, member, now)
        state = _with_tier(rule_set, state)
        return price_purchase(rule_set, state, Purchase(amount_yen=amount_yen, categories=frozenset(categories)), now,
                              self.store.store_id)

    def earn(self, actor, member_id: str, amount_yen: int, key, *, at: datetime | None = None,
             categories=()) -> EntryResult:
        require(actor, "cashier", "award points")
        key = _key(key)
        amount_yen = _int(amount_yen, "amount_yen", 1, MAX_AMOUNT_YEN)
        categories = _categories(categories)
        rh = _request_hash("earn", member_id, amount_yen, *((list(categories),) if categories else ()))
        now = at or self.store.now()
        with self.store.db.raw_write() as cx:
            replay, member, rule_set = self._open(cx, key, rh, member_id, now)
            if replay:
                return replay
            state = _with_tier(rule_set, self.member_state(cx, member, now))
            pricing = price_purchase(rule_set, state, Purchase(amount_yen=amount_yen, categories=frozenset(categories)),
                                     now, self.store.store_id)
            entry = self._write_entry(cx, actor, member, "earn", pricing.points, key=key, request_hash=rh, now=now,
                                      amount_yen=amount_yen, rule_set_version=pricing.rule_set_version,
                                      breakdown=_lines(pricing), categories=categories)
            self._credit_lot(cx, member, entry, pricing.points, now, rule_set)
            member.lifetime_spend_yen += amount_yen
            member.last_visit_at = iso(now)
            new_tier = tier_for(rule_set, state.annual_spend_yen + amount_yen)
            member.tier = new_tier.id if new_tier else None
            self._save_member(cx, member)
            return self._result(cx, entry, member)

    def redeem(self, actor, member_id: str, points: int, key, *, bill_yen: int | None = None,
               at: datetime | None = None) -> EntryResult:
        require(actor, "cashier", "redeem points")
        key = _key(key)
        points = _int(points, "points", 1, MAX_POINTS)
        if bill_yen is not None:
            bill_yen = _int(bill_yen, "bill_yen", 1, MAX_AMOUNT_YEN)
        rh = _request_hash("redeem", member_id, points, bill_yen)
        now = at or self.store.now()
        with self.store.db.raw_write() as cx:
            replay, member, rule_set = self._open(cx, key, rh, member_id, now)
            if replay:
                return replay
            try:
                yen = check_redemption(rule_set, points, bill_yen, member.balance)
            except RuleViolation as exc:
                raise LedgerRefused(str(exc), code=exc.code, **exc.params) from None
            entry = self._write_entry(cx, actor, member, "redeem", -points, key=key, request_hash=rh, now=now,
                                      amount_yen=bill_yen, rule_set_version=rule_set.version,
                                      breakdown=[{"label": f"{points:,} pt = ¥{yen:,}", "kind": "redeem",
                                                  "points": -points, "factor": None, "rule_id": None}])
            self._consume_lots(cx, member, entry, points, now)
            self._save_member(cx, member)
            return self._result(cx, entry, member)

    def adjust(self, actor, member_id: str, points: int, reason: str, key, *, note: str | None = None,
               at: datetime | None = None) -> EntryResult:
        require(actor, "manager", "adjust points")
        key = _key(key)
        points = _int(points, "points", -MAX_POINTS, MAX_POINTS)
        if points == 0:
            raise InvalidInput("An adjustment of 0 points changes nothing.", code="zero_adjustment")
        reason = (reason or "").strip()
        if not reason:
            raise InvalidInput("An adjustment needs a reason.", code="reason_required")
        full_reason = reason + (f" — {note.strip()}" if note and note.strip() else "")
        rh = _request_hash("adjust", member_id, points, full_reason)
        now = at or self.store.now()
        with self.store.db.raw_write() as cx:
            replay, member, rule_set = self._open(cx, key, rh, member_id, now)
            if replay:
                return replay
            entry = self._write_entry(cx, actor, member, "adjust", points, key=key, request_hash=rh, now=now,
                                      rule_set_version=rule_set.version, reason=full_reason)
            if points > 0:
                self._credit_lot(cx, member, entry, points, now, rule_set)
            else:
                self._consume_lots(cx, member, entry, -points, now)
            self._save_member(cx, member)
            return self._result(cx, entry, member)

    def void(self, actor, entry_id: str, key=None, *, reason: str | None = None,
             at: datetime | None = None) -> EntryResult:
        """Reverse an entry within the void window (a manager may void later). The reversal is a
        new entry; points go back to the lots they came from."""
        require(actor, "cashier", "void")
        key = _key(key or uuid.uuid4())
        entry_id = _key(entry_id)
        rh = _request_hash("void", entry_id)
        now = at or self.store.now()
        with self.store.db.write() as s:
            replay = self._replay(s, key, rh)
            if replay:
                return replay
            original = s.scalars(select(LedgerEntry).where(LedgerEntry.id == entry_id)).first()
            if original is None:
                raise NotFound("No such ledger entry.", code="unknown_entry")
            if original.kind == "void":
                raise LedgerRefused("A void cannot itself be voided.", code="void_of_void")
            if original.kind not in VOIDABLE or original.request_hash == SYNC_BOOKED:
                raise LedgerRefused(f"A {original.kind} entry cannot be voided.", code="not_voidable")
            already = s.scalars(select(LedgerEntry).where(LedgerEntry.reverses_id == original.id)).first()
            if already is not None:
                raise LedgerRefused(f"This entry was already voided at {already.created_at}.",
                                    code="already_voided", voided_at=already.created_at)
            window = timedelta(minutes=int(self.store.setting("void_window_minutes")))
            if now - parse_iso(original.created_at) > window and not actor.is_manager:
                raise PermissionDenied("The void window has passed; ask a manager.", code="void_window_passed")
            if original.store_id != self.store.store_id:
                raise LedgerRefused("Only the store that made an entry can void it.", code="foreign_entry")
            from app.services.replica import refused_by_hq  # (replica builds on this module)

            if refused_by_hq(s, self.store, original.id):
                raise LedgerRefused("HQ refused this entry and its points were already taken back here; "
                                    "there is nothing left to void.", code="refused_by_hq")
            moves = s.scalars(select(LotMove).where(LotMove.entry_id == original.id)).all()
            lots = {move.lot_id: s.get(Lot, move.lot_id) for move in moves}
            for move in moves:
                # What the original credited must still be there, untouched, to be taken back.
                if move.points > 0 and lots[move.lot_id].remaining != move.points:
                    raise LedgerRefused("Points from this entry were already used or expired; void the "
                                        "redemption first, or ask a manager to adjust.",
                                        code="points_already_used")
            member = s.get(Member, original.member_id)
            entry = self._add_entry(s, actor, member, "void", -original.points, key=key, request_hash=rh, now=now,
                                    amount_yen=original.amount_yen, rule_set_version=original.rule_set_version,
                                    reverses_id=original.id, coupon_id=original.coupon_id,
                                    reason=(reason or "").strip() or None)
            for move in moves:
                lot = lots[move.lot_id]
                # Take back what the original credited; give back what it spent, to the same lot.
                lot.remaining -= move.points
                s.add(LotMove(entry_id=entry.id, lot_id=lot.id, points=-move.points))
            if original.kind == "earn" and original.amount_yen:
                member.lifetime_spend_yen -= original.amount_yen
            if original.coupon_id:
                coupon = s.get(Coupon, original.coupon_id)
                if coupon is not None and coupon.used_entry_id == original.id:
                    coupon.used_at = None
                    coupon.used_entry_id = None
            if original.kind == "migrate" and original.card_id is not None:
                self._release_card(s, actor, original, entry)
            return self._result(s, entry, member)

    def _release_card(self, s: Session, actor, original: LedgerEntry, entry: LedgerEntry) -> None:
        """A voided migration (e.g. the cashier typed the wrong card number) took the card's points
        back, so the paper card is not migrated any more: it can be migrated again, here at once and
        at every store once HQ has the void (it releases the card there and sends card.released).
        Only when the card still stands as this migration: not when HQ said another store won it."""
        from app.models import Card, Outbox

        card = s.get(Card, original.card_id)
        if card is None:
            return
        latest = s.scalars(select(LedgerEntry.id).where(LedgerEntry.card_id == card.id, LedgerEntry.kind == "migrate")
                           .order_by(LedgerEntry.seq.desc()).limit(1)).first()
        if card.status == "migrated" and card.migrated_store_id == self.store.store_id and latest == original.id:
            before = {"status": card.status, "member_id": card.member_id, "migrated_at": card.migrated_at}
            card.status, card.member_id = "active", None
            card.migrated_at = card.migrated_store_id = card.migrated_member_no = None
            self.store.audit.record(s, actor, "card.release", "card", card.number, before,
                                    {"status": "active", "voided_entry_id": original.id, "entry_id": entry.id})
        # HQ finds the card by its number, as for the migration
        box = s.scalars(select(Outbox).where(Outbox.event_id == entry.id)).one()
        box.payload = {**box.payload, "card_number": card.number, "card_kind": card.kind}

    def expire(self, at: datetime | None = None, *, batch: int = 500) -> dict:
        """Expire every lot past its date (a scheduled job; idempotent)."""
        now = at or self.store.now()
        members = points = 0
        while True:
            with self.store.db.write() as s:
                ids = s.scalars(select(Lot.member_id).where(Lot.remaining > 0, Lot.expires_at <= iso(now))
                                .distinct().limit(batch)).all()
                for member_id in ids:
                    member = s.get(Member, member_id)
                    points += self._expire_due(s, member, now)
                    members += 1
            if len(ids) < batch:
                return {"members": members, "points": points}

    # -- reads ------------------------------------------------------------------------------
    def balance(self, member_id: str) -> dict:
        now = self.store.now()
        with self.store.db.read() as s:
            member = self._member(s, member_id)
            pending = s.scalar(select(func.coalesce(func.sum(LedgerEntry.points), 0))
                               .where(LedgerEntry.member_id == member.id, LedgerEntry.sync_state == "pending"))
            soon = iso(now + timedelta(days=31))
            expiring = s.scalar(select(func.coalesce(func.sum(Lot.remaining), 0))
                                .where(Lot.member_id == member.id, Lot.remaining > 0, Lot.expires_at <= soon))
            return {"member_id": member.id, "member_no": member.member_no, "balance": member.balance,
                    "pending": pending, "confirmed": member.balance - pending, "expiring_30d": expiring,
                    "tier": member.tier}

    def history(self, member_id: str, limit: int = 200) -> list[LedgerEntry]:
        with self.store.db.read() as s:
            member = self._member(s, member_id)
            return list(s.scalars(select(LedgerEntry).where(LedgerEntry.member_id == member.id)
                                  .order_by(LedgerEntry.seq.desc()).limit(limit)))

    def lots(self, member_id: str) -> list[Lot]:
        with self.store.db.read() as s:
            return list(s.scalars(select(Lot).where(Lot.member_id == member_id, Lot.remaining > 0)
                                  .order_by(Lot.expires_at)))

    def refused_by_hq(self, entry_id: str) -> bool:
        """Whether HQ refused the entry and this store took its points back already (void() then
        refuses it: refused_by_hq). For the void dialog, to say so before the cashier confirms."""
        from app.services.replica import refused_by_hq

        with self.store.db.read() as s:
            return refused_by_hq(s, self.store, _key(entry_id))

    def last_voidable(self, terminal_id: str | None = None) -> LedgerEntry | None:
        """The last entry this terminal made that can still be voided (for 'Void the last action')."""
        terminal_id = terminal_id or self.store.terminal_id
        voided = select(LedgerEntry.reverses_id).where(LedgerEntry.reverses_id.is_not(None))
        with self.store.db.read() as s:
            return s.scalars(select(LedgerEntry).where(
                and_(LedgerEntry.terminal_id == terminal_id, LedgerEntry.kind.in_(VOIDABLE),
                     LedgerEntry.request_hash != SYNC_BOOKED,  # HQ's answer is not the cashier's last action
                     LedgerEntry.id.not_in(voided))).order_by(LedgerEntry.seq.desc()).limit(1)).first()


def _with_tier(rule_set, state: MemberState) -> MemberState:
    """The tier that prices a purchase is the one the annual spend so far earns."""
    from dataclasses import replace

    tier = tier_for(rule_set, state.annual_spend_yen)
    return replace(state, tier=tier.id if tier else None)
