"""Each violation the deterministic simulation found, pinned as a direct scenario on the real
parts (HQ on uvicorn over loopback, store SQLite files), independent of how the simulation draws
its schedules. The seed that found it is kept in test_simulation.py's REGRESSION_SEEDS."""
import json
import os
import shutil
import sqlite3
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select, text

from hq import jobs
from hq.models import Base as HQBase
from hq.models import ConflictRow, LedgerRow
from tests.sync.fixtures import hq, make_store  # noqa: F401
from tests.sync.harness import assert_converged


class _PgDatabase:
    """HQ's PostgreSQL schema, backed up and restored as pg_dump/pg_restore would: every table's
    rows and every sequence's position, read in one REPEATABLE READ snapshot. The copy is a schema
    beside HQ's, dropped after the test; the backup file names it and holds the sequences."""

    def __init__(self, hq):  # noqa: F811
        from sqlalchemy import create_engine

        self.schema = hq.settings.schema
        self.engine = create_engine(hq.settings.database_url)
        self.copies: list[str] = []

    def _names(self, c, kind: str) -> list[str]:
        if kind == "table":
            q = ("SELECT table_name FROM information_schema.tables WHERE table_schema = :s "
                 "AND table_type = 'BASE TABLE' ORDER BY table_name")
        else:
            q = "SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = :s"
        return list(c.execute(text(q), {"s": self.schema}).scalars())

    def backup(self, dest: Path) -> None:
        copy = f"{self.schema}_bk{len(self.copies)}"
        self.copies.append(copy)
        with self.engine.connect().execution_options(isolation_level="REPEATABLE READ") as c, c.begin():
            c.execute(text(f'CREATE SCHEMA "{copy}"'))
            for t in self._names(c, "table"):
                c.execute(text(f'CREATE TABLE "{copy}"."{t}" AS TABLE "{self.schema}"."{t}"'))
            seqs = {q: list(c.execute(text(f'SELECT last_value, is_called FROM "{self.schema}"."{q}"')).one())
                    for q in self._names(c, "sequence")}
        dest.write_text(json.dumps({"copy": copy, "sequences": seqs}))

    def restore(self, backup: Path) -> None:
        saved = json.loads(backup.read_text())
        order = [t.name for t in HQBase.metadata.sorted_tables]  # parents before children
        with self.engine.begin() as c:
            c.execute(text("SET LOCAL lock_timeout = '10s'"))
            tables = self._names(c, "table")
            tables.sort(key=lambda t: order.index(t) if t in order else len(order))
            c.execute(text("TRUNCATE " + ", ".join(f'"{self.schema}"."{t}"' for t in tables)))
            for t in tables:
                c.execute(text(f'INSERT INTO "{self.schema}"."{t}" SELECT * FROM "{saved["copy"]}"."{t}"'))
            for q, (value, called) in saved["sequences"].items():
                c.execute(text("SELECT setval(:q, :v, :c)"), {"q": f'"{self.schema}"."{q}"', "v": value, "c": called})

    def drop(self) -> None:
        with self.engine.begin() as c:
            for copy in self.copies:
                c.execute(text(f'DROP SCHEMA IF EXISTS "{copy}" CASCADE'))
        self.engine.dispose()


@pytest.fixture
def hq_db(hq):  # noqa: F811
    """HQ's database as an operator backs it up and restores it: the SQLite file, or the
    PostgreSQL schema (copied as pg_dump would)."""
    if hq.service.db.is_sqlite:
        yield Path(hq.service.db.engine.url.database)
        return
    db = _PgDatabase(hq)
    yield db
    db.drop()


def _backup(path, dest: Path) -> None:
    if isinstance(path, _PgDatabase):
        path.backup(dest)
        return
    src, out = sqlite3.connect(path), sqlite3.connect(dest)
    src.backup(out)
    out.close()
    src.close()


def _restore(hq, path, backup: Path) -> None:  # noqa: F811
    """What an operator does: put the older database back, then `python -m hq epoch bump`. HQ
    keeps running here. SQLite: its change watcher polls the file, so the backup is copied beside
    the file and renamed over it (with the file missing or half-copied even for a moment, a poll
    would open a new empty database at the path: "no such table"). PostgreSQL: the schema's rows
    and sequences are put back in one transaction."""
    if isinstance(path, _PgDatabase):
        path.restore(backup)
        hq.service.bump_epoch()
        return
    staged = path.with_name(path.name + ".restoring")
    shutil.copyfile(backup, staged)
    hq.service.db.engine.dispose()
    for p in (Path(f"{path}-wal"), Path(f"{path}-shm")):
        p.unlink(missing_ok=True)
    os.replace(staged, path)
    hq.service.db.engine.dispose()  # a connection a poll opened on the old file meanwhile
    hq.service.bump_epoch()


def test_hq_restored_from_older_backup_gets_back_what_a_quiet_store_pushed(hq, hq_db, make_store, tmp_path):  # noqa: F811
    """Seed 12: HQ acknowledged a store's events, then was restored from a backup taken before
    them. The store had nothing new to push, so the sequence gap was never noticed and HQ (and
    every other store) never saw those points. After a reset the store now asks HQ which
    sequence it expects and sends again what HQ lost."""
    path = hq_db
    a, b = make_store("S001"), make_store("S002")
    member = a.register()
    a.sync()
    b.sync()
    _backup(path, tmp_path / "hq.backup")
    earned = a.earn(member.id, 5000)       # pushed and acknowledged by HQ after the backup
    edited = a.register("サトウイチロウ")    # a member HQ will have forgotten too
    a.sync()
    _restore(hq, path, tmp_path / "hq.backup")
    with hq.service.db.read() as s:
        assert s.get(LedgerRow, earned.entry_id) is None  # the restore really lost it

    a.sync()  # nothing new at this store: only the reset tells it
    b.sync()
    with hq.service.db.read() as s:
        assert s.get(LedgerRow, earned.entry_id) is not None
        assert len(list(s.scalars(select(LedgerRow.id).where(LedgerRow.id == earned.entry_id)))) == 1
    assert hq.service.member(edited.id)["status"] == "active"
    assert hq.service.balances()[member.id] == a.store.ledger.balance(member.id)["balance"] > 0
    for h in (a, b):
        h.sync()
    assert_converged(hq, [a, b])


