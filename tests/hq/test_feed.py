"""HQ's change feed: migrations agree with the models, and on PostgreSQL a reader never skips a
change whose transaction commits after a cursor was handed out (no lock is held through commit:
readers stop below the first id a feed writer still in flight may hold), while a long write
transaction that does not touch the feed holds nothing back."""
import json
import os
import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from hq.db import HQDatabase
from hq.models import Base
from hq.service import HQService
from hq.settings import Settings
from sync.protocol import parse_cursor
from tests.sync.harness import PG_ENV, PgSchema, backends, check_pg_reachable


@pytest.fixture(params=backends())
def svc(request, tmp_path):
    schema = None
    if request.param == "postgresql":
        check_pg_reachable()
        schema = PgSchema()
        db = HQDatabase(schema.url, schema=schema.name)
    else:
        db = HQDatabase(f"sqlite:///{tmp_path / 'hq.sqlite'}")
    db.upgrade()
    service = HQService(db, Settings(database_url=db.url, schema=schema.name if schema else None))
    service.init()
    yield service
    db.close()
    if schema:
        schema.drop()


def test_hq_migrations_match_the_models(svc):
    with svc.db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"include_schemas": False}), Base.metadata)
    assert diff == []


def _ids(svc, cursor):
    page = json.loads(svc.changes_json(cursor, 5000))
    return [c["id"] for c in page["changes"]], page["next_cursor"]


def test_feed_pages_in_order(svc):
    _, head = _ids(svc, None)
    for i in range(3):
        with svc.db.write() as s:
            svc._emit(s, [("test", {"i": i, "j": j}, None) for j in range(4)])
            svc._emit(s, [("test", {"i": i, "j": 4}, None)])  # a second emit in the same transaction
    got, cursor = [], head
    while True:
        page = json.loads(svc.changes_json(cursor, 5))
        got += [c["data"]["i"] * 10 + c["data"]["j"] for c in page["changes"] if c["kind"] == "test"]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    assert got == [i * 10 + j for i in range(3) for j in range(5)]
    assert parse_cursor(cursor)[1] == svc.head() == svc.feed_position()
    assert _ids(svc, cursor)[0] == []


@pytest.mark.skipif(not os.environ.get(PG_ENV), reason="PostgreSQL only (SQLite has one writer)")
def test_a_change_committing_late_with_a_smaller_id_is_not_skipped(svc):
    if svc.db.is_sqlite:
        pytest.skip("PostgreSQL only")
    _, cursor = _ids(svc, None)
    emitted, go_on = threading.Event(), threading.Event()

    def slow_writer():
        with svc.db.write() as s:
            svc._emit(s, [("test", {"who": "slow"}, None)])  # takes the smaller id ...
            emitted.set()
            go_on.wait(10)  # ... and commits last

    t = threading.Thread(target=slow_writer)
    t.start()
    assert emitted.wait(10)
    with svc.db.write() as s:
        fast_id = svc._emit(s, [("test", {"who": "fast"}, None)])[0]
    ids, cursor2 = _ids(svc, cursor)
    assert fast_id not in ids and ids == []  # committed, but above an id still in flight: not yet readable
    assert cursor2 == cursor and svc.feed_position() < fast_id
    go_on.set()
    t.join(10)
    page = json.loads(svc.changes_json(cursor2, 5000))["changes"]
    assert [c["data"]["who"] for c in page if c["kind"] == "test"] == ["slow", "fast"]
    assert svc.feed_position() == fast_id


@pytest.mark.skipif(not os.environ.get(PG_ENV), reason="PostgreSQL only")
def test_a_long_transaction_that_writes_no_change_holds_nothing_back(svc):
    if svc.db.is_sqlite:
        pytest.skip("PostgreSQL only")
    _, cursor = _ids(svc, None)
    started, go_on = threading.Event(), threading.Event()

    def long_writer():  # a campaign job, a report, an import: a transaction with an xid, no change
        with svc.db.write() as s:
            s.execute(text("UPDATE hq_meta SET value = value WHERE key = 'epoch'"))
            started.set()
            go_on.wait(10)

    t = threading.Thread(target=long_writer)
    t.start()
    try:
        assert started.wait(10)
        with svc.db.write() as s:
            new_id = svc._emit(s, [("test", {"who": "push"}, None)])[0]
        ids, _ = _ids(svc, cursor)
        assert new_id in ids
    finally:
        go_on.set()
        t.join(10)
