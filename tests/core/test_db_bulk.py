"""Database support for bulk writes (a first sync's pages): a larger page cache for one
transaction only, and bulk work stepping aside for the counter's writes between its transactions."""
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
    db.yield_to_writers(max_wait=10)
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
