from datetime import date, datetime, timedelta, timezone

import pytest

from app.rules import (
    MemberState,
    RuleViolation,
    check_offline_redemption,
    check_redemption,
    coupon_expires_at,
    expiry_for,
    load_default_rule_set,
    max_redeemable_points,
    member_segments,
    parse_rule_set,
    stamps_to_points,
    triggered_coupons,
    vip_threshold,
)

from .helpers import JST, SATURDAY, rule_set_data


@pytest.fixture
def rules():
    return load_default_rule_set()


@pytest.fixture
def strict():
    """Redeem in units of 100 pt, at least 300 pt, ¥1 per point, at most 50 % of the bill."""
    return parse_rule_set(rule_set_data(redemption={
        "yen_per_point": 1, "minimum_points": 300, "unit_points": 100, "max_bill_percent": 50}))


def _violation(fn, *args) -> RuleViolation:
    with pytest.raises(RuleViolation) as err:
        fn(*args)
    return err.value


def test_redemption_default_one_point_one_yen(rules):
    assert check_redemption(rules, 500, 1980, 1240) == 500  # A day, step 5
    assert check_redemption(rules, 1, 1, 1) == 1
    assert check_redemption(rules, 1980, 1980, 5000) == 1980  # up to 100 % of the bill
    assert check_redemption(rules, 2000, None, 5000) == 2000  # no bill, no cap


def test_redemption_refusals_each_with_its_code(strict):
    v = _violation(check_redemption, strict, 200, 10_000, 10_000)
    assert (v.code, v.params["minimum"]) == ("below_minimum", 300)
    assert "300" in str(v)
    v = _violation(check_redemption, strict, 350, 10_000, 10_000)
    assert (v.code, v.params["unit"]) == ("not_a_unit_multiple", 100)
    assert "units of 100" in str(v)
    v = _violation(check_redemption, strict, 600, 1000, 10_000)
    assert (v.code, v.params["max_points"], v.params["cap_yen"]) == ("over_bill_cap", 500, 500)
    assert "50%" in str(v) and "500" in str(v)
    v = _violation(check_redemption, strict, 500, 1000, 400)
    assert (v.code, v.params["balance"]) == ("insufficient_balance", 400)
    assert "400" in str(v)
    assert check_redemption(strict, 500, 1000, 500) == 500


def test_redemption_of_zero_or_negative_points_is_below_minimum(rules):
    assert _violation(check_redemption, rules, 0, 100, 100).code == "below_minimum"
    assert _violation(check_redemption, rules, -5, 100, 100).code == "below_minimum"
    assert _violation(check_redemption, rules, 101, 100, 1000).code == "over_bill_cap"
    assert _violation(check_redemption, rules, 100, 100, 99).code == "insufficient_balance"


def test_yen_per_point_scales_value_and_cap():
    rs = parse_rule_set(rule_set_data(redemption={"yen_per_point": 2}))
    assert check_redemption(rs, 100, 1000, 1000) == 200
    v = _violation(check_redemption, rs, 501, 1000, 1000)
    assert (v.code, v.params["max_points"]) == ("over_bill_cap", 500)


def test_max_redeemable_points(strict, rules):
    assert max_redeemable_points(strict, 1999, 10_000) == 900  # 50 % of ¥1,999 = 999 → units of 100
    assert max_redeemable_points(strict, 1999, 650) == 600
    assert max_redeemable_points(strict, 1999, 250) == 0  # below the minimum
    assert max_redeemable_points(rules, 1980, 1240) == 1240
    assert max_redeemable_points(rules, None, -3) == 0


def test_offline_redemption_daily_allowance(rules):
    assert check_offline_redemption(rules, 1000, 5000, 5000, 2000) == 1000
    v = _violation(check_offline_redemption, rules, 1001, 5000, 5000, 2000)
    assert (v.code, v.params["remaining"], v.params["allowance"]) == ("over_offline_allowance", 1000, 3000)
    # The ordinary rules still apply first.
    assert _violation(check_offline_redemption, rules, 100, 5000, 50, 0).code == "insufficient_balance"


@pytest.mark.parametrize("stamps, points", [(0, 0), (1, 10), (14, 140), (199, 1990), (200, 2000), (201, 2000),
                                            (10_000, 2000)])
def test_stamps_to_points_with_card_cap(rules, stamps, points):
    assert stamps_to_points(rules, stamps) == points


def test_stamps_refuses_negative(rules):
    with pytest.raises(ValueError):
        stamps_to_points(rules, -1)


def test_expiry_twelve_months_end_of_local_day(rules):
    earned = datetime(2026, 11, 21, 10, 30, tzinfo=JST)
    expires = expiry_for(rules, earned)
    assert expires.utcoffset() == timedelta(hours=9)
    assert (expires.year, expires.month, expires.day, expires.hour, expires.minute) == (2027, 11, 21, 23, 59)
    assert expires > datetime(2027, 11, 21, 23, 59, 59, tzinfo=JST)
    assert expires < datetime(2027, 11, 22, 0, 0, tzinfo=JST)
    # 20:00 UTC on the 21st is the 22nd in Tokyo.
    assert expiry_for(rules, datetime(2026, 11, 21, 20, 0, tzinfo=timezone.utc)).date() == date(2027, 11, 22)
    # Month ends clamp; leap day.
    assert expiry_for(rules, datetime(2028, 2, 29, 12, tzinfo=JST)).date() == date(2029, 2, 28)
    six = parse_rule_set(rule_set_data(expiry={"months": 1}))
    assert expiry_for(six, datetime(2026, 1, 31, 12, tzinfo=JST)).date() == date(2026, 2, 28)
    assert expiry_for(six, datetime(2026, 12, 15, 12, tzinfo=JST)).date() == date(2027, 1, 15)


def test_coupon_expiry_and_triggers(rules):
    issued = datetime(2026, 11, 20, 18, 0, tzinfo=JST)
    assert coupon_expires_at(rules, "win-back-500", issued) == datetime(2026, 11, 22, 18, 0, tzinfo=JST)
    away = MemberState(last_visit=SATURDAY - timedelta(days=30), lifetime_spend_yen=5000)
    assert [c.id for c in triggered_coupons(rules, away, SATURDAY)] == ["win-back-500"]
    recent = MemberState(last_visit=SATURDAY - timedelta(days=29), lifetime_spend_yen=50_000)
    assert triggered_coupons(rules, recent, SATURDAY) == ()
    small = MemberState(last_visit=SATURDAY - timedelta(days=90), lifetime_spend_yen=4999)
    assert triggered_coupons(rules, small, SATURDAY) == ()
    birthday = MemberState(birthday=date(1990, 11, 21), last_visit=SATURDAY - timedelta(days=1))
    assert [c.id for c in triggered_coupons(rules, birthday, SATURDAY)] == ["birthday-300"]


def test_segments(rules):
    member = MemberState(last_visit=SATURDAY - timedelta(days=60), lifetime_spend_yen=10_000,
                         segments=frozenset({"vip"}))
    assert member_segments(rules, member, SATURDAY) == {"vip", "churn_risk", "win_back"}
    assert member_segments(rules, MemberState(last_visit=SATURDAY - timedelta(days=59)), SATURDAY) == set()
    assert vip_threshold(rules, [0] * 5 + list(range(1000, 11000, 1000)) + [0] * 5) == 9000  # 20 members → top 2 (10,000 and 9,000)
    assert vip_threshold(rules, [500, 0, 0]) == 500
    assert vip_threshold(rules, [0, 0]) is None
