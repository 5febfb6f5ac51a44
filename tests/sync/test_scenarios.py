"""The fault scenarios of issue 4, each ending with the invariants (assert_converged)."""
import json
import time
import logging
import uuid
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from app.errors import LedgerRefused, TsumugiError
from app.models import Conflict, LedgerEntry, Outbox
from hq.models import ConflictRow, EventRow, LedgerRow, MemberRow
from sync.client import Offline
from sync.protocol import PushRequest
from tests.sync.harness import Clock, assert_converged


def sync_all(*stores, rounds=2):
    for _ in range(rounds):
        for h in stores:
            h.sync()


def open_conflicts(h, kind=None):
    with h.store.db.read() as s:
        q = select(Conflict).where(Conflict.status == "open")
        if kind:
            q = q.where(Conflict.kind == kind)
        return list(s.scalars(q))


def hq_count(hq, model, *where):
    with hq.service.db.read() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def test_hq_down_for_a_long_offline_period_then_back(hq, make_store):
    a, b = make_store("S001"), make_store("S002")
    m = a.register("サトウタロウ")
    sync_all(a, b)
    hq.stop()
    for i in range(30):
        a.earn(m.id, 1000 + i)
    n = b.register("スズキイチロウ")
    b.earn(n.id, 2500)
    with pytest.raises(Offline):
        a.sync()
    assert a.engine.state().queue == 30
    assert a.engine.state().online is False
    hq.start()
    sync_all(a, b)
    assert a.engine.state().queue == 0
    assert b.store.ledger.balance(m.id)["balance"] == a.store.ledger.balance(m.id)["balance"]
    assert_converged(hq, [a, b])


def test_response_lost_after_hq_committed(hq, make_store):
    a = make_store("S001")
    m = a.register("タナカ")
    a.earn(m.id, 5000)
    a.transport.drop_push_responses = 1
    with pytest.raises(Offline):
        a.sync()
    assert hq_count(hq, LedgerRow) == 1  # HQ did commit
    assert a.engine.state().queue == 2   # ...but the store never heard
    a.sync()
    assert hq_count(hq, LedgerRow) == 1  # the resend was recognised, not applied twice
    with a.store.db.read() as s:
        outcomes = list(s.scalars(select(Outbox.outcome).order_by(Outbox.seq)))
    assert outcomes == ["applied", "applied"]  # the stored outcomes came back
    assert_converged(hq, [a])


def test_same_batch_delivered_twice(hq, make_store):
    a = make_store("S001")
    m = a.register("タナカ")
    for yen in (1000, 2000, 3000):
        a.earn(m.id, yen)
    rows = a.engine.replica.pending()
    from sync.protocol import Event

    req = PushRequest(store_id="S001", terminal_id="T01", sent_at=datetime.now(timezone.utc).isoformat(),
                      events=[Event(event_id=r.event_id, seq=r.seq, type=r.type, hlc="2026-01-01T00:00:00.000Z",
                                    payload=r.payload) for r in rows])
    first = a.engine.client.push(req)
    second = a.engine.client.push(req)
    assert [r.outcome for r in first.results] == ["applied"] * 4
    assert [r.model_dump() for r in second.results] == [r.model_dump() for r in first.results]
    assert hq_count(hq, LedgerRow) == 3
    assert hq.service.balances()[m.id] == a.store.ledger.balance(m.id)["balance"]
    a.sync()
    assert_converged(hq, [a])


def test_batches_out_of_order(hq, make_store):
    a = make_store("S001")
    m = a.register("タナカ")
    for yen in (1000, 2000, 3000):
        a.earn(m.id, yen)
    rows = a.engine.replica.pending()
    from sync.protocol import Event

    def batch(rs):
        return PushRequest(store_id="S001", terminal_id="T01", sent_at=datetime.now(timezone.utc).isoformat(),
                           events=[Event(event_id=r.event_id, seq=r.seq, type=r.type,
                                         hlc="2026-01-01T00:00:00.000Z", payload=r.payload) for r in rs])

    late = a.engine.client.push(batch(rows[2:]))
    assert late.gap and late.expected_seq == 1 and late.results == []
    assert hq_count(hq, LedgerRow) == 0
    early = a.engine.client.push(batch(rows[:2]))
    assert not early.gap and early.expected_seq == 3
    a.sync()  # the store resends what HQ has not applied; the rest come back as stored outcomes
    assert hq_count(hq, LedgerRow) == 3
    assert_converged(hq, [a])


