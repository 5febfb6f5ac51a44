"""One paper card at the counter: check, migrate (idempotent, capped, with evidence), refuse a
second time with when/where/whom. (When HQ says another store won, the reversal comes through sync:
tests/sync/test_scenarios.py::test_same_paper_card_migrated_at_two_stores.)"""
import hashlib
from app.db import connect_raw
import uuid

import pytest

from app.errors import InvalidInput, LedgerRefused, NotFound, PermissionDenied
from app.models import Card, LedgerEntry, Outbox
from app.services.migration import normalize_legacy_card
from sqlalchemy import select

from tests.migration.files import assert_books_balance, ean13

CARD = ean13("290000000001")


def test_normalise_full_width_and_hyphens_and_check_digit():
    assert normalize_legacy_card("２９０－０００ー０００‐００１" + CARD[-1]) == (CARD, "EAN13")
    assert normalize_legacy_card(f" {CARD[:4]} {CARD[4:]} ") == (CARD, "EAN13")
    wrong = CARD[:-1] + str((int(CARD[-1]) + 1) % 10)
    with pytest.raises(InvalidInput) as e:
        normalize_legacy_card(wrong)
    assert e.value.code == "bad_check_digit"
    # EAN-8
    body = "2000001"
    from app.services.migration import ean_check_digit
    assert normalize_legacy_card(body + str(ean_check_digit(body)))[1] == "EAN8"
    # Codabar start/stop letters dropped, so a scan and the printed number meet
    assert normalize_legacy_card("a00123-45b") == ("0012345", "CODABAR")
    assert normalize_legacy_card("0012345")[0] == "0012345"
    # Code39 / Code128 have no mandatory check digit: a 13-digit CODE128 read is not checked as JAN
    assert normalize_legacy_card(wrong, "CODE128") == (wrong, "CODE128")
    assert normalize_legacy_card("abc-123", "CODE39") == ("ABC123", "CODE39")
    for bad, code in (("", "empty"), ("12", "bad_card_number"), ("TSG1xyz", "member_code_not_card"),
                      ("カード", "bad_card_number")):
        with pytest.raises(InvalidInput) as e:
            normalize_legacy_card(bad)
        assert e.value.code == code


def test_quote_stamps_and_cap(store):
    q = store.migration.quote(stamps=14)
    assert (q.points, q.capped_from) == (140, None)
    q = store.migration.quote(stamps=500)          # 5,000 pt capped at 2,000 per card
    assert (q.points, q.capped_from, q.cap) == (2000, 5000, 2000)
    assert [ln["kind"] for ln in q.breakdown] == ["stamps", "card_cap"]
    assert sum(ln["points"] for ln in q.breakdown) == 2000
    assert store.migration.quote(points=2500).points == 2000
    with pytest.raises(InvalidInput):
        store.migration.quote(points=10, stamps=1)
    with pytest.raises(InvalidInput):
        store.migration.quote(stamps=-1)


def test_migrate_stamps_marks_card_books_lot_outbox_audit(store, cashier, member, clock):
    check = store.migration.check_card(CARD)
    assert check.number == CARD and not check.known
    key = uuid.uuid4()
    res = store.migration.migrate(cashier, CARD, member.id, key, stamps=14)
    assert res.points == 140 and res.entry.kind == "migrate" and res.entry.balance == 140
    assert store.ledger.balance(member.id)["balance"] == 140
    with store.db.read() as s:
        card = s.scalars(select(Card).where(Card.number == CARD)).one()
        assert (card.kind, card.status, card.member_id, card.migrated_store_id, card.migrated_member_no) == \
            ("paper", "migrated", member.id, "S001", member.member_no)
        entry = s.scalars(select(LedgerEntry).where(LedgerEntry.id == str(key))).one()
        assert entry.card_id == card.id and entry.rule_set_version
        box = s.scalars(select(Outbox).where(Outbox.event_id == str(key))).one()
        assert box.type == "ledger.migrate" and box.payload["card_number"] == CARD and box.payload["stamps"] == 14
    assert [a.action for a in store.audit.entries(action="card.migrate")] == ["card.migrate"]
    assert store.audit.entries(action="ledger.migrate")
    assert_books_balance(store.db.path)


def test_replay_returns_original_and_changes_nothing(store, cashier, member):
    key = uuid.uuid4()
    first = store.migration.migrate(cashier, CARD, member.id, key, points=300)
    again = store.migration.migrate(cashier, CARD, member.id, key, points=300)
    assert again.replayed and again.entry.entry_id == first.entry.entry_id and again.points == 300
    assert store.ledger.balance(member.id)["balance"] == 300
    with pytest.raises(LedgerRefused) as e:   # the same key for something else
        store.migration.migrate(cashier, CARD, member.id, key, points=301)
    assert e.value.code == "key_reused"


