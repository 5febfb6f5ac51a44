"""A malformed event is refused alone (`bad_payload`), never a 5xx for its whole batch.

Before hq/payloads.py a string where HQ expects a number (or a time that is not one, an unknown
ledger kind, a field longer than HQ's column) raised inside the push and HQ answered 500, to that
batch and to every resend of it: the queue behind it at that terminal stopped for good. HQ on
loopback, SQLite and PostgreSQL."""
import uuid
from datetime import datetime, timezone

import httpx
import pytest
from sqlalchemy import select

from hq.models import ConflictRow, LedgerRow
from hq.payloads import problem
from tests.sync.harness import assert_converged


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _earn(store_id: str, member: str, patch: dict | None = None) -> dict:
    entry = str(uuid.uuid4())
    p = {"entry_id": entry, "kind": "earn", "member_id": member, "points": 10, "amount_yen": 1000,
         "staff_id": 1, "store_id": store_id, "terminal_id": "T01", "created_at": _now(),
         "rule_set_version": None, "reverses_id": None, "coupon_id": None, "reason": None}
    p.update(patch or {})
    return p


MALFORMED = {
    "points as text": {"points": "abc"},
    "points not whole": {"points": 1.5},
    "points beyond any bigint": {"points": 10 ** 30},
    "staff as text": {"staff_id": "x"},
    "staff beyond an integer": {"staff_id": 10 ** 12},
    "amount as text": {"amount_yen": "x"},
    "time that is not a time": {"created_at": "garbage"},
    "time as a number": {"created_at": 5},
    "a time in the year 9999": {"created_at": "9999-12-31T23:59:59.000000Z"},
    "member as a number": {"member_id": 123},
    "member as a list": {"member_id": [1]},
    "a kind no ledger has": {"kind": "steal"},
    "no kind": {"kind": None},
    "entry id not an id": {"entry_id": "nope"},
    "reason of 100,000 characters": {"reason": "x" * 100_000},
    "rule set version as a list": {"rule_set_version": [1]},
    "categories as text": {"categories": "abc"},
}