def test_two_stores_redeem_the_same_member_offline(hq, make_store):
    a, b = make_store("S001"), make_store("S002")
    m = a.register("ヤマダハナコ")
    a.store.ledger.adjust(a.actor, m.id, 1000, "opening balance", uuid.uuid4())
    sync_all(a, b)
    hq.stop()
    ra = a.redeem(m.id, 800)
    rb = b.redeem(m.id, 800)
    assert ra["mode"] == rb["mode"] == "offline"
    with pytest.raises(LedgerRefused) as exc:  # the offline cap: last known 1000 minus pending 800
        a.redeem(m.id, 300)
    assert exc.value.code == "insufficient_balance"
    hq.start()
    sync_all(a, b)
    assert hq.service.balances()[m.id] == 0  # the overdraft is booked and written off, not taken back
    flagged = open_conflicts(a, "overdraft") + open_conflicts(b, "overdraft")
    assert len(flagged) == 1
    assert hq_count(hq, ConflictRow, ConflictRow.kind == "overdraft") == 1
    assert_converged(hq, [a, b])


def test_offline_redemption_daily_allowance(hq, make_store):
    a = make_store("S001")
    m = a.register("ヤマダハナコ")
    a.store.ledger.adjust(a.actor, m.id, 5000, "opening balance", uuid.uuid4())
    a.sync()
    hq.stop()
    a.redeem(m.id, 2500)
    with pytest.raises(LedgerRefused) as exc:
        a.redeem(m.id, 600)
    assert exc.value.code == "over_offline_allowance"
    hq.start()
    res = a.redeem(m.id, 600)  # online again: HQ reserves, no offline allowance
    assert res["mode"] == "online"
    a.sync()
    assert_converged(hq, [a])


def test_online_redemption_is_reserved_at_hq(hq, make_store):
    a, b = make_store("S001"), make_store("S002")
    m = a.register("ヤマダハナコ")
    a.store.ledger.adjust(a.actor, m.id, 500, "opening balance", uuid.uuid4())
    sync_all(a, b)
    assert a.redeem(m.id, 400)["mode"] == "online"   # reserved at HQ, not yet pushed
    with pytest.raises(LedgerRefused):
        b.redeem(m.id, 400)                          # B's online check sees A's reservation
    sync_all(a, b)
    assert_converged(hq, [a, b])


def test_same_paper_card_migrated_at_two_stores(hq, make_store):
    a, b = make_store("S001"), make_store("S002")
    wife = a.register("ヤマダハナコ")
    husband = b.register("ヤマダタロウ")
    # The counter's own service (the F6 wizard calls it): 14 stamps each.
    a.store.migration.migrate(a.actor, "2000123456782", wife.id, uuid.uuid4(), stamps=14)
    b.store.migration.migrate(b.actor, "2000123456782", husband.id, uuid.uuid4(), stamps=14)
    a.sync()  # first HQ commit wins
    b.sync()
    sync_all(a, b)
    lost = open_conflicts(b, "migration_lost")
    assert len(lost) == 1 and not open_conflicts(a, "migration_lost")
    assert b.store.ledger.balance(husband.id)["balance"] == 0   # reversed
    assert a.store.ledger.balance(wife.id)["balance"] == 140
    with pytest.raises(TsumugiError) as exc:  # scanning it again says when and where
        b.store.migration.check_card("2000123456782")
    assert exc.value.code == "already_migrated" and exc.value.params["store_id"] == "S001"
    assert_converged(hq, [a, b])


def _card_state(h, number):
    from app.models import Card

    with h.store.db.read() as s:
        c = s.scalars(select(Card).where(Card.number == number)).first()
        return None if c is None else (c.status, c.member_id, c.migrated_store_id)


def _hq_card(hq, number):
    from hq.models import CardRow

    with hq.service.db.read() as s:
        c = s.scalars(select(CardRow).where(CardRow.number == number)).one()
        return c.status, c.member_id, c.store_id