def test_second_migration_refused_with_when_where_whom(store, cashier, member, clock):
    store.migration.migrate(cashier, CARD, member.id, uuid.uuid4(), points=100)
    when = clock().isoformat()
    other = store.members.register(cashier, "サトウ", phone="080-0000-1111").member
    for attempt in (lambda: store.migration.check_card("２９" + CARD[2:]),
                    lambda: store.migration.migrate(cashier, CARD, other.id, uuid.uuid4(), points=100)):
        with pytest.raises(LedgerRefused) as e:
            attempt()
        assert e.value.code == "already_migrated"
        p = e.value.params
        assert p["store_id"] == "S001" and p["member_no"] == member.member_no
        assert p["migrated_at"].startswith(when[:16])
    assert store.ledger.balance(other.id)["balance"] == 0


def test_card_hq_sent_as_migrated_elsewhere_is_refused(store, cashier, member):
    # What sync writes when HQ's change feed says the card was migrated at another store.
    with store.db.write() as s:
        s.add(Card(kind="paper", number=CARD, status="migrated", created_at="2026-11-01T00:00:00.000000Z",
                   migrated_at="2026-11-01T00:00:00.000000Z", migrated_store_id="S002", migrated_member_no="0020000001X"))
    with pytest.raises(LedgerRefused) as e:
        store.migration.check_card(CARD)
    assert (e.value.params["store_id"], e.value.params["member_no"]) == ("S002", "0020000001X")


def test_points_capped_and_evidence_photo(store, cashier, member, db_path):
    photo = b"\xff\xd8\xff\xe0" + b"jpeg-bytes" * 100
    res = store.migration.migrate(cashier, CARD, member.id, uuid.uuid4(), points=5000, photo=photo)
    assert res.points == 2000 and res.capped_from == 5000
    sha = hashlib.sha256(photo).hexdigest()
    assert res.evidence_sha256 == sha
    path = db_path.parent / "evidence" / f"{res.entry.entry_id}.jpg.enc"
    assert str(path) == res.evidence_path and store.migration.evidence_photo(res.entry.entry_id) == photo
    assert b"jpeg-bytes" not in path.read_bytes()  # encrypted at rest (AES-GCM, key from the DB key)
    con = connect_raw(db_path)
    assert con.execute("SELECT evidence_sha256 FROM ledger WHERE id=?", (res.entry.entry_id,)).fetchone()[0] == sha
    con.close()
    # no stray temporary files
    assert [p.name for p in path.parent.iterdir()] == [path.name]


def test_failed_migration_leaves_no_photo(store, cashier, member, db_path):
    store.migration.migrate(cashier, CARD, member.id, uuid.uuid4(), points=10)
    with pytest.raises(LedgerRefused):
        store.migration.migrate(cashier, CARD, member.id, uuid.uuid4(), points=10, photo=b"x" * 10)
    assert [p.name for p in (db_path.parent / "evidence").iterdir()] == []


def test_refusals(store, cashier, member, manager):
    with pytest.raises(PermissionDenied):
        store.migration.migrate(None, CARD, member.id, uuid.uuid4(), points=1)
    with pytest.raises(InvalidInput) as e:
        store.migration.migrate(cashier, CARD, member.id, uuid.uuid4())
    assert e.value.code == "points_or_stamps"
    with pytest.raises(NotFound):
        store.migration.migrate(cashier, CARD, str(uuid.uuid4()), uuid.uuid4(), points=1)
    with pytest.raises(InvalidInput):
        store.migration.migrate(cashier, CARD, member.id, "not-a-uuid", points=1)
    # nothing was written by any of them
    with store.db.read() as s:
        assert s.scalars(select(Card).where(Card.number == CARD)).first() is None


def test_suggest_members_by_phone_and_kana_birthday(store, cashier, member):
    twin = store.members.register(cashier, "やまだ はなこ", phone="080-9999-0000", birthday="1980-04-01").member
    store.members.register(cashier, "ヤマダハナコ", phone="080-9999-1111", birthday="1999-01-01")
    by_phone = store.migration.suggest_members(phone="０９０ー１２３４ー５６７８")
    assert [s.member.id for s in by_phone] == [member.id] and by_phone[0].reasons == ("phone",)
    by_kana = store.migration.suggest_members(name_kana="ﾔﾏﾀﾞ ﾊﾅｺ", birthday="1980/04/01")
    assert {s.member.id for s in by_kana} == {member.id, twin.id}
    both = store.migration.suggest_members(phone="09012345678", name_kana="ヤマダハナコ", birthday="1980-04-01")
    assert both[0].member.id == member.id and both[0].reasons == ("phone", "kana_birthday")
    assert store.migration.suggest_members() == []