def test_store_crashing_right_after_the_reset_still_resends(hq, hq_db, make_store, tmp_path):  # noqa: F811
    """The 'ask HQ after a reset' mark is kept in the store database with the new cursor: a store
    that dies after taking the reset but before asking still asks after it is reopened."""
    from sync.engine import S_CHECK_SEQ, SyncEngine

    path = hq_db
    a = make_store("S001")
    member = a.register()
    a.sync()
    _backup(path, tmp_path / "hq.backup")
    earned = a.earn(member.id, 3000)
    a.sync()
    _restore(hq, path, tmp_path / "hq.backup")
    a.engine.pull_all()  # takes the reset and the snapshot, then "crashes" before pushing again
    assert a.store.setting(S_CHECK_SEQ)
    a.engine.close()
    a.engine = SyncEngine(a.store, transport=a.transport, page_size=500)  # reopened
    a.sync()
    assert not a.store.setting(S_CHECK_SEQ)
    with hq.service.db.read() as s:
        assert s.get(LedgerRow, earned.entry_id) is not None
    assert_converged(hq, [a])


def test_snapshot_after_an_epoch_bump_is_paged_to_the_end(hq, make_store):  # noqa: F811
    """Seed 1010: after `epoch bump` the snapshot is served in pages. On SQLite the new feed's ids
    start again at 1 while the retention mark said "old head + 1", so the second page of the
    snapshot answered "reset", the store went back to page one, and looped until HQ rate-limited
    it. The retention mark is now the snapshot's first id."""
    from sync.engine import SyncEngine

    a, b = make_store("S001"), make_store("S002")
    members = [a.register() for _ in range(6)]
    for m in members:
        a.earn(m.id, 1200)
    a.sync()
    b.sync()
    hq.service.bump_epoch()
    b.engine.close()
    b.engine = SyncEngine(b.store, transport=b.transport, page_size=3)  # a snapshot of many pages
    first = b.sync()
    assert first["pulled"]["reset"] and first["pulled"]["pages"] > 3
    again = b.sync()
    assert not again["pulled"]["reset"] and again["pulled"]["changes"] == 0
    a.sync()
    assert_converged(hq, [a, b])


def test_migration_hq_rejects_leaves_the_card_free_to_migrate_again(hq, hq_db, make_store, tmp_path):  # noqa: F811
    """Seed 214: after HQ was restored from an older backup, a store migrated a paper card onto a
    member HQ no longer knew (the store that registered them had not resent yet). HQ rejected the
    migration and the store reversed its points, but kept the card marked as migrated here: the
    customer's card could never be migrated again at that store (points lost). A rejected
    migration now frees the card; migrated again later, it counts once."""
    from sqlalchemy import func

    from app.models import Card
    from hq.models import CardRow

    path = hq_db
    a, b = make_store("S001"), make_store("S002")
    a.sync()
    _backup(path, tmp_path / "hq.backup")
    member = b.register("タナカサブロウ")   # pushed, then lost by the restore
    b.sync()
    a.sync()
    _restore(hq, path, tmp_path / "hq.backup")
    a.store.migration.migrate(a.actor, "2000000000015", member.id, uuid.uuid4(), points=150)
    a.sync()  # before b has resent the member: HQ rejects the migration
    with a.store.db.read() as s:
        card = s.scalars(select(Card).where(Card.number == "2000000000015")).one()
        assert card.status == "active" and card.member_id is None
    assert a.store.ledger.balance(member.id)["balance"] == 0
    b.sync()  # b resends the member HQ lost
    a.sync()
    res = a.store.migration.migrate(a.actor, "2000000000015", member.id, uuid.uuid4(), points=150)
    assert res.points == 150
    for h in (a, b, a):
        h.sync()
    with hq.service.db.read() as s:
        assert s.scalar(select(func.count()).select_from(CardRow).where(
            CardRow.number == "2000000000015", CardRow.status == "migrated")) == 1
    assert hq.service.balances()[member.id] == 150 == b.store.ledger.balance(member.id)["balance"]
    assert_converged(hq, [a, b])


def test_store_that_first_hears_of_a_member_after_its_deletion_books_its_entries(hq, make_store):  # noqa: F811
    """Seeds 1635, 1753, 1878: a member was deleted (privacy request) before a store had pulled
    them. HQ keeps the member's entries and balance but scrubs the member's earlier feed changes,
    so that store got only 'deleted' for a member it never held, skipped it, and then refused
    the member's entries (unknown_member): an HQ entry missing there and the balance off by it.
    Such a member now becomes a row without personal data, status 'deleted', and its entries
    book — from the feed, and from the snapshot after an epoch bump (member.delete only)."""
    from sqlalchemy import func

    from app.models import Conflict, LedgerEntry, Member
    from app.services.replica import ReplicaService

    a, b = make_store("S001"), make_store("S002")
    member = a.register("スズキジロウ", phone="09012345678")
    a.earn(member.id, 5000)
    a.sync()
    a.store.privacy.delete_member(a.actor, member.id)
    a.sync()
    assert hq.service.member(member.id)["status"] == "deleted"
    assert hq.service.balances()[member.id] > 0
    b.sync()  # b's first pull: the member's changes arrive already scrubbed
    hq.service.bump_epoch()
    c = make_store("S003")
    c.sync()  # c's first pull: the snapshot sends member.delete and the entries
    for h in (b, c):
        with h.store.db.read() as s:
            m = s.get(Member, member.id)
            assert m is not None and m.status == "deleted", h.store_id
            assert (m.name_kana, m.phone, m.name) == ("", None, None)
            assert s.scalar(select(func.count()).select_from(Conflict)) == 0, h.store_id
        assert ReplicaService(h.store).balances()[member.id] == hq.service.balances()[member.id], h.store_id
    with hq.service.db.read() as s:
        hq_entries = set(s.scalars(select(LedgerRow.id).where(LedgerRow.member_id == member.id)))
    assert hq_entries
    for h in (b, c):
        with h.store.db.read() as s:
            assert set(s.scalars(select(LedgerEntry.id).where(LedgerEntry.member_id == member.id))) == hq_entries
    for h in (a, b, c):
        h.sync()
    assert_converged(hq, [a, b, c])


