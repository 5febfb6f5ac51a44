"""Paper point cards (紙のポイントカード) moved onto a member, once and only once.

    check = store.migration.check_card(scanned_or_typed)      # refuses 移行済み at once
    q = store.migration.quote(stamps=14)                      # what the card is worth (rule set, cap)
    res = store.migration.migrate(actor, check.number, member_id, key, stamps=14, photo=jpeg_bytes)

A migration is one `migrate` ledger entry (idempotent by its key like every entry), a lot, the card
row (kind 'paper') marked migrated with when / where / to whom, an audit row and the outbox event
`ledger.migrate` carrying the card number, all in one transaction. HQ judges once-only across the
chain: when another store won, HQ books the reversal (taking back only what is left of the migrated
points: the balance never goes below zero) and a `migration_lost` conflict (要確認); both reach this
store through sync (app.services.replica), and the card row then says where it was migrated.

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
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import iso
from app.errors import InvalidInput, LedgerRefused
from app.models import Card, LedgerEntry, Member, Outbox
from app.rules import stamps_to_points
from app.services.ledger import EntryResult, MAX_POINTS, _int, _key, _request_hash
from app.services.staff import require
from app.text import kana_key, nfkc, normalize_card_number, normalize_phone

LEGACY_KINDS = ("paper", "plastic")
MAX_STAMPS = 100_000

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
