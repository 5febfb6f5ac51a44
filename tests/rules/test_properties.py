"""Properties of the engine (hypothesis): integer, non-negative, monotone, lines add up, pure."""
from datetime import datetime, timedelta

from hypothesis import given, settings, strategies as st

from app.rules import (
    MemberState,
    Purchase,
    check_redemption,
    RuleViolation,
    load_default_rule_set,
    parse_rule_set,
    price_purchase,
    stamps_to_points,
)

from .helpers import JST, campaign, rule_set_data

DEFAULT = load_default_rule_set()

multipliers = st.sampled_from(["1", "1.1", "1.2", "1.25", "1.5", "2", "3", "1.33", "10"])


@st.composite
def rule_sets(draw):
    camps = []
    for i in range(draw(st.integers(0, 4))):
        filters = draw(st.fixed_dictionaries({}, optional={
            "min_purchase_yen": st.integers(0, 20_000),
            "weekdays": st.lists(st.sampled_from(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]),
                                 min_size=1, max_size=3),
            "weather": st.just(["rain"]),
            "tiers": st.lists(st.sampled_from(["bronze", "silver", "gold"]), min_size=1, max_size=2),
        }))
        if draw(st.booleans()):
            camps.append(campaign(id=f"c{i}", multiplier=draw(multipliers), **filters))
        else:
            camps.append(campaign(id=f"c{i}", bonus_points=draw(st.integers(1, 500)), **filters))
    tiers = [
        {"id": "bronze", "name_ja": "ブロンズ", "name_en": "Bronze", "min_annual_spend_yen": 0, "multiplier": 1},
        {"id": "silver", "name_ja": "シルバー", "name_en": "Silver", "min_annual_spend_yen": 50_000,
         "multiplier": draw(multipliers)},
        {"id": "gold", "name_ja": "ゴールド", "name_en": "Gold", "min_annual_spend_yen": 100_000,
         "multiplier": draw(multipliers)},
    ]
    return parse_rule_set(rule_set_data(
        campaigns=camps, tiers=tiers, stacking=draw(st.sampled_from(["multiply", "add", "best"])),
        base={"yen_per_unit": draw(st.sampled_from([100, 200, 108, 1000])),
              "points_per_unit": draw(st.integers(1, 5))}))


members = st.builds(MemberState, tier=st.sampled_from([None, "bronze", "silver", "gold", "unknown"]),
                    annual_spend_yen=st.integers(-10_000, 500_000))
times = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2030, 12, 31),
                     timezones=st.just(JST))
amounts = st.integers(0, 10_000_000)
weathers = st.sampled_from([frozenset(), frozenset({"rain"})])


@settings(max_examples=300, deadline=None)
@given(rule_sets(), members, amounts, amounts, times, weathers)
def test_points_are_non_negative_integers_monotone_in_amount(rs, member, a, b, at, weather):
    low, high = sorted((a, b))
    p_low = price_purchase(rs, member, Purchase(low), at, "s1", weather=weather)
    p_high = price_purchase(rs, member, Purchase(high), at, "s1", weather=weather)
    for p in (p_low, p_high):
        assert type(p.points) is int and p.points >= 0
        assert all(type(line.points) is int for line in p.lines)
        assert all(line.points >= 0 for line in p.lines)
        assert sum(line.points for line in p.lines) == p.points
        assert p.lines[0].kind == "base"
    assert p_low.points <= p_high.points


@settings(max_examples=200, deadline=None)
@given(rule_sets(), members, amounts, times)
def test_pure_and_at_least_base(rs, member, amount, at):
    first = price_purchase(rs, member, Purchase(amount), at, "s1")
    assert first == price_purchase(rs, member, Purchase(amount), at, "s1")
    base = amount // rs.base.yen_per_unit * rs.base.points_per_unit
    assert first.points >= base  # multipliers are all >= 1 and bonuses positive


@given(amounts)
def test_default_base_is_one_point_per_full_hundred_yen(amount):
    p = price_purchase(DEFAULT, MemberState(tier="bronze"), Purchase(amount), datetime(2026, 11, 22, tzinfo=JST), "s")
    assert p.points == amount // 100


@given(st.integers(0, 10**6))
def test_stamps_never_exceed_the_card_cap(stamps):
    points = stamps_to_points(DEFAULT, stamps)
    assert type(points) is int
    assert 0 <= points <= DEFAULT.stamps.max_points_per_card
    assert points == min(stamps * 10, 2000)


@given(st.integers(-100, 10_000), st.one_of(st.none(), st.integers(0, 10_000)), st.integers(-100, 10_000))
def test_a_redemption_is_accepted_only_within_all_limits(points, bill, balance):
    try:
        value = check_redemption(DEFAULT, points, bill, balance)
    except RuleViolation as v:
        assert v.code in {"below_minimum", "not_a_unit_multiple", "over_bill_cap", "insufficient_balance"}
        assert points < 1 or points > balance or (bill is not None and points > bill)
    else:
        assert type(value) is int and value == points
        assert 1 <= points <= balance and (bill is None or points <= bill)
