from datetime import date, datetime, timedelta, timezone

import pytest

from app.rules import (
    IssuedCoupon,
    MemberState,
    Purchase,
    RuleViolation,
    load_default_rule_set,
    parse_rule_set,
    price_purchase,
    tier_for,
)

from .helpers import JST, SATURDAY, SUNDAY, campaign, rule_set_data


@pytest.fixture
def rules():
    return load_default_rule_set()


def test_a_day_at_the_counter_step_3(rules):
    """¥3,480, gold, Saturday 2× campaign: 34 pt × 2 (campaign) × 1.5 (gold) = 102 pt."""
    pricing = price_purchase(rules, MemberState(tier="gold", annual_spend_yen=150_000), Purchase(3480),
                             SATURDAY, "store-001")
    assert pricing.points == 102
    assert pricing.tier == "gold"
    assert pricing.campaigns == ("saturday-double",)
    assert pricing.rule_set_version == rules.version
    assert [(l.kind, l.points, l.factor, l.rule_id) for l in pricing.lines] == [
        ("base", 34, None, None),
        ("campaign", 34, "×2", "saturday-double"),
        ("tier", 34, "×1.5", "gold"),
    ]
    assert pricing.lines[0].label == "Base: ¥3,480 → 34 pt"
    assert pricing.lines[1].label == "Campaign: Double Points Saturday ×2"
    assert pricing.lines[2].label == "Tier: Gold ×1.5"


def test_same_purchase_on_sunday_has_no_campaign(rules):
    pricing = price_purchase(rules, MemberState(tier="gold"), Purchase(3480), SUNDAY, "store-001")
    assert pricing.points == 51
    assert pricing.campaigns == ()
    assert [l.kind for l in pricing.lines] == ["base", "tier"]  # 34 × 1.5 = 51 exactly: no rounding line


def test_weekday_uses_store_local_time(rules):
    # Friday 16:00 UTC is Saturday 01:00 in Tokyo: the Saturday campaign applies.
    friday_utc = datetime(2026, 11, 20, 16, 0, tzinfo=timezone.utc)
    assert price_purchase(rules, MemberState(), Purchase(1000), friday_utc, "s").points == 20
    friday_jst = datetime(2026, 11, 20, 23, 59, tzinfo=JST)
    assert price_purchase(rules, MemberState(), Purchase(1000), friday_jst, "s").points == 10


@pytest.mark.parametrize("amount, points", [(0, 0), (99, 0), (100, 1), (199, 1), (1234, 12), (3480, 34)])
def test_base_rate_rounds_down(rules, amount, points):
    pricing = price_purchase(rules, MemberState(tier="bronze"), Purchase(amount), SUNDAY, "s")
    assert pricing.points == points
    assert pricing.lines[0].points == points
    assert isinstance(pricing.points, int)


def test_rounding_line_when_the_exact_total_is_fractional(rules):
    pricing = price_purchase(rules, MemberState(tier="silver"), Purchase(3480), SATURDAY, "s")
    # 34 × 2 × 1.2 = 81.6 → 81
    assert pricing.points == 81
    assert pricing.lines[-1].kind == "rounding"
    assert pricing.lines[-1].points == 0
    assert "81.6" in pricing.lines[-1].label
    assert sum(l.points for l in pricing.lines) == 81


def test_tier_comes_from_spend_when_not_stored(rules):
    assert tier_for(rules, 0).id == "bronze"
    assert tier_for(rules, 49_999).id == "bronze"
    assert tier_for(rules, 50_000).id == "silver"
    assert tier_for(rules, 99_999).id == "silver"
    assert tier_for(rules, 100_000).id == "gold"
    assert tier_for(rules, -500).id == "bronze"
    pricing = price_purchase(rules, MemberState(annual_spend_yen=120_000), Purchase(1000), SUNDAY, "s")
    assert (pricing.tier, pricing.points) == ("gold", 15)
    # An unknown stored tier falls back to the spend.
    pricing = price_purchase(rules, MemberState(tier="platinum", annual_spend_yen=0), Purchase(1000), SUNDAY, "s")
    assert (pricing.tier, pricing.points) == ("bronze", 10)


def test_tier_names_are_bilingual(rules):
    assert [(t.id, t.name_ja, t.name_en) for t in rules.tiers] == [
        ("bronze", "ブロンズ", "Bronze"), ("silver", "シルバー", "Silver"), ("gold", "ゴールド", "Gold")]


