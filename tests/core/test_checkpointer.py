"""WAL checkpoints off the counter's path: the app's store folds the WAL in from a background
thread, every connection's own autocheckpoint is only a distant backstop, and nothing written is
lost on the way (the benchmark shows the effect on the earn's p99: `python -m benchmarks core`)."""
import time
import uuid

from sqlalchemy import func, select

from app import db as dbmod
from app.models import LedgerEntry, Member
from app.services.setup import init_store
from app.store import Store


def _earn_many(store, actor, member_id, n):
    for _ in range(n):
        store.ledger.earn(actor, member_id, 1000, uuid.uuid4())


def test_every_connection_checkpoints_only_as_a_backstop(store):
    with store.db.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == dbmod.WAL_AUTOCHECKPOINT_PAGES
    assert dbmod.WAL_AUTOCHECKPOINT_PAGES > dbmod.CHECKPOINT_MIN_PAGES


def test_checkpoint_runs_only_past_its_threshold(store, member, cashier):
    _earn_many(store, cashier, member.member.id, 20)
    pages = store.db.wal_pages()
    assert pages > 0
    assert store.db.checkpoint(min_pages=pages + 1) is False
    assert store.db.checkpoints == 0
    assert store.db.checkpoint(min_pages=0) is True
    assert store.db.checkpoints == 1


def test_background_checkpointer_folds_the_wal_in_and_nothing_is_lost(db_path, clock):
    store = Store.open(db_path, clock=clock, background_checkpoint=True)
    try:
        init_store(store, "S001")
        store.staff.add(None, "店長", "manager", "1234")
        manager = store.staff.authenticate(1, "1234")
        reg = store.members.register(manager, name_kana="ヤマダ タロウ")
        member_id = reg.member.id
        # a fast checkpointer with a low threshold, so the test sees it work
        store.db.stop_checkpointer()
        store.db.start_checkpointer(interval=0.05, min_pages=5)
        _earn_many(store, manager, member_id, 60)
        deadline = time.monotonic() + 20
        while store.db.checkpoints == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert store.db.checkpoints >= 1, "the background thread never checkpointed"
        _earn_many(store, manager, member_id, 5)  # writes go on while it works
    finally:
        store.close()
    assert store.db._checkpointer is None
    wal = dbmod.Path(f"{db_path}-wal")  # truncated at close, removed with the last connection
    assert not wal.exists() or wal.stat().st_size == 0

    again = Store.open(db_path, clock=clock)
    try:
        with again.db.read() as s:
            n = s.scalar(select(func.count()).select_from(LedgerEntry).where(LedgerEntry.member_id == member_id))
            balance = s.scalar(select(Member.balance).where(Member.id == member_id))
            total = s.scalar(select(func.sum(LedgerEntry.points)).where(LedgerEntry.member_id == member_id))
        assert n == 65
        assert balance == total > 0
    finally:
        again.close()


def _big_write(store, mib: int) -> None:
    with store.db.raw_write() as cx:
        cx.execute("CREATE TABLE IF NOT EXISTS scratch (b BLOB)")
        cx.execute("INSERT INTO scratch VALUES (zeroblob(?))", (mib * 1024 * 1024,))


def test_wal_pages_counts_what_is_not_copied_yet_not_the_files_size(store, member, cashier):
    _big_write(store, 8)  # ~2,000 pages: the WAL file keeps this size from now on
    assert store.db.wal_pages() > 2000
    assert store.db.checkpoint(min_pages=0) is True
    wal = dbmod.Path(f"{store.db.path}-wal")
    assert wal.stat().st_size > 2000 * 4096  # SQLite reuses the file without shrinking it
    assert store.db.wal_pages() == 0
    _earn_many(store, cashier, member.member.id, 3)
    assert 0 < store.db.wal_pages() < 300  # the earns' own pages, not the file


def test_the_background_checkpointer_does_not_copy_after_every_write_once_the_wal_file_grew(
        store, member, cashier):
    """Once a large write had grown the WAL file, its size alone made every counter action wake
    the checkpointer, which copied and fsynced the main file beside each commit."""
    store.db.start_checkpointer(interval=3600)  # only the wake-ups after writes, no timed rounds
    try:
        _big_write(store, 24)  # past every threshold, as a sync page or a backup restore can be
        deadline = time.monotonic() + 20
        while store.db.checkpoints == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert store.db.checkpoints >= 1, "the big write was not copied"
        time.sleep(0.3)
        before = store.db.checkpoints
        _earn_many(store, cashier, member.member.id, 3)  # a few pages each, well under the wake-up
        time.sleep(0.5)
        assert store.db.checkpoints == before
    finally:
        store.db.stop_checkpointer()
