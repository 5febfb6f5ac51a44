"""HQ against hostile input: schemathesis over HQ's OpenAPI document (every operation; examples,
coverage, fuzzing and stateful phases) with real credentials — a store enrolled over HTTP, an
auditor, an admin — and without any. No 5xx, and every request that breaks the schema answered
4xx. The short profile; the long one is ``python -m benchmarks.hq_schema --max-examples 500``."""
from __future__ import annotations

import json

import httpx
import pytest

from benchmarks import hq_schema
from tests.sync.fixtures import hq  # noqa: F401 - HQ on loopback (SQLite, and PostgreSQL when set)
from tests.sync.harness import PgSchema, backends, check_pg_reachable


@pytest.mark.slow
@pytest.mark.parametrize("backend", backends())
def test_hq_openapi_no_server_errors_and_invalid_input_refused(backend):
    schema = None
    if backend == "postgresql":
        check_pg_reachable()
        schema = PgSchema()
    # PostgreSQL: the store's and the admin's runs (the writers); all four run on SQLite (time budget)
    roles = ("store", "admin") if schema else hq_schema.ROLES
    try:
        res = hq_schema.run(schema.url if schema else None, schema.name if schema else None, max_examples=4,
                            roles=roles)
    finally:
        if schema:
            schema.drop()
    report = "\n".join(r["output"] for r in res["runs"] if r["output"])
    assert res["total"]["failures"] == 0, report or json.dumps(res["runs"], indent=1)[:20000]
    for r in res["runs"]:
        assert r["operations"] >= 28 and r["cases"] > 0, r  # every operation was reached by each credential
        assert r["phases"].get("stateful") == "success", r  # the stateful phase ran and passed
        assert r["exit"] == 0, r


def test_what_schemathesis_found_is_answered_4xx(hq):
    """Each input that once made HQ answer 500 or accept nonsense, as schemathesis found it."""
    admin = {"Authorization": f"Bearer {hq.admin_token()}"}
    _, code = hq.service.add_store("S950", "S950")
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    pub = Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()
    cred = httpx.post(f"{hq.url}/v1/enroll", json={"code": code, "store_id": "S950", "signing_key_id": "k1",
                                                  "signing_public_key": pub}).json()["credential"]
    store = {"Authorization": f"Bearer {cred}"}
    cases = [
        ("POST", "/v1/admin/rule-sets", admin, {"json": {}}, 422),                      # was 500
        ("GET", "/v1/admin/reports/daily?from=9999-12-31", admin, {}, 422),             # was 500 (overflow)
        ("GET", "/v1/admin/reports/coupons?from=0001-01-01", admin, {}, 422),           # was 500 (overflow)
        ("GET", "/v1/admin/reports/daily?from=0", admin, {}, 422),                      # was 200 (1970-01-01)
        ("POST", "/v1/admin/jobs/expiry/run?date=9999-12-31", admin, {}, 422),
        ("POST", "/v1/redemptions/reserve", store,
         {"json": {"event_id": "", "member_id": "", "points": 1, "terminal_id": "", "pending_points": False}}, 422),
        ("POST", "/v1/redemptions/reserve", store,
         {"json": {"event_id": "e", "member_id": "m", "points": 10 ** 30, "terminal_id": "T01"}}, 422),
    ]
    for method, path, headers, kw, status in cases:
        r = httpx.request(method, hq.url + path, headers=headers, **kw)
        assert r.status_code == status, (method, path, r.status_code, r.text[:300])
    good = httpx.get(f"{hq.url}/v1/admin/reports/daily?from=2026-01-01", headers=admin)
    assert good.status_code == 200
