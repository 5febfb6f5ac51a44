"""Daily and month-end reports: figures against ledger sums, the local-midnight cut, CSV, PDF parsed
back with pypdf (NFKC, whitespace removed), catch-up of missed days."""
import csv
import io
import re
import unicodedata
import uuid
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from sqlalchemy import text

from app.clock import iso

JST = ZoneInfo("Asia/Tokyo")
DAY = date(2026, 11, 14)  # a Saturday: ポイント2倍デー


def jst(y, m, d, hh, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=JST)


def pdf_text(path) -> str:
    raw = "".join(page.extract_text() for page in PdfReader(str(path)).pages)
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", raw))


@pytest.fixture
def day_store(store, manager, cashier):
    m1 = store.members.register(cashier, "ヤマダハナコ").member.id
    m2 = store.members.register(cashier, "サトウタロウ").member.id
    old = store.ledger.earn(cashier, m2, 2000, uuid.uuid4(), at=jst(2025, 11, 1, 12))  # expires 2026-11-01
    store.ledger.earn(cashier, m1, 1000, uuid.uuid4(), at=jst(2026, 11, 13, 23, 59))  # the day before
    e1 = store.ledger.earn(cashier, m1, 3480, uuid.uuid4(), at=jst(2026, 11, 14, 0, 0))  # first instant
    store.ledger.earn(cashier, m2, 12000, uuid.uuid4(), at=jst(2026, 11, 14, 11, 15))
    e3 = store.ledger.earn(cashier, m2, 800, uuid.uuid4(), at=jst(2026, 11, 14, 11, 40))
    store.ledger.void(cashier, e3.entry_id, uuid.uuid4(), at=jst(2026, 11, 14, 11, 45))
    store.ledger.redeem(cashier, m1, 30, uuid.uuid4(), bill_yen=1980, at=jst(2026, 11, 14, 15, 0))
    store.ledger.adjust(manager, m1, 100, "お詫び", uuid.uuid4(), at=jst(2026, 11, 14, 16, 0))
    store.ledger.expire(at=jst(2026, 11, 14, 18, 0))
    c = store.coupons.issue(manager, m2, "win-back-500", at=jst(2026, 11, 14, 9, 0))
    store.coupons.use(cashier, c.id, uuid.uuid4(), at=jst(2026, 11, 14, 23, 59))
    store.ledger.earn(cashier, m1, 5000, uuid.uuid4(), at=jst(2026, 11, 15, 0, 0))  # the next day
    return dict(m1=m1, m2=m2, old=old, e1=e1)


def ledger_sums(store, start: datetime, end: datetime) -> dict:
    with store.db.read() as s:
        rows = s.connection().execute(text(
            "SELECT kind, count(*), sum(points), sum(coalesce(amount_yen, 0)) FROM ledger "
            "WHERE created_at >= :a AND created_at < :b GROUP BY kind"), {"a": iso(start), "b": iso(end)}).all()
    return {k: (n, p, y) for k, n, p, y in rows}


def test_daily_figures_match_the_ledger_cut_at_local_midnight(store, day_store):
    f = store.reports.daily_figures(DAY)
    sums = ledger_sums(store, jst(2026, 11, 14, 0), jst(2026, 11, 15, 0))
    assert f.start == "2026-11-13T15:00:00.000000Z" and f.end == "2026-11-14T15:00:00.000000Z"
    assert (f.purchases, f.points_earned, f.purchase_yen) == sums["earn"] == (3, sums["earn"][1], 3480 + 12000 + 800)
    assert (f.redemptions, -f.points_redeemed) == sums["redeem"][:2]
    assert f.points_expired == -sums["expire"][1] == 20
    assert (f.adjustments, f.points_adjusted) == sums["adjust"][:2] == (1, 100)
    assert (f.coupon_uses, f.coupon_points) == sums["coupon"][:2] == (1, 500)
    assert (f.voids, f.voided_points) == sums["void"][:2]
    assert f.net_points == sum(v[1] for v in sums.values())
    # Saturday double points: the campaign's cost is the campaign lines of the day's earns
    camp = {c["rule_id"]: c for c in f.campaigns}["saturday-double"]
    assert camp["uses"] == 3 and camp["name_ja"] == "ポイント2倍デー"
    with store.db.read() as s:
        lines = [ln for (bd,) in s.connection().execute(text(
            "SELECT breakdown FROM ledger WHERE kind = 'earn' AND created_at >= :a AND created_at < :b"),
            {"a": f.start, "b": f.end}) for ln in __import__("json").loads(bd) if ln["rule_id"] == "saturday-double"]
    assert camp["points"] == sum(ln["points"] for ln in lines) > 0
    assert f.coupons == [{"template_id": "win-back-500", "name_ja": "おかえりなさいクーポン 500ポイント",
                          "name_en": "Welcome back +500 pt", "uses": 1, "points": 500}]
    assert f.new_members == 0  # registered on the 17th
    hours = {h["hour"]: h["purchases"] for h in f.hours}
    assert hours[0] == 1 and hours[11] == 2 and sum(hours.values()) == 3
    assert f.top_hours == [11, 0]