def test_deletion_at_a_store_of_a_member_hq_had_merged_deletes_the_person(hq, make_store):  # noqa: F811
    """Seeds 551, 555, 2015, 3075: HQ merged a duplicate into a survivor; a store that had pulled
    the merge then took a privacy request naming the duplicate. It scrubbed the duplicate and
    marked it 'deleted' (still pointing at the survivor) while HQ, following the merge to the
    person, deleted the survivor and kept the duplicate 'merged': the two never agreed, and the
    survivor kept the person's data at that store. Decided: a deletion names the person, so
    everywhere the survivor is deleted (its points stay booked, as for any deletion), and the
    duplicate stays 'merged' into it (its entries are the survivor's) without personal data."""
    from app.models import Member

    a, b = make_store("S001"), make_store("S002")
    dup = a.register("スズキジロウ", phone="09011112222")
    survivor = b.register("スズキジロウ", phone="09033334444")
    a.earn(dup.id, 5000)
    b.earn(survivor.id, 3000)
    for h in (a, b, a):
        h.sync()
    hq.service.merge(survivor.id, dup.id)
    a.sync()  # a has the merge
    a.store.privacy.delete_member(a.actor, dup.id)
    with a.store.db.read() as s:
        d, sv = s.get(Member, dup.id), s.get(Member, survivor.id)
        assert (d.status, d.merged_into) == ("merged", survivor.id)
        assert sv.status == "deleted"
        for m in (d, sv):
            assert (m.name_kana, m.phone, m.name) == ("", None, None)
    for h in (a, b, a, b):
        h.sync()
    assert hq.service.member(survivor.id)["status"] == "deleted"
    hd = hq.service.member(dup.id)
    assert (hd["status"], hd["merged_into"]) == ("merged", survivor.id)
    assert not any(hd["fields"][f] for f in ("name", "name_kana", "phone", "email"))
    with b.store.db.read() as s:
        d, sv = s.get(Member, dup.id), s.get(Member, survivor.id)
        assert (d.status, d.merged_into, sv.status) == ("merged", survivor.id, "deleted")
        assert (d.name_kana, d.phone, sv.name_kana, sv.phone) == ("", None, "", None)
    assert hq.service.balances()[survivor.id] > 0 and hq.service.balances()[dup.id] == 0
    assert_converged(hq, [a, b])


def test_deletion_at_a_store_that_had_not_pulled_the_merge_agrees_with_hq(hq, make_store):  # noqa: F811
    """The other order: the store deletes the duplicate before it pulls HQ's merge. HQ follows
    the merge and deletes the survivor; the store then takes the merge (the duplicate's points
    go to the survivor, nothing counted twice) and the survivor's deletion. Before, the
    duplicate's personal data stayed at the other store (and at HQ) after the person was deleted:
    deleting a member now scrubs the records merged into it too."""
    from app.models import Member
    from app.services.replica import ReplicaService

    a, b = make_store("S001"), make_store("S002")
    dup = a.register("タナカハナコ", phone="09055556666")
    survivor = b.register("タナカハナコ", phone="09077778888")
    a.earn(dup.id, 5000)
    b.earn(survivor.id, 3000)
    for h in (a, b, a):
        h.sync()
    hq.service.merge(survivor.id, dup.id)
    a.store.privacy.delete_member(a.actor, dup.id)  # before a pulls the merge
    for h in (a, b, a, b):
        h.sync()
    for h in (a, b):
        with h.store.db.read() as s:
            d, sv = s.get(Member, dup.id), s.get(Member, survivor.id)
            assert (d.status, d.merged_into, sv.status) == ("merged", survivor.id, "deleted"), h.store_id
            assert (d.name_kana, d.phone, sv.name_kana, sv.phone) == ("", None, "", None), h.store_id
        assert ReplicaService(h.store).balances()[dup.id] == 0 == hq.service.balances()[dup.id]
        assert ReplicaService(h.store).balances()[survivor.id] == hq.service.balances()[survivor.id] > 0
    assert_converged(hq, [a, b])


def _entry(s, entry_id: str):
    from app.models import LedgerEntry

    return s.scalars(select(LedgerEntry).where(LedgerEntry.id == entry_id)).first()


def _two_stores_backed_up(path, make_store, backup: Path):  # noqa: F811
    """Two stores synced with HQ, then HQ's database backed up: (HQ's database, store a, store b)."""
    a, b = make_store("S001"), make_store("S002")
    a.sync()
    b.sync()
    _backup(path, backup)
    return path, a, b


def _member_hq_will_forget(path, make_store, tmp_path, kana: str):  # noqa: F811
    """Two synced stores, HQ backed up, then a member registered at the first and known to both
    and to HQ: restoring the backup makes HQ forget the member."""
    path, a, b = _two_stores_backed_up(path, make_store, tmp_path / "hq.backup")   # before the member
    member = a.register(kana)
    a.sync()
    b.sync()
    return path, a, b, member


def test_copy_of_an_entry_hq_refuses_after_a_restore_is_reversed_where_it_was_pulled(hq, hq_db, make_store, tmp_path):  # noqa: F811
    """Seed 2763: HQ booked a store's earn, another store pulled it, then HQ was restored from a
    backup older than the member. The earning store resent first, before the member's
    registration came back from the registering store, so HQ refused it (unknown_member): the
    sender reversed its entry, but the store holding the copy kept the points. HQ now announces
    the refusal in its feed (ledger.rejected) and the copy is reversed where it was pulled."""
    from app.models import Conflict, LedgerEntry
    from app.services.replica import LOCAL_NS, ReplicaService

    path, a, b, member = _member_hq_will_forget(hq_db, make_store, tmp_path, "タナカユウコ")
    earned = b.earn(member.id, 8000)         # booked at HQ, then pulled by a
    b.sync()
    a.sync()
    with a.store.db.read() as s:
        assert _entry(s, earned.entry_id) is not None
    _restore(hq, path, tmp_path / "hq.backup")

    b.sync()  # resends the earn first: HQ no longer knows the member
    with b.store.db.read() as s:
        assert _entry(s, str(uuid.uuid5(LOCAL_NS, f"{earned.entry_id}:rejected"))) is not None
    a.sync()  # the registration goes back to HQ; the refusal comes down the feed
    with a.store.db.read() as s:
        reversal = _entry(s, str(uuid.uuid5(LOCAL_NS, f"{earned.entry_id}:rejected")))
        assert reversal is not None and reversal.points == -earned.points
        assert s.scalars(select(Conflict)).all() == []  # the sender's manager has the conflict, not this one
    assert ReplicaService(a.store).balances()[member.id] == hq.service.balances()[member.id] == 0
    a.sync()  # the same change again (or in a later snapshot) reverses nothing twice
    hq.service.bump_epoch()
    for h in (a, b):
        h.sync()
    with a.store.db.read() as s:
        assert len(s.scalars(select(LedgerEntry).where(LedgerEntry.member_id == member.id)).all()) == 2
    assert_converged(hq, [a, b])


