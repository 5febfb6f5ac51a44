"""HQ's API on loopback: enrollment, authorisation per object, auditor read-only, audit log,
rate limits (429 + Retry-After, never 5xx), hashes only, the admin CLI."""
import json
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from hq.models import AuditRow, StoreRow
from tests.sync.harness import HQServer

ROOT = Path(__file__).resolve().parents[2]


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_enrollment_code_is_single_use_and_hq_keeps_only_hashes(hq, make_store):
    a = make_store("S001", enroll=False)
    _, code = hq.service.add_store("S001", "S001")
    from sync.engine import credential_name, enroll

    enroll(a.store, hq.url, code)
    from app.secrets import get_secret

    credential = get_secret(credential_name("S001"))
    assert credential
    with hq.service.db.read() as s:
        row = s.get(StoreRow, "S001")
        assert row.credential_hash and credential not in row.credential_hash and row.enroll_code_hash is None
    r = httpx.post(f"{hq.url}/v1/enroll", json={"code": code, "store_id": "S001", "signing_key_id": "aaaaaaaa",
                                                 "signing_public_key": "00" * 32})
    assert r.status_code == 403 and r.json()["error"] == "bad_enrollment_code"
    # the credential is nowhere in the store database
    a.store.db.engine.dispose()
    assert credential.encode() not in Path(a.path).read_bytes()


def test_a_store_pushes_only_for_its_own_terminals(hq, make_store):
    a, b = make_store("S001"), make_store("S002")
    from app.secrets import get_secret
    from sync.engine import credential_name

    token_b = get_secret(credential_name("S002"))
    body = {"store_id": "S001", "terminal_id": "T01", "sent_at": "2026-01-01T00:00:00Z", "events": []}
    r = httpx.post(f"{hq.url}/v1/sync/push", json=body, headers=bearer(token_b))
    assert r.status_code == 403
    r = httpx.get(f"{hq.url}/v1/admin/status", headers=bearer(token_b))
    assert r.status_code == 403
    r = httpx.get(f"{hq.url}/v1/sync/changes", headers=bearer("S002.not-the-secret"))
    assert r.status_code == 401


def test_auditor_reads_but_never_writes(hq):
    auditor = hq.service.add_principal("監査", "auditor")
    admin = hq.service.add_principal("本部", "admin")
    assert httpx.get(f"{hq.url}/v1/admin/status", headers=bearer(auditor)).status_code == 200
    assert httpx.get(f"{hq.url}/v1/admin/stores", headers=bearer(auditor)).status_code == 200
    r = httpx.post(f"{hq.url}/v1/admin/stores", json={"name": "S009"}, headers=bearer(auditor))
    assert r.status_code == 403
    r = httpx.post(f"{hq.url}/v1/admin/stores", json={"name": "S009"}, headers=bearer(admin))
    assert r.status_code == 200 and r.json()["store_id"] == "S009" and r.json()["enrollment_code"]
    with hq.service.db.read() as s:
        rows = s.execute(select(AuditRow.principal, AuditRow.method, AuditRow.path, AuditRow.status)).all()
    assert any(p and p.startswith("auditor:") and st == 403 for p, m, path, st in rows)
    assert any(p and p.startswith("admin:") and m == "POST" and st == 200 for p, m, path, st in rows)


def test_every_call_is_audited(hq):
    with hq.service.db.read() as s:
        before = s.scalar(select(func.count()).select_from(AuditRow))
    httpx.get(f"{hq.url}/v1/health")
    httpx.get(f"{hq.url}/v1/sync/changes")  # unauthenticated: refused, still audited
    with hq.service.db.read() as s:
        after = s.scalar(select(func.count()).select_from(AuditRow))
        last = s.execute(select(AuditRow.path, AuditRow.status).order_by(AuditRow.id.desc()).limit(1)).one()
    assert after == before + 2
    assert last == ("/v1/sync/changes", 401)


