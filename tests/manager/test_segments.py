"""Every segment against figures computed by hand (fixture in conftest.seg_fixture).

now = 2026-11-17 10:00 JST. Active members and their 12-month figures:
  A: visits 5 and 100 days ago, ¥10,000 + ¥2,000   → days 5,   visits 2, spend ¥12,000, lifetime ¥12,000
  B: 70 days ago ¥3,000                               → days 70,  visits 1, spend ¥3,000,  lifetime ¥3,000
  C: 40 days ago ¥6,000                               → days 40,  visits 1, spend ¥6,000,  lifetime ¥6,000
  D: 400 days ago ¥1,000 (outside), 200 days ¥500     → days 200, visits 1, spend ¥500,    lifetime ¥1,500
  E: never visited                                    → no scores
  F: ¥8,000 voided, ¥1,000 10 days ago                → days 10,  visits 1, spend ¥1,000,  lifetime ¥1,000
RFM (n = 5 visited; score = 1 + 5·(strictly worse)/5):
  R by recency: D1 B2 C3 F4 A5; F: A5, others 1 (tied); M: D1 F2 B3 C4 A5.
VIP: top 10 % of 6 members → 1 member → threshold ¥12,000 → A.
churn_risk (≥ 60 days): B, D. win_back (≥ 30 days and lifetime ≥ ¥5,000): C.
churn score = round(100 · min(1, d/120) · (0.5 + 0.5·min(1, v/12))): A 2, B 32, C 18, D 54, F 5, E 0.
"""
import pytest

from app.models import MemberSegment
from app.services.customers import CustomerFilter
from app.services.segments import (churn_score, quintile_cuts, quintile_scores, score_from_cuts,
                                   vip_threshold_from_histogram)

EXPECTED = {
    "A": dict(rfm=(5, 5, 5), days=5, visits=2, spend=12000, churn=2, segs={"vip"}),
    "B": dict(rfm=(2, 1, 3), days=70, visits=1, spend=3000, churn=32, segs={"churn_risk"}),
    "C": dict(rfm=(3, 1, 4), days=40, visits=1, spend=6000, churn=18, segs={"win_back"}),
    "D": dict(rfm=(1, 1, 1), days=200, visits=1, spend=500, churn=54, segs={"churn_risk"}),
    "E": dict(rfm=(0, 0, 0), days=None, visits=0, spend=0, churn=0, segs=set()),
    "F": dict(rfm=(4, 1, 2), days=10, visits=1, spend=1000, churn=5, segs=set()),
}


def test_every_segment_matches_the_hand_computed_figures(store, seg_fixture):
    result = store.segments.refresh()
    assert result.members == 6
    assert result.counts == {"vip": 1, "churn_risk": 2, "win_back": 1}
    assert result.vip_threshold_yen == 12000
    for key, exp in EXPECTED.items():
        row = store.segments.of(seg_fixture[key])
        assert (row.rfm_r, row.rfm_f, row.rfm_m) == exp["rfm"], key
        assert row.days_since_visit == exp["days"], key
        assert row.visits_12m == exp["visits"], key
        assert row.spend_12m_yen == exp["spend"], key
        assert row.churn_score == exp["churn"], key
        assert set(row.segments) == exp["segs"], key
        assert (row.vip, row.churn_risk, row.win_back) == ("vip" in exp["segs"], "churn_risk" in exp["segs"],
                                                           "win_back" in exp["segs"]), key
    assert store.segments.counts() == {"vip": 1, "churn_risk": 2, "win_back": 1}


def test_segment_filters_list_exactly_the_members(store, seg_fixture):
    store.segments.refresh()
    ids = {v: k for k, v in seg_fixture.items()}
    for seg, want in (("vip", {"A"}), ("churn_risk", {"B", "D"}), ("win_back", {"C"})):
        f = CustomerFilter(segment=seg)
        got = {ids[r.id] for r in store.customers.page(f, limit=50).rows}
        assert got == want, seg
        assert store.customers.count(f) == len(want)