def test_privacy_deletion_of_a_member_hq_lost_in_a_restore_still_deletes_the_person(hq, hq_db, make_store, tmp_path):  # noqa: F811
    """Seed 1939: after HQ was restored from a backup older than a member, a store took the
    member's privacy deletion. HQ refused it (unknown_member), and the registering store then sent
    the registration again: the person was back at HQ and at every store but the one asked to
    delete them. HQ now keeps the deletion as a row without personal data; the registration that
    arrives later is refused (member_deleted), the member's points still book, and the deletion
    reaches every store."""
    from app.models import Member
    from app.services.replica import ReplicaService
    from hq.models import MemberRow

    path = hq_db
    a, b = make_store("S001"), make_store("S002")
    a.sync()
    b.sync()
    _backup(path, tmp_path / "hq.backup")
    member = a.register("ヤマモトケンジ", phone="09011112222")
    a.earn(member.id, 6000)
    a.sync()
    b.sync()
    _restore(hq, path, tmp_path / "hq.backup")
    b.store.privacy.delete_member(b.actor, member.id)
    b.sync()  # the deletion reaches HQ before the member's registration is sent again
    a.sync()
    b.sync()
    with hq.service.db.read() as s:
        m = s.get(MemberRow, member.id)
        assert m.status == "deleted" and m.phone is None and m.name_kana is None
    for h in (a, b):
        with h.store.db.read() as s:
            m = s.get(Member, member.id)
            assert m.status == "deleted" and m.phone is None and m.name_kana == "", h.store_id
        assert ReplicaService(h.store).balances()[member.id] == hq.service.balances()[member.id] > 0
    assert_converged(hq, [a, b])


def _restore_file(hq, path: Path, backup: Path) -> None:  # noqa: F811
    """Restore a backup that must stay usable for a second restore later."""
    shutil.copyfile(backup, backup.with_suffix(".keep"))
    _restore(hq, path, backup)
    shutil.copyfile(backup.with_suffix(".keep"), backup)


def test_an_event_hq_refused_keeps_its_verdict_when_sent_again_after_a_restore(hq, hq_db, make_store, tmp_path):  # noqa: F811
    """Found by a simulation variant with migration voids (seed 1064): HQ refused a store's earn
    (its member unknown after a restore), the store reversed it. HQ was then restored again and the
    store, asked for the lost sequence, sent the earn again: HQ refusing it again made the store
    book the same reversal twice (UNIQUE constraint failed, the store's sync stuck for good), and
    HQ restored to a backup that knew the member would have booked points the store had already
    taken back. A resent event keeps its verdict (prior_outcome): refused again, reversed once."""
    from app.models import LedgerEntry
    from app.services.replica import LOCAL_NS, ReplicaService

    path, a, b = _two_stores_backed_up(hq_db, make_store, tmp_path / "early.backup")   # before the member
    member = a.register("イノウエサキ")
    a.earn(member.id, 3000)
    a.sync()
    b.sync()
    _backup(path, tmp_path / "known.backup")        # the member known, b's earn not yet
    _restore_file(hq, path, tmp_path / "early.backup")
    earned = b.earn(member.id, 9000)
    b.sync()                                         # HQ does not know the member now: refused
    reversal = str(uuid.uuid5(LOCAL_NS, f"{earned.entry_id}:rejected"))
    with b.store.db.read() as s:
        assert _entry(s, reversal) is not None

    _restore_file(hq, path, tmp_path / "early.backup")  # refused again when sent again
    b.sync()
    _restore_file(hq, path, tmp_path / "known.backup")  # would now be booked: must not be
    b.sync()
    a.sync()
    b.sync()
    with hq.service.db.read() as s:
        assert s.get(LedgerRow, earned.entry_id) is None
    with b.store.db.read() as s:
        assert len(s.scalars(select(LedgerEntry).where(LedgerEntry.id == reversal)).all()) == 1
    for h in (a, b):
        assert ReplicaService(h.store).balances()[member.id] == hq.service.balances()[member.id], h.store_id
    assert_converged(hq, [a, b])


def test_an_earn_and_its_void_both_refused_after_a_restore_cancel_out(hq, hq_db, make_store, tmp_path):  # noqa: F811
    """Seed 231: a store earned and voided the earn; HQ booked both, another store pulled both,
    then HQ was restored from a backup older than the member and refused both when they were sent
    again. Reversing the refused earn was capped at the balance the void had left (nothing), then
    reversing the refused void gave its points back: the member had the earn's points once more
    than HQ, at both stores. Now the pair cancels: an entry voided here is not reversed again, and
    a void of an entry HQ refused too is not reversed (HQ says, in ledger.rejected, whether it holds
    the voided entry)."""
    from app.services.replica import ReplicaService

    path, a, b, member = _member_hq_will_forget(hq_db, make_store, tmp_path, "キムラトモコ")
    earned = b.earn(member.id, 12000)
    b.store.ledger.void(b.actor, earned.entry_id, uuid.uuid4())
    b.sync()
    a.sync()                                 # a holds copies of both
    _restore(hq, path, tmp_path / "hq.backup")
    b.sync()                                 # both sent again before the member: both refused
    a.sync()
    b.sync()
    assert hq.service.balances()[member.id] == 0
    for h in (a, b):
        assert ReplicaService(h.store).balances()[member.id] == 0, h.store_id
    assert_converged(hq, [a, b])


def test_a_void_whose_earn_hq_refused_after_a_restore_is_refused_too(hq, hq_db, make_store, tmp_path):  # noqa: F811
    """Seed 303806: a store earned and voided the earn while offline. Its earn reached HQ alone,
    after a restore that had lost the member, and was refused (unknown_member); the registering
    store then sent the member again, so when the void came HQ knew the member, held no earn, and
    booked the void as a debit of points it had never given (the store: earn refused, void
    applied, nets 0; HQ: minus the earn). HQ now refuses a void whose target it refused
    (target_rejected) and the store cancels the pair out."""
    from hq.models import ConflictRow
    from sync.client import Offline

    path, a, b, member = _member_hq_will_forget(hq_db, make_store, tmp_path, "ナカムラアキ")
    a.earn(member.id, 6000)                  # points HQ will have to be told again, too
    a.sync()
    b.sync()
    earned = b.earn(member.id, 6800)
    b.store.ledger.void(b.actor, earned.entry_id, uuid.uuid4())
    _restore(hq, path, tmp_path / "hq.backup")
    b.engine.pull_all()                       # the reset: b now pushes in HQ's new epoch
    b.engine.batch_size = 1
    # pushes: HQ's expected sequence asked (after the reset), the earn reaches HQ, the void does not
    b.transport.fail_push_from = b.transport.pushes + 3
    with pytest.raises(Offline):
        b.sync()
    with hq.service.db.read() as s:
        assert s.get(LedgerRow, earned.entry_id) is None            # refused: the member is unknown
        refusals = s.scalars(select(ConflictRow).where(ConflictRow.kind == "rejected_event")).all()
    assert any((c.details or {}).get("event_id") == earned.entry_id for c in refusals)
    a.sync()                                  # the reset: a sends the member (and its earn) again
    b.transport.fail_push_from = None
    b.transport.offline = False
    b.sync()                                  # now the void: HQ knows the member, not the earn
    a.sync()
    b.sync()
    balances = hq.service.balances()
    with hq.service.db.read() as s:
        assert s.get(LedgerRow, earned.entry_id) is None
        assert not s.scalars(select(LedgerRow).where(LedgerRow.reverses_id == earned.entry_id)).all()
    for h in (a, b):
        from app.services.replica import ReplicaService

        assert ReplicaService(h.store).balances()[member.id] == balances[member.id], h.store_id
    assert_converged(hq, [a, b])


