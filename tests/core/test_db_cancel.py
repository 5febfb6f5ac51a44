"""Database.cancel_if: a read whose result is no longer wanted stops mid-statement."""
import threading

import pytest

from app.db import Cancelled, Database

# ~10^8 steps: minutes if it ran to the end, so only an interruption ends it within the test
LONG = ("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000000) "
        "SELECT count(*) FROM n")


@pytest.fixture
def db(tmp_path):
    d = Database(tmp_path / "s.sqlite")
    yield d
    d.close()


def test_a_read_stops_once_unwanted_and_the_connection_stays_usable(db):
    asked = []

    def unwanted():
        asked.append(1)
        return len(asked) > 3  # wanted for the first few looks, then not

    with db.cancel_if(unwanted):
        with pytest.raises(Cancelled):
            with db.read() as s:
                s.connection().exec_driver_sql(LONG).scalar()
        with pytest.raises(Cancelled):
            with db.raw_read() as con:
                con.execute(LONG).fetchone()
    assert len(asked) >= 4
    # outside the block: no handler left on the pooled connections, reads run to the end
    with db.read() as s:
        assert s.connection().exec_driver_sql("SELECT count(*) FROM (SELECT 1 UNION ALL SELECT 2)").scalar() == 2
    with db.raw_read() as con:
        assert con.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000) "
                           "SELECT count(*) FROM n").fetchone()[0] == 200000


def test_a_wanted_read_runs_to_the_end_and_other_threads_are_not_affected(db):
    q = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300000) SELECT count(*) FROM n"
    with db.cancel_if(lambda: False):
        with db.read() as s:
            assert s.connection().exec_driver_sql(q).scalar() == 300000
    out = []

    def other_thread():
        with db.raw_read() as con:
            out.append(con.execute(q).fetchone()[0])

    with db.cancel_if(lambda: True):  # this thread only
        t = threading.Thread(target=other_thread)
        t.start()
        t.join()
        with pytest.raises(Cancelled):
            with db.raw_read() as con:
                con.execute(q).fetchone()
    assert out == [300000]


def test_an_error_that_is_not_an_interruption_stays_itself(db):
    with db.cancel_if(lambda: False):
        with pytest.raises(Exception) as info:
            with db.raw_read() as con:
                con.execute("SELECT * FROM no_such_table")
    assert not isinstance(info.value, Cancelled)
