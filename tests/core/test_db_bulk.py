"""Database support for bulk writes (a first sync's pages): a larger page cache for one
transaction only, and bulk work stepping aside for the counter's writes between its transactions."""
import threading

from sqlalchemy import text


def _cache_size(db):
    with db.read() as s:
        return s.execute(text("PRAGMA cache_size")).scalar_one()


def test_a_bulk_transactions_cache_is_given_back(store):
    db = store.db
    default = _cache_size(db)
    with db.write(cache_mib=64) as s:
        assert s.execute(text("PRAGMA cache_size")).scalar_one() == -64 * 1024
    assert _cache_size(db) == default
    try:
        with db.write(cache_mib=64) as s:
            raise RuntimeError("the transaction fails")
    except RuntimeError:
        pass
    assert _cache_size(db) == default


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
