"""HQ jobs over generated histories, checked against hand-computed expectations; reruns issue
nothing twice; coupons reach a store by sync; notifications only with consent."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, text

from hq import campaigns, jobs, notify, reports
from hq.models import ChangeRow, CouponRow, JobItem, JobRun, LedgerRow, MemberRow, MemberTag, Notification, \
    NotificationDelivery, TierChange
from tests.hq_campaigns.helpers import JST, History
from tests.hq_campaigns.standins import HTTPStandIn, SMTPStandIn

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=JST)   # a Friday, not the 1st
DAY = date(2026, 11, 20)


def _coupons(svc, source=None):
    with svc.db.read() as s:
        rows = s.scalars(select(CouponRow)).all()
    return {c.member_id: c.data for c in rows if source is None or c.data.get("source") == source}


def test_win_back_hand_computed_and_idempotent(hq):
    svc = hq.service
    h = History(svc, NOW)
    a = h.member(); h.earn(a, 6000, 31)          # 31 days, ¥6,000 → yes
    b = h.member(); h.earn(b, 6000, 29)          # 29 days → no
    c = h.member(); h.earn(c, 4000, 40)          # ¥4,000 lifetime → no
    d = h.member(); h.earn(d, 3000, 45); h.earn(d, 2000, 30)   # exactly 30 days, ¥5,000 → yes
    e = h.member(status="deleted"); h.earn(e, 9000, 50)        # not active → no
    f = h.member()                                            # never visited → no
    r = jobs.run_job(svc, "win_back", DAY, now=NOW)
    assert r["issued"] == 2
    got = _coupons(svc, "win_back")
    assert set(got) == {a, d}
    assert got[a]["template_id"] == "win-back-500" and got[a]["value"] == 500
    assert datetime.fromisoformat(got[a]["expires_at"].replace("Z", "+00:00")) - NOW == timedelta(hours=48)
    head = svc.head()
    again = jobs.run_job(svc, "win_back", DAY, now=NOW + timedelta(hours=2))
    assert again["issued"] == 0 and svc.head() == head and len(_coupons(svc)) == 2
    # next day: still absent, but one coupon per absence
    nxt = jobs.run_job(svc, "win_back", DAY + timedelta(days=1), now=NOW + timedelta(days=1))
    assert nxt["issued"] == 1 and set(_coupons(svc)) == {a, d, b}  # only b is new: it reached 30 days
    with svc.db.read() as s:
        assert s.scalar(select(func.count()).select_from(JobRun).where(JobRun.job == "win_back")) == 3
        assert s.scalar(select(func.count()).select_from(JobItem)) == 3


def test_churn_uses_the_members_own_rhythm(hq):
    svc = hq.service
    h = History(svc, NOW)
    weekly = h.member()
    for k in range(10):
        h.earn(weekly, 1000, 61 + 7 * k)          # every week, gone 61 days: score ≈ 1
    seasonal = h.member()
    for k in range(4):
        h.earn(seasonal, 1000, 61 + 90 * k)       # every 90 days, gone 61: 1 − e^(−61/90) ≈ 0.49
    recent = h.member(); h.earn(recent, 1000, 10)
    r = jobs.run_job(svc, "churn", DAY, now=NOW)
    assert (r["lapsed"], r["high_score"], r["issued"]) == (2, 1, 1)
    assert set(_coupons(svc, "churn")) == {weekly}
    assert jobs.run_job(svc, "churn", DAY, now=NOW)["issued"] == 0
    assert abs(jobs.churn_score(61, 4, NOW - timedelta(days=331), NOW - timedelta(days=61)) - 0.4925) < 0.001


def test_vip_and_tiers(hq):
    svc = hq.service
    h = History(svc, NOW)
    ids = []
    for k in range(1, 21):                           # spends ¥1,000 … ¥20,000
        m = h.member(tier="bronze")
        h.earn(m, 1000 * k, 100)
        ids.append(m)
    old = h.member(tier="bronze"); h.earn(old, 90000, 400)      # outside 12 months
    voided = h.member(tier="bronze"); e = h.earn(voided, 80000, 20)
    h.entry(voided, "void", -800, NOW - timedelta(days=19), reverses=e)
    r = jobs.run_job(svc, "vip", DAY, now=NOW)
    # 23 members, top 10 % = 2 → ¥20,000 and ¥19,000
    assert r["threshold_yen"] == 19000 and r["vip"] == 2
    with svc.db.read() as s:
        assert set(s.scalars(select(MemberTag.member_id))) == {ids[-1], ids[-2]}
    assert jobs.run_job(svc, "vip", DAY, now=NOW)["added"] == 0

    silver = h.member(tier="bronze"); h.earn(silver, 60000, 5)
    fallen = h.member(tier="gold"); h.earn(fallen, 10000, 5)
    t = jobs.run_job(svc, "tiers", DAY, now=NOW)
    assert (t["promoted"], t["demoted"]) == (1, 0)              # demotions wait for the 1st
    with svc.db.read() as s:
        assert s.get(MemberRow, silver).tier == "silver" and s.get(MemberRow, fallen).tier == "gold"
        ch = s.scalars(select(ChangeRow).where(ChangeRow.kind == "member", ChangeRow.member_id == silver)).all()
        assert ch[-1].data["tier"] == "silver" and ch[-1].data["tier_change"]["direction"] == "up"
    assert jobs.run_job(svc, "tiers", DAY, now=NOW)["changed"] == 0
    first = jobs.run_job(svc, "tiers", date(2026, 12, 1), now=NOW + timedelta(days=11))
    assert first["demoted"] >= 1
    with svc.db.read() as s:
        assert s.get(MemberRow, fallen).tier == "bronze"
        assert s.scalar(select(func.count()).select_from(TierChange).where(TierChange.member_id == fallen)) == 1


def test_point_expiry_fifo_and_next_month_list(hq):
    svc = hq.service
    h = History(svc, NOW)
    m = h.member(consent=True, email="m@example.invalid")
    h.entry(m, "earn", 100, NOW - timedelta(days=396), 10000)   # earned 2025-10-20 → expired 2026-10-20
    h.entry(m, "earn", 50, NOW - timedelta(days=350), 5000)     # 2025-12-05 → expires 2026-12-05 (next month)
    h.entry(m, "redeem", -30, NOW - timedelta(days=180))        # takes from the first lot
    keep = h.member(); h.entry(keep, "earn", 40, NOW - timedelta(days=10), 4000)
    r = jobs.run_job(svc, "expiry", DAY, now=NOW)
    assert (r["lots_expired"], r["points_expired"], r["members_expired"]) == (1, 70, 1)
    assert r["expiring_next_month"] == [{"member_id": m, "points": 50}]
    with svc.db.read() as s:
        assert s.get(MemberRow, m).balance == 50
        assert s.scalar(select(func.sum(LedgerRow.points)).where(LedgerRow.member_id == m)) == 50
        assert s.get(MemberRow, keep).balance == 40
        notes = s.scalars(select(Notification).where(Notification.template == "expiry_notice")).all()
        assert [(n.member_id, n.channel, n.params["points"]) for n in notes] == [(m, "email", 50)]
    again = jobs.run_job(svc, "expiry", DAY, now=NOW)
    assert again["points_expired"] == 0
    with svc.db.read() as s:
        assert s.get(MemberRow, m).balance == 50
        assert s.scalar(select(func.count()).select_from(Notification)) == 1


def test_coupon_reaches_store_member_panel_and_funnel(hq, make_store):
    svc = hq.service
    st = make_store("S001")
    now = datetime.now(timezone.utc)
    m = st.register()
    st.store.ledger.earn(st.actor, m.id, 6000, key=uuid.uuid4(), at=now - timedelta(days=40))
    st.sync()
    day = now.astimezone(JST).date()
    assert jobs.run_job(svc, "win_back", day, now=now)["issued"] == 1
    st.sync()
    avail = st.store.coupons.available(m.id)
    assert [c.template_id for c in avail] == ["win-back-500"]
    # used at the next visit, with a purchase
    st.store.ledger.earn(st.actor, m.id, 2500, key=uuid.uuid4())
    st.store.coupons.use(st.actor, avail[0].id, uuid.uuid4())
    st.sync()
    f = reports.coupon_funnel(svc, day)
    row = next(r for r in f["rows"] if r["source"] == "win_back")
    assert (row["issued"], row["seen"], row["used"], row["spend_yen"]) == (1, 1, 1, 2500)
    daily = reports.daily(svc, day)
    s1 = next(r for r in daily if r["store_id"] == "S001")
    assert s1["purchases"] == 1 and s1["sales_yen"] == 2500 and s1["coupons_used"] == 1 and s1["points_coupons"] == 500
    health = reports.sync_health(svc)
    assert [(r["store_id"], r["health"]) for r in health] == [("S001", "ok")]
    assert reports.to_csv(daily).splitlines()[0].startswith("date,store_id,purchases")


def test_notifications_only_with_consent_and_every_delivery_recorded(hq, monkeypatch):
    svc = hq.service
    h = History(svc, NOW)
    both = h.member(consent=True, email="a@example.invalid", line="Uaaaa")
    mail_only = h.member(consent=True, email="b@example.invalid")
    no_consent = h.member(consent=False, email="c@example.invalid", line="Ucccc")
    for mid in (both, mail_only, no_consent):
        h.earn(mid, 6000, 35)
    assert jobs.run_job(svc, "win_back", DAY, now=NOW)["issued"] == 3
    with svc.db.read() as s:
        queued = sorted((n.member_id, n.channel) for n in s.scalars(select(Notification)))
    assert queued == sorted([(both, "line"), (both, "email"), (mail_only, "email")])
    line = HTTPStandIn(lambda req: (200, {}))
    smtp = SMTPStandIn()
    monkeypatch.setenv("TSUMUGI_LINE_CHANNEL_TOKEN", "test-token-123")
    try:
        adapters = {"line": notify.LineAdapter(base_url=line.url),
                    "email": notify.SmtpAdapter(host="127.0.0.1", port=smtp.port, sender="hq@example.invalid")}
        # consent withdrawn after queuing: not sent
        with svc.db.write() as s:
            s.get(MemberRow, mail_only).consent_marketing = False
        res = notify.deliver_pending(svc, adapters)
        assert res == {"sent": 2, "failed": 0, "skipped": 1, "retry": 0}
        assert len(line.requests) == 1
        req = line.requests[0]
        assert req["path"] == "/v2/bot/message/push" and req["headers"]["Authorization"] == "Bearer test-token-123"
        assert req["body"]["to"] == "Uaaaa" and "クーポン" in req["body"]["messages"][0]["text"]
        assert [m["to"] for m in smtp.messages] == [["<a@example.invalid>"]]
        assert notify.deliver_pending(svc, adapters) == {"sent": 0, "failed": 0, "skipped": 0, "retry": 0}
        with svc.db.read() as s:
            deliveries = s.scalars(select(NotificationDelivery)).all()
            assert sorted((d.channel, d.ok) for d in deliveries) == [("email", False), ("email", True), ("line", True)]
            assert all("example" not in (d.detail or "") for d in deliveries)
    finally:
        line.close()
        smtp.close()


def test_rainy_day_publishes_a_one_day_version_for_rainy_regions(hq, make_store):
    svc = hq.service
    text = (campaigns.Path(__file__).resolve().parents[2] / "hq" / "examples" / "rainy-day.yaml").read_text()
    cf = campaigns.load_campaign(text, "rainy-day.yaml", valid_from=datetime(2026, 6, 1, tzinfo=JST))
    campaigns.publish(svc, cf)
    wx = HTTPStandIn(lambda req: (200, {"forecasts": [{"region": "kanto", "condition": "rain", "probability": 0.8},
                                                      {"region": "kansai", "condition": "rain", "probability": 0.2}]}))
    try:
        target = DAY + timedelta(days=1)
        r = jobs.run_job(svc, "rainy_day", DAY, now=NOW, provider=jobs.WeatherProvider(wx.url), target=target)
    finally:
        wx.close()
    assert wx.requests[0]["query"]["date"] == [target.isoformat()]
    assert r["marked"] == {"kanto": ["rain"]}
    assert r["campaigns"] == [{"campaign": "rainy-day", "stores": ["S001", "S002"]}]  # rainy-bonus is kansai only
    shown = campaigns.show_version(svc, r["published"])
    rs = campaigns.parse_rule_set(shown["rule_set"])
    assert rs.valid_from == datetime(2026, 11, 21, tzinfo=JST) and rs.valid_to == datetime(2026, 11, 22, tzinfo=JST)
    c = rs.campaign("rainy-day")
    assert c.weather == () and c.stores == ("S001", "S002")
    # a store gets it and prices a purchase at S001 that day with the doubled points
    st = make_store("S001")
    st.sync()
    m = st.register()
    q = st.store.ledger.quote(m.id, 1000, at=datetime(2026, 11, 21, 12, tzinfo=JST))
    assert q.rule_set_version == r["published"] and q.points == 20
    assert st.store.ledger.quote(m.id, 1000, at=datetime(2026, 11, 22, 12, tzinfo=JST)).points == 10


def test_overstock_campaign_from_a_product_list(hq, tmp_path):
    svc = hq.service
    p = tmp_path / "products.csv"
    p.write_text("sku,category,name\n1,drinks,お茶\n2,snacks,せんべい\n3,drinks,水\n", encoding="utf-8")
    r = jobs.run_job(svc, "overstock", DAY, now=NOW, products=str(p))
    assert r["categories"] == ["drinks", "snacks"]
    rs = campaigns.parse_rule_set(campaigns.show_version(svc, r["published"])["rule_set"])
    c = rs.campaign("overstock-20261120")
    assert c.categories == ("drinks", "snacks") and str(c.multiplier) == "2"
    assert rs.valid_to == datetime(2026, 11, 27, tzinfo=JST)
    # the same list again that day: nothing more published
    again = jobs.run_job(svc, "overstock", DAY, now=NOW, products=str(p))
    assert again["published"] is None and again["rule_set"] == r["published"]
    assert [v["version"] for v in campaigns.list_versions(svc)].count(r["published"]) == 1


def test_scheduler_claims_each_job_once_across_workers(hq):
    svc = hq.service
    clock = lambda: datetime(2026, 11, 20, 5, 0, tzinfo=JST)  # noqa: E731 - after every morning job
    a = jobs.Scheduler(svc, clock=clock, jobs={"win_back": jobs.SCHEDULE["win_back"], "vip": jobs.SCHEDULE["vip"]})
    b = jobs.Scheduler(svc, clock=clock, jobs=dict(a.jobs))
    ran = a.tick() + b.tick() + a.tick()
    assert sorted(r["job"] for r in ran) == ["vip", "win_back"]
    with svc.db.read() as s:
        assert s.scalar(select(func.count()).select_from(JobRun).where(JobRun.trigger == "scheduler")) == 2


@pytest.mark.parametrize("batches", [None, (7, 3)], ids=["one-batch", "batches-of-7-read-3-at-a-time"])
def test_point_expiry_matches_the_lot_rules_on_random_histories(hq, monkeypatch, batches):
    """Random histories (earns, redeems that reach into expired lots, voids of whole and part of an
    earn, adjustments, store expiries): the expire entries and next month's list equal what the
    store's lot rules (jobs._lots, replayed here member by member) give, each lot capped by what
    the balance still holds, with the store's entry ids. Also in small batches, so that on
    PostgreSQL the next batch's ledgers are read (on the reader's own connection) while one is
    replayed, and one batch's members take several reads."""
    import random

    if batches:
        monkeypatch.setattr(jobs, "EXPIRY_BATCH", batches[0])
        monkeypatch.setattr(jobs, "EXPIRY_READ", batches[1])

    from hq.campaigns import published_rule_sets

    svc = hq.service
    h = History(svc, NOW)
    rnd = random.Random(11)
    members = []
    for i in range(40):
        m = h.member()
        members.append(m)
        bal, earns = 0, []
        for d in sorted((rnd.uniform(1, 800) for _ in range(rnd.randint(1, 25))), reverse=True):
            at = NOW - timedelta(days=d)
            r = rnd.random()
            if r < 0.55 or not bal:
                pts = rnd.choice((3, 8, 15, 24, 38, 52, 98))
                earns.append((h.entry(m, "earn", pts, at, pts * 100), pts))
                bal += pts
            elif r < 0.75:
                pts = bal if rnd.random() < 0.3 else min(bal, rnd.choice((5, 10, 50)))
                h.entry(m, "redeem", -pts, at)
                bal -= pts
            elif r < 0.87 and earns:
                eid, pts = earns.pop(rnd.randrange(len(earns)))
                pts = pts if rnd.random() < 0.8 else max(1, pts // 2)
                if pts <= bal:
                    h.entry(m, "void", -pts, at, reverses=eid)
                    bal -= pts
            elif r < 0.95:
                h.entry(m, "adjust", rnd.choice((5, 100)), at)
                bal += 5
            elif i % 7 == 0:
                pts = min(bal, 7)
                h.entry(m, "expire", -pts, at)
                bal -= pts
    rs_at = datetime.combine(DAY, datetime.min.time(), tzinfo=JST)
    with svc.db.read() as s:
        rule_sets = published_rule_sets(s)
        rows = s.execute(select(LedgerRow.member_id, LedgerRow.id, LedgerRow.kind, LedgerRow.points,
                                LedgerRow.created_at, LedgerRow.reverses_id)
                         .order_by(LedgerRow.member_id, LedgerRow.created_at, LedgerRow.booked_at, LedgerRow.id)).all()
        balances = {m.id: m.balance for m in s.scalars(select(MemberRow))}
    entries = {}
    for r in rows:
        entries.setdefault(r[0], []).append(tuple(r[1:]))
    want, listed = {}, {}
    for m in members:
        bal = balances[m]
        lots = sorted(jobs._lots(rule_sets, entries.get(m, [])), key=lambda l: l[0])
        for exp, left, lot_id in lots:
            if left > 0 and exp < rs_at and bal > 0:
                take = min(left, bal)
                want[str(uuid.uuid5(jobs.EXPIRE_NS, f"{lot_id}:0"))] = (m, -take, f"expired {exp.isoformat()}")
                bal -= take
        nxt = min(bal, sum(left for exp, left, _ in lots if left > 0 and exp.date() >= date(2026, 12, 1)
                           and exp.date() <= date(2026, 12, 31)))
        if nxt > 0 and balances[m] > 0:
            listed[m] = nxt
    r = jobs.run_job(svc, "expiry", DAY, now=NOW)
    with svc.db.read() as s:
        got = {e.id: (e.member_id, e.points, e.reason) for e in
               s.scalars(select(LedgerRow).where(LedgerRow.kind == "expire", LedgerRow.store_id == "HQ"))}
    assert got == want and len(want) > 20
    assert {x["member_id"]: x["points"] for x in r["expiring_next_month"]} == listed


def test_a_run_that_rewrites_a_table_refreshes_its_statistics(hq, monkeypatch):
    """PostgreSQL: the tables an expiry run wrote beyond the share are ANALYZEd, and members (rows
    rewritten) VACUUMed, after the run (recorded in the run's summary); SQLite: nothing to do."""
    svc = hq.service
    h = History(svc, NOW)
    for k in range(6):
        m = h.member()
        h.entry(m, "earn", 100 + k, NOW - timedelta(days=396), 10000)   # expired 2026-10-20
    monkeypatch.setattr(jobs, "ANALYZE_MIN", 0)
    r = jobs.run_job(svc, "expiry", DAY, now=NOW)
    assert r["lots_expired"] == 6
    if svc.db.is_sqlite:
        assert "maintenance" not in r
        return
    done = r["maintenance"]
    assert done["ledger"]["op"] == "analyze" and done["ledger"]["rows"] == 6
    assert done["members"] == {**done["members"], "op": "vacuum analyze", "rows": 6}
    assert done["changes"]["rows"] == 6 and done["job_items"]["rows"] == 6
    with svc.db.read() as s:
        assert s.scalar(select(JobRun.summary).where(JobRun.id == r["run_id"]))["maintenance"] == done
        seen = dict(s.execute(text("SELECT relname, COALESCE(last_vacuum, last_analyze) IS NOT NULL "
                                   "FROM pg_stat_user_tables WHERE schemaname = current_schema() "
                                   "AND relname IN ('ledger', 'members')")).all())
    assert seen == {"ledger": True, "members": True}
    # a rerun writes nothing: nothing refreshed
    assert "maintenance" not in jobs.run_job(svc, "expiry", DAY, now=NOW)