def test_each_malformed_event_is_refused_alone_and_the_batch_goes_on(hq, make_store):
    a = make_store("S001")
    member = a.register()
    a.sync()
    from app.secrets import get_secret
    from sync.engine import credential_name

    from hq.models import Terminal

    token = get_secret(credential_name("S001"))
    with hq.service.db.read() as s:  # the store's terminal has pushed already: go on from there
        t = s.get(Terminal, ("S001", "T01"))
        start = t.next_seq if t else 1
    payloads = [_earn("S001", member.id)]  # a good one first...
    for patch in MALFORMED.values():
        payloads.append(_earn("S001", member.id, patch))
    payloads.append(_earn("S001", member.id))  # ...and one after the bad ones
    events = [{"event_id": str(uuid.uuid4()), "seq": start + i, "type": f"ledger.{p['kind']}"
               if p.get("kind") in ("earn", "steal") else "ledger.earn", "hlc": "x", "payload": p}
              for i, p in enumerate(payloads)]
    body = {"store_id": "S001", "terminal_id": "T01", "sent_at": _now(), "events": events}
    r = httpx.post(f"{hq.url}/v1/sync/push", json=body, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.text
    res = r.json()
    assert res["expected_seq"] == start + len(events) and not res["gap"]
    outcomes = [(x["outcome"], x["reason"]) for x in res["results"]]
    assert outcomes[0][0] in ("applied", "adjusted") and outcomes[-1][0] in ("applied", "adjusted")
    for name, got in zip(MALFORMED, outcomes[1:-1]):
        assert got == ("rejected", "bad_payload"), name
    with hq.service.db.read() as s:
        booked = set(s.scalars(select(LedgerRow.id).where(LedgerRow.member_id == member.id,
                                                          LedgerRow.kind == "earn")))
        conflicts = s.scalars(select(ConflictRow).where(ConflictRow.kind == "rejected_event")).all()
    assert booked == {payloads[0]["entry_id"], payloads[-1]["entry_id"]}
    by_event = {c.details["event_id"]: c for c in conflicts}
    for ev, name in zip(events[1:-1], MALFORMED):
        c = by_event[ev["event_id"]]
        assert c.details["reason"] == "bad_payload" and c.details["problem"], name
        assert c.store_id == "S001"
    assert by_event[events[1]["event_id"]].details["problem"] == "points is not a whole number"
    assert by_event[events[1]["event_id"]].member_id == member.id
    # sent again (the answer was lost, say): the same answers from the stored outcomes, no 5xx
    r2 = httpx.post(f"{hq.url}/v1/sync/push", json=body, headers={"Authorization": f"Bearer {token}"})
    assert r2.status_code == 200
    assert [(x["outcome"], x["reason"]) for x in r2.json()["results"]] == outcomes


def test_other_event_types_with_malformed_payloads_are_refused_too(hq, make_store):
    a = make_store("S001")
    a.sync()
    from app.secrets import get_secret
    from sync.engine import credential_name

    token = get_secret(credential_name("S001"))
    bad = [("member.upsert", {"fields": {}}),
           ("member.upsert", {"member_id": str(uuid.uuid4()), "fields": [1]}),
           ("member.upsert", {"member_id": str(uuid.uuid4()), "fields": {"name": "x" * 1000}}),
           ("member.upsert", {"member_id": str(uuid.uuid4()), "fields": {"name": 5}}),
           ("member.upsert", {"member_id": str(uuid.uuid4()), "fields": {"name": "ヤマダ"},
                              "field_times": {"name": "not a time"}}),
           ("member.delete_request", {"member_id": {"a": 1}}),
           ("card.revoke", {"card": 5}),
           ("coupon.issue", {"member_id": str(uuid.uuid4()), "coupon_id": 5})]
    good_id = str(uuid.uuid4())
    events = [{"event_id": str(uuid.uuid4()), "seq": i + 1, "type": t, "hlc": "x", "payload": p}
              for i, (t, p) in enumerate(bad)]
    events.append({"event_id": str(uuid.uuid4()), "seq": len(bad) + 1, "type": "member.upsert", "hlc": "x",
                   "payload": {"member_id": good_id, "member_no": "00000001", "fields": {"name_kana": "ヤマダ"},
                               "field_times": {}}})
    r = httpx.post(f"{hq.url}/v1/sync/push", headers={"Authorization": f"Bearer {token}"},
                   json={"store_id": "S001", "terminal_id": "T09", "sent_at": _now(), "events": events})
    assert r.status_code == 200, r.text
    got = [(x["outcome"], x["reason"]) for x in r.json()["results"]]
    assert got[:-1] == [("rejected", "bad_payload")] * len(bad)
    assert got[-1] == ("applied", None)


def test_a_store_whose_queue_holds_a_malformed_event_drains_and_converges(hq, make_store):
    """The store end to end: its outbox holds one event damaged after it was written (a bug); it
    syncs, HQ refuses that one, the store reverses its entry and records a conflict for the
    manager, and everything queued after it reaches HQ."""
    a, b = make_store("S001"), make_store("S002")
    member = a.register()
    first = a.earn(member.id, 1000)
    damaged = a.earn(member.id, 2000)
    last = a.earn(member.id, 3000)
    from app.models import Conflict, Outbox

    with a.store.db.write() as s:
        row = s.scalars(select(Outbox).where(Outbox.event_id == damaged.entry_id)).one()
        row.payload = {**row.payload, "points": str(row.payload["points"])}
    a.sync()
    b.sync()
    a.sync()
    with a.store.db.read() as s:
        outcomes = dict(s.execute(select(Outbox.event_id, Outbox.outcome).where(
            Outbox.type == "ledger.earn")).all())
        conflicts = s.scalars(select(Conflict).where(Conflict.kind == "rejected_event")).all()
    assert outcomes[damaged.entry_id] == "rejected"
    assert outcomes[first.entry_id] in ("applied", "adjusted") and outcomes[last.entry_id] in ("applied", "adjusted")
    assert [c.details.get("reason") for c in conflicts] == ["bad_payload"]
    with hq.service.db.read() as s:
        assert s.get(LedgerRow, damaged.entry_id) is None
        assert s.get(LedgerRow, last.entry_id) is not None
    assert_converged(hq, [a, b])


def test_well_formed_payloads_of_every_kind_pass():
    m, e = str(uuid.uuid4()), str(uuid.uuid4())
    base = {"entry_id": e, "member_id": m, "points": 5, "amount_yen": None, "staff_id": None, "store_id": "S001",
            "terminal_id": "T01", "created_at": "2026-12-07T10:00:00.000000Z", "rule_set_version": "2026.1",
            "reverses_id": None, "coupon_id": None, "reason": None}
    for kind in ("earn", "redeem", "adjust", "void", "expire", "migrate", "coupon"):
        assert problem(f"ledger.{kind}", dict(base, kind=kind)) is None, kind
    assert problem("ledger.migrate", dict(base, kind="migrate", card_number="12345678", card_kind="paper",
                                          source="legacy_import", import_id=3)) is None
    assert problem("ledger.void", dict(base, kind="void", points=-5, reverses_id=str(uuid.uuid4()))) is None
    assert problem("ledger.earn", dict(base, kind="earn", categories=["food", "drink"])) is None
    assert problem("member.upsert", {"member_id": m, "member_no": "00000001", "home_store_id": "S001",
                                     "fields": {"name": "山田花子", "consent_marketing": True, "birthday": None},
                                     "field_times": {"name": "2026-12-07T10:00:00.000Z/3/S001"}}) is None
    assert problem("card.revoke", {"card": "T-0001", "member_id": m, "at": "2026-12-07T10:00:00Z"}) is None
    assert problem("coupon.issue", {"coupon_id": str(uuid.uuid4()), "member_id": m, "value": 500}) is None
    assert problem("ledger.earn", dict(base, kind="redeem")) == "kind redeem does not match the event type ledger.earn"


def test_a_terminal_whose_clock_is_days_off_is_refused_with_a_clear_reason(hq, make_store):
    """Hours of skew are shifted back into line (test_scenarios); days are a wrong date on the
    computer: HQ refuses (400 clock_off) instead of shifting every time by days, or overflowing
    (a clock in the year 9999 answered 500 to every push). The store's status names the cause;
    once its clock is set, the same queue goes through."""
    from datetime import timedelta

    from sync.client import Refused
    from tests.sync.harness import Clock

    a = make_store("S001", clock=Clock(timedelta(days=10)))
    member = a.register()
    a.earn(member.id, 1000)
    with pytest.raises(Refused) as refused:
        a.sync()
    exc = refused.value
    assert exc.status == 400 and exc.error == exc.code == "clock_off" and "10 days ahead" in exc.message
    assert a.engine.last_error_code == "clock_off"  # what the status bar words (tests/ui)
    row = next(r for r in hq.service.list_stores() if r["store_id"] == "S001")  # what `python -m hq status` shows
    assert "10 days ahead" in row["last_error"] and row["clock_skew_ms"] > 9 * 86_400_000
    from app.secrets import get_secret
    from sync.engine import credential_name

    token = get_secret(credential_name("S001"))
    r = httpx.post(f"{hq.url}/v1/sync/push", headers={"Authorization": f"Bearer {token}"},
                   json={"store_id": "S001", "terminal_id": "T01", "sent_at": "9999-12-31T23:59:59Z", "events": []})
    assert r.status_code == 400 and r.json()["error"] == "clock_off"
    a.clock.offset = timedelta(0)  # the manager sets the date
    a.sync()
    assert a.engine.last_error_code is None
    assert_converged(hq, [a])


def test_adding_a_store_with_a_bad_id_or_name_is_refused_in_words(hq):
    """The admin API: a name longer than HQ's column answered 500, and "!!!" became a store id."""
    admin = {"Authorization": f"Bearer {hq.admin_token()}"}
    r = httpx.post(f"{hq.url}/v1/admin/stores", headers=admin, json={"name": "x" * 10_000})
    assert r.status_code == 400 and r.json()["error"] == "bad_store_name"
    r = httpx.post(f"{hq.url}/v1/admin/stores", headers=admin, json={"name": "渋谷店", "store_id": "!!!"})
    assert r.status_code == 400 and r.json()["error"] == "bad_store_id"
    r = httpx.post(f"{hq.url}/v1/admin/stores", headers=admin, json={"name": "渋谷店", "store_id": "s-012"})
    assert r.status_code == 200 and r.json()["store_id"] == "S-012"


@pytest.mark.parametrize("damaged_member", [{"a": 1}, None], ids=["member as a dict", "member well formed"])
def test_resends_after_a_restore_with_damaged_fields_get_answers_not_500s(hq, make_store, damaged_member):
    """The resend paths (an event sent again with `recheck` and the compensations the store holds,
    or with `prior_compensation` after HQ lost it) read the payload's member and the compensation
    ids. With the member a dict both answered 500 (the conflict row could not be written), on
    every resend; a compensation id that is not an id was announced to every store as withdrawn."""
    a = make_store("S001")
    member = a.register()
    a.sync()
    from app.secrets import get_secret
    from sync.engine import credential_name

    from hq.models import ChangeRow, Terminal

    token = get_secret(credential_name("S001"))
    headers = {"Authorization": f"Bearer {token}"}
    with hq.service.db.read() as s:
        t = s.get(Terminal, ("S001", "T01"))
        start = t.next_seq if t else 1
    p = _earn("S001", member.id)
    ev = {"event_id": str(uuid.uuid4()), "seq": start, "type": "ledger.earn", "hlc": "x", "payload": p}
    body = {"store_id": "S001", "terminal_id": "T01", "sent_at": _now(), "events": [ev]}
    first = httpx.post(f"{hq.url}/v1/sync/push", json=body, headers=headers)
    assert first.status_code == 200, first.text
    forged, unknown = "x" * 5000, str(uuid.uuid4())
    prior = {forged: 5, unknown: 0}
    member_field = member.id if damaged_member is None else damaged_member
    recheck = dict(ev, recheck=True, prior_compensation=prior, payload=dict(p, member_id=member_field))
    r = httpx.post(f"{hq.url}/v1/sync/push", json=dict(body, events=[recheck]), headers=headers)
    assert r.status_code == 200, r.text
    assert r.json()["results"] == first.json()["results"]  # HQ's verdict of old, as stored
    fresh = {"event_id": str(uuid.uuid4()), "seq": start + 1, "type": "ledger.earn", "hlc": "x",
             "payload": dict(_earn("S001", member.id), member_id=member_field), "prior_compensation": prior}
    r = httpx.post(f"{hq.url}/v1/sync/push", json=dict(body, events=[fresh]), headers=headers)
    assert r.status_code == 200, r.text
    want = ("rejected", "bad_payload") if damaged_member is not None else ("applied", None)
    assert (r.json()["results"][0]["outcome"], r.json()["results"][0]["reason"]) == want
    with hq.service.db.read() as s:
        withdrawn = [c.data for c in s.scalars(select(ChangeRow).where(ChangeRow.kind == "ledger.rejected"))]
    ids = [d.get("entry_id") for d in withdrawn]
    assert forged not in ids  # not an id: nothing any store could hold
    assert unknown in ids  # a well-formed id HQ does not hold is still withdrawn, as before
    gone = next(d for d in withdrawn if d.get("entry_id") == unknown)
    assert gone["member_id"] == (member.id if damaged_member is None else None)
