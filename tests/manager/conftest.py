"""Fixtures for the manager screens: the shared store fixtures (tests/store_fixtures.py: a real
SQLite store per test, a manager and a cashier) with the rule set before the shipped one installed,
a hand-made segment fixture and a generated store of a few thousand members."""
import json
import random
import uuid
from datetime import timedelta

import pytest

from app.clock import iso
from app.models import Card, Member
from app.rules import load_default_rule_set, parse_rule_set
from app.services.setup import init_store
from app.store import Store
from app.text import kana_key
from tests.store_fixtures import TUESDAY, FakeClock

NOW = TUESDAY  # Tuesday 10:00 JST


@pytest.fixture
def store(store):
    """The shared store, plus the rule set before the shipped one, so that history older than 2026
    can be priced."""
    body = json.loads(load_default_rule_set().model_dump_json())
    body.update(version="2024.1", valid_from="2024-01-01T00:00:00+09:00", valid_to=body["valid_from"], campaigns=[])
    with store.db.write() as session:
        store.rules.install(session, parse_rule_set(body))
    return store


def earn(store, actor, member_id, yen, days_ago, clock=None, hours=0):
    at = (clock.now if clock else NOW) - timedelta(days=days_ago, hours=hours)
    return store.ledger.earn(actor, member_id, yen, uuid.uuid4(), at=at)


@pytest.fixture
def seg_fixture(store, manager, cashier):
    """The hand-computed segment fixture (see test_segments.py for the expected figures)."""
    reg = lambda kana: store.members.register(cashier, kana).member.id  # noqa: E731
    ids = {k: reg(kana) for k, kana in (("A", "アオキ"), ("B", "ベップ"), ("C", "チバ"), ("D", "ドイ"),
                                        ("E", "エノモト"), ("F", "フジ"))}
    earn(store, cashier, ids["A"], 2000, 100)
    earn(store, cashier, ids["A"], 10000, 5)
    earn(store, cashier, ids["B"], 3000, 70)
    earn(store, cashier, ids["C"], 6000, 40)
    earn(store, cashier, ids["D"], 1000, 400)
    earn(store, cashier, ids["D"], 500, 200)
    big = earn(store, cashier, ids["F"], 8000, 10, hours=1)
    store.ledger.void(manager, big.entry_id, uuid.uuid4(), at=NOW - timedelta(days=10, hours=1) + timedelta(minutes=2))
    earn(store, cashier, ids["F"], 1000, 10)
    return ids


KANA = ["ヤマダ", "サトウ", "スズキ", "タナカ", "ヤマモト", "ヤマグチ", "イトウ", "ワタナベ", "ナカムラ", "コバヤシ"]
GIVEN = ["ハナコ", "タロウ", "ユミ", "ケンジ", "サクラ"]


def bulk_members(store, n: int, seed: int = 7) -> list[dict]:
    """n members written straight to the database (the services' shapes), with varied kana,
    phones, tiers, visits, stores, consent and some paper cards. Returns what was written."""
    rng = random.Random(seed)
    now = store.now()
    out = []
    with store.db.write() as s:
        for i in range(n):
            kana = f"{rng.choice(KANA)} {rng.choice(GIVEN)}"
            if rng.random() < 0.3:
                kana = "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in kana)  # hiragana
            phone = f"090{i:08d}" if rng.random() < 0.9 else None
            last = iso(now - timedelta(days=rng.randrange(0, 400))) if rng.random() < 0.85 else None
            created = iso(now - timedelta(days=500))
            row = dict(id=str(uuid.UUID(int=rng.getrandbits(128), version=4)), member_no=f"900{i:07d}0",
                       name=None, name_kana=kana, kana_key=kana_key(kana), phone=phone,
                       tier=rng.choice([None, "bronze", "silver", "gold"]), status="active",
                       home_store_id=rng.choice(["S001", "S002"]), consent_marketing=rng.random() < 0.5,
                       field_times={}, balance=rng.randrange(0, 3000), lifetime_spend_yen=rng.randrange(0, 200000),
                       last_visit_at=last, created_at=created, updated_at=created)
            s.add(Member(**row))
            out.append(row)
        s.flush()
        for i, row in enumerate(out[:50]):
            s.add(Card(member_id=row["id"], kind="paper", number=f"2900{i:09d}", status="migrated",
                       created_at=row["created_at"], migrated_at=row["created_at"], migrated_store_id="S001"))
    return out


@pytest.fixture(scope="module")
def big_store(tmp_path_factory):
    """A module-wide store of 3,000 generated members (read-only for the tests that use it)."""
    import keyring

    from tests.conftest import MemoryKeyring

    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    try:
        s = Store.open(tmp_path_factory.mktemp("big") / "store.sqlite", clock=FakeClock(NOW))
        init_store(s, "S001")
        s.staff.add(None, "店長", "manager", "1234")
    finally:
        keyring.set_keyring(previous)
    rows = bulk_members(s, 3000)
    yield s, rows
    s.close()


@pytest.fixture
def big_manager(big_store):
    from app.store import Actor

    return Actor(staff_id=1, role="manager", name="店長")
