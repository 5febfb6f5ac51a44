"""Paper point cards (紙のポイントカード) moved onto a member, once and only once.

    check = store.migration.check_card(scanned_or_typed)      # refuses 移行済み at once
    q = store.migration.quote(stamps=14)                      # what the card is worth (rule set, cap)
    res = store.migration.migrate(actor, check.number, member_id, key, stamps=14, photo=jpeg_bytes)
    store.migration.reverse(card_number, winner={...})        # sync: HQ said another store won

A migration is one `migrate` ledger entry (idempotent by its key like every entry), a lot, the card
row (kind 'paper') marked migrated with when / where / to whom, an audit row and the outbox event
`ledger.migrate` carrying the card number, all in one transaction. HQ judges once-only across the
chain; when another store won, `reverse` books a void of the migrate entry (taking back only what is
left of the migrated points: the balance never goes below zero), marks the card as migrated
elsewhere and opens a conflict (要確認) for the manager with both sides' details.

The optional evidence photo is kept under the store's data folder, next to the database
(`<db dir>/evidence/<entry id>.jpg.enc`), encrypted with AES-256-GCM under a key derived from the
store database's key (app.db.seal; the entry id is authenticated with it); its SHA-256 (of the
plain photo) is on the ledger entry (`evidence_sha256`). `evidence_photo(entry_id)` reads it back.
Encryption at rest of these files comes with the database's (SQLCipher) later.
"""
from __future__ import annotations

import hashlib
import os
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import iso
from app.errors import InvalidInput, LedgerRefused, NotFound
from app.models import Card, Conflict, LedgerEntry, Lot, LotMove, Member, Outbox
from app.rules import stamps_to_points
from app.services.ledger import EntryResult, MAX_POINTS, _int, _key, _request_hash
from app.services.staff import require
from app.text import kana_key, nfkc, normalize_card_number, normalize_phone

LEGACY_KINDS = ("paper", "plastic")
MAX_STAMPS = 100_000
_REVERSE_NS = uuid.UUID("2b9f6a3e-0d1c-4c55-9a57-6b1f0a0e7c31")

_CODABAR = re.compile(r"^[A-D]([0-9$:/.+]+)[A-D]$")
_CODE39 = re.compile(r"^[0-9A-Z.$/+% ]+$")
_PRINTABLE = re.compile(r"^[\x21-\x7e]+$")
_TYPED = re.compile(r"^[0-9A-Z$:/.+%]+$")
MIN_LEN, MAX_LEN = 4, 32


