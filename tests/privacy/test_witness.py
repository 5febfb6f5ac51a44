"""The security log's outside witness: the head leaves the store with each sync (HQ keeps it), and
rewriting the whole chain — every hash recomputed, so the chain alone still verifies — or cutting
its tail is caught against HQ's witness. HQ on loopback (SQLite, and PostgreSQL when set)."""
from __future__ import annotations

import json

import httpx
import pytest

from app.errors import AuthenticationFailed
from app.services.security_log import row_hash
from sync import witness
from tests.sync.fixtures import hq, make_store  # noqa: F401 - the HQ-on-loopback fixtures


def _failed_signins(h, n=3):
    for _ in range(n):
        with pytest.raises(AuthenticationFailed):
            h.store.staff.authenticate(h.manager.id, "000000")


def _rewrite_whole_chain(store, staff_id=99):
    """What someone with the database key could do: change row 1, then recompute every hash after
    it, so that verify_chain() alone finds nothing."""
    con = store.db.connect_raw()
    con.execute("DROP TRIGGER security_events_no_update")
    rows = con.execute("SELECT id, at, kind, staff_id, terminal_id, object_type, object_id, details, prev_hash "
                       "FROM security_events ORDER BY id").fetchall()
    prev = rows[0][8]
    for r in rows:
        row = {"id": r[0], "at": r[1], "kind": r[2], "staff_id": staff_id if r[0] == rows[0][0] else r[3],
               "terminal_id": r[4], "object_type": r[5], "object_id": r[6], "details": json.loads(r[7] or "{}")}
        h = row_hash(prev, row)
        con.execute("UPDATE security_events SET staff_id = ?, prev_hash = ?, hash = ? WHERE id = ?",
                    (row["staff_id"], prev, h, r[0]))
        prev = h
    con.commit()
    con.close()


def test_head_goes_to_hq_with_sync_and_agrees(make_store, hq):
    a = make_store("S001")
    _failed_signins(a)
    a.sync()
    head = a.store.security.head()
    seen = witness.witnessed(a.engine.client)
    assert seen["store_id"] == "S001" and [h["id"] for h in seen["heads"]][-1] == head["id"] > 0
    assert seen["heads"][-1]["hash"] == head["hash"] and seen["heads"][-1]["received_at"]
    assert witness.check(a.store, a.engine.client) == []
    assert witness.main(["--db", str(a.path)]) == 0
    # an auditor at HQ sees the same; another store does not
    auditor = hq.service.add_principal("auditor", "auditor")
    r = httpx.get(f"{hq.url}/v1/security/heads", params={"store_id": "S001"},
                  headers={"Authorization": f"Bearer {auditor}"})
    assert r.status_code == 200 and r.json()["heads"][-1]["hash"] == head["hash"]
    b = make_store("S002")
    b.sync()
    assert witness.witnessed(b.engine.client)["store_id"] == "S002"
    r = httpx.get(f"{hq.url}/v1/security/heads", params={"store_id": "S001"},
                  headers=b.engine.client.http.headers)
    assert r.status_code == 403


def test_whole_chain_rewritten_is_caught_against_the_witness(make_store):
    a = make_store("S001")
    _failed_signins(a)
    a.sync()
    _failed_signins(a, 2)
    a.sync()  # two heads witnessed
    _rewrite_whole_chain(a.store)
    assert a.store.security.verify_chain() == []  # the chain alone cannot tell
    problems = witness.check(a.store, a.engine.client)
    assert problems and all("rewritten" in p for p in problems), problems
    assert witness.main(["--db", str(a.path)]) == 4
    # sending the forged head: HQ keeps its first witness and records the disagreement
    res = witness.send_head(a.store, a.engine.client)
    assert res == {"ok": False, "problem": "rewritten", "witnessed": 2}
    assert any("HQ recorded a rewritten head" in p for p in witness.check(a.store, a.engine.client))


def test_truncated_tail_is_caught_against_the_witness(make_store):
    a = make_store("S001")
    _failed_signins(a, 4)
    a.sync()
    last = a.store.security.head()["id"]
    con = a.store.db.connect_raw()
    con.execute("DROP TRIGGER security_events_no_early_delete")
    con.execute("DELETE FROM security_events WHERE id > ?", (last - 2,))
    con.commit()
    con.close()
    assert a.store.security.verify_chain() == []  # a shorter chain still verifies
    problems = witness.check(a.store, a.engine.client)
    assert any("rows removed" in p for p in problems), problems
    res = witness.send_head(a.store, a.engine.client)
    assert res["ok"] is False and res["problem"] == "truncated"


def test_head_refuses_garbage_and_other_credentials(make_store, hq):
    a = make_store("S001")
    h = a.engine.client.http.headers
    bad = [{"head_id": -1, "head_hash": "0" * 64}, {"head_id": 1, "head_hash": "xyz"},
           {"head_id": True, "head_hash": "0" * 64}, {"head_id": 1, "head_hash": "0" * 64, "extra": 1}]
    for body in bad:
        assert httpx.post(f"{hq.url}/v1/security/head", json=body, headers=h).status_code == 422, body
    admin = hq.admin_token()
    r = httpx.post(f"{hq.url}/v1/security/head", json={"head_id": 1, "head_hash": "0" * 64},
                   headers={"Authorization": f"Bearer {admin}"})
    assert r.status_code == 403
    assert httpx.get(f"{hq.url}/v1/security/heads", headers={"Authorization": f"Bearer {admin}"}).status_code == 422
