"""Members and their cards: register with little typing, find by anything a customer can show or
say, member codes signed with this store's key and verified offline."""
from __future__ import annotations

import json
import os
import struct
import uuid
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace

from sqlalchemy import JSON, Boolean, func, or_, select, text
from sqlalchemy.orm import Session, make_transient_to_detached

from app import codes
from app.clock import iso
from app.db import dbapi_of
from app.errors import CodeRefused, InvalidInput, NotFound
from app.models import Card, LedgerEntry, Member, Setting, SigningKey
from app.secrets import get_secret
from app.text import (
    is_kana,
    kana_key,
    nfkc,
    normalize_card_number,
    normalize_email,
    normalize_phone,
    phone_digits,
)

EDITABLE_FIELDS = ("name", "name_kana", "phone", "email", "birthday", "consent_marketing", "line_user_id")


@dataclass(frozen=True)
class Registration:
    member: Member
    code: str
    replayed: bool = False


def luhn_digit(digits: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def signing_secret_name(key_id: str) -> str:
    return f"signing-key:{key_id}"


# The counter's reads (a scanned code → the member; the points actions' member row) as plain SQL
# on the DB-API connection (app.db.dbapi_of): no ORM load, no Core compilation per call.
_PUBLIC_KEYS = "SELECT key_id, public_key, revoked_at FROM signing_keys"
_PUBLIC_KEY = _PUBLIC_KEYS + " WHERE key_id = ?"
_CODE_CARD_STATUS = "SELECT status FROM cards WHERE kind = 'member_code' AND number = ?"
_POINTS_FIELDS = ("id", "status", "merged_into", "balance", "tier", "lifetime_spend_yen", "last_visit_at",
                  "birthday", "updated_at")
_POINTS_ROW = f"SELECT {', '.join(_POINTS_FIELDS)} FROM members WHERE id = ?"
_MEMBER_FIELDS = tuple(c.name for c in Member.__table__.columns)  # = the mapped attribute names
_MEMBER_ROW = f"SELECT {', '.join(_MEMBER_FIELDS)} FROM members WHERE id = ?"
_MEMBER_JSON = frozenset(c.name for c in Member.__table__.columns if isinstance(c.type, JSON))
_MEMBER_BOOL = frozenset(c.name for c in Member.__table__.columns if isinstance(c.type, Boolean))


def _member_from_row(values: dict) -> Member:
    """A Member as an ORM load followed by the session's close would hand it back (detached, every
    column loaded, no history), from the row's values as the DB-API gives them."""
    for name in _MEMBER_JSON:
        if values[name] is not None:
            values[name] = json.loads(values[name])
    for name in _MEMBER_BOOL:
        if values[name] is not None:
            values[name] = bool(values[name])
    member = Member(**values)
    make_transient_to_detached(member)
    return member


def _follow_merges(get, member_id: str):
    """get(member_id) → the member (an object with status and merged_into) or None; merged
    members lead to the one they were merged into; a missing or deleted member is NotFound."""
    member = get(member_id)
    hops = 0
    while member is not None and member.status == "merged" and member.merged_into and hops < 10:
        member = get(member.merged_into)
        hops += 1
    if member is None:
        raise NotFound("No such member.", code="unknown_member")
    if member.status == "deleted":
        raise NotFound("This member's data was deleted at their request.", code="member_deleted")
    return member


class MemberService:
    def __init__(self, store):
        self.store = store

    # -- validation -------------------------------------------------------------------------
    @staticmethod
    def clean_fields(fields: dict) -> dict:
        """Normalise and validate profile fields; raises InvalidInput naming the field."""
        out = {}
        for key, value in fields.items():
            if key not in EDITABLE_FIELDS:
                raise InvalidInput(f"Unknown member field {key!r}.", code="unknown_field", field=key)
            if key == "name_kana":
                v = nfkc(value or "").strip()
                if not v or not is_kana(v):
                    raise InvalidInput("Name kana must be written in kana (フリガナ).", code="bad_kana", field=key)
                out[key] = v
            elif key == "phone":
                if value in (None, ""):
                    out[key] = None
                else:
                    p = normalize_phone(value)
                    if p is None:
                        raise InvalidInput("That phone number does not look right (10 or 11 digits, starting with 0).",
                                           code="bad_phone", field=key)
                    out[key] = p
            elif key == "email":
                if value in (None, ""):
                    out[key] = None
                else:
                    e = normalize_email(value)
                    if e is None:
                        raise InvalidInput("That e-mail address does not look right.", code="bad_email", field=key)
                    out[key] = e
            elif key == "birthday":
                if value in (None, ""):
                    out[key] = None
                else:
                    try:
                        d = value if isinstance(value, date) else date.fromisoformat(nfkc(str(value)).replace("/", "-"))
                    except ValueError:
                        raise InvalidInput("That birthday is not a real date (YYYY-MM-DD).", code="bad_birthday",
                                           field=key) from None
                    out[key] = d.isoformat()
            elif key == "consent_marketing":
                out[key] = bool(value)
            else:
                out[key] = (nfkc(value).strip() or None) if value is not None else None
        return out

    # -- registration -----------------------------------------------------------------------
    def _next_member_no(self, s: Session) -> str:
        row = s.get(Setting, "member_seq")
        seq = int(row.value) + 1 if row else 1
        s.merge(Setting(key="member_seq", value=str(seq)))
        digits = "".join(ch for ch in nfkc(self.store.store_id) if ch.isdigit())[-3:]
        prefix = digits.zfill(3) if digits else str(int.from_bytes(self.store.store_id.encode(), "big") % 1000).zfill(3)
        body = f"{prefix}{seq:07d}"
        return body + luhn_digit(body)

    def register(self, actor, name_kana: str, *, name: str | None = None, phone: str | None = None,
                 email: str | None = None, birthday=None, consent_marketing: bool = False,
                 member_id: str | None = None) -> Registration:
        """Register a member. member_id is the idempotency key (made when the cashier opened the
        form): registering it again returns the same member and code."""
        from app.services.staff import require

        require(actor, "cashier", "register members")
        fields = self.clean_fields({
            "name_kana": name_kana, "name": name, "phone": phone, "email": email,
            "birthday": birthday, "consent_marketing": consent_marketing,
        })
        member_id = str(uuid.UUID(str(member_id))) if member_id else str(uuid.uuid4())
        now = iso(self.store.now())
        with self.store.db.write() as s:
            existing = s.get(Member, member_id)
            if existing is not None:
                card = s.scalars(select(Card).where(Card.member_id == member_id, Card.kind == "member_code",
                                                    Card.status == "active")).first()
                return Registration(existing, self._code_for(s, card), replayed=True)
            member = Member(
                id=member_id, member_no=self._next_member_no(s), name=fields["name"],
                name_kana=fields["name_kana"], kana_key=kana_key(fields["name_kana"]),
                phone=fields["phone"], email=fields["email"], birthday=fields["birthday"],
                tier=None, status="active", home_store_id=self.store.store_id,
                consent_marketing=fields["consent_marketing"],
                consent_at=now if fields["consent_marketing"] else None,
                field_times={k: now for k in fields}, balance=0, lifetime_spend_yen=0,
                created_at=now, updated_at=now,
            )
            s.add(member)
            s.flush()
            card = self._issue_card(s, member.id, now)
            self.store.audit.record(s, actor, "member.register", "member", member.id, None,
                                    {"member_no": member.member_no, "consent_marketing": member.consent_marketing})
            self._outbox_member(s, member, list(fields))
            code = self._code_for(s, card)
        return Registration(member, code)

    def _own_key(self, s: Session) -> SigningKey:
        key = s.scalars(select(SigningKey).where(SigningKey.is_own.is_(True), SigningKey.revoked_at.is_(None))
                        .order_by(SigningKey.created_at.desc())).first()
        if key is None:
            raise InvalidInput("This store has no signing key: run 'init' first.", code="no_signing_key")
        return key

    def _issue_card(self, s: Session, member_id: str, now: str) -> Card:
        key = self._own_key(s)
        while True:
            serial = struct.unpack(">I", os.urandom(4))[0]
            number = f"{key.key_id}:{serial}"
            if s.scalars(select(Card.id).where(Card.kind == "member_code", Card.number == number)).first() is None:
                break
        card = Card(member_id=member_id, kind="member_code", number=number, key_id=key.key_id,
                    status="active", created_at=now)
        s.add(card)
        s.flush()
        return card

    def _code_for(self, s: Session, card: Card | None) -> str:
        if card is None:
            raise NotFound("This member has no active member card; reissue one.", code="no_active_card")
        key_id, serial = card.number.split(":")
        secret = get_secret(signing_secret_name(key_id))
        if secret is None:
            raise InvalidInput("The signing key for this card is not in this computer's keyring.",
                               code="signing_key_missing")
        return codes.encode(bytes.fromhex(secret), key_id, card.member_id, int(serial))

    def code(self, member_id: str) -> str:
        """The member's current code (for showing or printing the card again)."""
        with self.store.db.read() as s:
            card = s.scalars(select(Card).where(Card.member_id == member_id, Card.kind == "member_code",
                                                Card.status == "active").order_by(Card.id.desc())).first()
            return self._code_for(s, card)

    def reissue(self, actor, member_id: str) -> str:
        """A new card serial; the old member code is revoked at once (and at other stores by sync)."""
        from app.services.staff import require

        require(actor, "cashier", "reissue member cards")
        now = iso(self.store.now())
        with self.store.db.write() as s:
            member = self._get_active(s, member_id)
            old = s.scalars(select(Card).where(Card.member_id == member.id, Card.kind == "member_code",
                                               Card.status == "active")).all()
            for card in old:
                card.status = "revoked"
                card.revoked_at = now
                self._outbox(s, "card.revoke", {"card": card.number, "member_id": member.id, "at": now})
            card = self._issue_card(s, member.id, now)
            self.store.audit.record(s, actor, "member.reissue_card", "member", member.id,
                                    {"revoked": [c.number for c in old]}, {"card": card.number})
            return self._code_for(s, card)

    # -- lookup -----------------------------------------------------------------------------
    def get(self, member_id: str) -> Member:
        with self.store.db.read() as s:
            return self._get_active(s, member_id)

    def _get_active(self, s: Session, member_id: str) -> Member:
        return _follow_merges(lambda mid: s.get(Member, mid), member_id)

    def _active_row(self, s, member_id: str) -> SimpleNamespace:
        """What the points actions read and change on a member, as a plain row (one SELECT, no ORM
        identity): merges followed and deleted members refused as `_get_active` does. `s`: a
        Session or the DB-API connection of a raw transaction."""
        cx = dbapi_of(s)

        def get(mid):
            row = cx.execute(_POINTS_ROW, (mid,)).fetchone()
            # _as_read: the values before the action, so the ledger's UPDATE writes only what changed
            return None if row is None else SimpleNamespace(**dict(zip(_POINTS_FIELDS, row)), _as_read=row)

        return _follow_merges(get, member_id)

    def public_keys(self, s, key_id: str | None = None) -> dict[str, tuple[bytes, bool]]:
        """Key id → (raw public key, revoked): every key this store holds, or only ``key_id``'s
        (a scan needs one; a chain's store holds one per store)."""
        cx = dbapi_of(s)
        rows = cx.execute(_PUBLIC_KEYS).fetchall() if key_id is None else cx.execute(_PUBLIC_KEY, (key_id,)).fetchall()
        return {k: (pub, revoked is not None) for k, pub, revoked in rows}

    def verify_code(self, text: str) -> Member:
        """A scanned member code → the member. Raises CodeRefused with a distinct code. (The
        counter's scan: one read transaction on the DB-API connection, three small SELECTs.)"""
        with self.store.db.raw_read() as cx:
            parsed = codes.verify(text, self.public_keys(cx, codes.parse(text).key_id))
            status = cx.execute(_CODE_CARD_STATUS, (f"{parsed.key_id}:{parsed.serial}",)).fetchone()
            if status is not None and status[0] == "revoked":
                raise CodeRefused("This member card was replaced by a newer one; ask for the new card.",
                                  code="revoked")

            def get(mid):
                row = cx.execute(_MEMBER_ROW, (mid,)).fetchone()
                return None if row is None else SimpleNamespace(**dict(zip(_MEMBER_FIELDS, row)))

            try:
                row = _follow_merges(get, parsed.member_id)
            except NotFound as exc:
                raise CodeRefused(str(exc), code=exc.code) from None
        return _member_from_row(vars(row))

    def resolve(self, text: str) -> Member:
        """What the cashier scanned or typed → one member: a member code, a member number or a
        legacy card number. Raises CodeRefused / NotFound with a clear message."""
        raw = nfkc(text or "").strip()
        if not raw:
            raise InvalidInput("Nothing was read.", code="empty")
        if codes.looks_like_member_code(raw):
            return self.verify_code(raw)
        number = normalize_card_number(raw)
        with self.store.db.read() as s:
            member = s.scalars(select(Member).where(Member.member_no == number)).first()
            if member is not None:
                return self._get_active(s, member.id)
            card = s.scalars(select(Card).where(Card.kind.in_(("paper", "plastic")), Card.number == number)).first()
            if card is not None and card.member_id:
                return self._get_active(s, card.member_id)
        raise NotFound("No member has this number or card.", code="unknown_card")

    def find(self, query: str, limit: int = 50) -> list[Member]:
        """Search by member code, member number, card number, phone (any form) or name kana
        (partial, hiragana/katakana-insensitive)."""
        raw = nfkc(query or "").strip()
        if not raw:
            return []
        if codes.looks_like_member_code(raw):
            try:
                return [self.verify_code(raw)]
            except (CodeRefused, NotFound):
                return []
        live = Member.status == "active"
        with self.store.db.read() as s:
            digits = phone_digits(raw)
            if digits:
                number = normalize_card_number(raw)
                results: dict[str, Member] = {}
                for m in s.scalars(select(Member).where(live, Member.member_no == number)):
                    results[m.id] = m
                card_members = select(Card.member_id).where(Card.kind.in_(("paper", "plastic")), Card.number == number)
                for m in s.scalars(select(Member).where(live, Member.id.in_(card_members))):
                    results[m.id] = m
                full = normalize_phone(raw)
                if full:
                    cond = Member.phone == full
                elif len(digits) >= 4:
                    cond = Member.phone.between(digits, digits + "\uffff")
                else:
                    cond = None
                if cond is not None:
                    # In index order, so a short prefix matching many members stops after `limit`.
                    for m in s.scalars(select(Member).where(live, cond).order_by(Member.phone).limit(limit)):
                        results[m.id] = m
                return list(results.values())[:limit]
            email = normalize_email(raw)
            if email:
                return list(s.scalars(select(Member).where(live, Member.email == email).limit(limit)))
            key = kana_key(raw)
            # Readings that start with the query first, in kana order (the index, stopping at limit).
            found = list(s.scalars(select(Member).where(live, Member.kana_key.between(key, key + "\uffff"))
                                   .order_by(Member.kana_key).limit(limit)))
            if len(found) < limit and len(key) >= 2:
                # Then readings that contain it elsewhere (e.g. the given name), only as many as
                # are missing: those starting with it are left out by the query, not fetched.
                seen = {m.id for m in found}
                found += [m for m in self._kana_containing(s, key, limit - len(found), scan=not found)
                          if m.id not in seen]
            return found

    @staticmethod
    def _kana_containing(s: Session, key: str, limit: int, *, scan: bool) -> list[Member]:
        """Active members whose kana key contains `key` (already a kana_key) but does not start
        with it (the prefix search has those). Three characters or more: the FTS5 trigram index
        (search_member_kana_fts, kept in step with members by triggers). Two: no trigram to look
        up, so a scan of the narrow search table, and only when `scan` (the prefix search found
        nothing). The prefix test is on the narrow table's copy of the key, so a member row (a
        random page of the large members table) is read only for a member that is returned."""
        not_prefix = "NOT (k.kana_key BETWEEN :key AND :key_end)"  # the prefix search's own test
        bounds = {"key": key, "key_end": key + "\uffff", "limit": limit}
        if len(key) >= 3:
            phrase = '"' + key.replace('"', '""') + '"'
            stmt = text("SELECT m.* FROM search_member_kana_fts f "
                        "JOIN search_member_kana k ON k.id = f.rowid JOIN members m ON m.id = k.member_id "
                        f"WHERE search_member_kana_fts MATCH :phrase AND {not_prefix} AND m.status = 'active' "
                        "LIMIT :limit")
            return list(s.scalars(select(Member).from_statement(stmt), {"phrase": phrase, **bounds}))
        if not scan:
            return []
        escaped = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = text("SELECT m.* FROM search_member_kana k JOIN members m ON m.id = k.member_id "
                    f"WHERE k.kana_key LIKE :pattern ESCAPE '\\' AND {not_prefix} AND m.status = 'active' "
                    "LIMIT :limit")
        return list(s.scalars(select(Member).from_statement(stmt), {"pattern": f"%{escaped}%", **bounds}))

    def pending_points(self, member_id: str) -> int:
        with self.store.db.read() as s:
            return s.scalar(select(func.coalesce(func.sum(LedgerEntry.points), 0))
                            .where(LedgerEntry.member_id == member_id, LedgerEntry.sync_state == "pending"))

    # -- updates ----------------------------------------------------------------------------
    def update(self, actor, member_id: str, **fields) -> Member:
        """Edit profile fields; each changed field gets its own time (per-field last writer wins)."""
        from app.services.staff import require

        require(actor, "cashier", "edit member details")
        clean = self.clean_fields(fields)
        now = iso(self.store.now())
        with self.store.db.write() as s:
            member = self._get_active(s, member_id)
            before, after = {}, {}
            times = dict(member.field_times or {})
            for key, value in clean.items():
                if getattr(member, key) != value:
                    before[key] = getattr(member, key)
                    after[key] = value
                    setattr(member, key, value)
                    times[key] = now
                    if key == "name_kana":
                        member.kana_key = kana_key(value)
                    if key == "consent_marketing":
                        member.consent_at = now
            if not after:
                return member
            member.field_times = times
            member.updated_at = now
            self.store.audit.record(s, actor, "member.update", "member", member.id,
                                    {k: "…" for k in before}, {k: "…" for k in after} | {"fields": sorted(after)})
            self._outbox_member(s, member, sorted(after))
            return member

    # -- outbox -----------------------------------------------------------------------------
    def _outbox_member(self, s: Session, member: Member, fields: list[str]) -> None:
        payload = {
            "member_id": member.id, "member_no": member.member_no, "home_store_id": member.home_store_id,
            "fields": {f: getattr(member, f) for f in fields}, "field_times": {f: member.field_times[f] for f in fields},
        }
        self._outbox(s, "member.upsert", payload)

    def _outbox(self, s: Session, type_: str, payload: dict) -> None:
        from app.models import Outbox

        s.add(Outbox(event_id=str(uuid.uuid4()), type=type_, payload=payload, created_at=iso(self.store.now())))