def ean_check_digit(digits: str) -> int:
    """The EAN/JAN (GTIN) check digit for the data digits (same as app.scanning.decoders, without
    importing OpenCV into the counter's service)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        total += int(ch) * (3 if i % 2 == 0 else 1)
    return (10 - total % 10) % 10


def normalize_legacy_card(text: str, fmt: str | None = None) -> tuple[str, str | None]:
    """A scanned or typed paper card number → (stored form, format).

    NFKC, no spaces or hyphens (－ ー ‐ − too), upper case. Codabar (NW-7) start/stop letters A-D
    are dropped, so a scan and the number printed under the bars meet the same stored form.
    ``fmt`` is the scanner's format (EAN13, EAN8, CODE128, CODE39, CODABAR) or None when typed:
    a typed 13- or 8-digit number is taken as JAN (EAN-13/EAN-8) and its check digit verified.
    Raises InvalidInput (bad_card_number, bad_check_digit, member_code_not_card)."""
    raw = nfkc(text or "").strip()
    if not raw:
        raise InvalidInput("Nothing was read.", code="empty")
    if raw.startswith("TSG1"):
        raise InvalidInput("This is a member code, not a paper card.", code="member_code_not_card")
    fmt = (fmt or "").upper() or None
    number = normalize_card_number(raw)
    m = _CODABAR.match(number)
    if m and fmt in (None, "CODABAR"):
        number, fmt = m.group(1), "CODABAR"
    if not MIN_LEN <= len(number) <= MAX_LEN:
        raise InvalidInput(f"A card number has {MIN_LEN} to {MAX_LEN} characters.", code="bad_card_number",
                           field="card_number")
    if fmt is None and number.isdigit() and len(number) in (8, 13):
        fmt = "EAN13" if len(number) == 13 else "EAN8"
    if fmt in ("EAN13", "EAN8"):
        n = 13 if fmt == "EAN13" else 8
        if len(number) != n or not number.isdigit():
            raise InvalidInput("This is not a JAN/EAN number.", code="bad_card_number", field="card_number")
        if ean_check_digit(number[:-1]) != int(number[-1]):
            raise InvalidInput("The card number's check digit is wrong: please check the number.",
                               code="bad_check_digit", field="card_number")
    elif fmt == "CODE39":
        if not _CODE39.match(number):
            raise InvalidInput("This is not a CODE39 number.", code="bad_card_number", field="card_number")
    elif fmt == "CODE128":
        if not _PRINTABLE.match(number):
            raise InvalidInput("This is not a CODE128 number.", code="bad_card_number", field="card_number")
    elif fmt == "CODABAR":
        if not re.match(r"^[0-9$:/.+]+$", number):
            raise InvalidInput("This is not an NW-7 number.", code="bad_card_number", field="card_number")
    elif fmt is None:
        if not _TYPED.match(number):
            raise InvalidInput("A card number is letters and digits.", code="bad_card_number", field="card_number")
    else:
        raise InvalidInput(f"Unknown barcode format {fmt}.", code="bad_card_number", field="card_number")
    return number, fmt


@dataclass(frozen=True)
class CardCheck:
    number: str                  # the stored form
    format: str | None           # EAN13, EAN8, CODABAR, CODE39, CODE128 or None
    known: bool = False          # a card row exists (e.g. sent by HQ) but is not migrated
    member_id: str | None = None  # the member the card is already linked to, if any


@dataclass(frozen=True)
class MigrationQuote:
    points: int
    breakdown: list
    capped_from: int | None
    cap: int
    rule_set_version: str
    stamps: int | None = None


@dataclass(frozen=True)
class MigrationResult:
    entry: EntryResult
    card_number: str
    points: int
    capped_from: int | None = None
    evidence_path: str | None = None
    evidence_sha256: str | None = None

    @property
    def replayed(self) -> bool:
        return self.entry.replayed

    def as_dict(self) -> dict:
        return {**self.entry.as_dict(), "card_number": self.card_number, "capped_from": self.capped_from,
                "evidence_path": self.evidence_path, "evidence_sha256": self.evidence_sha256}


@dataclass(frozen=True)
class Suggestion:
    member: Member
    reasons: tuple[str, ...]  # "phone", "kana_birthday"


@dataclass(frozen=True)
class ReverseResult:
    card_number: str
    reversed_entry_id: str | None
    void_entry_id: str | None
    points_migrated: int
    points_taken_back: int
    points_not_recovered: int
    conflict_id: int | None
    member_id: str | None
    balance: int | None
    replayed: bool = False
    details: dict = field(default_factory=dict)


def already_migrated_error(card: Card, member_no: str | None) -> LedgerRefused:
    return LedgerRefused(
        f"This card was already migrated on {card.migrated_at} at store {card.migrated_store_id} "
        f"to member {member_no or '?'}.",
        code="already_migrated", card_number=card.number, migrated_at=card.migrated_at,
        store_id=card.migrated_store_id, member_no=member_no, member_id=card.member_id,
    )


class MigrationService:
    def __init__(self, store):
        self.store = store

    # -- paths ---------------------------------------------------------------------------------
    @property
    def evidence_dir(self) -> Path:
        return Path(self.store.db.path).resolve().parent / "evidence"

    def evidence_file(self, entry_id: str) -> Path:
        return self.evidence_dir / f"{entry_id}.jpg.enc"

    def evidence_photo(self, entry_id: str) -> bytes | None:
        """The decrypted evidence photo of a migrate entry (None when it has none)."""
        from app.db import unseal

        path = self.evidence_file(str(entry_id))
        if not path.is_file():
            return None
        return unseal(self.store.db.key, "evidence", str(entry_id), path.read_bytes())

    # -- reads ---------------------------------------------------------------------------------
    def _card(self, s: Session, number: str) -> Card | None:
        return s.scalars(select(Card).where(Card.kind.in_(LEGACY_KINDS), Card.number == number)
                         .order_by(Card.id)).first()

    def _migrated_member_no(self, s: Session, card: Card) -> str | None:
        if card.migrated_member_no:
            return card.migrated_member_no
        if card.member_id:
            m = s.get(Member, card.member_id)
            return m.member_no if m is not None else None
        return None

    def _normalise(self, text: str, fmt: str | None) -> tuple[str, str | None]:
        """normalize_legacy_card, except that a number this store already knows (imported from a
        ledger whose cards use their own 8/13-digit numbering, or sent by HQ) is taken as it is."""
        try:
            return normalize_legacy_card(text, fmt)
        except InvalidInput as exc:
            if exc.code != "bad_check_digit":
                raise
            number, _ = normalize_legacy_card(text, "CODE128")
            with self.store.db.read() as s:
                if self._card(s, number) is None:
                    raise
            return number, None

    def check_card(self, text: str, fmt: str | None = None) -> CardCheck:
        """Normalise and validate a scanned/typed paper card number; refuse at once (LedgerRefused
        code 'already_migrated', with migrated_at, store_id, member_no) if it was migrated here or
        HQ says it was migrated anywhere."""
        number, fmt = self._normalise(text, fmt)
        with self.store.db.read() as s:
            card = self._card(s, number)
            if card is None:
                return CardCheck(number, fmt)
            if card.status == "migrated":
                raise already_migrated_error(card, self._migrated_member_no(s, card))
            if card.status == "revoked":
                raise LedgerRefused("This card was cancelled and cannot be migrated.", code="card_revoked",
                                    card_number=number)
            return CardCheck(number, fmt, known=True, member_id=card.member_id)

    def quote(self, *, points=None, stamps=None, at: datetime | None = None) -> MigrationQuote:
        """What the card will carry: points as written on it, or stamps × the rule set's rate;
        capped by the rule set's per-card maximum either way. Nothing is written."""
        now = at or self.store.now()
        rule_set = self.store.rules.valid_at(now)
        return _quote(rule_set, points, stamps)

    def suggest_members(self, phone: str | None = None, name_kana: str | None = None, birthday=None,
                        limit: int = 10) -> list[Suggestion]:
        """Members the card may belong to: the same phone number, or the same name kana + birthday."""
        found: dict[str, list[str]] = {}
        members: dict[str, Member] = {}
        p = normalize_phone(phone) if phone else None
        b = None
        if birthday:
            from app.services.members import MemberService

            try:
                b = MemberService.clean_fields({"birthday": birthday})["birthday"]
            except InvalidInput:
                b = None
        k = kana_key(name_kana) if name_kana and name_kana.strip() else None
        with self.store.db.read() as s:
            live = Member.status == "active"
            if p:
                for m in s.scalars(select(Member).where(live, Member.phone == p).limit(limit)):
                    members[m.id] = m
                    found.setdefault(m.id, []).append("phone")
            if k and b:
                for m in s.scalars(select(Member).where(live, Member.kana_key == k, Member.birthday == b).limit(limit)):
                    members[m.id] = m
                    found.setdefault(m.id, []).append("kana_birthday")
        order = sorted(found, key=lambda mid: (-len(found[mid]), members[mid].member_no))
        return [Suggestion(members[mid], tuple(found[mid])) for mid in order[:limit]]

    # -- migrate -------------------------------------------------------------------------------
    def migrate(self, actor, card_number: str, member_id: str, key, *, points=None, stamps=None,
                photo: bytes | None = None, photo_path: str | Path | None = None, fmt: str | None = None,
                at: datetime | None = None) -> MigrationResult:
        """Move a paper card onto a member. `key` is the idempotency key made when the wizard
        opened: the same request again returns the original entry (replayed=True)."""
        require(actor, "cashier", "migrate paper cards")
        key = _key(key)
        number, fmt = self._normalise(card_number, fmt)
        if (points is None) == (stamps is None):
            raise InvalidInput("Give either the points or the stamps on the card.", code="points_or_stamps")
        points = None if points is None else _int(points, "points", 0, MAX_POINTS)
        stamps = None if stamps is None else _int(stamps, "stamps", 0, MAX_STAMPS)
        if photo is None and photo_path is not None:
            try:
                photo = Path(photo_path).read_bytes()
            except OSError:
                raise InvalidInput("The card photo could not be read.", code="photo_unreadable") from None
        rh = _request_hash("migrate", number, str(member_id), points, stamps)
        now = at or self.store.now()
        ledger = self.store.ledger

        tmp = final = None
        sha = None
        if photo:
            sha = hashlib.sha256(photo).hexdigest()
            folder = self.evidence_dir
            folder.mkdir(parents=True, exist_ok=True)
            final = self.evidence_file(key)
            tmp = folder / f".{key}.{uuid.uuid4().hex}.part"
            from app.db import seal

            sealed = seal(self.store.db.key, "evidence", str(key), photo)
            with open(tmp, "wb") as f:
                f.write(sealed)
                f.flush()
                os.fsync(f.fileno())
        try:
            with self.store.db.write() as s:
                replay = ledger._replay(s, key, rh)
                if replay is not None:
                    old = s.scalars(select(LedgerEntry).where(LedgerEntry.id == key)).first()
                    path = self.evidence_file(key)
                    return MigrationResult(replay, number, replay.points, _capped_from(old.breakdown),
                                           str(path) if old.evidence_sha256 else None, old.evidence_sha256)
                card = self._card(s, number)
                if card is not None and card.status == "migrated":
                    raise already_migrated_error(card, self._migrated_member_no(s, card))
                if card is not None and card.status == "revoked":
                    raise LedgerRefused("This card was cancelled and cannot be migrated.", code="card_revoked",
                                        card_number=number)
                member = ledger._member(s, member_id)
                ledger._expire_due(s, member, now)
                rule_set = self.store.rules.valid_at(now)
                q = _quote(rule_set, points, stamps)
                if card is None:
                    card = Card(kind="paper", number=number, status="active", created_at=iso(now))
                    s.add(card)
                    s.flush()
                entry = ledger._add_entry(s, actor, member, "migrate", q.points, key=key, request_hash=rh, now=now,
                                          rule_set_version=rule_set.version, breakdown=q.breakdown,
                                          card_id=card.id, reason=f"paper card {number}")
                entry.evidence_sha256 = sha
                ledger._credit_lot(s, member, entry, q.points, now, rule_set)
                card.status = "migrated"
                card.member_id = member.id
                card.migrated_at = iso(now)
                card.migrated_store_id = self.store.store_id
                card.migrated_member_no = member.member_no
                box = s.scalars(select(Outbox).where(Outbox.event_id == key)).one()
                box.payload = {**box.payload, "card_number": number, "card_kind": card.kind, "card_format": fmt,
                               "stamps": stamps, "points_on_card": points, "capped_from": q.capped_from,
                               "member_no": member.member_no, "evidence_sha256": sha}
                self.store.audit.record(s, actor, "card.migrate", "card", number, None,
                                        {"member_id": member.id, "entry_id": key, "points": q.points,
                                         "stamps": stamps, "evidence_sha256": sha})
                result = ledger._result(s, entry, member)
            if tmp is not None:
                os.replace(tmp, final)
                tmp = None
            return MigrationResult(result, number, q.points, q.capped_from, str(final) if final else None, sha)
        finally:
            if tmp is not None:
                try:
                    tmp.unlink()
                except OSError:
                    pass

    # -- HQ said another store won --------------------------------------------------------------
    def reverse(self, card_number: str, *, winner: dict, at: datetime | None = None) -> ReverseResult:
        """Undo this store's migration of a card because HQ says another store migrated it first.

        Books a `void` entry reversing the migrate entry, taking back only what is still left of the
        migrated points (their lot's remaining): the balance never goes negative; what was already
        spent is reported in the conflict (points_not_recovered) for the manager to settle. The card
        is then recorded as migrated at the winner's store, to the winner's member, so the next
        scan here says 移行済み with the right when/where/whom. A conflict 'card_migrated_elsewhere'
        with both sides' details is opened. Idempotent: calling it again changes nothing.

        winner: {"store_id" (required), "migrated_at", "member_id", "member_no", "entry_id"}.
        """
        from app.store import SYSTEM

        if not isinstance(winner, dict) or not winner.get("store_id"):
            raise InvalidInput("The winner must name its store.", code="bad_winner")
        number = normalize_card_number(card_number)
        now = at or self.store.now()
        ledger = self.store.ledger
        with self.store.db.write() as s:
            card = self._card(s, number)
            if card is None:
                raise NotFound("This store has no such paper card.", code="unknown_card")
            original = s.scalars(select(LedgerEntry).where(
                LedgerEntry.kind == "migrate", LedgerEntry.card_id == card.id,
                LedgerEntry.store_id == self.store.store_id).order_by(LedgerEntry.seq.desc())).first()
            local = {"store_id": self.store.store_id, "migrated_at": card.migrated_at,
                     "member_id": card.member_id, "member_no": card.migrated_member_no,
                     "entry_id": original.id if original else None}
            if original is None:
                # Nothing booked here (e.g. HQ's verdict arrives after a counter void): just record the winner.
                self._mark_winner(s, card, winner)
                return ReverseResult(number, None, None, 0, 0, 0, None, None, None, details={"local": local})
            rkey = str(uuid.uuid5(_REVERSE_NS, f"reverse:{original.id}"))
            done = s.scalars(select(LedgerEntry).where(LedgerEntry.id == rkey)).first()
            conflict = s.scalars(select(Conflict).where(Conflict.kind == "card_migrated_elsewhere",
                                                        Conflict.member_id == original.member_id)
                                 .order_by(Conflict.id.desc())).all()
            conflict = next((c for c in conflict if (c.details or {}).get("local", {}).get("entry_id") == original.id),
                            None)
            member = s.get(Member, original.member_id)
            if conflict is not None:
                d = conflict.details
                return ReverseResult(number, original.id, d.get("void_entry_id"), d["points_migrated"],
                                     d["points_taken_back"], d["points_not_recovered"], conflict.id, member.id,
                                     member.balance, replayed=True, details=d)
            lot = s.scalars(select(Lot).where(Lot.entry_id == original.id)).first()
            voided = s.scalars(select(LedgerEntry).where(LedgerEntry.reverses_id == original.id)).first()
            take = 0
            void_id = None
            if voided is None and done is None:
                take = lot.remaining if lot is not None else 0
                entry = ledger._add_entry(
                    s, SYSTEM, member, "void", -take, key=rkey,
                    request_hash=_request_hash("reverse_migrate", original.id), now=now,
                    rule_set_version=original.rule_set_version, reverses_id=original.id, card_id=card.id,
                    reason="paper card migrated at another store first (HQ)")
                if take:
                    lot.remaining -= take
                    s.add(LotMove(entry_id=entry.id, lot_id=lot.id, points=-take))
                void_id = entry.id
            elif voided is not None:
                void_id = voided.id
            already_voided = voided is not None
            migrated = original.points
            not_recovered = 0 if already_voided else migrated - take
            details = {
                "card_number": number, "local": local,
                "winner": {k: winner.get(k) for k in ("store_id", "migrated_at", "member_id", "member_no", "entry_id")},
                "points_migrated": migrated, "points_taken_back": take, "points_not_recovered": not_recovered,
                "already_voided_here": already_voided, "void_entry_id": void_id,
            }
            self._mark_winner(s, card, winner)
            c = Conflict(kind="card_migrated_elsewhere", created_at=iso(now), member_id=member.id,
                         details=details, status="open")
            s.add(c)
            s.flush()
            self.store.audit.record(s, SYSTEM, "card.migration_reversed", "card", number, local,
                                    {"winner_store_id": winner.get("store_id"), "points_taken_back": take,
                                     "points_not_recovered": not_recovered, "conflict_id": c.id})
            return ReverseResult(number, original.id, void_id, migrated, take, not_recovered, c.id, member.id,
                                 member.balance, details=details)

    def _mark_winner(self, s: Session, card: Card, winner: dict) -> None:
        wid = winner.get("member_id")
        card.status = "migrated"
        card.member_id = wid if wid and s.get(Member, wid) is not None else None
        card.migrated_at = winner.get("migrated_at") or card.migrated_at
        card.migrated_store_id = winner["store_id"]
        card.migrated_member_no = winner.get("member_no")


