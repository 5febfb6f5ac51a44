"""The store's 要確認 list is one service (store.conflicts): sync's status counts it and the sync
CLI lists it, the same rows the manager's queue shows, and an acknowledged one leaves all three."""
import json

from app.clock import iso
from app.models import Conflict
from sync.engine import SyncEngine


def add_conflict(store, kind, member_id, **details) -> int:
    with store.db.write() as s:
        c = Conflict(kind=kind, created_at=iso(store.now()), member_id=member_id, details=details, status="open")
        s.add(c)
        s.flush()
        return c.id


def cli_conflicts(db_path, capsys) -> list[dict]:
    from sync.__main__ import main

    capsys.readouterr()
    assert main(["--db", str(db_path), "--json", "conflicts"]) == 0
    return json.loads(capsys.readouterr().out)


def test_status_and_cli_count_the_managers_queue(store, manager, member, db_path, capsys):
    engine = SyncEngine(store, lock=False)
    assert engine.state().open_conflicts == 0
    first = add_conflict(store, "overdraft", member.member.id, points=300)
    second = add_conflict(store, "migration_lost", member.member.id, card_number="2000123456782")
    assert engine.state().open_conflicts == 2 == store.conflicts.open_count()

    rows = cli_conflicts(db_path, capsys)
    assert [(r["id"], r["kind"]) for r in rows] == [(first, "overdraft"), (second, "migration_lost")]  # oldest first
    assert rows[1]["details"] == {"card_number": "2000123456782"} and rows[0]["member_id"] == member.member.id

    store.conflicts.acknowledge(manager, first, action="contacted")
    assert engine.state().open_conflicts == 1
    assert [r["id"] for r in cli_conflicts(db_path, capsys)] == [second]
    assert [c.id for c in store.conflicts.list()] == [second]
