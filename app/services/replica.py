"""Store-side hooks for sync (called by the `sync` package; app never imports sync).

How entries made at other stores appear here (the decision, see also sync/README.md):
- Every entry HQ has booked for a member reaches every store through the change feed and is
  written to the local ledger as an ordinary row with ``sync_state='remote'`` (same id as at HQ,
  so applying it twice is a no-op). This store's own entries are ``pending`` until HQ answers,
  then ``acked``. HQ's own compensations (repricing, overdraft write-off, a lost paper-card
  migration, a rejected event) are ``remote`` rows too.
- So the ledger invariant holds locally with no special case: member.balance == sum(ledger.points)
  == sum(lots.remaining). A remote credit opens a lot (expiry from the rule set valid at its time);
  a remote debit consumes lots soonest-expiry first; a remote void gives back to the lots the
  reversed entry used. Once a store has pushed everything and pulled to HQ's head, its balances
  equal HQ's; in between, the counter shows HQ-confirmed + this store's unacknowledged entries.
- A merge moves the duplicate's ledger rows, lots, cards and coupons to the survivor (HQ does the
  same), so both sides keep identical per-member sums; late events for the old id are redirected
  by HQ and the local row already sits with the survivor.
- What sync cannot settle by itself becomes a row in `conflicts` (要確認); the manager's queue over
  it is app.services.conflicts (store.conflicts), which the sync CLI and status use too.
- A deletion scrubs the person's fields (and the personal data in old outbox payloads), revokes
  their cards, keeps the ledger rows (the day's totals still add up), with secure_delete on and a
  WAL checkpoint afterwards so the old pages leave the files too.
"""
from __future__ import annotations

import json
import logging
import uuid
from collections import namedtuple
from datetime import datetime, timedelta, timezone

from sqlalchemy import bindparam, case, delete, func, insert, select, text, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from app.clock import iso, parse_iso
from app.db import dbapi_of
from app.errors import LedgerRefused
from app.models import (Card, Conflict, Coupon, LedgerEntry, Lot, LotMove, Member, OfflineRedemption, Outbox,
                        Setting, SigningKey)
from app.rules import expiry_for, parse_rule_set
from app.services.notices import PREFIX as NOTICE_PREFIX
from app.services.notices import NoticeService
from app.text import kana_key

log = logging.getLogger(__name__)
LOCAL_NS = uuid.UUID("a3c1f5de-2b7e-4c55-8a4e-1d2b3c4d5e6f")
PII_FIELDS = ("name", "name_kana", "phone", "email", "line_user_id", "birthday")
PROFILE_FIELDS = PII_FIELDS + ("consent_marketing",)
SETTING_CURSOR = "sync.cursor"
SETTING_PARKED = "sync.parked"
# Reversals of refused entries that found fewer points here than they take back: they wait, whole,
# for the credit HQ booked meanwhile (its overdraft write-off of a debit that, at HQ, lacked the
# refused points) instead of being cut to the balance and losing the rest (seed 3055506).
SETTING_OWED = "sync.owed_reversals"
# A page this large (a first sync, a long catch-up) is applied with a larger page cache: its
# thousands of new members land at random places in the members indexes (ids, kana, phones).
BULK_PAGE = 1_000
BULK_CACHE_MIB = 256
# New members of a page go in as plain rows (no ORM objects, no SQLAlchemy parameter processing:
# a first sync inserts a million), all in ONE statement that reads them from a JSON array. One
# statement, not one per row: the members' kana triggers feed the FTS5 trigram index, and FTS5
# writes its pending terms to disk at every statement's savepoint, so row by row it wrote a tiny
# segment per member. Columns left out take their NULL.
_MEMBER_COLS = ("id", "member_no", "name", "name_kana", "kana_key", "phone", "email", "line_user_id", "birthday",
                "consent_marketing", "status", "home_store_id", "field_times", "balance", "lifetime_spend_yen",
                "created_at", "updated_at")
_INSERT_MEMBERS = (f"INSERT INTO members ({', '.join(_MEMBER_COLS)}) "
                   f"SELECT {', '.join(f'value ->> {i}' for i in range(len(_MEMBER_COLS)))} "
                   "FROM json_each(?) ORDER BY key")


# ReplicaService._book_plain's statements (the ORM path's rows, column for column)
_LOTS_TO_TAKE = "SELECT id, remaining FROM lots WHERE member_id = ? AND remaining > 0 ORDER BY expires_at, id"
_INSERT_REMOTE = ("INSERT INTO ledger (id, member_id, kind, points, amount_yen, staff_id, store_id, terminal_id,"
                  " created_at, rule_set_version, reverses_id, coupon_id, card_id, reason, breakdown, request_hash,"
                  " sync_state, evidence_sha256)"
                  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, NULL, ?, NULL, 'remote', 'remote', NULL)")
_INSERT_LOT = "INSERT INTO lots (member_id, entry_id, points, remaining, expires_at) VALUES (?, ?, ?, ?, ?)"
_INSERT_MOVE = "INSERT INTO lot_moves (entry_id, lot_id, points) VALUES (?, ?, ?)"
_TAKE_LOT = "UPDATE lots SET remaining = remaining - ? WHERE id = ?"
_UPDATE_MEMBER_BOOKED = "UPDATE members SET balance = ?, lifetime_spend_yen = ?, last_visit_at = ? WHERE id = ?"


def _present(cx, head: str, values: list) -> set:
    """Which of ``values`` the one-column ``head`` + "(?, ...)" query finds, 500 at a time."""
    out: set = set()
    for i in range(0, len(values), 500):
        chunk = values[i:i + 500]
        out.update(v for (v,) in cx.execute(head + "(" + ",".join("?" * len(chunk)) + ")", chunk))
    return out


def _points_of(cx, entry_ids: list) -> dict:
    """{entry id: points} of the ledger entries among ``entry_ids``, 500 at a time."""
    out: dict = {}
    for i in range(0, len(entry_ids), 500):
        chunk = entry_ids[i:i + 500]
        out.update(cx.execute("SELECT id, points FROM ledger WHERE id IN (" + ",".join("?" * len(chunk)) + ")", chunk))
    return out


PendingRow = namedtuple("PendingRow", "seq event_id type payload created_at outcome_detail")


def _hlc_key(text: str | None, node: str) -> tuple:
    """A field time as HQ orders it (sync/hlc.py Timestamp: ms, counter, node; a plain ISO time
    written here has counter 0 and takes this store's id as its node, as HQ gives it)."""
    if not text:
        return (-1, 0, "")
    head, *rest = text.split("/")
    dt = parse_iso(head)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    ms = int(dt.timestamp() * 1000)
    return (ms, int(rest[0]) if rest else 0, rest[1] if len(rest) > 1 else node)


def _later(hq_time: str | None, ours: str | None, store_id: str) -> bool:
    """Whether HQ's time for a field is later than our own unacknowledged edit of it: then HQ
    keeps its value when our edit arrives (last writer wins), so we take it now. Skipping it would
    leave us on our value for good when HQ had already applied our edit (its answer lost) and
    sends nothing more for it (seed 7006254)."""
    try:
        return _hlc_key(hq_time, "") > _hlc_key(ours, store_id)
    except ValueError:
        return False