def _capped_from(breakdown) -> int | None:
    for line in breakdown or []:
        if line.get("kind") == "card_cap":
            return line.get("capped_from")
    return None


def _quote(rule_set, points, stamps) -> MigrationQuote:
    if (points is None) == (stamps is None):
        raise InvalidInput("Give either the points or the stamps on the card.", code="points_or_stamps")
    cap = rule_set.stamps.max_points_per_card
    if stamps is not None:
        stamps = _int(stamps, "stamps", 0, MAX_STAMPS)
        rate = rule_set.stamps.points_per_stamp
        raw = stamps * rate
        pts = stamps_to_points(rule_set, stamps)
        lines = [{"label": f"{stamps} stamps × {rate} pt", "kind": "stamps", "stamps": stamps,
                  "points_per_stamp": rate, "points": raw, "factor": None, "rule_id": None}]
    else:
        points = _int(points, "points", 0, MAX_POINTS)
        raw = points
        pts = min(points, cap)
        lines = [{"label": f"{points:,} pt on the card", "kind": "card_points", "points": raw,
                  "factor": None, "rule_id": None}]
    capped_from = raw if pts < raw else None
    if capped_from is not None:
        lines.append({"label": f"capped at {cap:,} pt per card", "kind": "card_cap", "points": pts - raw,
                      "cap": cap, "capped_from": raw, "factor": None, "rule_id": None})
    return MigrationQuote(pts, lines, capped_from, cap, rule_set.version, stamps)