def test_daily_figures_read_indexes_only(store, day_store):
    """The day's entries from the covering ix_ledger_created and the campaign lines from the
    partial ix_ledger_campaign_earns (its WHERE is in the query term for term): no ledger row read."""
    from app.clock import parse_iso
    from app.services.localday import local_sql
    from app.models import LedgerEntry
    from app.services.reports import CAMPAIGN_EARN, daily_entries_sql

    ix = next(i for i in LedgerEntry.__table__.indexes if i.name == "ix_ledger_campaign_earns")
    assert str(ix.dialect_options["sqlite"]["where"]) == CAMPAIGN_EARN  # the models say what the migration made
    start, end = store.reports.day_bounds(DAY)
    local = local_sql("created_at", JST, parse_iso(start), parse_iso(end), "datetime")
    with store.db.read() as s:
        plan = [r[3] for r in s.connection().execute(text("EXPLAIN QUERY PLAN " + daily_entries_sql(local)),
                                                     {"a": start, "b": end})]
    ledger = [p for p in plan if " ledger " in f"{p} "]
    assert ledger == ["SEARCH ledger USING COVERING INDEX ix_ledger_created (created_at>? AND created_at<?)",
                      "SEARCH ledger USING COVERING INDEX ix_ledger_campaign_earns (created_at>? AND created_at<?)"]


def test_daily_report_files_csv_and_pdf(store, manager, day_store, qapp):
    from ui.manager.pdf import daily_pdf

    row = store.reports.generate_daily(manager, DAY, render_pdf=daily_pdf)
    f = store.reports.daily_figures(DAY)
    assert row.period == "2026-11-14" and row.figures["points_earned"] == f.points_earned
    with open(row.csv_path, encoding="utf-8-sig", newline="") as fh:
        data = {(r[0], r[1]): r for r in csv.reader(fh)}
    assert int(data[("totals", "purchases")][4]) == f.points_earned
    assert int(data[("totals", "purchases")][5]) == f.purchase_yen
    assert int(data[("campaign", "saturday-double")][4]) == f.campaigns[0]["points"]
    txt = pdf_text(row.pdf_path)
    assert "日報2026/11/14" in txt
    assert f"ポイント付与{f.points_earned:,}pt" in txt
    assert f"ポイント利用{f.points_redeemed:,}pt" in txt
    assert f"失効ポイント{f.points_expired:,}pt" in txt
    assert f"ポイント調整{f.points_adjusted:,}pt" in txt
    assert f"お買上金額(税込)¥{f.purchase_yen:,}" in txt
    assert "ポイント2倍デー" in txt and "おかえりなさいクーポン500ポイント" in txt
    assert f"ポイント増減(合計){f.net_points:,}pt" in txt
    # times in the store's local time (the clock says 2026-11-17 01:00 UTC = 10:00 JST), the day cut
    # at local midnight
    assert "作成日時:2026/11/1710:00(Asia/Tokyo)" in txt
    assert "集計期間:2026/11/1400:00–2026/11/1424:00" in txt
    assert "UTC" not in txt and "01:00" not in txt
    assert store.audit.entries(action="report.daily")[0].object_id == "2026-11-14"