def _card(store):
    with store.db.read() as s:
        c = s.scalars(select(Card).where(Card.number == CARD)).one()
        return c.status, c.member_id, c.migrated_store_id, c.migrated_member_no


def test_void_of_a_migration_releases_the_card(store, cashier, member):
    """The cashier mis-typed the card number and voided within the window: the points are taken
    back and the card is not migrated any more, so it can be migrated again (here to the right
    member). The void tells HQ which card, so HQ can release it for every store."""
    first = store.migration.migrate(cashier, CARD, member.id, uuid.uuid4(), points=300)
    assert _card(store)[0] == "migrated"
    void = store.ledger.void(cashier, first.entry.entry_id, uuid.uuid4())
    assert store.ledger.balance(member.id)["balance"] == 0
    assert _card(store) == ("active", None, None, None)
    check = store.migration.check_card(CARD)   # no 移行済み refusal
    assert check.known and check.member_id is None
    with store.db.read() as s:
        box = s.scalars(select(Outbox).where(Outbox.event_id == void.entry_id)).one()
        assert box.type == "ledger.void" and (box.payload["card_number"], box.payload["card_kind"]) == (CARD, "paper")
    assert [a.after["voided_entry_id"] for a in store.audit.entries(action="card.release")] == [first.entry.entry_id]
    other = store.members.register(cashier, "サトウ", phone="080-0000-1111").member
    again = store.migration.migrate(cashier, CARD, other.id, uuid.uuid4(), points=200)
    assert again.entry.balance == 200
    assert _card(store) == ("migrated", other.id, "S001", other.member_no)
    with pytest.raises(LedgerRefused) as e:      # and it is migrated once again
        store.migration.check_card(CARD)
    assert e.value.code == "already_migrated" and e.value.params["member_no"] == other.member_no
    assert_books_balance(store.db.path)


def test_void_of_a_migration_another_store_won_leaves_the_card_theirs(store, cashier, member):
    """HQ said another store migrated the card first (card.migrated from the feed wrote over this
    store's row): voiding this store's losing migration must not free the winner's card."""
    res = store.migration.migrate(cashier, CARD, member.id, uuid.uuid4(), points=300)
    with store.db.write() as s:
        c = s.scalars(select(Card).where(Card.number == CARD)).one()
        c.member_id, c.migrated_store_id, c.migrated_member_no = None, "S002", "0020000001X"
    store.ledger.void(cashier, res.entry.entry_id, uuid.uuid4())
    assert _card(store) == ("migrated", None, "S002", "0020000001X")
    with pytest.raises(LedgerRefused) as e:
        store.migration.check_card(CARD)
    assert e.value.code == "already_migrated"


def test_card_released_from_hq_frees_the_card_unless_this_store_migrated_it_since(store, cashier, member):
    """card.released from HQ's feed: another store's voided migration frees the card here; but a
    migration this store made since, not yet judged by HQ, stands (a card.migrated of the released
    migration pulled in the same round may have written over it)."""
    from app.services.replica import ReplicaService

    elsewhere = str(uuid.uuid4())
    migrated = {"kind": "paper", "number": CARD, "member_id": None, "store_id": "S002",
                "at": "2026-11-01T00:00:00.000000Z", "entry_id": elsewhere}
    released = {"kind": "paper", "number": CARD, "entry_id": elsewhere, "store_id": "S002",
                "at": "2026-11-01T00:05:00.000000Z"}
    rep = ReplicaService(store)
    rep.apply_changes([{"kind": "card.migrated", "data": migrated}], "c1")
    assert _card(store)[0] == "migrated"
    rep.apply_changes([{"kind": "card.released", "data": released}], "c2")
    assert _card(store) == ("active", None, None, None)
    mine = store.migration.migrate(cashier, CARD, member.id, uuid.uuid4(), points=100)   # pending
    rep.apply_changes([{"kind": "card.migrated", "data": migrated}, {"kind": "card.released", "data": released}],
                      "c3")
    assert _card(store) == ("migrated", member.id, "S001", member.member_no)
    store.ledger.void(cashier, mine.entry.entry_id, uuid.uuid4())   # voided: nothing of ours stands
    rep.apply_changes([{"kind": "card.migrated", "data": migrated}, {"kind": "card.released", "data": released}],
                      "c4")
    assert _card(store) == ("active", None, None, None)