def refused_by_hq(s: Session, store, entry_id: str) -> bool:
    """Whether HQ refused ``entry_id`` and this store took (or is waiting to take) its effect back:
    our own entry's push answered ``rejected``, or its reversal booked here (a pulled copy's
    ``ledger.rejected``) or waiting for points (SETTING_OWED). Such an entry must not be voided:
    the void would take its points a second time (seed 3058169)."""
    if s.scalar(select(Outbox.outcome).where(Outbox.event_id == entry_id)) == "rejected":
        return True
    return ReplicaService(store).taken_back(s, entry_id)


class ReplicaService:
    def __init__(self, store):
        self.store = store

    # ---------------------------------------------------------------------------- outbox
    def pending(self, limit: int = 500, after_seq: int | None = None) -> list:
        """The next unacknowledged outbox rows (seq, event_id, type, payload, created_at,
        outcome_detail), oldest first; with ``after_seq``, only those after it (the batch after one
        still on its way). Plain SQL on the DB-API connection (every sync round asks)."""
        with self.store.db.raw_read() as con:
            after = "" if after_seq is None else f" AND seq > {int(after_seq)}"
            rows = con.execute("SELECT seq, event_id, type, payload, created_at, outcome_detail FROM outbox"
                               f" WHERE acked_at IS NULL{after} ORDER BY seq LIMIT ?", (int(limit),)).fetchall()
        loads = json.loads
        return [PendingRow(r[0], r[1], r[2], loads(r[3]), r[4], None if r[5] is None else loads(r[5]))
                for r in rows]

    def queue_stats(self) -> dict:
        with self.store.db.raw_read() as con:
            n, oldest, no_outcome = con.execute(
                "SELECT (SELECT count(*) FROM outbox WHERE acked_at IS NULL),"
                " (SELECT min(created_at) FROM outbox WHERE acked_at IS NULL),"
                " (SELECT count(*) FROM outbox WHERE outcome IS NULL)").fetchone()
        return {"queue": int(n), "oldest_pending_at": oldest, "without_outcome": int(no_outcome)}

    def note_attempt(self, seqs: list[int], error: str | None) -> None:
        if not seqs:
            return
        with self.store.db.write() as s:
            s.execute(update(Outbox).where(Outbox.seq.in_(seqs))
                      .values(attempts=Outbox.attempts + 1, last_error=(error or None) and error[:500]))

    def unack_from(self, seq: int) -> int:
        """HQ expects an earlier sequence than we hold pending (it lost events): send them again.
        Those HQ had refused keep that verdict (``prior_outcome``): they were reversed here, and HQ
        must not apply them now (it would count points this store took back). Each is marked
        ``rejudged``: its next answer comes from HQ's restored state.

        Events below ``seq`` whose answer here came from such a judgment again are sent as well,
        marked ``recheck``: HQ holds them, but perhaps with an older verdict than the one this
        store (and the others) acted on — HQ restored from a backup taken before an earlier
        restore, after which they were judged again. HQ compares and settles what differs; for an
        event it holds with the same verdict the recheck changes nothing."""
        rejudged = func.json_set(func.coalesce(Outbox.outcome_detail, "{}"), "$.rejudged", func.json("true"))
        with self.store.db.write() as s:
            refused = s.execute(update(Outbox).where(Outbox.seq >= seq, Outbox.acked_at.is_not(None),
                                                     Outbox.outcome == "rejected")
                                .values(acked_at=None, outcome=None,
                                        outcome_detail=func.json_set(
                                            func.json_remove(func.coalesce(Outbox.outcome_detail, "{}"),
                                                             "$.recheck"),
                                            "$.prior_outcome", "rejected", "$.rejudged", func.json("true")))
                                ).rowcount
            n = refused + s.execute(update(Outbox).where(Outbox.seq >= seq, Outbox.acked_at.is_not(None))
                                    .values(acked_at=None, outcome=None,
                                            outcome_detail=func.json_remove(rejudged, "$.recheck"))).rowcount
            flagged = func.json_extract(Outbox.outcome_detail, "$.rejudged")
            rejected = Outbox.outcome == "rejected"
            n += s.execute(update(Outbox).where(Outbox.seq < seq, Outbox.acked_at.is_not(None), flagged == 1)
                           .values(acked_at=None, outcome=None,
                                   outcome_detail=func.json_set(
                                       Outbox.outcome_detail, "$.recheck", func.json("true"),
                                       "$.prior_outcome", case((rejected, "rejected"), else_=None)))
                           .execution_options(synchronize_session=False)).rowcount
            return n

    def record_outcomes(self, results: list[dict]) -> dict:
        """Store HQ's answers in one transaction: the outbox row is acknowledged, its ledger entry
        becomes ``acked``; a rejected points event is reversed locally (HQ booked nothing) and
        lands in the conflicts table with adjusted ones (overdraft, lost migration).
        Set-based: one executemany for the outbox, one UPDATE for the entries; only rejected and
        adjusted events (rare) take the per-row path."""
        now = self.store.now()
        now_iso = iso(now)
        counts: dict[str, int] = {}
        ids = [r["event_id"] for r in results]
        ob = Outbox.__table__
        with self.store.db.write() as s, s.no_autoflush:
            rows = {}
            entries = {}
            for i in range(0, len(ids), 5000):
                chunk = ids[i:i + 5000]
                rows.update((r.event_id, r) for r in s.execute(
                    select(Outbox.seq, Outbox.event_id, Outbox.type, Outbox.payload, Outbox.acked_at,
                           Outbox.outcome_detail).where(Outbox.event_id.in_(chunk))))
                entries.update((e.id, e) for e in s.execute(
                    select(LedgerEntry.id, LedgerEntry.member_id, LedgerEntry.sync_state)
                    .where(LedgerEntry.id.in_(chunk))))
            acks, to_ack, special = [], [], []
            for res in results:
                row = rows.get(res["event_id"])
                if row is None or row.acked_at is not None:
                    continue
                outcome = res["outcome"]
                counts[outcome] = counts.get(outcome, 0) + 1
                detail = {k: v for k, v in res.items() if k not in ("event_id", "seq") and v}
                before = row.outcome_detail or {}
                if before.get("rejudged"):
                    # answered again after a restore: what HQ had booked for it before is kept,
                    # for a later recheck to name (HQ may hold that verdict again)
                    detail["rejudged"] = True
                    seen = dict(before.get("seen_compensation") or {})
                    for c in before.get("compensation") or ():
                        if isinstance(c, dict) and c.get("entry_id"):
                            seen[str(c["entry_id"])] = int(c.get("points") or 0)
                    if seen:
                        detail["seen_compensation"] = seen
                acks.append({"b_seq": row.seq, "outcome": outcome, "acked_at": now_iso, "outcome_detail": detail})
                if before.get("recheck"):
                    continue  # HQ's verdict of old: it settles what differs itself, by the feed
                if not row.type.startswith("ledger."):
                    if outcome == "rejected":
                        special.append((row, None, res))
                    continue
                entry = entries.get(row.event_id)
                if entry is not None and entry.sync_state == "pending":
                    to_ack.append(entry.id)
                if outcome in ("rejected", "adjusted"):
                    special.append((row, entry, res))
            if acks:
                s.execute(ob.update().where(ob.c.seq == bindparam("b_seq"))
                          .values(outcome=bindparam("outcome"), outcome_detail=bindparam("outcome_detail"),
                                  acked_at=bindparam("acked_at")), acks)
            for i in range(0, len(to_ack), 5000):
                s.execute(update(LedgerEntry).where(LedgerEntry.id.in_(to_ack[i:i + 5000]),
                                                    LedgerEntry.sync_state == "pending")
                          .values(sync_state="acked").execution_options(synchronize_session=False))
            for row, entry, res in special:
                outcome = res["outcome"]
                if entry is None:
                    if outcome == "rejected" and not row.type.startswith("ledger."):
                        self._conflict(s, "rejected_event", (row.payload or {}).get("member_id"),
                                       {"event_id": row.event_id, "type": row.type, "reason": res.get("reason")}, now)
                    elif outcome == "adjusted":
                        self._adjusted_conflicts(s, row, None, res, now)
                    continue
                if outcome == "rejected":
                    full = s.scalars(select(LedgerEntry).where(LedgerEntry.id == entry.id)).first()
                    self._reverse_rejected(s, full, res.get("reason"), now)
                else:
                    self._adjusted_conflicts(s, row, entry.member_id, res, now)
            self._settle_owed(s)
        return counts

    def prior_compensation(self, detail: dict, entry_id: str | None = None) -> dict[str, int]:
        """For an event sent again (outcome_detail kept from its earlier answers): the entries HQ
        booked for it, id → the points this store holds under that id now (0 once taken back).
        For a recheck, the event's own ledger entry (``entry_id``) too: HQ may hold it booked
        where this store took it back on a later refusal."""
        comp = {str(k): int(v) for k, v in (detail.get("seen_compensation") or {}).items()}
        comp.update({str(c["entry_id"]): int(c.get("points") or 0) for c in detail.get("compensation") or ()
                     if isinstance(c, dict) and c.get("entry_id")})
        own = entry_id if detail.get("recheck") else None
        if (comp or own) and (detail.get("rejudged") or detail.get("recheck")):
            with self.store.db.read() as s:
                if own:
                    points = s.scalar(select(LedgerEntry.points).where(LedgerEntry.id == own))
                    if points:
                        comp[own] = points
                comp = {k: 0 if self.taken_back(s, k) else v for k, v in comp.items()}
        return comp

    def taken_back(self, s: Session, entry_id: str) -> bool:
        """Whether this store reversed ``entry_id`` on HQ's word (refused or withdrawn), or holds
        that reversal waiting for points (SETTING_OWED)."""
        reversal_id = str(uuid.uuid5(LOCAL_NS, f"{entry_id}:rejected"))
        return s.scalars(select(LedgerEntry.seq).where(LedgerEntry.id == reversal_id)).first() is not None \
            or any(d["entry_id"] == reversal_id for d in self._owed(s))

    def _owed(self, s: Session) -> list[dict]:
        """This transaction's list of waiting reversals (SETTING_OWED), read once."""
        if "owed" not in s.info:
            s.info["owed"] = list(self.store.setting(SETTING_OWED) or [])
        return s.info["owed"]

    def _settle_owed(self, s: Session) -> None:
        """Book every waiting reversal whose member now has the points; keep the others."""
        if "owed" not in s.info and not self.store.setting(SETTING_OWED):
            return
        owed = self._owed(s)
        keep = []
        for d in owed:
            member = self._live(s, d["member_id"])
            if member is None:
                continue  # deleted or gone: nothing left to take back
            if s.scalars(select(LedgerEntry.seq).where(LedgerEntry.id == d["entry_id"])).first() is not None:
                continue
            if member.balance < -int(d["points"]):
                keep.append(d)
                continue
            self._book(s, member, {k: v for k, v in d.items() if k != "member_id"}, sync_state="acked")
        s.info["owed"] = keep
        if keep != owed or s.info.pop("owed_added", False):
            self.store.set_settings(s, **{SETTING_OWED: keep or None})

    def _adjusted_conflicts(self, s: Session, row, member_id: str | None, res: dict, now: datetime) -> None:
        for reason in (res.get("reason") or "").split(","):
            kind = {"overdraft": "overdraft", "card_already_migrated": "migration_lost",
                    "coupon_already_used": "coupon_used_twice",
                    "repriced": "repriced"}.get(reason, reason or "adjusted")
            self._conflict(s, kind, member_id or (row.payload or {}).get("member_id"),
                           {"event_id": row.event_id, "type": row.type,
                            "compensation": res.get("compensation") or []}, now)

    def _reverse_rejected(self, s: Session, entry: LedgerEntry, reason: str | None, now: datetime, *,
                          conflict: bool = True, target_booked: bool | None = None) -> None:
        """HQ booked nothing for ``entry``: take its effect back here. Not when a void here took it
        back already (HQ refuses that void too: it never booked the entry), and not for a void of
        an entry HQ refused as well — the pair cancels here as at HQ, whatever order the answers
        come in (a reversal capped at the balance left by the void, then the void's reversal,
        counted the entry's points once more). ``target_booked``: for a pulled void, HQ's word on
        whether it holds the voided entry; our own voids ask their entry's outbox outcome."""
        member = self._live(s, entry.member_id)
        if member is None:
            return
        reversal_id = str(uuid.uuid5(LOCAL_NS, f"{entry.id}:rejected"))
        if self.taken_back(s, entry.id):
            return  # refused again (sent again after HQ lost it): reversed (or waiting) the first time
        points = -entry.points
        if entry.kind == "void" and entry.reverses_id:
            if target_booked is None:
                target_booked = s.scalar(select(Outbox.outcome).where(Outbox.event_id == entry.reverses_id)) \
                    != "rejected"
            if not target_booked:
                points = 0
        elif s.scalars(select(LedgerEntry.seq).where(LedgerEntry.reverses_id == entry.id,
                                                     LedgerEntry.kind == "void")).first() is not None:
            points = 0
        reversal = {"entry_id": reversal_id, "kind": "adjust", "points": points,
                    "store_id": self.store.store_id, "terminal_id": self.store.terminal_id, "created_at": iso(now),
                    "reason": f"HQ rejected {entry.kind} {entry.id}: {reason}"}
        if points < 0 and -points > member.balance:
            # The points were spent here meanwhile. At HQ, which never had them, the debit that spent
            # them overdrew the member and HQ wrote the overdraft off with a credit that reaches this
            # store by the feed: the reversal waits for it, whole (_settle_owed), rather than take
            # what is left and lose the rest.
            self._owed(s).append({**reversal, "member_id": member.id})
            s.info["owed_added"] = True  # written by _settle_owed, which every caller ends with
        elif points:
            self._book(s, member, reversal, sync_state="acked")
        if entry.kind == "migrate" and entry.card_id is not None:
            # HQ booked no migration: the paper card is not migrated either (its points were just
            # reversed), so it can be presented again once the manager has seen the conflict.
            card = s.get(Card, entry.card_id)
            if card is not None and card.status == "migrated" and card.member_id == entry.member_id \
                    and card.migrated_store_id == self.store.store_id:
                card.status, card.member_id = "active", None
                card.migrated_at = card.migrated_store_id = card.migrated_member_no = None
        if conflict:
            self._conflict(s, "rejected_event", member.id, {"event_id": entry.id, "kind": entry.kind,
                                                             "points": entry.points, "reason": reason,
                                                             "reversed": points}, now)

    def prune_acked(self, older_than_days: int = 30) -> int:
        cutoff = iso(self.store.now() - timedelta(days=older_than_days))
        with self.store.db.write() as s:
            newest = s.scalar(select(func.max(Outbox.seq)))
            return s.execute(delete(Outbox).where(Outbox.acked_at.is_not(None), Outbox.acked_at < cutoff,
                                                  Outbox.seq != newest)).rowcount

    # ---------------------------------------------------------------------------- offline redemptions
    def business_day(self, at: datetime) -> str:
        rule_set = self.store.rules.valid_at(at)
        return at.astimezone(rule_set.zone).date().isoformat()

    def offline_redeemed_today(self, member_id: str, at: datetime) -> int:
        day = self.business_day(at)
        with self.store.db.read() as s:
            return int(s.scalar(select(func.coalesce(func.sum(OfflineRedemption.points), 0)).where(
                OfflineRedemption.member_id == member_id, OfflineRedemption.business_day == day)))

    def hold_offline(self, entry_id: str, member_id: str, points: int, at: datetime) -> None:
        with self.store.db.write() as s:
            if s.get(OfflineRedemption, entry_id) is None:
                s.add(OfflineRedemption(entry_id=entry_id, member_id=member_id, points=points,
                                        business_day=self.business_day(at), created_at=iso(at)))

    def release_offline(self, entry_id: str) -> None:
        with self.store.db.write() as s:
            s.execute(delete(OfflineRedemption).where(OfflineRedemption.entry_id == entry_id))

    def pending_points(self, member_id: str) -> int:
        with self.store.db.read() as s:
            member = self.store.members._get_active(s, member_id)
            return int(s.scalar(select(func.coalesce(func.sum(LedgerEntry.points), 0)).where(
                LedgerEntry.member_id == member.id, LedgerEntry.sync_state == "pending")))

    # ---------------------------------------------------------------------------- applying changes
    def cursor(self) -> str | None:
        return self.store.setting(SETTING_CURSOR)

    def set_cursor(self, cursor: str, **extra) -> None:
        self.store.write_settings(**{SETTING_CURSOR: cursor}, **extra)

    def apply_changes(self, changes: list[dict], cursor: str, *, hq_public_key: bytes | None = None) -> dict:
        """Apply one page of HQ's change feed and commit the cursor in the same transaction
        (apply_pages with that one page)."""
        return self.apply_pages(iter([(changes, cursor)]), hq_public_key=hq_public_key)

    def apply_pages(self, pages, *, hq_public_key: bytes | None = None) -> dict:
        """Apply consecutive pages of HQ's change feed in ONE transaction, with the last page's
        cursor. ``pages`` yields (changes, cursor) and is drawn from inside the transaction, one
        page at a time, so the caller decides as it goes when the transaction ends (SyncEngine
        .pull_all: a bulk catch-up ends it early when the counter waits to write). Each page is
        applied exactly as it would be in a transaction of its own: debits parked by it are retried
        after it, waiting reversals settled after it.

        Set-based where it is safe: one query for which of the page's ledger entries are already
        here (our own entries come back from HQ: skipped without a query each), one for which of
        its members exist, and runs of new members inserted with one statement. Anything else
        (existing members, merges, deletions, other stores' entries with their lots) takes the
        per-change path, in feed order: a run of new members is written before the next change
        of any other kind is applied."""
        summary: dict = {"applied": 0, "deleted_members": 0, "conflicts": 0, "touched_members": set(), "pages": 0}
        now = self.store.now()
        summary["parked"] = []
        changes, cursor = next(pages)
        with self.store.db.write(cache_mib=BULK_CACHE_MIB if len(changes) >= BULK_PAGE else None) as s:
            pending_fields = self._pending_fields(s)
            carried = list(self.store.setting(SETTING_PARKED) or [])
            while True:
                self._apply_page(s, changes, now, summary, pending_fields, hq_public_key)
                # Debits that found too few points here wait for the credit that HQ booked after them
                # (e.g. an overdraft write-off): retry until nothing moves, keep the rest for later pages.
                parked = [d for d in carried + summary["parked"] if d["entry_id"] not in summary.get("rejected", ())]
                while parked:
                    summary["parked"] = []
                    for data in parked:
                        self._ch_ledger(s, data, now, summary)
                    if len(summary["parked"]) == len(parked):
                        break
                    parked = summary["parked"]
                carried = summary["parked"]
                self._settle_owed(s)
                summary["pages"] += 1
                following = next(pages, None)
                if following is None:
                    break
                changes, cursor = following
                summary["parked"] = []
            self.store.set_settings(s, **{SETTING_CURSOR: cursor, SETTING_PARKED: carried})
        # a rule set may have arrived: the versions are read again at the next use after the commit;
        # the parsed rule sets are kept (a version never changes; parsing them all again per page
        # was ~1 ms of the page's first pulled credit)
        rules_cache = self.store.rules._cache
        if rules_cache is not None:
            self.store.rules._cache = (rules_cache[0], rules_cache[1], float("-inf"))
        if summary["deleted_members"]:
            self.wipe_free_pages()
            self.store.db.purge_backups_after_deletion()  # older backups hold the person (app/db.py)
        summary.pop("rejected", None)
        summary["touched_members"] = sorted(summary["touched_members"])
        return summary

    def _apply_page(self, s: Session, changes: list[dict], now: datetime, summary: dict, pending_fields: set,
                    hq_public_key: bytes | None) -> None:
        """One page's changes in the open transaction (apply_pages)."""
        s.flush()  # the raw queries below must see the previous page's ORM writes
        entry_ids = [c["data"]["entry_id"] for c in changes if c["kind"] == "ledger" and c["data"].get("entry_id")]
        member_ids = [c["data"]["member_id"] for c in changes if c["kind"] == "member"
                      and c["data"].get("member_id")]
        cx = dbapi_of(s)
        known = _present(cx, "SELECT id FROM ledger WHERE id IN ", entry_ids)
        existing = _present(cx, "SELECT id FROM members WHERE id IN ", member_ids)
        s.info["ledger_checked"] = set(entry_ids)
        s.info["ledger_known"] = known
        # expiries held here already: their points, to take HQ's where they differ (_take_hq_expiry)
        held = [c["data"]["entry_id"] for c in changes if c["kind"] == "ledger"
                and c["data"].get("kind") == "expire" and c["data"].get("entry_id") in known]
        s.info["expiry_points"] = _points_of(cx, held)
        new_members: list[tuple] = []
        now_iso = iso(now)
        taken_nos: set[str] = set()
        if len(member_ids) > len(existing):
            nos = [c["data"].get("member_no") for c in changes if c["kind"] == "member" and c["data"].get("member_no")]
            taken_nos = _present(cx, "SELECT member_no FROM members WHERE member_no IN ", nos)
        for ch in changes:
            kind, data = ch["kind"], ch["data"]
            if kind == "member" and self._new_member_row(data, now_iso, existing, taken_nos, new_members):
                summary["applied"] += 1
                continue
            self._insert_members(s, new_members)
            handler = getattr(self, "_ch_" + kind.replace(".", "_"), None)
            if handler is None:
                continue
            handler(s, data, now, summary, pending_fields=pending_fields, hq_public_key=hq_public_key)
            summary["applied"] += 1
        self._insert_members(s, new_members)

    def _new_member_row(self, d: dict, now_iso: str, existing: set, taken_nos: set, out: list) -> bool:
        """A member this store does not hold yet, as a row for the next executemany. False when
        the change needs the per-change path (the member exists, or is already queued here).
        A member deleted at HQ before this store saw it arrives scrubbed: it becomes a row without
        personal data, status 'deleted', so that its ledger entries (HQ keeps them) book here too."""
        mid = d.get("member_id")
        if d.get("scrubbed") and (not mid or mid in existing):
            return True
        if not mid or mid in existing or d.get("tier_change"):
            return False
        existing.add(mid)  # a later change for it in this page takes the per-change path
        member_no = d.get("member_no") or mid[:20]
        if member_no in taken_nos:
            member_no = ("X" + mid.replace("-", ""))[:20]
        taken_nos.add(member_no)
        if d.get("scrubbed") or d.get("status") == "deleted":
            out.append(self._tombstone_row(mid, member_no, d, now_iso))
            return True
        fields = d.get("fields") or {}
        kana = fields.get("name_kana") or ""
        # in _MEMBER_COLS order
        out.append((mid, member_no, fields.get("name"), kana, kana_key(kana) if kana else "", fields.get("phone"),
                    fields.get("email"), fields.get("line_user_id"), fields.get("birthday"),
                    1 if fields.get("consent_marketing") else 0, "active", d.get("home_store_id"),
                    json.dumps(dict(d.get("field_times") or {})), 0, 0, d.get("created_at") or now_iso, now_iso))
        return True

    @staticmethod
    def _tombstone_row(mid: str, member_no: str, d: dict, now_iso: str) -> tuple:
        """A member deleted at HQ that this store never held: no personal data, only what its
        ledger entries need (HQ keeps a deleted member's entries and balance). In _MEMBER_COLS order."""
        return (mid, member_no, None, "", "", None, None, None, None, 0, "deleted", d.get("home_store_id"), "{}", 0, 0,
                d.get("created_at") or d.get("at") or now_iso, now_iso)

    @staticmethod
    def _insert_members(s: Session, rows: list[tuple]) -> None:
        if rows:
            s.flush()
            dbapi_of(s).execute(_INSERT_MEMBERS, (json.dumps(rows, ensure_ascii=False),))
            rows.clear()

    def wipe_free_pages(self) -> None:
        """After a deletion: overwrite freed pages and fold the WAL into the main file, truncated."""
        with self.store.db.engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            raw.execute("PRAGMA secure_delete=ON")
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def _pending_fields(self, s: Session) -> set[tuple[str, str]]:
        out = set()
        loads = json.loads  # the JSON column's own deserializer
        for (text_,) in dbapi_of(s).execute("SELECT payload FROM outbox WHERE acked_at IS NULL"
                                            " AND type = 'member.upsert'"):
            payload = loads(text_)
            for f in (payload.get("fields") or {}):
                out.add((payload.get("member_id"), f))
        return out

    def _live(self, s: Session, member_id: str | None) -> Member | None:
        m = s.get(Member, member_id) if member_id else None
        hops = 0
        while m is not None and m.status == "merged" and m.merged_into and hops < 20:
            m = s.get(Member, m.merged_into)
            hops += 1
        return m

    def _conflict(self, s: Session, kind: str, member_id: str | None, details: dict, now: datetime) -> None:
        s.add(Conflict(kind=kind, created_at=iso(now), member_id=member_id, details=details, status="open"))

    # -- members -------------------------------------------------------------------------
    def _ch_member(self, s: Session, d: dict, now, summary, pending_fields, **_):
        if d.get("scrubbed"):
            return
        m = s.get(Member, d["member_id"])
        fields = d.get("fields") or {}
        times = d.get("field_times") or {}
        if m is None:
            if d.get("status") == "deleted":
                return
            kana = fields.get("name_kana") or ""
            member_no = d.get("member_no") or d["member_id"][:20]
            if s.scalars(select(Member.id).where(Member.member_no == member_no)).first():
                member_no = ("X" + d["member_id"].replace("-", ""))[:20]
            m = Member(id=d["member_id"], member_no=member_no, name=fields.get("name"), name_kana=kana,
                       kana_key=kana_key(kana) if kana else "", phone=fields.get("phone"), email=fields.get("email"),
                       line_user_id=fields.get("line_user_id"), birthday=fields.get("birthday"),
                       consent_marketing=bool(fields.get("consent_marketing")), status="active",
                       home_store_id=d.get("home_store_id"), field_times=dict(times), balance=0,
                       lifetime_spend_yen=0, created_at=d.get("created_at") or iso(now), updated_at=iso(now))
            s.add(m)
            s.flush()
            self._tier_change(s, m, d)
            return
        if m.status == "deleted":
            return
        self._tier_change(s, m, d)
        local_times = dict(m.field_times or {})
        changed = False
        for f, value in fields.items():
            if f not in PROFILE_FIELDS:
                continue
            if (m.id, f) in pending_fields and not _later(times.get(f), local_times.get(f), self.store.store_id):
                continue  # our own edit is on its way and is the later one: HQ will take it
            if f == "name_kana" and not value:
                continue
            if getattr(m, f) != value or local_times.get(f) != times.get(f):
                setattr(m, f, value)
                if f == "name_kana":
                    m.kana_key = kana_key(value)
                if times.get(f):
                    local_times[f] = times[f]
                changed = True
        if changed:
            m.field_times = local_times
            m.updated_at = iso(now)

    @staticmethod
    def _tier_change(s: Session, m: Member, d: dict) -> None:
        """HQ's tiers job changed the member's rank: take it, and keep a notice for the counter
        (shown once at the member's next scan)."""
        tc = d.get("tier_change")
        if not tc:
            return
        m.tier = d.get("tier")
        NoticeService.record(s, m.id, {"kind": "tier", "from": tc.get("from"), "to": tc.get("to"),
                                       "direction": tc.get("direction"), "at": tc.get("at")})

    def _ch_member_tag(self, s: Session, d: dict, now, summary, **_):
        """HQ's VIP job tagged (or untagged) a member: a notice for the counter when added."""
        notice = {"kind": "tag", "tag": d.get("tag"), "at": d.get("at")}
        if d.get("added") and d.get("show_at_next_visit", True):
            NoticeService.record(s, d["member_id"], notice)
        elif not d.get("added"):
            NoticeService.withdraw(s, d["member_id"], notice)

    def _ch_member_merge(self, s: Session, d: dict, now, summary, **_):
        dup_id, survivor_id = d["duplicate"], d["survivor"]
        dup = s.get(Member, dup_id)
        survivor = self._live(s, survivor_id)
        if dup is None or survivor is None or dup.status == "merged" or dup.id == survivor.id:
            if dup is not None and dup.status != "merged" and survivor is None:
                dup.status, dup.merged_into = "merged", survivor_id
            return
        s.execute(update(LedgerEntry).where(LedgerEntry.member_id == dup.id).values(member_id=survivor.id))
        s.execute(update(Lot).where(Lot.member_id == dup.id).values(member_id=survivor.id))
        s.execute(update(Card).where(Card.member_id == dup.id).values(member_id=survivor.id))
        s.execute(update(Coupon).where(Coupon.member_id == dup.id).values(member_id=survivor.id))
        s.execute(update(OfflineRedemption).where(OfflineRedemption.member_id == dup.id)
                  .values(member_id=survivor.id))
        s.execute(update(Member).where(Member.merged_into == dup.id).values(merged_into=survivor.id))
        survivor.balance += dup.balance
        survivor.lifetime_spend_yen += dup.lifetime_spend_yen
        if dup.last_visit_at and (not survivor.last_visit_at or dup.last_visit_at > survivor.last_visit_at):
            survivor.last_visit_at = dup.last_visit_at
        dup.balance = 0
        dup.lifetime_spend_yen = 0
        dup.status = "merged"
        dup.merged_into = survivor.id
        dup.updated_at = survivor.updated_at = iso(now)
        if survivor.status == "deleted":  # deleted here before the merge came: the same person
            self._scrub(s, dup, now)
            summary["deleted_members"] += 1
        summary["touched_members"].update((dup.id, survivor.id))

    def _ch_member_delete(self, s: Session, d: dict, now, summary, **_):
        m = s.get(Member, d["member_id"])
        if m is None:
            # never held here (a snapshot after an epoch bump sends only this): keep a row
            # without personal data, so the member's entries that follow book (as at HQ)
            mid = d["member_id"]
            member_no = mid[:20]
            if s.scalars(select(Member.id).where(Member.member_no == member_no)).first():
                member_no = ("X" + mid.replace("-", ""))[:20]
            self._insert_members(s, [self._tombstone_row(mid, member_no, d, iso(now))])
            summary["touched_members"].add(mid)
            return
        s.execute(text("PRAGMA secure_delete=ON"))
        if m.status == "merged" and m.merged_into:
            # a deletion names the person: the duplicate's own fields go, it stays merged (its points
            # are the survivor's now), and the survivor — the same person — is deleted, as HQ does
            self._scrub(s, m, now)
            live = self._live(s, m.id)
            if live is None or live.status != "active":
                summary["deleted_members"] += 1
                summary["touched_members"].add(m.id)
                return
            m = live
        self._scrub(s, m, now)
        m.status = "deleted"
        for dup in s.scalars(select(Member).where(Member.merged_into == m.id, Member.id != m.id)):
            self._scrub(s, dup, now)  # the same person's records merged into this one
        s.execute(update(Card).where(Card.member_id == m.id, Card.status == "active")
                  .values(status="revoked", revoked_at=iso(now)))
        s.execute(delete(Setting).where(Setting.key == NOTICE_PREFIX + m.id))
        summary["deleted_members"] += 1
        summary["touched_members"].add(m.id)

    @staticmethod
    def _scrub(s: Session, m: Member, now) -> None:
        """The person's fields, here and in old outbox payloads."""
        for f in PII_FIELDS:
            setattr(m, f, "" if f == "name_kana" else None)
        m.kana_key = ""
        m.consent_marketing = False
        m.consent_at = None
        m.field_times = {}
        m.updated_at = iso(now)
        for row in s.scalars(select(Outbox).where(Outbox.type == "member.upsert")):
            if (row.payload or {}).get("member_id") == m.id:
                row.payload = {"member_id": m.id, "member_no": row.payload.get("member_no"), "fields": {},
                               "field_times": {}, "scrubbed": True}

    # -- ledger --------------------------------------------------------------------------
    def _ch_ledger(self, s: Session, d: dict, now, summary, **_):
        known = s.info.get("ledger_known")
        if known is not None and d["entry_id"] in s.info["ledger_checked"]:
            if d["entry_id"] in known:
                # already here (our own entry coming back, or applied before)
                held = s.info.get("expiry_points", {}).get(d["entry_id"])
                if d.get("kind") == "expire" and held != int(d["points"]) and not self._take_hq_expiry(s, d, now, summary):
                    summary.setdefault("parked", []).append(d)
                return
        elif s.scalars(select(LedgerEntry.seq).where(LedgerEntry.id == d["entry_id"])).first() is not None:
            if d.get("kind") == "expire" and not self._take_hq_expiry(s, d, now, summary):
                summary.setdefault("parked", []).append(d)
            return
        member = self._live(s, d["member_id"])
        if member is None:
            self._conflict(s, "unknown_member", d["member_id"], {"entry_id": d["entry_id"]}, now)
            summary["conflicts"] += 1
            return
        if not d.get("reverses_id") and d.get("kind") != "coupon":
            if not self._book_plain(s, member, d):
                summary.setdefault("parked", []).append(d)
                return
            if known is not None:
                known.add(d["entry_id"])
            summary["touched_members"].add(member.id)
            return
        sp = s.begin_nested()
        try:
            self._book(s, member, d, sync_state="remote")
        except LedgerRefused as exc:
            if exc.code != "sync_shortfall":
                raise
            sp.rollback()
            summary.setdefault("parked", []).append(d)
            return
        sp.commit()
        if known is not None:
            known.add(d["entry_id"])
        summary["touched_members"].add(member.id)

    def _take_hq_expiry(self, s: Session, d: dict, now: datetime, summary: dict) -> bool:
        """HQ's amount for a lot's expiry this store holds with another amount. The counter (at the
        member's visit) and HQ's expiry job (for everyone) book a lot's expiry under the same id,
        each with what it knew of the lot: a store that expired a lot itself while it had not yet
        sent, or pulled, a redemption taken from that lot expires more or less than HQ did. HQ's
        booking stands (any overdraft it made is written off by HQ and reaches every store), so the
        entry takes HQ's amount here: before, HQ and every store that pulled HQ's entry would skip
        this store's copy as already held, and the store stayed apart from HQ for good.
        More to expire: taken from the lots soonest expiry first, as any pulled debit (False: too
        few points here yet; the change waits, parked, for the credit HQ booked after it). Less:
        given back to the unexpired lots first, soonest expiry first, up to what each has given
        (a debit pulled after this store emptied the lot took from them what HQ took from the
        lot), then to the lot itself (a debit still parked takes it from there)."""
        hq_points = int(d["points"])
        entry = s.scalars(select(LedgerEntry).where(LedgerEntry.id == d["entry_id"])).first()
        if entry is None or entry.kind != "expire" or entry.points == hq_points:
            return True
        member = self._live(s, entry.member_id)
        if member is None:
            return True
        delta = hq_points - entry.points
        s.flush()
        moves: list[tuple[Lot, int]] = []
        lots = select(Lot).where(Lot.member_id == member.id).order_by(Lot.expires_at, Lot.id) \
            .execution_options(populate_existing=True)
        if delta < 0:
            left = -delta
            if member.balance < left:
                return False
            for lot in s.scalars(lots.where(Lot.remaining > 0)):
                take = min(left, lot.remaining)
                moves.append((lot, -take))
                left -= take
                if not left:
                    break
            if left:
                return False
        else:
            # the other unexpired lots first, then the expired lot itself, then any: the lots' room
            # (points taken from them) adds up to every debit's, this expiry's included
            left = delta
            own = select(LotMove.lot_id).where(LotMove.entry_id == entry.id)
            others = lots.where(Lot.expires_at > iso(now), Lot.id.not_in(own))
            for q in (others, lots.where(Lot.id.in_(own)), lots):
                for lot in s.scalars(q.where(Lot.remaining < Lot.points)):
                    give = min(left, lot.points - lot.remaining - sum(p for x, p in moves if x is lot))
                    if give > 0:
                        moves.append((lot, give))
                        left -= give
                    if not left:
                        break
                if not left:
                    break
            if left:
                log.warning("expiry %s: HQ's amount not taken, no lot here has room for %d pt", entry.id, left)
                return True
        for lot, pts in moves:
            lot.remaining += pts
            s.add(LotMove(entry_id=entry.id, lot_id=lot.id, points=pts))
        log.info("expiry %s takes HQ's amount: %d pt (was %d pt here)", entry.id, hq_points, entry.points)
        entry.points = hq_points
        member.balance += delta
        summary["touched_members"].add(member.id)
        return True

    def _ch_ledger_rejected(self, s: Session, d: dict, now, summary, **_):
        """HQ refused another store's entry that this store may hold a copy of: pulled while HQ
        held it, before HQ was restored from an older backup and then refused its resend (e.g. its
        member's registration had not been sent again yet). The copy is reversed here as the
        sending store reversed its original; our own entries are reversed by their push outcome."""
        entry_id = d["entry_id"]
        summary.setdefault("rejected", set()).add(entry_id)  # a parked copy is dropped, not retried
        entry = s.scalars(select(LedgerEntry).where(LedgerEntry.id == entry_id)).first()
        if entry is None or entry.sync_state != "remote":
            return
        if entry.kind == "migrate" and d.get("card"):
            self._release_copied_card(s, entry, d["card"])
        if d.get("reason") == "withdrawn_after_restore":
            self._close_withdrawn(s, entry, now)
        if self.taken_back(s, entry.id):
            return  # reversed already, or waiting (the same change again, e.g. in a snapshot)
        self._reverse_rejected(s, entry, d.get("reason"), now, conflict=False, target_booked=d.get("target_booked"))
        summary["touched_members"].add(entry.member_id)

    @staticmethod
    def _close_withdrawn(s: Session, entry: LedgerEntry, now: datetime) -> None:
        """HQ withdrew a compensation it had booked (the event it was for was judged again after a
        restore): the manager's open conflict about it (a lost migration, an overdraft) is no
        longer true and is closed, saying why."""
        for c in s.scalars(select(Conflict).where(Conflict.member_id == entry.member_id, Conflict.status == "open")):
            if any(isinstance(x, dict) and x.get("entry_id") == entry.id for x in (c.details or {}).get("compensation") or ()):
                c.status, c.resolved_at = "resolved", iso(now)
                c.details = dict(c.details, resolution={"action": "withdrawn_by_hq", "entry_id": entry.id,
                                                        "note": None, "at": iso(now)})

    @staticmethod
    def _release_copied_card(s: Session, entry: LedgerEntry, card_ref: dict) -> None:
        """The copy of another store's paper-card migration that HQ refused (seed 7003791): the
        card was marked migrated here with the copy (card.migrated); HQ holds no migration of it
        now, so it is free again — unless it is marked for another member or store meanwhile."""
        card = s.scalars(select(Card).where(Card.kind == (card_ref.get("kind") or "paper"),
                                            Card.number == card_ref.get("number"))).first()
        if card is not None and card.status == "migrated" and card.member_id == entry.member_id \
                and card.migrated_store_id == entry.store_id:
            card.status, card.member_id = "active", None
            card.migrated_at = card.migrated_store_id = card.migrated_member_no = None

    def _rule_set_at(self, at: datetime):
        try:
            return self.store.rules.valid_at(at)
        except Exception:  # noqa: BLE001 - an entry older than every rule set we hold
            sets = self.store.rules.all()
            return sets[0]

    def _book_plain(self, s: Session, member: Member, d: dict) -> bool:
        """``_book`` for another store's (or HQ's) entry that reverses nothing and uses no coupon —
        nearly every pulled entry — as plain SQL on the DB-API connection: no ORM object, no flush
        of its own and no savepoint. A debit's lots are planned before anything is written, so a
        shortfall (the entry waits, parked, for a credit HQ booked after it) leaves no trace and
        needs no rollback. Same rows as ``_book``: the entry (``remote``), a credit's lot and its
        move, a debit's moves soonest expiry first, the member's balance, spend and last visit
        (the Member object is kept in step without being marked dirty). False: parked."""
        points = int(d["points"])
        if member.balance + points < 0:
            return False
        s.flush()  # pending ORM changes (a member just added, a lot given back by a void) first
        cx = dbapi_of(s)
        member_id = member.id
        takes = []
        if points < 0:
            left = -points
            for lot_id, remaining in cx.execute(_LOTS_TO_TAKE, (member_id,)):
                take = min(left, remaining)
                takes.append((take, lot_id))
                left -= take
                if not left:
                    break
            if left:
                return False
        entry_id = d["entry_id"]
        created_at = d["created_at"]
        kind = d["kind"]
        cx.execute(_INSERT_REMOTE, (entry_id, member_id, kind, points, d.get("amount_yen"), d.get("staff_id"),
                                    d.get("store_id") or "HQ", d.get("terminal_id") or "HQ", created_at,
                                    d.get("rule_set_version"), d.get("coupon_id"), d.get("reason")))
        if points > 0:
            created = parse_iso(created_at)
            lot_id = cx.execute(_INSERT_LOT, (member_id, entry_id, points, points,
                                              iso(expiry_for(self._rule_set_at(created), created)))).lastrowid
            cx.execute(_INSERT_MOVE, (entry_id, lot_id, points))
        elif takes:
            cx.executemany(_TAKE_LOT, takes)
            cx.executemany(_INSERT_MOVE, [(entry_id, lot_id, -take) for take, lot_id in takes])
        balance = member.balance + points
        spend = member.lifetime_spend_yen
        last_visit = member.last_visit_at
        if kind == "earn":
            spend += int(d.get("amount_yen") or 0)
            if not last_visit or created_at > last_visit:
                last_visit = created_at
        cx.execute(_UPDATE_MEMBER_BOOKED, (balance, spend, last_visit, member_id))
        set_committed_value(member, "balance", balance)
        set_committed_value(member, "lifetime_spend_yen", spend)
        set_committed_value(member, "last_visit_at", last_visit)
        return True

    def _book(self, s: Session, member: Member, d: dict, *, sync_state: str) -> LedgerEntry:
        """Write an entry that did not start at this counter (HQ's, another store's, a local
        reversal of a rejected event), keeping balance == sum(ledger) == sum(lots)."""
        created = parse_iso(d["created_at"])
        reverses = d.get("reverses_id")
        if reverses and s.scalars(select(LedgerEntry.seq).where(LedgerEntry.id == reverses)).first() is None:
            reverses = None
        if reverses and s.scalars(select(LedgerEntry.seq).where(LedgerEntry.reverses_id == reverses)).first():
            reverses = None  # unique: already reversed (should not happen)
        entry = LedgerEntry(id=d["entry_id"], member_id=member.id, kind=d["kind"], points=int(d["points"]),
                            amount_yen=d.get("amount_yen"), staff_id=d.get("staff_id"), store_id=d.get("store_id") or "HQ",
                            terminal_id=d.get("terminal_id") or "HQ", created_at=d["created_at"],
                            rule_set_version=d.get("rule_set_version"), reverses_id=reverses,
                            coupon_id=d.get("coupon_id"), reason=d.get("reason"),
                            request_hash=sync_state,  # no request of its own (ledger.SYNC_BOOKED)
                            sync_state=sync_state)
        s.add(entry)
        s.flush()
        points = entry.points
        if reverses:
            moves = s.scalars(select(LotMove).where(LotMove.entry_id == reverses)).all()
            given = 0
            for move in moves:
                lot = s.get(Lot, move.lot_id, populate_existing=True)  # _book_plain may have moved it
                back = -move.points
                if back < 0:
                    back = -min(-back, lot.remaining)
                lot.remaining += back
                given += back
                s.add(LotMove(entry_id=entry.id, lot_id=lot.id, points=back))
            points -= given
            orig = s.scalars(select(LedgerEntry).where(LedgerEntry.id == reverses)).first()
            if orig.kind == "earn" and orig.amount_yen:
                member.lifetime_spend_yen -= orig.amount_yen
            if orig.kind == "coupon" and orig.coupon_id:  # the use voided where it was made: usable again
                coupon = s.get(Coupon, orig.coupon_id)
                if coupon is not None and coupon.used_entry_id == orig.id:
                    coupon.used_at = coupon.used_entry_id = None
        if points > 0:
            rule_set = self._rule_set_at(created)
            lot = Lot(member_id=member.id, entry_id=entry.id, points=points, remaining=points,
                      expires_at=iso(expiry_for(rule_set, created)))
            s.add(lot)
            s.flush()
            s.add(LotMove(entry_id=entry.id, lot_id=lot.id, points=points))
        elif points < 0:
            left = -points
            for lot in s.scalars(select(Lot).where(Lot.member_id == member.id, Lot.remaining > 0)
                                 .order_by(Lot.expires_at, Lot.id).execution_options(populate_existing=True)):
                take = min(left, lot.remaining)
                lot.remaining -= take
                s.add(LotMove(entry_id=entry.id, lot_id=lot.id, points=-take))
                left -= take
                if not left:
                    break
            if left:
                raise LedgerRefused(f"A synced entry takes {left} pt more than this store's copy holds.",
                                    code="sync_shortfall", entry_id=entry.id)
        member.balance += entry.points
        if member.balance < 0:
            raise LedgerRefused("A synced entry would take the balance below zero.", code="sync_shortfall",
                                entry_id=entry.id)
        if entry.kind == "earn":
            member.lifetime_spend_yen += int(entry.amount_yen or 0)
            if not member.last_visit_at or entry.created_at > member.last_visit_at:
                member.last_visit_at = entry.created_at
        if entry.kind == "coupon" and entry.coupon_id:
            coupon = s.get(Coupon, entry.coupon_id)
            if coupon is not None and coupon.used_at is None:
                coupon.used_at, coupon.used_entry_id = entry.created_at, entry.id
        return entry

    # -- cards, keys, rules, coupons -------------------------------------------------------
    def _ch_card_revoke(self, s: Session, d: dict, now, summary, **_):
        card = s.scalars(select(Card).where(Card.kind == d.get("kind", "member_code"),
                                            Card.number == d["number"])).first()
        if card is None:
            member = self._live(s, d.get("member_id"))
            card = Card(member_id=member.id if member else None, kind=d.get("kind", "member_code"),
                        number=d["number"], key_id=d["number"].split(":")[0] if ":" in d["number"] else None,
                        status="revoked", created_at=d.get("at") or iso(now))
            s.add(card)
        card.status = "revoked"
        card.revoked_at = d.get("at") or iso(now)

    def _ch_card_migrated(self, s: Session, d: dict, now, summary, **_):
        card = s.scalars(select(Card).where(Card.kind == d.get("kind", "paper"), Card.number == d["number"])).first()
        member = self._live(s, d.get("member_id"))
        if card is None:
            card = Card(kind=d.get("kind", "paper"), number=d["number"], status="migrated",
                        created_at=d.get("at") or iso(now))
            s.add(card)
        card.member_id = member.id if member else card.member_id
        card.status = "migrated"
        card.migrated_at = d.get("at")
        card.migrated_store_id = d.get("store_id")

    def _ch_card_released(self, s: Session, d: dict, now, summary, **_):
        """The store that migrated a paper card voided that migration (HQ released the card): the
        card is free again. A migration of it this store made since and HQ has not judged yet
        stands here (the card.migrated above may just have written over it); HQ decides it next."""
        card = s.scalars(select(Card).where(Card.kind == d.get("kind", "paper"), Card.number == d["number"])).first()
        if card is None or card.status != "migrated":
            return
        own = None
        for e in s.scalars(select(LedgerEntry).where(  # ix_ledger_card: this card's few migrations
                LedgerEntry.card_id == card.id, LedgerEntry.kind == "migrate", LedgerEntry.sync_state == "pending",
                LedgerEntry.id != d.get("entry_id")).order_by(LedgerEntry.seq.desc())):
            if s.scalars(select(LedgerEntry.seq).where(LedgerEntry.reverses_id == e.id)).first() is None:
                own = e  # not voided
                break
        if own is not None:
            member = s.get(Member, own.member_id)
            card.member_id, card.migrated_at = own.member_id, own.created_at
            card.migrated_store_id, card.migrated_member_no = own.store_id, member.member_no if member else None
            return
        card.status, card.member_id = "active", None
        card.migrated_at = card.migrated_store_id = card.migrated_member_no = None

    def _ch_signing_key(self, s: Session, d: dict, now, summary, hq_public_key=None, **_):
        pub = bytes.fromhex(d["public_key"])
        if hq_public_key is not None and d.get("certificate"):
            if not _verify_cert(hq_public_key, d["key_id"], pub, d["owner"], d["certificate"]):
                self._conflict(s, "bad_key_certificate", None, {"key_id": d["key_id"], "owner": d["owner"]}, now)
                return
        key = s.get(SigningKey, d["key_id"])
        if key is None:
            s.add(SigningKey(key_id=d["key_id"], public_key=pub, owner=d["owner"], is_own=False,
                             revoked_at=d.get("revoked_at"), created_at=iso(now)))
        else:
            if key.public_key != pub:
                self._conflict(s, "key_mismatch", None, {"key_id": d["key_id"]}, now)
                return
            key.revoked_at = d.get("revoked_at")

    def _ch_rule_set(self, s: Session, d: dict, now, summary, **_):
        self.store.rules.install(s, parse_rule_set(d["body"]))

    def _ch_coupon(self, s: Session, d: dict, now, summary, **_):
        if not d.get("coupon_id") or s.get(Coupon, d["coupon_id"]) is not None:
            return
        member = self._live(s, d.get("member_id"))
        if member is None or member.status != "active":
            return
        title = d.get("template_id", "")
        try:
            tpl = self._rule_set_at(parse_iso(d["issued_at"])).coupon(d["template_id"])
        except Exception:  # noqa: BLE001
            tpl = None
        s.add(Coupon(id=d["coupon_id"], member_id=member.id, template_id=d["template_id"],
                     title_ja=tpl.name_ja if tpl else title, title_en=tpl.name_en if tpl else title,
                     kind=d.get("kind", "bonus_points"), value=int(d.get("value") or 0), issued_at=d["issued_at"],
                     expires_at=d["expires_at"]))

    # ---------------------------------------------------------------------------- checks
    def invariant_problems(self) -> list[str]:
        """member.balance == sum(ledger) == sum(lots.remaining) for every member (for tests/status)."""
        problems = []
        with self.store.db.read() as s:
            ledger = dict(s.execute(select(LedgerEntry.member_id, func.sum(LedgerEntry.points))
                                    .group_by(LedgerEntry.member_id)).all())
            lots = dict(s.execute(select(Lot.member_id, func.sum(Lot.remaining)).group_by(Lot.member_id)).all())
            for mid, bal in s.execute(select(Member.id, Member.balance)).all():
                if bal != (ledger.get(mid) or 0) or bal != (lots.get(mid) or 0):
                    problems.append(f"{mid}: balance {bal} ledger {ledger.get(mid) or 0} lots {lots.get(mid) or 0}")
        return problems

    def balances(self) -> dict[str, int]:
        with self.store.db.read() as s:
            return dict(s.execute(select(Member.id, Member.balance)).all())


def _verify_cert(hq_public: bytes, key_id: str, public: bytes, owner: str, certificate: str) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    msg = b"TSUMUGI-KEY-CERT|" + key_id.encode() + b"|" + public + b"|" + owner.encode()
    try:
        Ed25519PublicKey.from_public_bytes(hq_public).verify(bytes.fromhex(certificate), msg)
        return True
    except (InvalidSignature, ValueError):
        return False
