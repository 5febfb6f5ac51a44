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
from app.services.segments import churn_score, quintile_scores

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
