"""A day at the counter through the services, with logging to tmp_path: members with phone numbers,
e-mails and kana names, earns, a redemption, a paper card migrated with a photo, a legacy import,
a backup. The personal data seeded here is what the tests then look for, byte by byte."""
from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from app.logs import setup_logging, teardown_logging
from app.services.setup import init_store
from app.store import Store
from tests.migration.files import write_csv

# (what the cashier types, how it is stored)
SEEDED = {
    "phone": "09023456781",
    "phone_typed": "０９０－２３４５－６７８１",
    "email": "hanako.yamada.tsumugi@example.jp",
    "kana": "ヤマダハナコ",
    "name": "山田花子",
}
IMPORTED = {"phone": "08076543219", "email": "jiro.kawada.tsumugi@example.jp", "kana": "カワダジロウ", "name": "川田次郎"}


def needles(seed: dict) -> dict[str, bytes]:
    """The byte forms to look for: ASCII digits (plain and as written with dashes), the e-mail,
    the kana and the name in UTF-8."""
    p = seed["phone"]
    return {
        "phone": p.encode(), "phone_dashed": f"{p[:3]}-{p[3:7]}-{p[7:]}".encode(),
        "email": seed["email"].encode(), "kana": seed["kana"].encode("utf-8"), "name": seed["name"].encode("utf-8"),
    }


class Clock:
    def __init__(self):
        self.now = datetime(2026, 11, 17, 1, 0, tzinfo=timezone.utc)

    def __call__(self):
        return self.now

    def advance(self, **kw):
        self.now += timedelta(**kw)


@pytest.fixture
def logs(tmp_path):
    folder = tmp_path / "logs"
    setup_logging(log_dir=folder, level=logging.DEBUG)
    yield folder
    teardown_logging()


@pytest.fixture
def day(tmp_path, logs):
    """The scripted day. Returns a namespace with the store (still open), actors and ids."""
    clock = Clock()
    folder = tmp_path / "shop"
    store = Store.open(folder / "store.sqlite", clock=clock)
    init_store(store, "S001")
    store.staff.add(None, "店長", "manager", "1234")
    manager = store.staff.authenticate(1, "1234")
    cashier_row = store.staff.add(manager, "レジ", "cashier", "5678")
    cashier = store.staff.authenticate(cashier_row.id, "5678")
    log = logging.getLogger("tsumugi.test.counter")

    hanako = store.members.register(cashier, SEEDED["kana"], name=SEEDED["name"], phone=SEEDED["phone_typed"],
                                    email=SEEDED["email"], birthday="1985-03-01", consent_marketing=True)
    others = [store.members.register(cashier, kana, phone=phone).member
              for kana, phone in (("サトウイチロウ", "090-1111-2222"), ("スズキハナ", "080-3333-4444"))]
    log.info("registered %s", hanako.member.id)
    member = store.members.resolve(hanako.code)
    for amount in (3480, 1200, 560):
        store.ledger.earn(cashier, member.id, amount, uuid.uuid4())
        clock.advance(minutes=7)
    store.ledger.redeem(cashier, member.id, 10, uuid.uuid4())
    store.members.find(SEEDED["phone_typed"])
    store.members.find("やまだ")
    store.members.find(SEEDED["email"])
    for o in others:
        store.ledger.earn(cashier, o.id, 980, uuid.uuid4())
    # a wrong PIN and a cashier trying a manager's action: security events
    try:
        store.staff.authenticate(cashier_row.id, "0000")
    except Exception:
        pass
    try:
        store.ledger.adjust(cashier, member.id, 100, "try", uuid.uuid4())
    except Exception:
        pass
    # a paper card with a photo of it
    photo = b"\xff\xd8\xff\xe0PHOTO" + SEEDED["phone"].encode() + b"\x00" * 200
    migrated = store.migration.migrate(cashier, "4901234567894", member.id, uuid.uuid4(), points=300, photo=photo)
    # a legacy ledger file
    csv_path = write_csv(tmp_path / "old-ledger.csv",
                         [[IMPORTED["name"], IMPORTED["kana"], IMPORTED["phone"], IMPORTED["email"], "1970/1/1",
                           "", "120", "2024/1/5"]], encoding="cp932")
    from app.legacy_import import LegacyImport

    LegacyImport(store, csv_path).commit(manager)
    csv_path.unlink()  # the shop's own file is not ours to judge
    # a bad phone typed at registration (an error path with personal data in the input)
    try:
        store.members.register(cashier, "ヤマダ", phone="090-2345-67")
    except Exception as exc:
        log.warning("registration refused: %s", exc)
    # someone logs personal data by mistake: the scrubber must take it out
    log.info("lookup by phone %s mail %s kana %s", SEEDED["phone_typed"], SEEDED["email"], SEEDED["kana"])
    backup = store.db.backup()

    class Day:
        pass

    d = Day()
    d.store, d.manager, d.cashier, d.member, d.clock = store, manager, cashier, member, clock
    d.folder, d.logs, d.backup, d.migrated, d.photo, d.others = folder, logs, backup, migrated, photo, others
    yield d
    store.close()


def files_under(*folders):
    for folder in folders:
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                yield p