def test_month_end_snapshot(store, manager, day_store, qapp, clock):
    from ui.manager.pdf import monthly_pdf

    clock.now = jst(2026, 12, 1, 9).astimezone(timezone.utc)
    f = store.reports.monthly_figures("2026-11")
    with store.db.read() as s:
        c = s.connection()
        liability = c.execute(text("SELECT sum(points) FROM ledger WHERE created_at < :e"),
                              {"e": iso(jst(2026, 12, 1, 0))}).scalar()
        expiring = c.execute(text("SELECT coalesce(sum(remaining), 0) FROM lots WHERE expires_at >= :a "
                                  "AND expires_at < :b"), {"a": iso(jst(2026, 12, 1, 0)),
                                                           "b": iso(jst(2027, 1, 1, 0))}).scalar()
        balances = c.execute(text("SELECT sum(balance) FROM members")).scalar()
    assert f.liability_points == liability == balances
    assert f.expiring_next_month == expiring
    sums = ledger_sums(store, jst(2026, 11, 1, 0), jst(2026, 12, 1, 0))
    assert f.points_earned == sums["earn"][1] and f.purchases == sums["earn"][0]
    assert f.points_expired == -sums["expire"][1]
    assert f.members_total == 2 and f.active_members == 2 and f.visitors == 2
    assert sum(f.tiers.values()) == 2
    row = store.reports.generate_monthly(manager, "2026-11", render_pdf=monthly_pdf)
    txt = pdf_text(row.pdf_path)
    assert "月次締め2026/11" in txt
    assert "作成日時:2026/12/0109:00(Asia/Tokyo)" in txt and "集計期間:2026/11/0100:00–2026/11/3024:00" in txt
    assert f"ポイント残高合計(未使用ポイント){f.liability_points:,}pt" in txt
    assert "会員ランク分布" in txt


def test_month_end_names_the_tiers_as_the_rule_set_does(store, manager, day_store, qapp, clock):
    """HQ authors the tiers (any id, any name): the month-end snapshot names them as the rule set in
    force at the month's end does, lowest first, in the report's language."""
    import json

    from app.rules import parse_rule_set
    from ui.manager.pdf import monthly_pdf

    clock.now = jst(2026, 12, 1, 9).astimezone(timezone.utc)
    data = json.loads(store.rules.current().model_dump_json())
    data.update(version="2026.11-tiers", valid_from=jst(2026, 11, 1, 0).isoformat(), valid_to=None)
    for t in data["tiers"]:
        t["name_ja"], t["name_en"] = f"{t['name_ja']}会員", f"{t['name_en']} member"
    with store.db.write() as s:
        store.rules.install(s, parse_rule_set(data))
        top = max(data["tiers"], key=lambda t: t["min_annual_spend_yen"])
        lowest = min(data["tiers"], key=lambda t: t["min_annual_spend_yen"])
        s.execute(text("UPDATE members SET tier = :t WHERE id = :m"), {"t": top["id"], "m": day_store["m1"]})
        s.execute(text("UPDATE members SET tier = :t WHERE id = :m"), {"t": lowest["id"], "m": day_store["m2"]})
    f = store.reports.monthly_figures("2026-11")
    assert list(f.tier_names)[0] == lowest["id"]
    assert f.tier_names[lowest["id"]] == [lowest["name_ja"], lowest["name_en"]]
    row = store.reports.generate_monthly(manager, "2026-11", render_pdf=monthly_pdf)
    txt = pdf_text(row.pdf_path)
    assert f"{lowest['name_ja']}1" in txt and f"{top['name_ja']}1" in txt  # each name, then its member count
    assert txt.index(lowest["name_ja"]) < txt.index(top["name_ja"])


def test_catch_up_generates_every_missed_day_once(store, manager, clock, qapp):
    from ui.manager.pdf import daily_pdf, monthly_pdf

    # set up on 2026-11-17 10:00 JST; first start after midnight on the 20th
    clock.now = jst(2026, 11, 20, 0, 30).astimezone(timezone.utc)
    days, months = store.reports.missing()
    assert days == [date(2026, 11, 17), date(2026, 11, 18), date(2026, 11, 19)] and months == []
    made = store.reports.catch_up(render_pdf=daily_pdf, render_monthly_pdf=monthly_pdf)
    assert [r.period for r in made] == ["2026-11-17", "2026-11-18", "2026-11-19"]
    assert all(r.pdf_path and r.csv_path for r in made)
    assert store.reports.catch_up() == []
    clock.now = jst(2026, 12, 2, 8, 0).astimezone(timezone.utc)
    days, months = store.reports.missing()
    assert days[0] == date(2026, 11, 20) and days[-1] == date(2026, 12, 1) and months == ["2026-11"]
    listed = store.reports.list(manager)
    assert {r.period for r in listed} == {"2026-11-17", "2026-11-18", "2026-11-19"}
