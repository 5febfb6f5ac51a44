"""Races a duplicating network causes at HQ: the same request in flight twice at once.

Found by `python -m benchmarks.faults --kinds duplicate_concurrent --seed 3` on PostgreSQL: the
first security-log head a store sends, duplicated in flight, made both copies insert HQ's witness
row; one failed with a unique violation (HTTP 500)."""
import threading

import httpx

from app.secrets import get_secret
from sync.engine import credential_name


def test_the_first_security_head_sent_twice_at_once(make_store, hq):
    a = make_store("S001")
    token = get_secret(credential_name("S001"))
    body = {"head_id": 1, "head_hash": "ab" * 32, "at": "2026-11-22T00:00:00Z"}
    for attempt in range(3):  # a new store each time: the race is on the row's first insert
        store_id = f"R{attempt:03d}"
        if attempt:
            _, code = hq.service.add_store(store_id, store_id)
            from sync.engine import enroll

            enroll(make_store(store_id, enroll=False).store, hq.url, code)
            token = get_secret(credential_name(store_id))
        else:
            store_id = "S001"
        go = threading.Barrier(6)
        answers = []

        def post():
            with httpx.Client(base_url=hq.url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as c:
                go.wait()
                answers.append(c.post("/v1/security/head", json=body))

        threads = [threading.Thread(target=post) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert [r.status_code for r in answers] == [200] * 6, [(r.status_code, r.text[:200]) for r in answers]
        assert all(r.json()["ok"] for r in answers)
        with httpx.Client(base_url=hq.url, headers={"Authorization": f"Bearer {token}"}) as c:
            seen = c.get("/v1/security/heads").json()
        assert len(seen["heads"]) == 1 and seen["problems"] == [], seen
    a.close()
