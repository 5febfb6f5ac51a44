"""SIGKILL at 200 random moments of store work (counter actions, paper-card migration, legacy
import, applying pulled pages, draining the outbox): nothing acknowledged is lost, nothing
doubles, the balances add up, each paper card is migrated once and the outbox holds exactly the
events HQ has not answered (see benchmarks/crash.py)."""
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
    # every kind of work was started and some of each was acknowledged before a kill
    assert set(result["work_started"]) >= {"earn", "redeem", "adjust", "void", "expire", "migrate", "import",
                                           "pull", "drain"}, result["work_started"]
    assert result["acknowledged_imports"] > 0 and result["acknowledged_pulled_entries"] > 0
    assert result["acknowledged_drained_events"] > 0


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


def test_the_checker_sees_doubled_cards_lost_pulls_and_wrong_acks(tmp_path):
    """The new checks can fail too: a paper card migrated twice, an acknowledged pulled entry
    missing, an outbox row acknowledged that no drain answered, an acknowledged drain not recorded,
    an acknowledged import missing."""
    import uuid

    from app.services.replica import ReplicaService
    from app.store import Actor, Store

    path, members = crash.prepare(tmp_path)
    store = Store.open(path)
    manager = Actor(staff_id=1, role="manager")
    card = crash.ean13("290000000123")
    first = store.migration.migrate(manager, card, members[0], uuid.uuid4(), points=50).entry
    other = store.migration.migrate(manager, crash.ean13("290000000124"), members[1], uuid.uuid4(), points=50).entry
    rows = [r for r in ReplicaService(store).pending(500) if r.type.startswith("ledger.")]
    store.close()
    seen = crash.Seen()
    assert crash.check(path, {first.entry_id, other.entry_id}, seen) == []
    con = connect_raw(path)
    # the second card's migrate entry now points at the first card: that card is migrated twice,
    # and the second is marked migrated without its entry
    con.execute("UPDATE ledger SET card_id = (SELECT card_id FROM ledger WHERE id = ?) WHERE id = ?",
                (first.entry_id, other.entry_id))
    con.execute("UPDATE outbox SET acked_at = '2026-01-01T00:00:00.000000+00:00', outcome = 'applied' "
                "WHERE event_id = ?", (rows[0].event_id,))
    con.commit()
    con.close()
    seen.pulled.add(str(uuid.uuid4()))
    seen.drain_acked.add(rows[1].event_id)
    seen.drain_started.add(rows[1].event_id)
    seen.imports.add(str(uuid.uuid4()))
    problems = crash.check(path, {first.entry_id, other.entry_id}, seen)
    text = "\n".join(problems)
    for expected in ("migrated twice", "status disagrees", "pulled pages missing", "no drain answered",
                     "acknowledged drains still unacknowledged", "acknowledged imports missing",
                     "sync state disagrees"):
        assert expected in text, (expected, problems)