def test_thresholds_come_from_the_rule_set(store, seg_fixture):
    import json

    from app.rules import parse_rule_set

    current = store.rules.current()
    body = json.loads(current.model_dump_json())
    body.update(version="2026.2", valid_from="2026-06-01T00:00:00+09:00",
                segments={"churn_risk_days": 30, "win_back_days": 3, "win_back_min_lifetime_spend_yen": 1000,
                          "vip_top_percent": 50})
    with store.db.write() as s:
        store.rules.install(s, parse_rule_set(body))
    r = store.segments.refresh()
    # churn ≥ 30 days: B 70, C 40, D 200; win-back ≥ 3 days and lifetime ≥ ¥1,000: all visited;
    # VIP top 50 % of 6 → 3 members: ¥12,000, ¥6,000, ¥3,000.
    assert r.counts == {"vip": 3, "churn_risk": 3, "win_back": 5}


def test_refresh_replaces_previous_results(store, seg_fixture, cashier, clock):
    store.segments.refresh()
    clock.advance(days=30)
    store.segments.refresh()
    with store.db.read() as s:
        stamps = {m.computed_at for m in s.query(MemberSegment)}
    assert len(stamps) == 1
    # 30 days later C (now 70 days) is at churn risk too, and A is at 35 days with ¥12,000: win-back.
    assert store.segments.counts() == {"vip": 1, "churn_risk": 3, "win_back": 2}


def test_quintiles_and_churn_score_helpers():
    assert quintile_scores([10, 20, 30, 40, 50]) == [1, 2, 3, 4, 5]
    assert quintile_scores([7, 7, 7]) == [1, 1, 1]
    assert quintile_scores(list(range(10))) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert churn_score(None, 5, 60) == 0
    assert churn_score(120, 12, 60) == 100
    assert churn_score(500, 0, 60) == 50


def test_quintile_cuts_give_the_reference_scores():
    """The refresh scores by cut points computed from histograms; the reference ranks every value."""
    import random
    from collections import Counter

    rng = random.Random(5)
    cases = [[10, 20, 30, 40, 50], [7, 7, 7], list(range(10)), [1], [0, 0, 1], [3, 1, 2, 2, 2, 9, 9]]
    cases += [[rng.choice([0, 1, 2, 5, 5, 8, 13, 40]) for _ in range(rng.randrange(1, 60))] for _ in range(200)]
    cases += [[rng.randrange(-400, 0) for _ in range(rng.randrange(1, 500))] for _ in range(50)]
    for values in cases:
        cuts = quintile_cuts(Counter(values).items())
        assert [score_from_cuts(v, cuts) for v in values] == quintile_scores(values), values
    assert quintile_cuts([]) == []


def test_vip_threshold_from_a_histogram_is_the_rule_engines():
    import random
    from collections import Counter

    from app.rules import load_default_rule_set, vip_threshold

    rng = random.Random(9)
    rs = load_default_rule_set()
    cases = [[], [0, 0], [0, 5], [12000, 6000, 3000, 500, 1000, 0], [100] * 30]
    cases += [[rng.choice([0, 0, 0, 500, 1200, 8000, 8000, 30000]) for _ in range(rng.randrange(1, 80))]
              for _ in range(300)]
    for values in cases:
        for pct in (1, 10, 50, 100):
            body = rs.model_copy(update={"segments": rs.segments.model_copy(update={"vip_top_percent": pct})})
            assert vip_threshold_from_histogram(Counter(values).items(), pct) == vip_threshold(body, values), (values, pct)


