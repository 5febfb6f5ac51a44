"""Paper stamp cards moved onto a member (移行): stamps → points once, chain-wide.

The card is marked 移行済み here at once; HQ decides chain-wide (first commit wins). If another
store migrated the same card first, HQ books a reversal and this store's manager gets a conflict
(see app/services/replica.py). Scanning a migrated card again says when and where.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.clock import iso
from app.errors import InvalidInput, LedgerRefused
from app.models import Card, Outbox
from app.rules import stamps_to_points
from app.services.ledger import EntryResult, _int, _key, _request_hash
from app.services.staff import require
from app.text import normalize_card_number


class PaperCardService:
    def __init__(self, store):
        self.store = store

    def migrate(self, actor, member_id: str, card_number: str, stamps: int, key, *,
                at: datetime | None = None) -> EntryResult:
        require(actor, "cashier", "migrate paper cards")
        key = _key(key)
        number = normalize_card_number(card_number or "")
        if not number:
            raise InvalidInput("The card number is empty.", code="bad_card_number")
        stamps = _int(stamps, "stamps", 1, 10_000)
        rh = _request_hash("migrate", member_id, number, stamps)
        now = at or self.store.now()
        ledger = self.store.ledger
        with self.store.db.write() as s:
            replay = ledger._replay(s, key, rh)
            if replay:
                return replay
            card = s.scalars(select(Card).where(Card.kind == "paper", Card.number == number)).first()
            if card is not None and card.status == "migrated":
                raise LedgerRefused(f"This card was already migrated on {card.migrated_at} at store "
                                    f"{card.migrated_store_id}.", code="card_already_migrated",
                                    migrated_at=card.migrated_at, store_id=card.migrated_store_id)
            member = ledger._member(s, member_id)
            rule_set = self.store.rules.valid_at(now)
            points = stamps_to_points(rule_set, stamps)
            if card is None:
                card = Card(kind="paper", number=number, status="active", created_at=iso(now))
                s.add(card)
                s.flush()
            card.member_id = member.id
            card.status = "migrated"
            card.migrated_at = iso(now)
            card.migrated_store_id = self.store.store_id
            entry = ledger._add_entry(s, actor, member, "migrate", points, key=key, request_hash=rh, now=now,
                                      rule_set_version=rule_set.version, card_id=card.id,
                                      reason=f"paper card {stamps} stamps",
                                      breakdown=[{"label": f"{stamps} stamps", "kind": "migrate", "points": points,
                                                  "factor": None, "rule_id": None}])
            ledger._credit_lot(s, member, entry, points, now, rule_set)
            row = s.scalars(select(Outbox).where(Outbox.event_id == key)).one()
            row.payload = dict(row.payload, card={"kind": "paper", "number": number}, stamps=stamps)
            return ledger._result(s, entry, member)
