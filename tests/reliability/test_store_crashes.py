"""SIGKILL at 200 random moments of counter work: nothing acknowledged is lost, nothing doubles,
the balances add up and the outbox holds exactly the unsent events (see benchmarks/crash.py)."""
from app.db import connect_raw
from benchmarks import crash


def test_two_hundred_kill_points_leave_a_consistent_store(tmp_path):
    result = crash.run(kills=200, seed=7, folder=tmp_path)
    print(result)
    assert result["violations"] == 0, result["violation_details"]
    # Every kill came after the child had started new work (not only during start-up), and
    # the work went on across restarts.
    assert result["kills_in_work"] == 200
    assert result["acknowledged_entries"] > 0 and result["ledger_entries"] >= result["acknowledged_entries"]


def test_the_checker_sees_a_broken_store(tmp_path):
    """The harness must be able to fail: tamper with a finished store and check again."""
    import uuid

    from app.store import Actor, Store

    path, members = crash.prepare(tmp_path)
    store = Store.open(path)
    store.ledger.earn(Actor(staff_id=1, role="manager"), members[0], 5000, uuid.uuid4())
    store.close()
    assert crash.check(path, set()) == []
    con = connect_raw(path)
    entry_id = con.execute("SELECT id FROM ledger LIMIT 1").fetchone()[0]
    con.execute("UPDATE members SET balance = balance + 1 WHERE id = (SELECT member_id FROM ledger LIMIT 1)")
    con.execute("DELETE FROM outbox WHERE event_id = ?", (entry_id,))
    con.commit()
    con.close()
    problems = crash.check(path, {entry_id, "00000000-0000-0000-0000-000000000000"})
    assert any("balance" in p for p in problems)
    assert any("outbox" in p for p in problems)
    assert any("acknowledged entries missing" in p for p in problems)
