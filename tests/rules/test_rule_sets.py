import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from app.rules import RuleSet, RuleSetError, load_default_rule_set, parse_rule_set, rule_set_for

from .helpers import JST, campaign, default_data, rule_set_data


def test_default_rule_set_parses_with_documented_values():
    rs = load_default_rule_set()
    assert isinstance(rs, RuleSet)
    assert rs.timezone == "Asia/Tokyo"
    assert rs.valid_from.utcoffset() == timedelta(hours=9)
    assert (rs.base.yen_per_unit, rs.base.points_per_unit) == (100, 1)
    assert [(t.id, t.min_annual_spend_yen, t.multiplier) for t in rs.tiers] == [
        ("bronze", 0, Decimal(1)), ("silver", 50_000, Decimal("1.2")), ("gold", 100_000, Decimal("1.5"))]
    assert rs.stacking == "multiply"
    sat = rs.campaign("saturday-double")
    assert (sat.name_ja, sat.weekdays, sat.multiplier) == ("ポイント2倍デー", ("sat",), Decimal(2))
    win_back = rs.coupon("win-back-500")
    assert (win_back.kind, win_back.points, win_back.valid_hours) == ("bonus_points", 500, 48)
    assert (win_back.trigger.type, win_back.trigger.days_without_visit, win_back.trigger.min_lifetime_spend_yen) == (
        "win_back", 30, 5000)
    r = rs.redemption
    assert (r.yen_per_point, r.minimum_points, r.unit_points, r.max_bill_percent) == (1, 1, 1, 100)
    assert rs.expiry.months == 12
    assert (rs.stamps.points_per_stamp, rs.stamps.max_points_per_card) == (10, 2000)
    assert rs.offline.daily_allowance_points == 3000
    s = rs.segments
    assert (s.churn_risk_days, s.win_back_days, s.win_back_min_lifetime_spend_yen, s.vip_top_percent) == (60, 30, 5000, 10)


def test_minimal_rule_set_gets_documented_defaults():
    rs = parse_rule_set({"version": "v", "valid_from": "2026-01-01T00:00:00+09:00"})
    assert [t.id for t in rs.tiers] == ["bronze", "silver", "gold"]
    assert rs.campaigns == () and rs.coupons == ()
    assert rs.redemption.max_bill_percent == 100


def test_round_trip_through_json_keeps_exact_decimals():
    rs = load_default_rule_set()
    again = parse_rule_set(rs.model_dump_json())
    assert again == rs
    assert parse_rule_set(rs.model_dump_json().encode("utf-8")) == rs
    # Floats in a Python dict are read by their shortest repr: 1.2 is exactly 6/5.
    data = default_data()
    data["tiers"][1]["multiplier"] = 1.2
    assert parse_rule_set(data).tiers[1].multiplier == Decimal("1.2")


def test_rule_set_is_immutable():
    rs = load_default_rule_set()
    with pytest.raises(Exception):
        rs.version = "hacked"  # type: ignore[misc]
    with pytest.raises(Exception):
        rs.tiers[0].multiplier = Decimal(3)  # type: ignore[misc]
    assert isinstance(rs.tiers, tuple)


def _refused(data) -> RuleSetError:
    with pytest.raises(RuleSetError) as err:
        parse_rule_set(data)
    assert isinstance(err.value, ValueError)
    assert str(err.value).startswith(err.value.field) or err.value.field == ""
    return err.value


@pytest.mark.parametrize("mutate, field, words", [
    (lambda d: d["campaigns"][0].update(multiplier=0.5), "campaigns[0].multiplier", "must be at least 1"),
    (lambda d: d["campaigns"].append(campaign(id="x", multiplier="abc")), "campaigns[1].multiplier", "number"),
    (lambda d: d["campaigns"][0].update(bonus_points=5), "campaigns[0].multiplier", "exactly one"),
    (lambda d: d["campaigns"][0].update(start="2026-05-01", end="2026-04-30"), "campaigns[0].end", "before start"),
    (lambda d: d["campaigns"][0].update(weekdays=["saturday"]), "campaigns[0].weekdays[0]", "must be one of"),
    (lambda d: d["campaigns"][0].update(tiers=["platinum"]), "campaigns[0].tiers[0]", "unknown tier"),
    (lambda d: d["campaigns"].append(dict(d["campaigns"][0])), "campaigns[1].id", "duplicate"),
    (lambda d: d["campaigns"][0].update(colour="red"), "campaigns[0].colour", "not a known field"),
    (lambda d: d.update(valid_to="2025-12-31T00:00:00+09:00"), "valid_to", "after valid_from"),
    (lambda d: d.update(valid_from="2026-01-01T00:00:00"), "valid_from", "time zone"),
    (lambda d: d.pop("version"), "version", "required"),
    (lambda d: d.update(version=" "), "version", "non-blank"),
    (lambda d: d.update(stacking="max"), "stacking", "must be one of"),
    (lambda d: d.update(timezone="Mars/Olympus"), "timezone", "unknown time zone"),
    (lambda d: d["tiers"][2].update(min_annual_spend_yen=40_000), "tiers[2].min_annual_spend_yen", "ascending"),
    (lambda d: d["tiers"][1].update(id="bronze"), "tiers[1].id", "duplicate"),
    (lambda d: d["tiers"][0].update(id="Gold Tier"), "tiers[0].id", "lower-case id"),
    (lambda d: d["tiers"][1].update(multiplier=0.9), "tiers[1].multiplier", "at least 1"),
    (lambda d: d["tiers"][1].update(min_annual_spend_yen="50000"), "tiers[1].min_annual_spend_yen", "whole number"),
    (lambda d: d["base"].update(yen_per_unit=0), "base.yen_per_unit", "at least 1"),
    (lambda d: d["redemption"].update(max_bill_percent=150), "redemption.max_bill_percent", "at most 100"),
    (lambda d: d["redemption"].update(unit_points=10.5), "redemption.unit_points", "whole number"),
    (lambda d: d["stamps"].update(points_per_stamp=-1), "stamps.points_per_stamp", "at least 0"),
    (lambda d: d["coupons"][0].update(points=None), "coupons[0].points", "required"),
    (lambda d: d["coupons"][0].update(valid_hours=0), "coupons[0].valid_hours", "at least 1"),
    (lambda d: d["coupons"][0]["trigger"].pop("days_without_visit"),
     "coupons[0].trigger.days_without_visit", "required"),
    (lambda d: d["coupons"][1].update(kind="yen_off"), "coupons[1].yen", "required"),
    (lambda d: d["expiry"].update(months=0), "expiry.months", "at least 1"),
    (lambda d: d.update(offline=[]), "offline", "object"),
    (lambda d: d.update(extra=1), "extra", "not a known field"),
])
def test_malformed_rule_sets_name_the_field(mutate, field, words):
    data = default_data()
    mutate(data)
    err = _refused(data)
    assert err.field == field, str(err)
    assert words in str(err), str(err)
    assert str(err).startswith(f"{field}: ")
    # The same refusal from JSON text.
    err_json = _refused(json.dumps(data, ensure_ascii=False))
    assert err_json.field == field