def test_voided_migration_frees_the_card_at_hq_and_every_store(hq, make_store):
    """Store A migrated a paper card onto the wrong member and voided it (the points go back):
    HQ releases the card (card.released) so store B, which had pulled it as 移行済み, can migrate
    it to its rightful owner; HQ's once-only judgement holds for that second migration too."""
    card = "2000123456782"
    a, b = make_store("S001"), make_store("S002")
    wrong = a.register("ヤマダハナコ")
    right = b.register("スズキイチロウ")
    first = a.store.migration.migrate(a.actor, card, wrong.id, uuid.uuid4(), stamps=14)
    sync_all(a, b)
    assert _hq_card(hq, card) == ("migrated", wrong.id, "S001")
    assert _card_state(b, card) == ("migrated", wrong.id, "S001")
    with pytest.raises(TsumugiError) as exc:
        b.store.migration.check_card(card)
    assert exc.value.code == "already_migrated"

    a.store.ledger.void(a.actor, first.entry.entry_id, uuid.uuid4())
    assert _card_state(a, card) == ("active", None, None)    # at once at the store that voided
    a.sync()
    assert _hq_card(hq, card) == ("active", None, "S001")
    assert hq_count(hq, ConflictRow) == 0
    b.sync()
    assert _card_state(b, card) == ("active", None, None)
    b.store.migration.check_card(card)                       # no 移行済み any more
    b.store.migration.migrate(b.actor, card, right.id, uuid.uuid4(), stamps=10)
    sync_all(a, b)
    assert _hq_card(hq, card) == ("migrated", right.id, "S002")
    for h in (a, b):
        assert _card_state(h, card) == ("migrated", right.id, "S002")
    assert hq.service.balances()[right.id] == b.store.ledger.balance(right.id)["balance"] == 100
    assert hq.service.balances()[wrong.id] == 0
    assert not open_conflicts(a) and not open_conflicts(b)
    # once-only still: A (or anyone) cannot take it again
    with pytest.raises(TsumugiError) as exc:
        a.store.migration.check_card(card)
    assert exc.value.code == "already_migrated" and exc.value.params["store_id"] == "S002"
    assert_converged(hq, [a, b])


def test_released_card_two_stores_migrate_it_again_one_wins(hq, make_store):
    """After the release, two stores migrate the card before either has synced: exactly one
    winner (the first HQ commit), the other gets the reversal and a migration_lost conflict."""
    card = "2000123456782"
    a, b = make_store("S001"), make_store("S002")
    wrong = a.register("ヤマダハナコ")
    sync_all(a, b)
    first = a.store.migration.migrate(a.actor, card, wrong.id, uuid.uuid4(), points=100)
    sync_all(a, b)
    a.store.ledger.void(a.actor, first.entry.entry_id, uuid.uuid4())
    sync_all(a, b)
    x, y = a.register("サトウハナコ"), b.register("サトウタロウ")
    a.store.migration.migrate(a.actor, card, x.id, uuid.uuid4(), points=100)
    b.store.migration.migrate(b.actor, card, y.id, uuid.uuid4(), points=100)
    b.sync()   # B's commit is first
    a.sync()
    sync_all(a, b)
    assert _hq_card(hq, card) == ("migrated", y.id, "S002")
    assert len(open_conflicts(a, "migration_lost")) == 1 and not open_conflicts(b, "migration_lost")
    assert a.store.ledger.balance(x.id)["balance"] == 0 and b.store.ledger.balance(y.id)["balance"] == 100
    for h in (a, b):
        assert _card_state(h, card)[0] == "migrated" and _card_state(h, card)[2] == "S002"
    assert_converged(hq, [a, b])


def test_voided_migration_of_a_card_another_store_won_releases_nothing(hq, make_store):
    """The losing store voids its (already reversed) migration: the winner's card stays migrated."""
    card = "2000123456782"
    a, b = make_store("S001"), make_store("S002")
    wife, husband = a.register("ヤマダハナコ"), b.register("ヤマダタロウ")
    a.store.migration.migrate(a.actor, card, wife.id, uuid.uuid4(), points=100)
    a.sync()
    lost = b.store.migration.migrate(b.actor, card, husband.id, uuid.uuid4(), points=100)
    b.store.ledger.void(b.actor, lost.entry.entry_id, uuid.uuid4())  # before B hears it lost
    sync_all(a, b)
    assert _hq_card(hq, card) == ("migrated", wife.id, "S001")
    for h in (a, b):
        assert _card_state(h, card) == ("migrated", wife.id, "S001")
    assert_converged(hq, [a, b])


def test_store_that_missed_the_release_gets_it_in_the_epoch_snapshot(hq, make_store):
    """B pulled the card as migrated, then HQ's epoch was bumped before B pulled the release:
    the snapshot carries card.released, so B does not keep the card 移行済み forever."""
    card = "2000123456782"
    a, b = make_store("S001"), make_store("S002")
    m = a.register("ヤマダハナコ")
    first = a.store.migration.migrate(a.actor, card, m.id, uuid.uuid4(), points=100)
    sync_all(a, b)
    assert _card_state(b, card)[0] == "migrated"
    a.store.ledger.void(a.actor, first.entry.entry_id, uuid.uuid4())
    a.sync()
    hq.service.bump_epoch()
    assert b.sync()["pulled"]["reset"] is True
    assert _card_state(b, card) == ("active", None, None)
    a.sync()
    assert _card_state(a, card) == ("active", None, None)
    assert_converged(hq, [a, b])