def test_reversal_of_a_refused_copy_waits_for_the_write_off_of_the_points_spent_meanwhile(hq, hq_db, make_store, tmp_path):  # noqa: F811
    """Seed 3055506: store a held a copy of b's earn and spent its points offline. HQ, restored from
    a backup older than the member, refused the earn when b sent it again (the member's registration
    had not come back yet), so a reversed its copy; the points were spent, and the reversal was cut
    to what was left. HQ, which never had the points, then booked a's redemption as an overdraft and
    wrote it off with a credit: a kept that credit on top, points HQ did not have. The reversal now
    waits, whole, for that credit."""
    from app.services.replica import LOCAL_NS, SETTING_OWED, ReplicaService

    path, a, b, member = _member_hq_will_forget(hq_db, make_store, tmp_path, "オガワユミ")
    earned = b.earn(member.id, 12000)        # 120 pt
    b.sync()
    a.sync()                                 # a holds a copy
    a.transport.offline = True
    assert a.redeem(member.id, 80)["mode"] == "offline"
    _restore(hq, path, tmp_path / "hq.backup")
    b.sync()                                 # sent again before the member: refused
    with hq.service.db.read() as s:
        assert s.get(LedgerRow, earned.entry_id) is None
    a.transport.offline = False
    a.sync()                                 # a: the member again, its redemption (an overdraft at HQ), the refusal
    a.sync()
    b.sync()
    a.sync()
    reversal = str(uuid.uuid5(LOCAL_NS, f"{earned.entry_id}:rejected"))
    with a.store.db.read() as s:
        copy_reversal = _entry(s, reversal)
    assert copy_reversal is not None and copy_reversal.points == -120   # whole, not cut to 40
    assert not a.store.setting(SETTING_OWED)
    assert hq.service.balances()[member.id] == 0
    for h in (a, b):
        assert ReplicaService(h.store).balances()[member.id] == 0, h.store_id
    assert_converged(hq, [a, b])


def test_an_earn_hq_refused_and_the_store_reversed_cannot_be_voided(hq, hq_db, make_store, tmp_path):  # noqa: F811
    """Seed 3058169: HQ, restored from a backup older than the member, refused a store's earn
    (unknown_member) and the store reversed it. The cashier then voided the same earn: the void
    took its points a second time, HQ refused the void too (target_rejected) and the store, taking
    earn and void for a pair that cancels, reversed the void as 0 — the member 158 pt below HQ
    for good. A void of an entry HQ refused is now refused at the counter."""
    from app.errors import LedgerRefused
    from app.services.replica import ReplicaService

    path, a, b, member = _member_hq_will_forget(hq_db, make_store, tmp_path, "サイトウハナ")
    a.earn(member.id, 18500)                   # an older lot at b (a copy): the reversal takes from
    a.sync()                                   # it first, so the earn's own lot looks untouched
    b.sync()
    earned = b.earn(member.id, 15800)          # 158 pt
    _restore(hq, path, tmp_path / "hq.backup")
    b.sync()                                   # sent before the member: refused, reversed here
    with hq.service.db.read() as s:
        assert s.get(LedgerRow, earned.entry_id) is None
    before = ReplicaService(b.store).balances()[member.id]
    with pytest.raises(LedgerRefused) as exc:
        b.store.ledger.void(b.actor, earned.entry_id, uuid.uuid4())
    assert exc.value.code == "refused_by_hq"
    # nor can the store's own reversal (HQ never heard of it: a void of it would hand the points out)
    from app.services.replica import LOCAL_NS

    with pytest.raises(LedgerRefused) as exc:
        b.store.ledger.void(b.actor, str(uuid.uuid5(LOCAL_NS, f"{earned.entry_id}:rejected")), uuid.uuid4())
    assert exc.value.code == "not_voidable"
    assert b.store.ledger.last_voidable().id == earned.entry_id   # the cashier's last action, not HQ's answer
    assert ReplicaService(b.store).balances()[member.id] == before
    a.sync()                                   # the member again at HQ
    b.sync()
    a.sync()
    for h in (a, b):
        assert ReplicaService(h.store).balances()[member.id] == hq.service.balances()[member.id], h.store_id
    assert_converged(hq, [a, b])


def test_a_push_held_up_in_the_network_and_delivered_after_a_restore_changes_nothing(hq, hq_db, make_store, tmp_path):  # noqa: F811
    """Seed 6005248: a store's push was held up in the network (the store saw it fail), the store
    pushed the same events again and HQ booked them; HQ was then restored from a backup older than
    the member, and only then was the held-up request delivered. HQ applied it to the restored
    state: the earn refused (unknown_member), the terminal's sequence moved past it. The store
    never saw that answer; after the reset HQ said it expected a later sequence, so the store did
    not resend the earn: booked at the store, at HQ never. A push now carries the feed epoch it
    was made in, and HQ refuses (409 stale_epoch, nothing applied) one made before the restore."""
    from app.services.replica import ReplicaService

    path, a, b, member = _member_hq_will_forget(hq_db, make_store, tmp_path, "ハヤシケン")
    earned = b.earn(member.id, 1504)          # 15 pt
    b.transport.hold_next_push = True
    with pytest.raises(Exception):
        b.sync()                              # the store sees the push fail
    b.sync()                                  # sent again: HQ books it
    with hq.service.db.read() as s:
        assert s.get(LedgerRow, earned.entry_id) is not None
    _restore(hq, path, tmp_path / "hq.backup")
    [late] = b.transport.deliver_held()       # delivered now, to the restored HQ
    assert late.status_code == 409 and late.json()["error"] == "stale_epoch"
    b.sync()                                  # the reset; the earn resent first (member unknown: refused)
    a.sync()                                  # a sends the member again
    b.sync()
    a.sync()
    balances = hq.service.balances()
    for h in (a, b):
        assert ReplicaService(h.store).balances()[member.id] == balances[member.id], h.store_id
    assert_converged(hq, [a, b])


