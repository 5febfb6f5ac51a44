"""HQ against hostile input: schemathesis over HQ's OpenAPI document (every operation; examples,
coverage, fuzzing and stateful phases) with real credentials — a store enrolled over HTTP, an
auditor, an admin — and without any. No 5xx, and every request that breaks the schema answered
4xx. The short profile; the long one is ``python -m benchmarks.hq_schema --max-examples 500``."""
from __future__ import annotations

import json

import pytest

from benchmarks import hq_schema
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
