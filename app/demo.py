"""A sample store to try every counter screen at once (the first-run wizard's "demo" choice).

Pure service calls, plus one legacy paper card number (no member yet) for the migration screen.
No personal data of real people: the names are invented.
"""
from __future__ import annotations

import uuid
from datetime import timedelta

from app.clock import iso

DEMO_CASHIER_PIN = "1111"
DEMO_LEGACY_CARD = "A0012345678B"
DEMO_MEMBERS = [
    # (kana, name, phone, birthday, purchases yen, days ago of first purchase)
    ("ヤマダハナコ", "山田 花子", "090-1234-5678", "1988-11-25", [42000, 38000, 31000, 3480], 200),
    ("サトウタロウ", "佐藤 太郎", "080-2345-6789", None, [12800, 5400, 2200], 120),
    ("スズキミカ", "鈴木 美香", None, "1995-03-14", [64000], 290),
    ("タナカケン", "田中 健", "070-3456-7890", None, [980], 10),
    ("イトウユイ", "伊藤 結衣", None, None, [], 0),
]


def fill_demo(store, manager) -> dict:
    """Fill an initialised store with demo members, history, a coupon and a legacy card.
    Returns {"members": [(member_no, code)], "cashier": staff_id, "legacy_card": number}."""
    now = store.now()
    earliest = store.rules.current().valid_from + timedelta(hours=1)  # history only where the rules apply
    cashier = store.staff.add(manager, "デモ レジ担当", "cashier", DEMO_CASHIER_PIN)
    out = {"members": [], "cashier": cashier.id, "legacy_card": DEMO_LEGACY_CARD}
    first_id = None
    for kana, name, phone, birthday, buys, days in DEMO_MEMBERS:
        reg = store.members.register(manager, kana, name=name, phone=phone, birthday=birthday,
                                     consent_marketing=True)
        first_id = first_id or reg.member.id
        step = max(days // max(len(buys), 1), 1)
        for i, amount in enumerate(buys):
            at = max(now - timedelta(days=days - i * step, hours=2), earliest + timedelta(minutes=i))
            store.ledger.earn(manager, reg.member.id, amount, key=uuid.uuid4(), at=at)
        out["members"].append((reg.member.member_no, reg.code))
    # a redemption in the history of the first member, and a coupon ready to use
    store.ledger.redeem(manager, first_id, 200, key=uuid.uuid4(), bill_yen=1980,
                        at=max(now - timedelta(days=20), earliest + timedelta(hours=1)))
    store.coupons.issue(manager, first_id, "win-back-500", key=uuid.uuid4())
    _legacy_card(store, DEMO_LEGACY_CARD, now)
    return out


def _legacy_card(store, number: str, now) -> None:
    from sqlalchemy import select

    from app.models import Card

    with store.db.write() as s:
        if s.scalars(select(Card).where(Card.kind == "paper", Card.number == number)).first() is None:
            s.add(Card(member_id=None, kind="paper", number=number, status="active", created_at=iso(now)))