def _assert_phone(hq, h, member_id: str, digits: str) -> None:
    """The member's phone, at HQ and at the store ``h``."""
    from app.models import Member
    from hq.models import MemberRow

    with hq.service.db.read() as s:
        assert s.get(MemberRow, member_id).phone == digits
    with h.store.db.read() as s:
        assert s.scalars(select(Member.phone).where(Member.id == member_id)).one() == digits


def test_an_edit_whose_answer_was_lost_does_not_hide_a_later_edit_pulled_meanwhile(hq, make_store):  # noqa: F811
    """Seed 7006254: a store's phone edit reached HQ but the answer was lost, so the edit stayed
    unacknowledged; another store then changed the phone again (the later writer). HQ started a
    new epoch before the first store pushed again, so it pulled the snapshot first (a push from the
    old epoch is refused) and skipped HQ's phone because its own edit was still unacknowledged.
    Resent, the edit got back its stored answer (applied) and HQ sent nothing more: the store kept
    the older phone for good. A pulled field now wins over our unacknowledged edit when its time is
    the later one, as it does at HQ."""
    from sync.client import Offline

    a, b = make_store("S001"), make_store("S002")
    m = a.register("モリタケン", phone="090-1111-1111")
    a.sync()
    b.sync()
    b.store.members.update(b.actor, m.id, phone="090-2222-2222")
    b.transport.drop_push_responses = 1
    with pytest.raises(Offline):
        b.sync()                               # HQ applied b's edit; b never heard
    a.store.members.update(a.actor, m.id, phone="090-3333-3333")   # later: the last writer
    a.sync()
    hq.service.bump_epoch()
    b.sync()                                   # refused as stale, the snapshot pulled, the edit resent
    b.sync()
    _assert_phone(hq, b, m.id, "09033333333")
    assert_converged(hq, [a, b])


def test_a_field_hq_fills_in_a_merge_is_taken_by_a_store_whose_registration_answer_was_lost(hq, make_store):  # noqa: F811
    """Seed 13015392: a registered the survivor without a phone; HQ applied it but the answer was
    lost. HQ then merged b's duplicate (with a phone) into it, filling the survivor's phone with
    the duplicate's older field time, and started a new epoch. a pulled the snapshot before
    pushing again (a push from the old epoch is refused), kept its empty phone as the later write
    (its registration still unacknowledged), and resent the registration, a duplicate HQ did not
    apply again: a stayed without the phone for good. A field HQ fills in a merge is now written
    at a time later than every earlier time of the field."""
    from sync.client import Offline

    a, b = make_store("S001"), make_store("S002")
    dup = b.register("ノダユミ", phone="090-4444-4444")
    b.sync()
    a.sync()
    survivor = a.register("ノダユミ")            # no phone
    a.transport.drop_push_responses = 1
    with pytest.raises(Offline):
        a.sync()                               # HQ applied the registration; a never heard
    hq.service.merge(survivor.id, dup.id)
    hq.service.bump_epoch()
    a.sync()                                   # refused as stale, the snapshot pulled, resent
    a.sync()
    b.sync()
    _assert_phone(hq, a, survivor.id, "09044444444")
    assert_converged(hq, [a, b])


@pytest.mark.parametrize("compacted", [False, True], ids=["feed", "snapshot"])
def test_a_copied_paper_card_migration_hq_refuses_frees_the_card_where_it_was_copied(hq, hq_db, make_store, tmp_path,  # noqa: F811
                                                                                       compacted):
    """Seed 7003791: store b migrated a paper card; store a pulled the migration and marked the
    card migrated. HQ, restored from a backup older than the member, refused b's resent migration
    (unknown_member): b reversed it and freed the card, a reversed its copy of the points but kept
    the card marked migrated, which HQ no longer held. HQ's ledger.rejected now names the card
    and a store holding the copy frees it too — also when it learns it from a compacted feed
    (an epoch bump's snapshot) rather than the change itself."""
    from app.models import Card
    from app.services.replica import ReplicaService

    card = "2000000000015"
    path, a, b, member = _member_hq_will_forget(hq_db, make_store, tmp_path, "スズキミホ")
    b.store.migration.migrate(b.actor, card, member.id, uuid.uuid4(), stamps=12)
    b.sync()
    a.sync()
    with a.store.db.read() as s:
        assert s.scalars(select(Card.status).where(Card.number == card)).one() == "migrated"
    _restore(hq, path, tmp_path / "hq.backup")
    b.sync()                                   # resent before the member: refused, freed at b
    if compacted:
        hq.service.bump_epoch()
    a.sync()                                   # a: the member again, and the refusal of the copy
    b.sync()
    a.sync()
    for h in (a, b):
        with h.store.db.read() as s:
            assert s.scalars(select(Card.status).where(Card.number == card)).one() == "active", h.store_id
        assert ReplicaService(h.store).balances()[member.id] == hq.service.balances()[member.id], h.store_id
    assert_converged(hq, [a, b])


