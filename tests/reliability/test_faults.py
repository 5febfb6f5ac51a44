"""Faults between store and HQ (tests/reliability/faultproxy.py, benchmarks/faults.py): each fault
the proxy injects does to a real client what it says, and a day of traffic at three stores through
it ends with zero duplicates, zero losses and every store equal to HQ."""
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from benchmarks import faults
from tests.reliability.faultproxy import KINDS, FaultProxy
from tests.sync.harness import PgSchema, backends, check_pg_reachable


class _Counting(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    seen: list[bytes] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.seen.append(body)
        answer = b'{"ok": true, "padding": "' + b"x" * 2000 + b'"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


@pytest.fixture
def upstream():
    _Counting.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("kind", KINDS)
def test_each_fault_does_what_it_says(upstream, kind):
    proxy = FaultProxy(upstream.server_address, seed=3, rate=1.0, kinds=(kind,), latency_ms=(50, 60)).start()
    try:
        with httpx.Client(base_url=proxy.url, timeout=5) as client:
            body = uuid.uuid4().hex.encode()
            if kind in ("latency", "duplicate", "duplicate_concurrent"):
                r = client.post("/v1/sync/push", content=body)
                assert r.status_code == 200 and r.json()["ok"] is True
            else:
                with pytest.raises(httpx.TransportError):
                    client.post("/v1/sync/push", content=body)
        reached = {"drop_request": 0, "duplicate": 2, "duplicate_concurrent": 2}.get(kind, 1)
        assert _Counting.seen == [body] * reached, kind
        assert proxy.by_kind[kind] == 1 and proxy.injected == 1
        # a healed network passes the same request through untouched
        proxy.enabled = False
        with httpx.Client(base_url=proxy.url, timeout=5) as client:
            assert client.post("/v1/sync/push", content=b"again").json()["ok"] is True
        assert _Counting.seen[-1] == b"again"
    finally:
        proxy.stop()


@pytest.mark.parametrize("backend", backends())
def test_a_day_of_three_stores_through_150_faults(tmp_path, backend):
    schema = None
    if backend == "postgresql":
        check_pg_reachable()
        schema = PgSchema()
    try:
        result = faults.run(150 if backend == "sqlite" else 100, seed=5, stores=3, folder=tmp_path,
                            database_url=schema.url if schema else None, schema=schema.name if schema else None,
                            max_seconds=240)
    finally:
        if schema:
            schema.drop()
    print(result)
    assert result["details"] == [] and result["violations"] == 0, result
    assert result["duplicates"] == 0 and result["losses"] == 0, result
    assert result["faults_injected"] == (150 if backend == "sqlite" else 100), result
    assert all(n > 0 for n in result["by_kind"].values()), result["by_kind"]
    assert result["hq_entries"] > 100 and result["hq_members"] > 3


def test_the_books_see_a_doubled_and_a_lost_entry(make_store, hq):
    """count_books can fail: an entry HQ booked twice (under another id) and one it lost."""
    from sqlalchemy import delete

    from hq.models import LedgerRow

    a, b = make_store("S001"), make_store("S002")
    member = a.register()
    kept = a.earn(member.id, 3000)
    lost = a.earn(member.id, 2000)
    a.sync()
    b.sync()
    assert faults.count_books(hq, [a, b])["duplicates"] == 0
    assert faults.count_books(hq, [a, b])["losses"] == 0
    with hq.service.db.write() as s:
        row = s.get(LedgerRow, kept.entry_id)
        s.add(LedgerRow(**{c.name: getattr(row, c.name) for c in LedgerRow.__table__.columns} | {"id": str(uuid.uuid4())}))
        s.execute(delete(LedgerRow).where(LedgerRow.id == lost.entry_id))
    books = faults.count_books(hq, [a, b])
    assert books["duplicates"] >= 1 and books["losses"] >= 1, books
    assert books["hq_balance_problems"] == 1, books