def test_no_tier_below_the_lowest_threshold():
    rs = parse_rule_set(rule_set_data(tiers=[
        {"id": "silver", "name_ja": "シルバー", "name_en": "Silver", "min_annual_spend_yen": 1000, "multiplier": 2}]))
    assert tier_for(rs, 999) is None
    pricing = price_purchase(rs, MemberState(), Purchase(1000), SUNDAY, "s")
    assert (pricing.tier, pricing.points) == (None, 10)


# --- campaign filters -----------------------------------------------------------------------------------
def _priced(campaign_data, *, member=MemberState(tier="bronze"), amount=1000, at=SUNDAY, store="s1",
            weather=frozenset(), categories=frozenset()):
    rs = parse_rule_set(rule_set_data(campaigns=[campaign_data]))
    return price_purchase(rs, member, Purchase(amount, categories), at, store, weather=weather)


def test_campaign_dates_are_inclusive_local_days():
    c = campaign(start="2026-11-22", end="2026-11-22")
    assert _priced(c).points == 20
    assert _priced(c, at=SUNDAY - timedelta(days=1)).points == 10
    assert _priced(c, at=SUNDAY + timedelta(days=1)).points == 10
    assert _priced(c, at=datetime(2026, 11, 22, 23, 59, 59, tzinfo=JST)).points == 20
    assert _priced(c, at=datetime(2026, 11, 22, 15, 0, tzinfo=timezone.utc)).points == 10  # 00:00 on the 23rd JST
    assert _priced(campaign(start="2026-12-01")).points == 10  # not started


def test_campaign_weekdays():
    assert _priced(campaign(weekdays=["sun"])).points == 20
    assert _priced(campaign(weekdays=["sat"])).points == 10
    assert _priced(campaign(weekdays=["sat", "sun"])).points == 20


def test_campaign_stores():
    assert _priced(campaign(stores=["s1", "s2"]), store="s1").points == 20
    assert _priced(campaign(stores=["s1", "s2"]), store="s3").points == 10
    assert _priced(campaign(stores=[]), store="s3").points == 20


def test_campaign_tiers():
    c = campaign(tiers=["gold"])
    assert _priced(c, member=MemberState(tier="gold")).points == 30  # 10 × 2 × 1.5
    assert _priced(c, member=MemberState(tier="silver")).points == 12  # 10 × 1.2
    assert _priced(c, member=MemberState(annual_spend_yen=200_000)).points == 30


def test_campaign_min_purchase():
    c = campaign(min_purchase_yen=1000)
    assert _priced(c, amount=999).points == 9
    assert _priced(c, amount=1000).points == 20


def test_campaign_weather():
    c = campaign(weather="rain")
    assert _priced(c).points == 10
    assert _priced(c, weather=frozenset({"rain"})).points == 20
    assert _priced(campaign(weather=["rain", "snow"]), weather=frozenset({"snow", "cold"})).points == 20
    assert _priced(c, weather=frozenset({"sunny"})).points == 10


def test_campaign_segments_explicit_and_derived():
    c = campaign(segments=["vip"])
    assert _priced(c).points == 10
    assert _priced(c, member=MemberState(segments=frozenset({"vip"}))).points == 20
    win_back = campaign(segments=["win_back"])
    away = MemberState(last_visit=SUNDAY - timedelta(days=30), lifetime_spend_yen=5000)
    assert _priced(win_back, member=away).points == 20
    assert _priced(win_back, member=MemberState(last_visit=SUNDAY - timedelta(days=29),
                                                lifetime_spend_yen=5000)).points == 10
    assert _priced(win_back, member=MemberState(last_visit=SUNDAY - timedelta(days=40),
                                                lifetime_spend_yen=4999)).points == 10


def test_campaign_categories_and_birthday():
    c = campaign(categories=["drinks"])
    assert _priced(c, categories=frozenset({"food"})).points == 10
    assert _priced(c, categories=frozenset({"food", "drinks"})).points == 20
    month = campaign(birthday="month")
    assert _priced(month, member=MemberState(birthday=date(1990, 11, 3))).points == 20
    assert _priced(month, member=MemberState(birthday=date(1990, 10, 3))).points == 10
    assert _priced(month).points == 10
    day = campaign(birthday="day")
    assert _priced(day, member=MemberState(birthday=date(1990, 11, 22))).points == 20
    assert _priced(day, member=MemberState(birthday=date(1990, 11, 21))).points == 10