def test_rate_limit_answers_429_with_retry_after_never_5xx(tmp_path):
    server = HQServer(f"sqlite:///{tmp_path / 'hq.sqlite'}", rate_limit=5, rate_window_s=60).start()
    try:
        token = server.admin_token()
        codes = [httpx.get(f"{server.url}/v1/admin/status", headers=bearer(token)).status_code for _ in range(8)]
        assert codes[:5] == [200] * 5 and set(codes[5:]) == {429}
        r = httpx.get(f"{server.url}/v1/admin/status", headers=bearer(token))
        assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
    finally:
        server.stop()
        server.service.db.close()


def test_folded_routes_count_and_audit_each_call_once(tmp_path):
    """Pull, push and reserve count the request and write its audit row in their own transaction;
    an error answer from them (its transaction rolled back) is still counted and audited, and past
    the limit it becomes a 429."""
    server = HQServer(f"sqlite:///{tmp_path / 'hq.sqlite'}", rate_limit=3, rate_window_s=60).start()
    try:
        token = server.admin_token()

        def rows(path):
            with server.service.db.read() as s:
                return [st for st, in s.execute(select(AuditRow.status).where(AuditRow.path == path)
                                                .order_by(AuditRow.id))]

        codes = [httpx.get(f"{server.url}/v1/sync/changes", headers=bearer(token)).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        assert rows("/v1/sync/changes") == [200, 200, 200, 429]
        auditor = server.service.add_principal("監査", "auditor")  # a credential of its own: a fresh count
        push = {"store_id": "S001", "terminal_id": "T01", "sent_at": "2026-06-01T01:00:00Z", "events": [],
                "queue_length": 0}
        codes = [httpx.post(f"{server.url}/v1/sync/push", json=push, headers=bearer(auditor)).status_code
                 for _ in range(4)]
        assert codes == [403, 403, 403, 429]  # not a store: refused, counted all the same
        assert rows("/v1/sync/push") == [403, 403, 403, 429]
    finally:
        server.stop()
        server.service.db.close()


def test_sync_client_honours_retry_after(tmp_path):
    from sync.client import HQClient, RateLimited

    server = HQServer(f"sqlite:///{tmp_path / 'hq.sqlite'}", rate_limit=1, rate_window_s=60).start()
    try:
        client = HQClient(server.url, server.admin_token())
        client.changes(None)
        with pytest.raises(RateLimited) as exc:
            client.changes(None)
        assert exc.value.retry_after >= 1
        client.close()
    finally:
        server.stop()
        server.service.db.close()


def test_plain_http_is_refused_except_to_this_machine():
    from sync.client import check_url

    assert check_url("http://127.0.0.1:8700/") == "http://127.0.0.1:8700"
    assert check_url("https://hq.example.jp") == "https://hq.example.jp"
    with pytest.raises(ValueError):
        check_url("http://hq.example.jp")


def test_openapi_is_served(hq):
    r = httpx.get(f"{hq.url}/openapi.json")
    assert r.status_code == 200 and "/v1/sync/push" in r.json()["paths"]


def test_admin_cli_stores_and_members(tmp_path):
    url = f"sqlite:///{tmp_path / 'hq.sqlite'}"

    def run(*args):
        res = subprocess.run([sys.executable, "-m", "hq", "--database-url", url, "--json", *args], cwd=ROOT,
                             capture_output=True, text=True, timeout=120)
        assert res.returncode == 0, res.stderr
        return json.loads(res.stdout)

    added = run("stores", "add", "S001")
    assert added["store_id"] == "S001" and len(added["enrollment_code"]) == 19
    assert [s["store_id"] for s in run("stores", "list")] == ["S001"]
    assert run("stores", "revoke", "S001")["status"] == "revoked"
    st = run("status")
    assert st["stores"][0]["status"] == "revoked" and st["epoch"]
    res = subprocess.run([sys.executable, "-m", "hq", "--database-url", url, "members", "delete", str(uuid.uuid4())],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert res.returncode == 2 and "No such member" in res.stderr
