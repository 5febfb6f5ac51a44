"""HQ crashes with real processes: HQ SIGKILLed after committing a push but before its answer left;
one uvicorn worker SIGKILLed while it serves a large pull; PostgreSQL restarted (fast, then
immediate) under load from three stores. In each, the stores converge with HQ and nothing doubles
(tests/sync's assert_converged, and benchmarks/faults.py's duplicate/loss count)."""
import os
import shutil
import signal
import threading
import time

import pytest
from sqlalchemy import select

from benchmarks import faults
from sync.client import Offline, SyncError
from tests.reliability.faultproxy import FaultProxy
from tests.reliability.hqproc import HQProcess, PrivatePostgres, pg_bin, pid_serving
from tests.sync.harness import PgSchema, StoreHandle, assert_converged, backends, check_pg_reachable


def enrolled(tmp_path, store_id: str, hq, url: str, page_size: int = 500) -> StoreHandle:
    from sync.engine import enroll

    h = StoreHandle(tmp_path / f"{store_id}.sqlite", store_id, hq)
    _, code = hq.service.add_store(store_id, store_id)
    enroll(h.store, url, code)
    h.engine.close()
    h.engine.page_size = page_size
    return h


def hq_ids(hq) -> set[str]:
    from hq.models import LedgerRow

    with hq.service.db.read() as s:
        return set(s.scalars(select(LedgerRow.id)))


def settle(stores, rounds: int = 30) -> None:
    """Sync every store until all of them succeed twice in a row (HQ may still be coming back)."""
    ok = 0
    for _ in range(rounds):
        try:
            for h in stores:
                h.sync()
            ok += 1
            if ok == 2:
                return
        except SyncError:
            ok = 0
            time.sleep(0.5)
    raise AssertionError("the stores did not settle with HQ")


def assert_no_doubles(hq, stores) -> None:
    books = faults.count_books(hq, stores)
    assert books["duplicates"] == 0 and books["losses"] == 0 and books["hq_balance_problems"] == 0, books


@pytest.fixture(params=backends())
def hq_db(request, tmp_path):
    if request.param == "postgresql":
        check_pg_reachable()
        schema = PgSchema()
        yield schema.url, schema.name
        schema.drop()
    else:
        yield f"sqlite:///{tmp_path / 'hq.sqlite'}", None


def test_hq_killed_after_committing_a_push_before_replying(tmp_path, hq_db):
    url, schema = hq_db
    hq = HQProcess(url, schema=schema, log=tmp_path / "hq.log").start()
    proxy = FaultProxy(("127.0.0.1", hq.port), rate=0.0).start()
    armed = threading.Event()
    killed = []

    def on_answer(method, path, answer):
        if path.startswith("/v1/sync/push") and armed.is_set() and b" 200 " in answer.split(b"\r\n", 1)[0]:
            armed.clear()
            hq.kill()  # HQ has committed the batch and written its answer: it dies before we pass it on
            killed.append(path)
            return "drop_response"
        return None

    proxy.on_answer = on_answer
    a = enrolled(tmp_path, "S001", hq, proxy.url)
    b = enrolled(tmp_path, "S002", hq, proxy.url)
    try:
        members = [a.register() for _ in range(4)]
        for round_ in range(3):
            mine = [a.earn(members[i % 4].id, 1000 + 100 * i).entry_id for i in range(12)]
            if round_:
                mine.append(a.store.ledger.void(a.actor, mine[0]).entry_id)
                b.earn(members[round_].id, 5000)
            armed.set()
            with pytest.raises(Offline):
                a.sync()
            assert len(killed) == round_ + 1
            # HQ committed the batch before it died ...
            assert set(mine) <= hq_ids(hq)
            # ... and the store, which never heard back, still holds it as unacknowledged
            assert a.engine.state().queue >= len(mine)
            hq.start()  # the same port and database
            settle([a, b])
            assert a.engine.state().queue == 0
        assert_converged(hq, [a, b])
        assert_no_doubles(hq, [a, b])
    finally:
        a.close()
        b.close()
        proxy.stop()
        hq.close()


def test_a_uvicorn_worker_killed_mid_pull(tmp_path, hq_db):
    url, schema = hq_db
    hq = HQProcess(url, schema=schema, workers=2, log=tmp_path / "hq.log").start()
    proxy = FaultProxy(("127.0.0.1", hq.port), rate=0.0).start()
    pulls = []
    killed = []

    def on_sent(method, path, upstream):
        if not path.startswith("/v1/sync/changes"):
            return
        pulls.append(path)
        if len(pulls) == 3 and not killed:  # the third page of B's first pull: its worker dies
            deadline = time.monotonic() + 2
            while time.monotonic() < deadline:  # until a worker has accepted the connection
                pid = pid_serving(hq.worker_pids(), upstream.getsockname()[1])
                if pid is not None:
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)
                    return
                time.sleep(0.002)

    a = enrolled(tmp_path, "S001", hq, hq.url)
    b = enrolled(tmp_path, "S002", hq, proxy.url, page_size=60)
    try:
        members = [a.register() for _ in range(80)]
        for i in range(240):
            a.earn(members[i % 80].id, 500 + i)
        a.sync()
        proxy.on_sent = on_sent
        errors = []
        for _ in range(30):
            try:
                b.sync()
                break
            except SyncError as exc:  # the page in flight died with its worker: B tries again
                errors.append(str(exc))
                time.sleep(0.3)
        assert killed, "no worker was serving the third page"
        assert errors, "the store never saw the page it asked for fail"
        assert killed[0] not in hq.worker_pids()
        print("worker", killed, "errors seen by the store:", errors)
        settle([a, b])
        assert_converged(hq, [a, b])
        assert_no_doubles(hq, [a, b])
    finally:
        a.close()
        b.close()
        proxy.stop()
        hq.close()


@pytest.mark.skipif(pg_bin() is None, reason="PostgreSQL server binaries (initdb, pg_ctl) are not installed")
@pytest.mark.skipif(os.geteuid() == 0 and shutil.which("runuser") is None, reason="root needs runuser for initdb")
def test_postgresql_restarted_under_load(tmp_path):
    pg = PrivatePostgres().init()
    pg.start()
    hq = None
    stores = []
    try:
        hq = HQProcess(pg.url, workers=2, log=tmp_path / "hq.log").start()
        stores = [enrolled(tmp_path, f"S00{i}", hq, hq.url, page_size=200) for i in (1, 2, 3)]
        stop = threading.Event()
        errors: list[str] = []
        days = [faults.StoreDay(h, 100 + i, stop.is_set, errors) for i, h in enumerate(stores)]
        for d in days:
            d.start()
        time.sleep(4)
        before = sum(d.actions for d in days)
        pg.restart("fast")
        time.sleep(4)
        pg.restart("immediate")  # no checkpoint: crash recovery on start
        time.sleep(4)
        stop.set()
        for d in days:
            d.join(60)
        assert errors == []
        assert sum(d.actions for d in days) > before  # work went on across the restarts
        print("actions", sum(d.actions for d in days), "sync failures seen", sum(d.sync_failures for d in days))
        settle(stores)
        assert_converged(hq, stores)
        assert_no_doubles(hq, stores)
    finally:
        for h in stores:
            h.close()
        if hq is not None:
            hq.close()
        pg.remove()