def test_refresh_of_a_larger_store_agrees_with_the_reference(store, manager, cashier, clock):
    """Set-based SQL against the per-member Python definitions on a few hundred members with
    random visits, voids and never-visited members."""
    import random
    import uuid
    from datetime import timedelta

    from app.clock import parse_iso
    from app.models import Member

    from .conftest import NOW, earn

    rng = random.Random(3)
    kana = "アイウエオカキクケコサシスセソタチツテト"
    ids = [store.members.register(cashier, kana[i % 20] + kana[i // 20] + "ヤマ").member.id for i in range(120)]
    for mid in ids:
        for _ in range(rng.choice([0, 0, 1, 2, 3, 6, 14])):
            e = earn(store, cashier, mid, rng.choice([300, 1000, 2500, 4800, 12000]), rng.randrange(0, 500),
                     hours=rng.randrange(0, 24))
            if rng.random() < 0.08:
                store.ledger.void(manager, e.entry_id, uuid.uuid4(), at=NOW - timedelta(days=rng.randrange(0, 3)))
    r = store.segments.refresh()
    th = store.rules.current().segments
    zone = store.rules.current().zone
    today = NOW.astimezone(zone).date()
    cut = NOW - timedelta(days=365)
    with store.db.read() as s:
        rows = {m.id: m for m in s.query(Member).filter(Member.status == "active")}
        ledger = s.connection().exec_driver_sql(
            "SELECT id, member_id, kind, amount_yen, created_at, reverses_id FROM ledger").all()
    voided = {e.reverses_id for e in ledger if e.kind == "void" and parse_iso(e.created_at) >= cut}
    visits = {mid: 0 for mid in rows}
    spend = {mid: 0 for mid in rows}
    for e in ledger:
        if e.kind == "earn" and parse_iso(e.created_at) >= cut and e.id not in voided:
            visits[e.member_id] += 1
            spend[e.member_id] += e.amount_yen
    days = {mid: (today - parse_iso(m.last_visit_at).astimezone(zone).date()).days if m.last_visit_at else None
            for mid, m in rows.items()}
    visited = [mid for mid in rows if days[mid] is not None]
    rs_ = dict(zip(visited, quintile_scores([-days[m] for m in visited])))
    fs = dict(zip(visited, quintile_scores([visits[m] for m in visited])))
    ms = dict(zip(visited, quintile_scores([spend[m] for m in visited])))
    from app.rules import vip_threshold

    threshold = vip_threshold(store.rules.current(), list(spend.values()))
    assert r.vip_threshold_yen == threshold and r.members == len(rows)
    counts = {"vip": 0, "churn_risk": 0, "win_back": 0}
    for mid, m in rows.items():
        row = store.segments.of(mid)
        d = days[mid]
        assert (row.rfm_r, row.rfm_f, row.rfm_m) == (rs_.get(mid, 0), fs.get(mid, 0), ms.get(mid, 0)), mid
        assert (row.days_since_visit, row.visits_12m, row.spend_12m_yen) == (d, visits[mid], spend[mid]), mid
        assert row.churn_score == churn_score(d, visits[mid], th.churn_risk_days)
        want = {"vip": threshold is not None and spend[mid] >= threshold and spend[mid] > 0,
                "churn_risk": d is not None and d >= th.churn_risk_days,
                "win_back": d is not None and d >= th.win_back_days
                and m.lifetime_spend_yen >= th.win_back_min_lifetime_spend_yen}
        assert set(row.segments) == {k for k, v in want.items() if v}, mid
        for k, v in want.items():
            counts[k] += v
    assert r.counts == counts


def test_segment_counts_leave_out_members_merged_after_the_refresh(store, seg_fixture):
    from sqlalchemy import update

    from app.models import Member

    store.segments.refresh()
    with store.db.write() as s:
        s.execute(update(Member).where(Member.id.in_([seg_fixture["A"], seg_fixture["B"]])).values(status="merged"))
    ids = {v: k for k, v in seg_fixture.items()}
    for seg, want in (("vip", set()), ("churn_risk", {"D"}), ("win_back", {"C"})):
        f = CustomerFilter(segment=seg)
        assert {ids[r.id] for r in store.customers.page(f, limit=50).rows} == want, seg
        assert store.customers.count(f) == store.customers.count(f, cap=None) == len(want), seg
