"""The sync benchmarks' own parts work (tiny sizes, PostgreSQL as the benchmarks need it; no
timing asserted): the many-stores load generator's hand-written HTTP client talks to a real
`python -m hq serve` and counts every push it makes, and benchmarks.hq_push reports both figures."""
from __future__ import annotations

import os

import pytest

pytestmark = pytest.mark.skipif(not os.environ.get("TSUMUGI_TEST_DATABASE_URL"),
                                reason="the sync benchmarks run HQ on PostgreSQL")


def test_many_stores_lean_client_pushes_and_counts(memory_keyring):
    from benchmarks.sync import bench_many_stores

    row = bench_many_stores(3, 2.0, workers=1, interval_s=0.3, client_kind="lean")
    assert row["client"] == "lean" and row["failed"] == 0, row["failures"]
    assert row["requests_ok"] >= 3 and row["events"] == 5 * row["requests_ok"]
    assert row["server_p50_ms"] is not None and 0 < row["p50_ms"] <= row["p99_ms"] <= row["max_ms"]


def test_hq_push_reports_both_figures(memory_keyring):
    from benchmarks import hq_push

    batch, small = hq_push.run(batches=3, members=20, pushes=10, stores=2)
    assert batch["name"] == "hq.push_batch_500_earns" and batch["counted"] == 3 and batch["p50_ms"] > 0
    assert small["name"] == "hq.push_5_adjusts" and small["pushes"] == 10 and small["cpu_ms_per_push"] > 0
