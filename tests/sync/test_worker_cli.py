"""The worker thread (poke by SSE, polling fallback, one worker per database) and the sync CLI."""
import json
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from sync.engine import SyncLocked, SyncWorker, WorkerConfig
from tests.sync.harness import assert_converged

ROOT = Path(__file__).resolve().parents[2]


def wait_for(cond, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.05)
    return False


def test_store_b_hears_of_store_a_by_the_event_stream(hq, make_store):
    a, b = make_store("S001"), make_store("S002")
    m = a.register("ヤマダハナコ")
    a.sync()
    b.sync()
    states = []
    worker = SyncWorker(b.engine, WorkerConfig(poll_s=3600, outbox_check_s=0.2))  # no polling: the stream only
    worker.add_listener(states.append)
    worker.start()
    try:
        assert wait_for(lambda: worker.state().stream)
        a.earn(m.id, 5000)
        a.sync()
        assert wait_for(lambda: b.store.ledger.balance(m.id)["balance"] == a.store.ledger.balance(m.id)["balance"])
        assert states and states[-1].online and states[-1].queue == 0
        with pytest.raises(SyncLocked):  # one worker per store database
            from sync.engine import SyncEngine

            SyncEngine(b.store).acquire()
    finally:
        worker.stop()
    assert_converged(hq, [a, b])


def test_worker_polls_when_the_stream_is_down_and_backs_off_while_hq_is_down(hq, make_store):
    a, b = make_store("S001"), make_store("S002")
    m = a.register("ヤマダハナコ")
    sync_pair = (a, b)
    for h in sync_pair:
        h.sync()
    worker = SyncWorker(b.engine, WorkerConfig(poll_s=0.5, outbox_check_s=0.1, stream=False, backoff_cap_s=0.5))
    worker.start()
    try:
        hq.stop()
        b.earn(m.id, 1000)  # queued while HQ is down: the counter goes on
        assert wait_for(lambda: worker.state().online is False)
        assert worker.state().queue >= 1
        hq.start()
        assert wait_for(lambda: worker.state().queue == 0 and worker.state().online)
        a.earn(m.id, 2000)
        a.sync()
        assert wait_for(lambda: b.store.ledger.balance(m.id)["balance"] == a.store.ledger.balance(m.id)["balance"])
    finally:
        worker.stop()
    a.sync()
    assert_converged(hq, [a, b])


def test_sync_cli_in_process(hq, make_store, capsys):
    from sync.__main__ import main

    a = make_store("S001", enroll=False)
    _, code = hq.service.add_store("S001", "S001")
    a.store.close()
    assert main(["--db", str(a.path), "--json", "enroll", hq.url, code]) == 0
    capsys.readouterr()
    assert main(["--db", str(a.path), "sync", "--once", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["status"]["queue"] == 0 and out["status"]["cursor"]
    assert main(["--db", str(a.path), "status", "--json"]) == 0
    st = json.loads(capsys.readouterr().out)
    assert st["enrolled"] and st["last_sync"] and st["last_error"] is None and "oldest_pending_age_s" in st


def test_enroll_refuses_without_a_keyring_and_writes_no_plaintext(hq, tmp_path):
    """A real subprocess: no in-memory keyring there, as on this machine."""
    from app.services.setup import init_store
    from app.store import Store

    db = tmp_path / "s.sqlite"
    _, code = hq.service.add_store("S001", "S001")
    res = subprocess.run([sys.executable, "-c", "import sys; from app.services.setup import init_store;"
                          "from app.store import Store; s=Store.open(sys.argv[1]); init_store(s,'S001')", str(db)],
                         cwd=ROOT, capture_output=True, text=True, timeout=120,
                         env={"PATH": "/usr/bin:/bin", "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
    if res.returncode != 0:  # init needs the keyring too: then enroll cannot be reached either
        assert "keyring" in res.stderr.lower()
        store = Store.open(db)
        init_store(store, "S001")  # in-process (memory keyring)
        store.close()
    res = subprocess.run([sys.executable, "-m", "sync", "--db", str(db), "--json", "enroll", hq.url, code], cwd=ROOT,
                         capture_output=True, text=True, timeout=120,
                         env={"PATH": "/usr/bin:/bin", "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
    assert res.returncode == 5, res.stderr
    assert "keyring" in json.loads(res.stderr)["message"].lower()
    # the one-time code was not spent: enrolling properly still works
    from sync.engine import enroll

    store = Store.open(db)
    try:
        enroll(store, hq.url, code)
    finally:
        store.close()
