"""Campaign files: validate (places), publish (reaches a store ahead of its start), simulate ==
what publishing then does at the store's pricing."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from hq import campaigns

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "hq" / "examples"


def test_every_example_validates():
    for p in sorted(EXAMPLES.glob("*.*")):
        if p.suffix in (".json", ".yaml") and p.name != "broken.yaml":
            campaigns.load_campaign_file(p)


def test_validate_reports_every_problem_with_field_and_line():
    with pytest.raises(campaigns.CampaignError) as ei:
        campaigns.load_campaign_file(EXAMPLES / "broken.yaml")
    got = [(p, ln) for p, ln, _ in ei.value.problems]
    assert got == [("valid_from", 3), ("campaigns[0].id", 7), ("campaigns[0].multiplier", 11),
                   ("campaigns[1].regions[0]", 16), ("campaigns[1].colour", 18), ("coupons[0].valid_hours", 24),
                   ("jobs.churn.coupon", 26)]
    r = subprocess.run([sys.executable, "-m", "hq", "campaigns", "validate", str(EXAMPLES / "broken.yaml")],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 1
    assert "broken.yaml:11: campaigns[0].multiplier: must be at least 1" in r.stderr


def test_validate_json_places_and_syntax_errors():
    text = '{\n  "version": "x",\n  "valid_from": "2026-01-01T00:00:00+09:00",\n  "base": {"yen_per_unit": 0}\n}\n'
    with pytest.raises(campaigns.CampaignError) as ei:
        campaigns.load_campaign(text, "f.json")
    assert [(p, ln) for p, ln, _ in ei.value.problems] == [("base.yen_per_unit", 4)]
    with pytest.raises(campaigns.CampaignError) as ei:
        campaigns.load_campaign('{\n "version": "x",\n}', "g.json")
    assert ei.value.problems[0][1] == 3
    with pytest.raises(campaigns.CampaignError) as ei:
        campaigns.load_campaign("version: x\ncampaigns: [\n", "h.yaml")
    assert ei.value.problems[0][0] == ""


def test_regions_expand_into_stores_and_yaml_decimals_are_exact():
    cf = campaigns.load_campaign_file(EXAMPLES / "campaigns.yaml")
    assert cf.rule_set.campaign("kanto-weekend").stores == ("S001", "S002")
    assert str(cf.rule_set.campaign("vip-thanks").multiplier) == "1.5"
    assert "regions" not in json.dumps(cf.body["campaigns"])
    assert cf.extras["regions"]["kansai"] == ["S101"]


def _file(version: str, valid_from: datetime, start: str, extra: str = "") -> str:
    return f"""
version: "{version}"
valid_from: "{valid_from.isoformat()}"
regions:
  west: [S002]
campaigns:
  - id: west-double
    name_ja: 西 2倍
    name_en: West double
    start: "{start}"
    regions: [west]
    multiplier: 2
  - id: big-bonus
    name_ja: 3000円以上 30pt
    name_en: Big basket +30
    start: "{start}"
    min_purchase_yen: 3000
    bonus_points: 30
{extra}"""


def test_published_future_version_reaches_store_as_upcoming(hq, make_store):
    store = make_store("S001")
    now = datetime.now(timezone.utc)
    start = (now + timedelta(days=2)).astimezone(timezone(timedelta(hours=9)))
    cf = campaigns.load_campaign(_file("2099.future", start, start.date().isoformat()), "f.yaml")
    res = campaigns.publish(hq.service, cf)
    assert res["version"] == "2099.future" and res["already_published"] is False
    # same file again: nothing new; same version, other rules: refused
    assert campaigns.publish(hq.service, cf)["already_published"] is True
    other = campaigns.load_campaign(_file("2099.future", start, start.date().isoformat()).replace("30", "40"), "f.yaml")
    with pytest.raises(Exception) as ei:
        campaigns.publish(hq.service, other)
    assert getattr(ei.value, "code", None) == "version_exists"
    store.sync()
    view = store.store.rules.active_and_upcoming(now)
    assert view["active"].version == "2026.1"
    assert [r.version for r in view["upcoming"]] == ["2099.future"]
    m = store.register()
    assert store.store.ledger.quote(m.id, 3000, at=now).rule_set_version == "2026.1"
    q = store.store.ledger.quote(m.id, 3000, at=start + timedelta(hours=1))
    assert q.rule_set_version == "2099.future" and q.points == 30 + 30  # base 30, +30 bonus (S001 not west)
    listed = {r["version"]: r["state"] for r in campaigns.list_versions(hq.service, now)}
    assert listed == {"2026.1": "active", "2099.future": "upcoming"}
    assert campaigns.show_version(hq.service, "2099.future")["source"]["extras"]["regions"] == {"west": ["S002"]}


def test_simulate_equals_what_publish_then_does(hq, make_store):
    s1, s2 = make_store("S001"), make_store("S002")
    now = datetime.now(timezone.utc)
    days = 10
    window = now - timedelta(days=days)
    members = {s1: [s1.register("イチ" + "アイウ"[i]) for i in range(3)], s2: [s2.register("ニ" + "アイウ"[i]) for i in range(3)]}
    earns = []  # (store handle, member id, yen, at, points booked)
    amounts = [480, 1234, 3000, 5678, 2999, 9000, 150, 4100]
    k = 0
    for h, ms in members.items():
        for j, m in enumerate(ms):
            for d in range(1, days, 3):
                yen = amounts[k % len(amounts)]
                k += 1
                at = now - timedelta(days=d, hours=j + 1)
                r = h.store.ledger.earn(h.actor, m.id, yen, key=__import__("uuid").uuid4(), at=at)
                earns.append((h, m.id, yen, at, r.entry.points if hasattr(r, "entry") else r.points))
    s1.sync(), s2.sync()
    start_local = window.astimezone(timezone(timedelta(hours=9)))
    text = _file("2026.sim", start_local, start_local.date().isoformat())
    sim = campaigns.simulate(hq.service, campaigns.load_campaign(text, "s.yaml"), days=days, now=now)
    assert sim["earns"] == len(earns)
    assert sim["campaign_shift_days"] == 0
    assert sim["baseline_points"] == sim["booked_points"] == sum(e[4] for e in earns)
    # publish the same file (in force from the window's start), let the stores take it, and price
    # the same purchases again through the store's own pricing
    campaigns.publish(hq.service, campaigns.load_campaign(text, "s.yaml"))
    s1.sync(), s2.sync()
    per_store: dict[str, int] = {}
    for h, mid, yen, at, booked in earns:
        q = h.store.ledger.quote(mid, yen, at=at)
        assert q.rule_set_version == "2026.sim"
        per_store[h.store_id] = per_store.get(h.store_id, 0) + q.points - booked
    assert {k: v["extra_points"] for k, v in sim["per_store"].items()} == per_store
    assert sim["extra_points"] == sum(per_store.values()) != 0
    # hand check of S002: base doubled (west) + 30 for each basket ≥ ¥3,000, minus Saturday doubling
    assert sim["per_store"]["S002"]["members_affected"] == 3
