"""Database support for bulk writes (a first sync's pages): a larger page cache for one
transaction only, or for one connection kept through a whole bulk block (Database.bulk); bulk work
stepping aside for the counter's writes between its transactions, and seeing them wait
(Database.writers_waiting)."""
import threading

from sqlalchemy import text


def _raw(session):
    return session.connection().connection.dbapi_connection


def _cache_size(raw) -> int:
    return raw.execute("PRAGMA cache_size").fetchone()[0]


def test_a_bulk_transactions_cache_is_given_back(store):
    """Checked on the very connection the bulk transaction used: it goes back to the pool and the
    counter's next write may get it."""
    db = store.db
    with db.write() as s:
        default = _cache_size(_raw(s))
    with db.write(cache_mib=64) as s:
        raw = _raw(s)
        assert s.execute(text("PRAGMA cache_size")).scalar_one() == -64 * 1024
    assert _cache_size(raw) == default
    try:
        with db.write(cache_mib=64) as s:
            raw = _raw(s)
            assert _cache_size(raw) == -64 * 1024
            raise RuntimeError("the transaction fails")
    except RuntimeError:
        pass
    assert _cache_size(raw) == default


def test_bulk_work_waits_for_a_write_in_progress(store):
    db = store.db
    started, release, order = threading.Event(), threading.Event(), []

    def counter():
        with db.write() as s:
            s.execute(text("SELECT 1"))
            started.set()
            release.wait(10)
            order.append("counter wrote")

    t = threading.Thread(target=counter)
    t.start()
    started.wait(10)
    threading.Timer(0.2, release.set).start()
    assert db.yield_to_writers(max_wait=10) is True  # it did wait for a write
    order.append("bulk goes on")
    t.join()
    assert order == ["counter wrote", "bulk goes on"]


def test_bulk_work_waits_no_longer_than_it_is_told(store):
    db = store.db
    started, release = threading.Event(), threading.Event()

    def stuck_writer():
        with db.write():
            started.set()
            release.wait(10)

    t = threading.Thread(target=stuck_writer)
    t.start()
    started.wait(10)
    try:
        db.yield_to_writers(max_wait=0.05)  # returns although the writer is still in
        assert t.is_alive()
    finally:
        release.set()
        t.join()
    db.yield_to_writers(max_wait=10)  # nobody writing: returns at once


def test_a_thread_gets_back_the_connection_it_wrote_on(store):
    """SQLite keeps a connection's page cache across its transactions unless another connection
    wrote in between: the counter's next transaction must begin on the connection of its last
    write, not on another idle one that would read every page again through the cipher."""
    db = store.db
    with db.raw_read() as a, db.raw_read() as b:  # two idle connections in the pool after this
        assert a is not b
    for _ in range(3):
        with db.raw_write() as w:
            w.execute("UPDATE settings SET value = value WHERE key = 'terminal_id'")
        with db.raw_read() as r:
            assert r is w
        with db.read() as s:
            assert _raw(s) is w

    assert db.yield_to_writers(max_wait=10) is False  # nobody writing: returns at once


def test_a_bulk_block_keeps_one_connection_and_its_cache_for_every_write_of_its_thread(store):
    """Database.bulk: the thread's writes inside it run on one connection with the large cache
    (kept between transactions, not set and given back each time); the cache is given back when
    the block ends. Another thread's writes meanwhile take pooled connections as usual."""
    db = store.db
    with db.write() as s:
        default = _cache_size(_raw(s))
    seen = []
    with db.bulk(64):
        for i in range(3):
            with db.write(cache_mib=16) as s:  # a transaction's own cache_mib gives way to the block's
                raw = _raw(s)
                seen.append(raw)
                assert _cache_size(raw) == -64 * 1024
                s.execute(text("INSERT INTO settings (key, value) VALUES (:k, '1')"), {"k": f"bulk.test.{i}"})
        other = []

        def elsewhere():
            with db.write() as s2:
                other.append(_raw(s2))
                other.append(_cache_size(_raw(s2)))

        t = threading.Thread(target=elsewhere)
        t.start()
        t.join(10)
        assert other and other[0] is not seen[0] and other[1] == default
    assert seen[0] is seen[1] is seen[2]
    assert _cache_size(seen[0]) == default
    with db.read() as s:
        assert s.execute(text("SELECT count(*) FROM settings WHERE key LIKE 'bulk.test.%'")).scalar_one() == 3


def test_a_failed_transaction_inside_a_bulk_block_rolls_back_and_the_next_one_goes_on(store):
    db = store.db
    with db.bulk(64):
        try:
            with db.write() as s:
                s.execute(text("INSERT INTO settings (key, value) VALUES ('bulk.lost', '1')"))
                raise RuntimeError("the transaction fails")
        except RuntimeError:
            pass
        with db.write() as s:
            s.execute(text("INSERT INTO settings (key, value) VALUES ('bulk.kept', '1')"))
    with db.read() as s:
        keys = set(s.execute(text("SELECT key FROM settings WHERE key LIKE 'bulk.%'")).scalars())
    assert keys == {"bulk.kept"}


def test_writers_waiting_counts_the_other_threads_writes_not_its_own(store):
    db = store.db
    assert db.writers_waiting() == 0
    entered, done = threading.Event(), threading.Event()
    with db.write() as s:
        s.execute(text("SELECT 1"))
        assert db.writers_waiting() == 0  # this thread's own transaction

        def counter():
            entered.set()
            with db.write() as s2:  # waits for ours (BEGIN IMMEDIATE)
                s2.execute(text("INSERT INTO settings (key, value) VALUES ('counter.wrote', '1')"))
            done.set()

        t = threading.Thread(target=counter)
        t.start()
        entered.wait(10)
        for _ in range(200):
            if db.writers_waiting():
                break
            threading.Event().wait(0.01)
        assert db.writers_waiting() == 1
        assert not done.is_set()
    t.join(10)
    assert done.is_set() and db.writers_waiting() == 0


def test_a_bulk_block_may_commit_without_waiting_for_the_disk_and_puts_full_back(store):
    """fsync_commits=False: synchronous=NORMAL on the block's connection only (the counter's own
    connections keep FULL), FULL again on that connection when it goes back to the pool."""
    db = store.db
    sync = lambda raw: raw.execute("PRAGMA synchronous").fetchone()[0]  # noqa: E731
    with db.bulk(16):
        with db.write() as s:
            assert sync(_raw(s)) == 2  # FULL unless asked
    with db.bulk(16, fsync_commits=False):
        with db.write() as s:
            raw = _raw(s)
            assert sync(raw) == 1  # NORMAL

        seen = []

        def counter():
            with db.write() as s2:
                seen.append(sync(_raw(s2)))

        t = threading.Thread(target=counter)
        t.start()
        t.join(10)
        assert seen == [2]
    assert sync(raw) == 2