@pytest.mark.parametrize("compacted", [False, True], ids=["feed", "snapshot"])
def test_a_compensation_hq_lost_in_a_restore_and_does_not_book_again_is_taken_back(hq, hq_db, make_store, tmp_path,  # noqa: F811
                                                                                    compacted):
    """Seed 7009876: store a's migration of a paper card lost to store b's (HQ booked it with a
    compensation that took the points back, and a pulled that compensation). HQ was then restored
    from a backup older than both; a resent first, and this time its migration won the card: HQ
    booked no compensation, but a still held the first one, its member 190 pt below HQ for good.
    The resent event now names the compensations it had (prior_compensation) and HQ announces
    those it does not book again as withdrawn (ledger.rejected): a takes its copy back, and so does
    b, which had pulled one too — also from a compacted feed (an epoch bump's snapshot)."""
    from app.services.replica import ReplicaService

    card = "2000000000015"
    path, a, b = _two_stores_backed_up(hq_db, make_store, tmp_path / "hq.backup")   # before both members
    mb = b.register("オオタユウ")
    b.store.migration.migrate(b.actor, card, mb.id, uuid.uuid4(), stamps=12)
    b.sync()                                     # b's migration: first, wins the card
    ma = a.register("イシイナオ")
    a.earn(ma.id, 30000)
    a.store.migration.migrate(a.actor, card, ma.id, uuid.uuid4(), stamps=19)
    res = a.sync()                               # a's loses: booked with a compensation, pulled
    with hq.service.db.read() as s:
        lost = s.scalars(select(LedgerRow.id).where(LedgerRow.member_id == ma.id, LedgerRow.store_id == "HQ")).all()
    assert len(lost) == 1 and res["pushed"].get("adjusted")
    b.sync()                                     # b holds a copy of the compensation
    _restore(hq, path, tmp_path / "hq.backup")
    a.sync()                                     # resent first: a's migration wins now
    if compacted:
        hq.service.bump_epoch()
    b.sync()                                     # b's loses now
    a.sync()
    b.sync()
    with hq.service.db.read() as s:
        assert s.get(LedgerRow, lost[0]) is None
    from app.models import Conflict

    with a.store.db.read() as s:                 # the lost-migration conflict is no longer true: closed
        kinds = {c.kind: c.status for c in s.scalars(select(Conflict).where(Conflict.member_id == ma.id))}
    assert kinds.get("migration_lost") == "resolved"
    balances = hq.service.balances()
    for h in (a, b):
        got = ReplicaService(h.store).balances()
        assert (got[ma.id], got[mb.id]) == (balances[ma.id], balances[mb.id]), h.store_id
    assert_converged(hq, [a, b])


def test_a_compensation_judged_again_gets_a_new_id(hq, make_store):  # noqa: F811
    """The same rule from HQ's side: an event judged again (resent after a restore, naming what HQ
    booked for it before) books its compensation under an id of the current epoch, never one a
    store may already hold with another amount (it would skip the new one as already held), and
    the earlier id is announced withdrawn. (The resend is made by hand here: the outbox row says
    HQ once booked -999 for the event.)"""
    from app.models import Outbox
    from hq.models import ChangeRow
    from hq.service import HQ_NS

    card = "2000000000022"
    a, b = make_store("S001"), make_store("S002")
    mb = b.register("クボタアヤ")
    b.store.migration.migrate(b.actor, card, mb.id, uuid.uuid4(), stamps=12)
    b.sync()                                    # b holds the card at HQ
    ma = a.register("ノムラシン")
    a.earn(ma.id, 30000)
    res = a.store.migration.migrate(a.actor, card, ma.id, uuid.uuid4(), stamps=19)
    origin = res.entry.entry_id
    first_id = str(uuid.uuid5(HQ_NS, f"{origin}:migration-lost:old-epoch"))
    with a.store.db.write() as s:              # as if HQ had judged it once (-999) and lost it since
        row = s.scalars(select(Outbox).where(Outbox.event_id == origin)).one()
        row.outcome_detail = {"outcome": "adjusted", "compensation": [{"entry_id": first_id, "points": -999}]}
    a.sync()
    with hq.service.db.read() as s:
        comp = s.scalars(select(LedgerRow).where(LedgerRow.origin_event_id == origin)).all()
        withdrawn = [c.data for c in s.scalars(select(ChangeRow).where(ChangeRow.kind == "ledger.rejected"))]
    assert [c.points for c in comp] == [-190]
    assert comp[0].id == str(uuid.uuid5(HQ_NS, f"{origin}:migration-lost:{hq.service.epoch()}")) != first_id
    assert [w["entry_id"] for w in withdrawn] == [first_id]
    b.sync()
    a.sync()
    assert_converged(hq, [a, b])


def test_a_compensation_withdrawn_after_one_restore_and_booked_after_the_next_reaches_every_store(
        hq, hq_db, make_store, tmp_path):  # noqa: F811
    """HQ restored twice from the same backup, the stores resending in another order each time.
    a's paper-card migration lost to b's (HQ booked a −190 pt compensation; both stores pulled it).
    First restore: a resent first and won the card, so HQ withdrew the compensation and both
    stores took it back. Second restore: b resent first, a lost again, and HQ booked the same
    compensation again — under the same id, which both stores held (taken back) and so skipped:
    a's member stayed 190 pt above HQ for good. Compensation ids now name the feed epoch they
    were booked in (hq.service._book)."""
    from app.services.replica import ReplicaService

    card = "2000000000039"
    path, a, b = _two_stores_backed_up(hq_db, make_store, tmp_path / "hq.backup")   # before both members
    mb = b.register("オオタユウ")
    b.store.migration.migrate(b.actor, card, mb.id, uuid.uuid4(), stamps=12)
    b.sync()
    ma = a.register("イシイナオ")
    a.earn(ma.id, 30000)
    a.store.migration.migrate(a.actor, card, ma.id, uuid.uuid4(), stamps=19)
    a.sync()                                     # a's loses: a compensation, pulled by b next
    b.sync()

    def compensations():
        with hq.service.db.read() as s:
            return {e.member_id: e.id for e in s.scalars(select(LedgerRow).where(LedgerRow.store_id == "HQ"))}

    first = compensations()
    assert list(first) == [ma.id]
    _restore(hq, path, tmp_path / "hq.backup")
    for h in (a, b, a, b):                       # a first: a wins the card, b's loses
        h.sync()
    assert list(compensations()) == [mb.id]
    _restore(hq, path, tmp_path / "hq.backup")
    for h in (b, a, b, a):                       # b first: a's loses again
        h.sync()
    again = compensations()
    assert list(again) == [ma.id] and again[ma.id] != first[ma.id]
    balances = hq.service.balances()
    for h in (a, b):
        got = ReplicaService(h.store).balances()
        assert (got[ma.id], got[mb.id]) == (balances[ma.id], balances[mb.id]), h.store_id
    assert_converged(hq, [a, b])


