"""Coupons: issued to a member from a rule-set template, used once, until they expire."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select

from app.clock import iso, parse_iso
from app.errors import InvalidInput, LedgerRefused, NotFound
from app.models import Coupon, LedgerEntry
from app.services.ledger import EntryResult, _key, _request_hash
from app.services.staff import require


class CouponService:
    def __init__(self, store):
        self.store = store

    def issue(self, actor, member_id: str, template_id: str, key=None, *, at: datetime | None = None) -> Coupon:
        """Issue a coupon from the current rule set's template. `key` (a UUID) makes it idempotent."""
        require(actor, "manager", "issue coupons")
        coupon_id = _key(key or uuid.uuid4())
        now = at or self.store.now()
        rule_set = self.store.rules.valid_at(now)
        template = next((t for t in rule_set.coupons if t.id == template_id), None)
        if template is None:
            raise NotFound(f"The rule set has no coupon {template_id!r}.", code="unknown_coupon_template")
        with self.store.db.write() as s:
            existing = s.get(Coupon, coupon_id)
            if existing is not None:
                return existing
            member = self.store.members._get_active(s, member_id)
            value = template.points if template.kind == "bonus_points" else template.yen
            coupon = Coupon(
                id=coupon_id, member_id=member.id, template_id=template.id, title_ja=template.name_ja,
                title_en=template.name_en, kind=template.kind, value=int(value), issued_at=iso(now),
                expires_at=iso(now + timedelta(hours=template.valid_hours)),
            )
            s.add(coupon)
            self.store.members._outbox(s, "coupon.issue", {
                "coupon_id": coupon.id, "member_id": member.id, "template_id": template.id,
                "kind": coupon.kind, "value": coupon.value, "issued_at": coupon.issued_at,
                "expires_at": coupon.expires_at})
            self.store.audit.record(s, actor, "coupon.issue", "coupon", coupon.id, None,
                                    {"member_id": member.id, "template_id": template.id})
            return coupon

    def available(self, member_id: str, at: datetime | None = None) -> list[Coupon]:
        now = iso(at or self.store.now())
        with self.store.db.read() as s:
            return list(s.scalars(select(Coupon).where(Coupon.member_id == member_id, Coupon.used_at.is_(None),
                                                       Coupon.expires_at > now).order_by(Coupon.expires_at)))

    def use(self, actor, coupon_id: str, key, *, at: datetime | None = None) -> EntryResult:
        """Use a coupon once: a bonus-points coupon credits its points; a yen-off coupon records
        its use (the discount is taken at the register)."""
        require(actor, "cashier", "use coupons")
        key = _key(key)
        coupon_id = _key(coupon_id)
        rh = _request_hash("coupon", coupon_id)
        now = at or self.store.now()
        ledger = self.store.ledger
        with self.store.db.write() as s:
            replay = ledger._replay(s, key, rh)
            if replay:
                return replay
            coupon = s.get(Coupon, coupon_id)
            if coupon is None:
                raise NotFound("No such coupon.", code="unknown_coupon")
            if coupon.used_at:
                raise LedgerRefused(f"This coupon was already used at {coupon.used_at}.", code="coupon_used",
                                    used_at=coupon.used_at)
            if parse_iso(coupon.expires_at) <= now:
                raise LedgerRefused("This coupon has expired.", code="coupon_expired", expires_at=coupon.expires_at)
            member = ledger._member(s, coupon.member_id)
            points = coupon.value if coupon.kind == "bonus_points" else 0
            if points < 0:
                raise InvalidInput("A coupon cannot take points away.", code="bad_coupon")
            rule_set = self.store.rules.valid_at(now)
            label = (f"Coupon: {coupon.title_en} +{points:,} pt" if points
                     else f"Coupon: {coupon.title_en} ¥{coupon.value:,} off")
            entry = ledger._add_entry(s, actor, member, "coupon", points, key=key, request_hash=rh, now=now,
                                      rule_set_version=rule_set.version, coupon_id=coupon.id,
                                      breakdown=[{"label": label, "kind": "coupon", "points": points,
                                                  "factor": None, "rule_id": coupon.template_id}])
            ledger._credit_lot(s, member, entry, points, now, rule_set)
            coupon.used_at = iso(now)
            coupon.used_entry_id = entry.id
            return ledger._result(s, entry, member)