def test_profile_edited_at_two_stores_last_writer_by_hlc_with_skew_clamped(hq, make_store, caplog):
    fast = Clock(timedelta(hours=3))  # store A's clock runs three hours fast
    a, b = make_store("S001", clock=fast), make_store("S002")
    m = a.register("ヤマダハナコ", phone="090-1111-1111")
    sync_all(a, b)
    a.store.members.update(a.actor, m.id, phone="090-2222-2222")   # earlier in real time...
    time.sleep(0.3)  # (skew is measured to within the network latency: ms, not hours)
    b.store.members.update(b.actor, m.id, phone="090-3333-3333")   # ...this one is the last writer
    b.sync()
    with caplog.at_level(logging.WARNING, logger="hq"):
        a.sync()
    assert any("clock" in r.getMessage() for r in caplog.records)  # skew logged
    sync_all(a, b)
    assert hq.service.member(m.id)["fields"]["phone"] == "09033333333"
    assert a.store.members.get(m.id).phone == b.store.members.get(m.id).phone == "09033333333"
    with hq.service.db.read() as s:
        skew = s.get(__import__("hq.models", fromlist=["StoreRow"]).StoreRow, "S001").clock_skew_ms
    assert skew > 2 * 3600 * 1000
    assert_converged(hq, [a, b])


def test_merge_while_a_store_holds_the_old_id(hq, make_store):
    a, b = make_store("S001"), make_store("S002")
    keep = a.register("ヤマダハナコ", phone="090-1234-5678")
    dup = b.register("ヤマダハナコ", phone="09012345678")
    a.earn(keep.id, 3000)
    b.earn(dup.id, 2000)
    sync_all(a, b)
    assert any({d["member_id"], d["other_id"]} == {keep.id, dup.id} for d in hq.service.duplicates())
    hq.service.merge(keep.id, dup.id)
    late = b.earn(dup.id, 1000)  # B has not heard of the merge yet
    b.sync()
    with b.store.db.read() as s:
        outcome = s.scalar(select(Outbox.outcome).where(Outbox.event_id == late.entry_id))
    assert outcome == "redirected"
    sync_all(a, b)
    assert b.store.members.get(dup.id).id == keep.id   # the old id resolves to the survivor
    assert hq.service.balances()[dup.id] == 0
    assert a.store.ledger.balance(keep.id)["balance"] == hq.service.balances()[keep.id] > 0
    assert_converged(hq, [a, b])


def _rule_set(version: str, valid_from: datetime, points_per_unit: int) -> dict:
    from app.rules import load_default_rule_set

    body = json.loads(load_default_rule_set().model_dump_json())
    body.update(version=version, valid_from=valid_from.isoformat(), campaigns=[])
    body["base"]["points_per_unit"] = points_per_unit
    return body


def test_rule_set_change_while_a_store_is_offline(hq, make_store):
    a = make_store("S001")
    m = a.register("ヤマダハナコ")
    a.sync()
    now = datetime.now(timezone.utc)
    # The earn inside the grace period is priced by the default rules, whose Saturday (JST) doubles
    # the points: keep it off a Saturday, whatever day the test runs on.
    since = now - timedelta(days=3)
    while (since + timedelta(hours=1)).astimezone(ZoneInfo("Asia/Tokyo")).weekday() == 5:
        since -= timedelta(days=1)
    hq.service.publish_rule_set(_rule_set("2026.99", since, 3))
    # A has not pulled it: it still prices with the default version
    inside_grace = a.earn(m.id, 1000, at=since + timedelta(hours=1))
    outside = a.earn(m.id, 1000)
    assert inside_grace.rule_set_version == outside.rule_set_version == "2026.1"
    a.sync()
    with a.store.db.read() as s:
        outcomes = dict(s.execute(select(Outbox.event_id, Outbox.outcome)).all())
    assert outcomes[inside_grace.entry_id] == "applied"     # the old version within the grace period
    assert outcomes[outside.entry_id] == "adjusted"         # repriced with the version valid then
    assert hq.service.balances()[m.id] == 10 + 30
    a.sync()
    assert a.store.rules.current().version == "2026.99"
    assert_converged(hq, [a])