@pytest.mark.parametrize("b1_holds_a", [False, True], ids=["b1-before-a", "b1-after-a"])
def test_a_restore_to_a_backup_older_than_the_last_restore_but_newer_than_its_backup(hq, hq_db, make_store, tmp_path,  # noqa: F811
                                                                                     b1_holds_a):
    """HQ restored from backup B0, the stores synced with it, then restored from B1, taken before
    that first restore but after B0 (an operator putting back "the right backup" after the wrong
    one). b's paper-card migration is in B1 with its first verdict (won the card), below the
    sequence HQ expects from b, so b did not send it again; but after the first restore b had
    resent it, it lost the card to a's, and HQ booked a compensation both stores pulled, which HQ
    (B1) has never heard of: b's member stayed 120 pt below HQ at both stores. With B1 taken
    after a's migration too, a's lost in B1 (its −190 pt compensation) but won after the first
    restore, where HQ withdrew that compensation and the stores took it back.
    Events answered by a judgment after a restore are now sent again after the next reset as a
    recheck: HQ withdraws what it does not hold, and restates what it holds that the stores took
    back; HQ's verdict of B1 stands everywhere."""
    from app.services.replica import ReplicaService

    card = "2000000000046"
    path, a, b = _two_stores_backed_up(hq_db, make_store, tmp_path / "b0")
    mb = b.register("オオタユウ")
    b.store.migration.migrate(b.actor, card, mb.id, uuid.uuid4(), stamps=12)
    b.sync()
    if not b1_holds_a:
        _backup(path, tmp_path / "b1")           # b's migration, no member of a
    ma = a.register("イシイナオ")
    a.earn(ma.id, 30000)
    a.store.migration.migrate(a.actor, card, ma.id, uuid.uuid4(), stamps=19)
    a.sync()                                     # a's loses the card to b's
    b.sync()
    if b1_holds_a:
        _backup(path, tmp_path / "b1")
    _restore(hq, path, tmp_path / "b0")
    for h in (a, b, a, b):                       # a resends first and wins; b's loses: compensated
        h.sync()
    _restore(hq, path, tmp_path / "b1")
    for h in (a, b, a, b):
        h.sync()
    balances = hq.service.balances()
    for h in (a, b):
        got = ReplicaService(h.store).balances()
        assert (got[ma.id], got[mb.id]) == (balances[ma.id], balances[mb.id]), h.store_id
    assert (balances[ma.id], balances[mb.id]) == (300, 120)   # b's migration won (B1): a's 190 pt compensated
    assert_converged(hq, [a, b])


def test_an_earn_refused_after_one_restore_and_held_booked_by_the_next_backup_counts_again(hq, hq_db, make_store,
                                                                                          tmp_path):  # noqa: F811
    """The event's own verdict, the same way: b's earn for a's new member was booked (and is in
    backup B1); HQ, restored from an older backup B0, refused b's resend (the member's registration
    had not come back yet), and b took the points back; then HQ was restored from B1, where the
    earn is booked, below the sequence HQ expects from b. b rechecks it and HQ restates it: the
    member has the earn's points at HQ and at both stores."""
    from app.services.replica import ReplicaService

    path, a, b = _two_stores_backed_up(hq_db, make_store, tmp_path / "b0")
    m = a.register("ミウラケン")
    a.sync()
    b.sync()
    b.earn(m.id, 4000)
    b.sync()
    _backup(path, tmp_path / "b1")               # the member and b's earn
    _restore(hq, path, tmp_path / "b0")
    b.sync()                                     # b first: HQ does not know the member yet
    with b.store.db.read() as s:
        assert ReplicaService(b.store).balances()[m.id] == 0
    for h in (a, b, a):
        h.sync()
    _restore(hq, path, tmp_path / "b1")
    for h in (b, a, b, a):
        h.sync()
    balances = hq.service.balances()
    assert balances[m.id] == 40
    for h in (a, b):
        assert ReplicaService(h.store).balances()[m.id] == balances[m.id], h.store_id
    assert_converged(hq, [a, b])


def test_an_expiry_hq_books_again_after_a_restore_with_another_amount_reaches_every_store(hq, hq_db, make_store,  # noqa: F811
                                                                                          tmp_path):
    """HQ's expiry job expired a lot's 300 pt (200 of its 500 redeemed at a) and both stores pulled
    it; HQ was then restored from a backup older than the redemption, and its job ran again before
    a had sent the redemption again: 500 pt under the same id, which both stores skipped as held.
    a's redemption, sent again, became an overdraft that HQ wrote off (+200) for everyone: both
    stores were 200 pt above HQ for good. A store now takes HQ's amount for an expiry it holds
    (b waits, parked, for the write-off before taking 200 pt more)."""
    from tests.sync.test_expiry_amounts import expiry_points, member_with_a_lot

    path, a, b = _two_stores_backed_up(hq_db, make_store, tmp_path / "b0")
    a, b, m, lot, (redeemed_at, after) = member_with_a_lot(make_store, "イトウハルカ", (a, b))
    _backup(path, tmp_path / "b1")              # the member and the earn, not the redemption
    a.store.ledger.redeem(a.actor, m.id, 200, uuid.uuid4(), at=redeemed_at)
    a.sync()
    assert jobs.run_job(hq.service, "expiry", after.date(), now=after)["points_expired"] == 300
    a.sync()
    b.sync()
    _restore(hq, path, tmp_path / "b1")
    b.sync()
    assert jobs.run_job(hq.service, "expiry", after.date(), now=after)["points_expired"] == 500
    b.sync()                                    # 200 pt more to expire, none here yet: parked
    assert expiry_points(hq, [a, b], lot.entry_id) == {"HQ": -500, "S001": -300, "S002": -300}
    for h in (a, b, a):
        h.sync()
    assert expiry_points(hq, [a, b], lot.entry_id) == {"HQ": -500, "S001": -500, "S002": -500}
    assert a.store.ledger.balance(m.id)["balance"] == hq.service.balances()[m.id] == \
        b.store.ledger.balance(m.id)["balance"] == 0
    assert_converged(hq, [a, b])


def test_a_coupon_used_at_two_stores_counts_once_whichever_use_hq_judges_first_after_a_restore(
        hq, hq_db, make_store, tmp_path):  # noqa: F811
    """a's use of a coupon won and b's lost (its 500 pt taken back); HQ was then restored from a
    backup older than both and b sent its use again first: b's now wins, HQ withdraws the
    take-back it had booked for b, and books one for a. The member has the coupon's points once."""
    from tests.sync.test_coupon_used_twice import _coupon_at_both

    a, b, m, coupon = _coupon_at_both(hq, make_store)
    _backup(hq_db, tmp_path / "b0")
    a.store.coupons.use(a.actor, coupon, uuid.uuid4())
    a.sync()
    b.store.coupons.use(b.actor, coupon, uuid.uuid4())
    for h in (b, a, b):
        h.sync()
    once = hq.service.balances()[m.id]
    _restore(hq, hq_db, tmp_path / "b0")
    for h in (b, a, b, a):
        h.sync()
    assert hq.service.balances()[m.id] == once == a.store.ledger.balance(m.id)["balance"] \
        == b.store.ledger.balance(m.id)["balance"]
    with hq.service.db.read() as s:
        [c] = s.scalars(select(ConflictRow).where(ConflictRow.kind == "coupon_used_twice",
                                                  ConflictRow.store_id == "S001")).all()
        assert c.details["reversed"] == 500
    assert_converged(hq, [a, b])