def test_bonus_campaign_adds_after_multipliers():
    rs = parse_rule_set(rule_set_data(campaigns=[
        campaign(id="double"),
        campaign(id="rain-bonus", name_en="Rainy day", bonus_points=50, weather="rain", min_purchase_yen=500),
    ]))
    pricing = price_purchase(rs, MemberState(tier="gold"), Purchase(3480), SUNDAY, "s", weather=frozenset({"rain"}))
    assert pricing.points == 102 + 50
    assert pricing.campaigns == ("double", "rain-bonus")
    assert pricing.lines[-1] == pricing.lines[-1].__class__(
        label="Bonus: Rainy day +50 pt", kind="bonus", points=50, factor="+50", rule_id="rain-bonus")
    assert sum(l.points for l in pricing.lines) == pricing.points


# --- stacking -------------------------------------------------------------------------------------------
def _stacked(mode, member=MemberState(tier="bronze")):
    rs = parse_rule_set(rule_set_data(stacking=mode, campaigns=[
        campaign(id="double", multiplier=2), campaign(id="triple", multiplier=3),
        campaign(id="bonus", bonus_points=7)]))
    return price_purchase(rs, member, Purchase(1000), SUNDAY, "s")


def test_stacking_multiply():
    pricing = _stacked("multiply")
    assert pricing.points == 10 * 2 * 3 + 7
    assert pricing.campaigns == ("double", "triple", "bonus")


def test_stacking_add_adds_the_extra_parts():
    pricing = _stacked("add")
    assert pricing.points == 10 * (1 + 1 + 2) + 7
    assert [l.points for l in pricing.lines if l.kind == "campaign"] == [10, 20]


def test_stacking_best_keeps_only_the_highest_multiplier():
    pricing = _stacked("best")
    assert pricing.points == 10 * 3 + 7
    assert pricing.campaigns == ("triple", "bonus")
    assert [l.rule_id for l in pricing.lines if l.kind == "campaign"] == ["triple"]


def test_stacking_with_gold_tier():
    gold = MemberState(tier="gold")
    assert _stacked("multiply", gold).points == 90 + 7
    assert _stacked("add", gold).points == 60 + 7
    assert _stacked("best", gold).points == 45 + 7


# --- coupons --------------------------------------------------------------------------------------------
def test_win_back_coupon_adds_points_within_48_hours(rules):
    issued = datetime(2026, 11, 20, 18, 0, tzinfo=JST)
    coupon = IssuedCoupon("win-back-500", issued)
    pricing = price_purchase(rules, MemberState(tier="gold"), Purchase(3480), SATURDAY, "s", coupons=[coupon])
    assert pricing.points == 602
    assert pricing.lines[-1].kind == "coupon" and pricing.lines[-1].points == 500
    with pytest.raises(RuleViolation) as err:
        price_purchase(rules, MemberState(), Purchase(3480), issued + timedelta(hours=48), "s", coupons=[coupon])
    assert err.value.code == "coupon_expired"
    assert err.value.params["expired_at"] == issued + timedelta(hours=48)
    assert "expired" in str(err.value)
    with pytest.raises(RuleViolation) as err:
        price_purchase(rules, MemberState(), Purchase(3480), SATURDAY, "s", coupons=[IssuedCoupon("nope", issued)])
    assert err.value.code == "unknown_coupon"


# --- inputs ---------------------------------------------------------------------------------------------
def test_refuses_naive_time_and_bad_amounts(rules):
    with pytest.raises(ValueError, match="timezone-aware"):
        price_purchase(rules, MemberState(), Purchase(100), datetime(2026, 11, 21, 10, 0), "s")
    with pytest.raises(ValueError):
        price_purchase(rules, MemberState(), Purchase(-100), SATURDAY, "s")
    with pytest.raises(TypeError):
        price_purchase(rules, MemberState(), Purchase(100.0), SATURDAY, "s")  # type: ignore[arg-type]


def test_pure_same_inputs_same_output(rules):
    args = (rules, MemberState(tier="silver"), Purchase(12_345), SATURDAY, "s")
    assert price_purchase(*args) == price_purchase(*args)