def test_hq_epoch_reset_rebuilds_the_cache_and_keeps_the_outbox(hq, make_store):
    a, b = make_store("S001"), make_store("S002")
    m = a.register("ヤマダハナコ")
    a.earn(m.id, 2000)
    sync_all(a, b)
    old = a.engine.replica.cursor()
    pending = a.earn(m.id, 1500)  # queued, not yet pushed
    hq.service.bump_epoch()
    res = a.sync()
    assert res["pulled"]["reset"] is True
    assert a.engine.replica.cursor().split(":")[0] != old.split(":")[0]
    with hq.service.db.read() as s:
        assert s.get(LedgerRow, pending.entry_id) is not None  # the outbox survived the reset
    b.sync()
    assert_converged(hq, [a, b])


def test_deleted_member_leaves_every_store_including_the_wal(hq, make_store):
    a, b = make_store("S001"), make_store("S002")
    m = a.register("ミナミサクラ", name="南さくら", phone="080-9876-5432", email="sakura@example.jp")
    keep = a.register("キタジロウ")
    a.earn(m.id, 4000)
    a.earn(keep.id, 1000)
    sync_all(a, b)
    total_before = hq.service.balances()[m.id]
    hq.service.delete_member(m.id)
    sync_all(a, b)
    for h in (a, b):
        member = h.store.members.find("ミナミ")
        assert member == []
        with h.store.db.read() as s:
            row = s.get(type(keep), m.id)
            assert row.status == "deleted" and row.phone is None and row.name is None
            assert s.scalar(select(func.sum(LedgerEntry.points)).where(LedgerEntry.member_id == m.id)) == total_before
        h.store.db.engine.dispose()
        for suffix in ("", "-wal"):
            path = str(h.path) + suffix
            try:
                raw = open(path, "rb").read()
            except FileNotFoundError:
                continue
            for needle in ("ミナミサクラ", "南さくら", "sakura@example.jp", "08098765432"):
                assert needle.encode() not in raw, f"{h.store_id}{suffix} still holds {needle}"
    with hq.service.db.read() as s:
        assert s.get(MemberRow, m.id).phone is None
    assert_converged(hq, [a, b])


def test_rejected_event_still_advances_the_queue(hq, make_store):
    a = make_store("S001")
    m = a.register("ヤマダハナコ")
    a.earn(m.id, 1000)
    a.sync()
    hq.service.delete_member(m.id)
    a.store.members.update(a.actor, m.id, phone="090-5555-5555")  # HQ refuses: the member was deleted
    other = a.register("キタジロウ")
    a.earn(other.id, 1000)
    a.sync()
    with a.store.db.read() as s:
        outcomes = list(s.scalars(select(Outbox.outcome).order_by(Outbox.seq)))
    assert "rejected" in outcomes and outcomes[-1] == "applied"
    assert open_conflicts(a, "rejected_event")
    assert hq_count(hq, EventRow) == len(outcomes)
    assert_converged(hq, [a])


def test_tier_reached_inside_one_batch_is_priced_the_same_at_hq(hq, make_store):
    """HQ reprices every earn with the member's annual spend before it. In one pushed batch: a
    member created in that same batch and one HQ already knows both cross the silver threshold
    (¥50,000) part-way through; HQ must count the batch's own earlier earns, once each."""
    a = make_store("S001")
    known = a.register("スズキイチロウ")
    now = datetime.now(timezone.utc)
    a.earn(known.id, 40_000, at=now - timedelta(minutes=30))
    a.sync()
    new = a.register("タナカハナコ")
    entries = []
    for i, (mid, yen) in enumerate([(new.id, 30_000), (known.id, 20_000), (new.id, 30_000), (known.id, 10_000),
                                    (new.id, 10_000), (new.id, 1_000), (known.id, 1_000)]):
        entries.append(a.earn(mid, yen, at=now - timedelta(minutes=20 - i)))
    a.sync()
    with a.store.db.read() as s:
        outcomes = dict(s.execute(select(Outbox.event_id, Outbox.outcome)).all())
    assert [outcomes[e.entry_id] for e in entries] == ["applied"] * len(entries)
    balances = hq.service.balances()
    assert balances[new.id] == a.store.ledger.balance(new.id)["balance"]
    assert balances[known.id] == a.store.ledger.balance(known.id)["balance"]
    # the silver multiplier did apply to the last earns (the test would not notice a wrong tier otherwise)
    assert "silver" in json.dumps(entries[-2].breakdown, default=str)
    assert "silver" in json.dumps(entries[-1].breakdown, default=str)
    assert "silver" not in json.dumps(entries[0].breakdown + entries[1].breakdown, default=str)
    assert_converged(hq, [a])