def test_example_message_reads_well():
    data = default_data()
    data["campaigns"][0]["multiplier"] = 0
    assert str(_refused(data)) == "campaigns[0].multiplier: must be at least 1"


def test_every_problem_is_listed():
    data = default_data()
    data["campaigns"][0]["multiplier"] = 0
    data["expiry"]["months"] = 0
    err = _refused(data)
    assert {f for f, _ in err.errors} == {"campaigns[0].multiplier", "expiry.months"}
    assert "1 more problem" in str(err)


@pytest.mark.parametrize("text", ["", "{", "[1, 2]", b"\xff\xfe", "null"])
def test_not_json_objects_are_refused(text):
    err = _refused(text)
    assert err.field == ""
    assert str(err).startswith("rule set: ")


def _version(name, start, end=None):
    return parse_rule_set(rule_set_data(version=name, valid_from=start, valid_to=end))


def test_rule_set_for_picks_the_version_valid_at_the_time():
    v1 = _version("v1", "2026-01-01T00:00:00+09:00", "2026-07-01T00:00:00+09:00")
    v2 = _version("v2", "2026-07-01T00:00:00+09:00")
    v3 = _version("v3", "2026-12-01T00:00:00+09:00")
    sets = [v3, v1, v2]
    assert rule_set_for(sets, datetime(2026, 3, 1, tzinfo=JST)).version == "v1"
    assert rule_set_for(sets, datetime(2026, 6, 30, 23, 59, 59, tzinfo=JST)).version == "v1"
    assert rule_set_for(sets, datetime(2026, 7, 1, tzinfo=JST)).version == "v2"  # valid_to is exclusive
    assert rule_set_for(sets, datetime(2026, 6, 30, 15, 0, tzinfo=timezone.utc)).version == "v2"
    assert rule_set_for(sets, datetime(2026, 12, 24, tzinfo=JST)).version == "v3"  # latest valid_from wins
    with pytest.raises(RuleSetError) as err:
        rule_set_for(sets, datetime(2025, 12, 31, 23, 59, tzinfo=JST))
    assert "no rule set is valid" in str(err.value)
    with pytest.raises(RuleSetError):
        rule_set_for([], datetime(2026, 3, 1, tzinfo=JST))
    with pytest.raises(ValueError, match="timezone-aware"):
        rule_set_for(sets, datetime(2026, 3, 1))


def test_timezone_fallback_for_tokyo(monkeypatch):
    import zoneinfo

    from app.rules import model

    def missing(name):
        raise zoneinfo.ZoneInfoNotFoundError(name)

    model.zone_for.cache_clear()
    monkeypatch.setattr(zoneinfo, "ZoneInfo", missing)
    try:
        tz = model.zone_for("Asia/Tokyo")
        assert tz.utcoffset(None) == timedelta(hours=9)
        with pytest.raises(KeyError):
            model.zone_for("Europe/Paris")
    finally:
        model.zone_for.cache_clear()


def test_tier_name_en_is_optional_and_defaults_to_the_japanese_name():
    """HQ may author a rank with its Japanese name only: the English screens then show that name,
    and the rule set HQ publishes (its JSON dump) carries name_en filled in for every store."""
    data = default_data()
    data["tiers"].append({"id": "platinum", "name_ja": "プラチナ", "min_annual_spend_yen": 300_000})
    del data["tiers"][0]["name_en"]
    data["tiers"][1]["name_en"] = None
    rs = parse_rule_set(data)
    assert [(t.name_ja, t.name_en) for t in rs.tiers] == [
        ("ブロンズ", "ブロンズ"), ("シルバー", "シルバー"), ("ゴールド", "Gold"), ("プラチナ", "プラチナ")]
    dumped = json.loads(rs.model_dump_json())
    assert dumped["tiers"][3]["name_en"] == "プラチナ"
    assert parse_rule_set(dumped) == rs
    # still validated: an English name given must be a real name, the Japanese one stays required
    bad = default_data()
    bad["tiers"][0]["name_en"] = ""
    assert _refused(bad).field == "tiers[0].name_en"
    bad = default_data()
    del bad["tiers"][0]["name_ja"]
    assert _refused(bad).field == "tiers[0].name_ja"
