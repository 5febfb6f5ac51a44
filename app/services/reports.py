"""Daily report (日報) and month-end snapshot (月次締め): figures, CSV, the reports folder (Qt-free).

    figs = store.reports.daily_figures(date(2026, 11, 21))       # DailyFigures
    store.reports.generate_daily(manager, day, render_pdf=...)  # CSV (+ PDF by the UI's renderer)
    store.reports.catch_up(now, render_pdf=...)                 # every day/month missed, at start

A business day is cut at LOCAL midnight in the rule set's time zone (Asia/Tokyo by default); its
figures are aggregated in SQL (hours in local time).
All figures are gross per entry kind, from the ledger: a void is its own line (voided_points) and
net_points is the sum of every entry of the day, so the lines add up to the ledger.
Files go to `<database folder>/reports/`, one row per report in generated_reports. The PDF is drawn
by the UI layer (QPdfWriter); this module only calls the `render_pdf(figures, path)` it is given.
"""
from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Callable

from sqlalchemy import func, select, text

from app.clock import iso, parse_iso
from app.errors import InvalidInput
from app.models import AuditEntry, GeneratedReport, Member
from app.rules import RuleSetError
from app.services.localday import local_sql
from app.services.staff import require

MAX_CATCH_UP_DAYS = 62
# The earns with a campaign or bonus line: the WHERE of the partial index ix_ledger_campaign_earns
# (revision 0011), term for term, so that SQLite can use it. A superset test on the JSON text: the
# lines themselves are picked by their kind.
CAMPAIGN_EARN = "kind = 'earn' AND (instr(breakdown, '\"campaign\"') > 0 OR instr(breakdown, '\"bonus\"') > 0)"
RenderPdf = Callable[[object, Path], None]


@dataclass
class DailyFigures:
    day: str  # YYYY-MM-DD, store-local
    store_id: str
    timezone: str
    start: str  # UTC ISO, inclusive
    end: str  # UTC ISO, exclusive
    purchases: int = 0  # earn entries (purchases with a member)
    purchase_yen: int = 0
    points_earned: int = 0
    points_redeemed: int = 0  # positive number of points taken
    redemptions: int = 0
    redeemed_yen_bills: int = 0
    points_expired: int = 0  # positive
    points_adjusted: int = 0  # signed sum
    adjustments: int = 0
    coupon_points: int = 0
    coupon_uses: int = 0
    migrated_points: int = 0
    paper_cards_migrated: int = 0
    voids: int = 0
    voided_points: int = 0  # signed sum of the void entries
    net_points: int = 0  # sum of every entry of the day
    new_members: int = 0
    campaigns: list = field(default_factory=list)  # {rule_id, name_ja, name_en, uses, points}
    coupons: list = field(default_factory=list)  # {template_id, name_ja, name_en, uses, points}
    hours: list = field(default_factory=list)  # 24 × {hour, purchases, yen, points}
    top_hours: list = field(default_factory=list)  # the 3 busiest hours
    generated_at: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class MonthlyFigures:
    month: str  # YYYY-MM
    store_id: str
    timezone: str
    start: str
    end: str  # snapshot instant (UTC ISO): the first instant of the next month, local
    liability_points: int = 0  # ポイント残高合計（未使用ポイント） at `end`
    members_total: int = 0
    active_members: int = 0  # last visit within the 365 days before `end`
    visitors: int = 0  # distinct members with a purchase this month
    new_members: int = 0
    tiers: dict = field(default_factory=dict)  # tier id (or "none") → members (at generation)
    # tier id → [name_ja, name_en] as the rule set in force names them, lowest tier first (HQ
    # authors the tiers: any ids, any names; a report made before this field existed has none)
    tier_names: dict = field(default_factory=dict)
    expiring_next_month: int = 0  # points in lots expiring during the next month
    points_earned: int = 0
    points_redeemed: int = 0
    points_expired: int = 0
    points_adjusted: int = 0
    purchase_yen: int = 0
    purchases: int = 0
    generated_at: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def daily_entries_sql(local_hour_of_created_at: str) -> str:
    """The daily report's one statement over the day's entries (:a <= created_at < :b): rows of
    ('kind', kind, local hour, entries, points, yen), ('campaign', rule id, NULL, earns, points, 0)
    and ('coupon', template id, NULL, uses, points, 0). The entries come from the covering
    ix_ledger_created alone, the campaign lines from the breakdowns in ix_ledger_campaign_earns
    (only the earns with a campaign): no table row is read."""
    return (
        "WITH d AS MATERIALIZED (SELECT kind, points, amount_yen, created_at, coupon_id "
        "FROM ledger WHERE created_at >= :a AND created_at < :b) "
        f"SELECT 'kind', kind, CAST(substr({local_hour_of_created_at}, 12, 2) AS INTEGER), count(*), "
        "coalesce(sum(points), 0), coalesce(sum(amount_yen), 0) FROM d GROUP BY 2, 3 "
        "UNION ALL SELECT 'campaign', j.value ->> 'rule_id', NULL, count(DISTINCT c.seq), "
        "coalesce(sum(j.value ->> 'points'), 0), 0 "
        f"FROM (SELECT seq, breakdown FROM ledger WHERE {CAMPAIGN_EARN} AND created_at >= :a AND created_at < :b) c, "
        "json_each(c.breakdown) j WHERE j.value ->> 'kind' IN ('campaign', 'bonus') "
        "AND j.value ->> 'rule_id' IS NOT NULL GROUP BY 2 "
        "UNION ALL SELECT 'coupon', coalesce(c.template_id, '?'), NULL, count(*), coalesce(sum(d.points), 0), 0 "
        "FROM d LEFT JOIN coupons c ON c.id = d.coupon_id WHERE d.kind = 'coupon' GROUP BY 2")


def _rows_csv(rows: list[tuple]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    for r in rows:
        w.writerow(r)
    return buf.getvalue()


def daily_csv(f: DailyFigures) -> str:
    rows = [("section", "key", "name", "uses", "points", "yen")]
    for key in ("day", "store_id", "timezone", "start", "end", "generated_at"):
        rows.append(("report", key, getattr(f, key), "", "", ""))
    rows += [
        ("totals", "purchases", "", f.purchases, f.points_earned, f.purchase_yen),
        ("totals", "redeemed", "", f.redemptions, -f.points_redeemed, f.redeemed_yen_bills),
        ("totals", "expired", "", "", -f.points_expired, ""),
        ("totals", "adjusted", "", f.adjustments, f.points_adjusted, ""),
        ("totals", "coupons", "", f.coupon_uses, f.coupon_points, ""),
        ("totals", "migrated", "", f.paper_cards_migrated, f.migrated_points, ""),
        ("totals", "voided", "", f.voids, f.voided_points, ""),
        ("totals", "net", "", "", f.net_points, ""),
        ("totals", "new_members", "", f.new_members, "", ""),
    ]
    rows += [("campaign", c["rule_id"], c["name_ja"], c["uses"], c["points"], "") for c in f.campaigns]
    rows += [("coupon", c["template_id"], c["name_ja"], c["uses"], c["points"], "") for c in f.coupons]
    rows += [("hour", f"{h['hour']:02d}", "", h["purchases"], h["points"], h["yen"]) for h in f.hours]
    return _rows_csv(rows)


def monthly_csv(f: MonthlyFigures) -> str:
    rows = [("key", "value")]
    for k, v in f.as_dict().items():
        if k == "tiers":
            rows += [(f"tier:{t}", n) for t, n in sorted(v.items())]
        else:
            rows.append((k, v))
    return _rows_csv(rows)


class ReportService:
    def __init__(self, store):
        self.store = store

    # -- places -----------------------------------------------------------------------------
    @property
    def folder(self) -> Path:
        return Path(self.store.db.path).resolve().parent / "reports"

    def _zone(self, at: datetime):
        rs = self.store.rules.valid_at(at)
        return rs.zone, rs.timezone

    def day_bounds(self, day: date) -> tuple[str, str]:
        zone, _ = self._zone(datetime.combine(day, time(12), tzinfo=self._zone(self.store.now())[0]))
        start = datetime.combine(day, time(0), tzinfo=zone)
        end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
        return iso(start), iso(end)

    def local_today(self, now: datetime | None = None) -> date:
        now = now or self.store.now()
        return now.astimezone(self._zone(now)[0]).date()

    # -- figures ----------------------------------------------------------------------------
    def daily_figures(self, day: date) -> DailyFigures:
        """The day's figures, aggregated in SQL over the day's entries (the covering ix_ledger_created): per kind
        and local hour, campaign lines from the earns' breakdowns (json_each), coupon uses by
        template."""
        start, end = self.day_bounds(day)
        _, tzname = self._zone(parse_iso(start))
        f = DailyFigures(day=day.isoformat(), store_id=self.store.store_id, timezone=tzname, start=start, end=end,
                         generated_at=iso(self.store.now()))
        hours = {h: {"hour": h, "purchases": 0, "yen": 0, "points": 0} for h in range(24)}
        names = self._campaign_names()
        zone = self._zone(parse_iso(start))[0]
        local = local_sql("created_at", zone, parse_iso(start), parse_iso(end), "datetime")
        span = {"a": start, "b": end}
        with self.store.db.read() as s:
            conn = s.connection()
            # The day's entries read once from indexes alone (daily_entries_sql), then aggregated.
            rows = conn.execute(text(daily_entries_sql(local)), span).all()
            f.new_members = conn.execute(text(
                "SELECT count(*) FROM members WHERE created_at >= :a AND created_at < :b"), span).scalar()
            # +kind: walk ix_cards_migrated_at (the day's migrations), not every paper card
            f.paper_cards_migrated = conn.execute(text(
                "SELECT count(*) FROM cards WHERE +kind = 'paper' AND migrated_at >= :a AND migrated_at < :b "
                "AND (migrated_store_id IS NULL OR migrated_store_id = :s)"), span | {"s": self.store.store_id}).scalar()
        by_kind_hour = [r[1:] for r in rows if r[0] == "kind"]
        campaign_rows = [(r[1], r[3], r[4]) for r in rows if r[0] == "campaign"]
        coupon_rows = [(r[1], r[3], r[4]) for r in rows if r[0] == "coupon"]
        for kind, hour, n, points, amount in by_kind_hour:
            f.net_points += points
            if kind == "earn":
                f.purchases += n
                f.purchase_yen += amount
                f.points_earned += points
                h = hours[hour]
                h["purchases"] += n
                h["yen"] += amount
                h["points"] += points
            elif kind == "redeem":
                f.redemptions += n
                f.points_redeemed += -points
                f.redeemed_yen_bills += amount
            elif kind == "expire":
                f.points_expired += -points
            elif kind == "adjust":
                f.adjustments += n
                f.points_adjusted += points
            elif kind == "coupon":
                f.coupon_uses += n
                f.coupon_points += points
            elif kind == "migrate":
                f.migrated_points += points
            elif kind == "void":
                f.voids += n
                f.voided_points += points
        f.campaigns = sorted(({"rule_id": rid, "name_ja": names.get(rid, (rid, rid))[0],
                               "name_en": names.get(rid, (rid, rid))[1], "uses": int(uses), "points": int(pts)}
                              for rid, uses, pts in campaign_rows), key=lambda c: -c["points"])
        f.coupons = sorted(({"template_id": tid, "name_ja": names.get(tid, (tid, tid))[0],
                             "name_en": names.get(tid, (tid, tid))[1], "uses": int(n), "points": int(pts)}
                            for tid, n, pts in coupon_rows), key=lambda c: -c["uses"])
        f.hours = [hours[h] for h in range(24)]
        f.top_hours = [h["hour"] for h in sorted(f.hours, key=lambda h: (-h["purchases"], h["hour"]))
                       if h["purchases"]][:3]
        return f

    def _campaign_names(self) -> dict[str, tuple[str, str]]:
        names = {}
        for rs in self.store.rules.all():
            for c in rs.campaigns:
                names[c.id] = (c.name_ja, c.name_en)
            for c in rs.coupons:
                names[c.id] = (c.name_ja, c.name_en)
        return names

    def month_bounds(self, month: str) -> tuple[str, str, str]:
        """(start, end, end of next month) as UTC ISO for a YYYY-MM store-local month."""
        try:
            y, m = (int(x) for x in month.split("-"))
            first = date(y, m, 1)
        except (ValueError, TypeError):
            raise InvalidInput("A month is YYYY-MM.", code="bad_month") from None
        nxt = date(y + (m == 12), m % 12 + 1, 1)
        after = date(nxt.year + (nxt.month == 12), nxt.month % 12 + 1, 1)
        zone = self._zone(self.store.now())[0]
        return tuple(iso(datetime.combine(d, time(0), tzinfo=zone)) for d in (first, nxt, after))

    def monthly_figures(self, month: str) -> MonthlyFigures:
        start, end, after = self.month_bounds(month)
        _, tzname = self._zone(parse_iso(start))
        f = MonthlyFigures(month=month, store_id=self.store.store_id, timezone=tzname, start=start, end=end,
                           generated_at=iso(self.store.now()))
        year_before = iso(parse_iso(end) - timedelta(days=365))
        with self.store.db.read() as s:
            conn = s.connection()
            total_balance = conn.execute(text("SELECT coalesce(sum(balance), 0) FROM members")).scalar()
            later = conn.execute(text("SELECT coalesce(sum(points), 0) FROM ledger WHERE created_at >= :e"),
                                 {"e": end}).scalar()
            f.liability_points = int(total_balance - later)
            f.members_total = conn.execute(text(
                "SELECT count(*) FROM members WHERE status = 'active' AND created_at < :e"), {"e": end}).scalar()
            f.active_members = conn.execute(text(
                "SELECT count(*) FROM members WHERE status = 'active' AND last_visit_at >= :y AND last_visit_at < :e"),
                {"y": year_before, "e": end}).scalar()
            f.new_members = conn.execute(text(
                "SELECT count(*) FROM members WHERE created_at >= :a AND created_at < :e"),
                {"a": start, "e": end}).scalar()
            f.tiers = {(t or "none"): n for t, n in conn.execute(text(
                "SELECT tier, count(*) FROM members WHERE status = 'active' GROUP BY tier")).all()}
            try:
                tiers = self.store.rules.valid_at(parse_iso(end) - timedelta(microseconds=1)).tiers
            except RuleSetError:  # no rule set then (a store set up after that month): ids stay as they are
                tiers = []
            f.tier_names = {t.id: [t.name_ja, t.name_en or t.name_ja]
                            for t in sorted(tiers, key=lambda t: t.min_annual_spend_yen)}
            f.expiring_next_month = conn.execute(text(
                "SELECT coalesce(sum(remaining), 0) FROM lots WHERE remaining > 0 AND expires_at >= :e "
                "AND expires_at < :n"), {"e": end, "n": after}).scalar()
            for kind, n, pts, yen, visitors in conn.execute(text(
                    "SELECT kind, count(*), coalesce(sum(points), 0), coalesce(sum(amount_yen), 0), "
                    "count(DISTINCT member_id) FROM ledger WHERE created_at >= :a AND created_at < :e GROUP BY kind"),
                    {"a": start, "e": end}):
                if kind == "earn":
                    f.points_earned, f.purchases, f.purchase_yen, f.visitors = pts, n, yen, visitors
                elif kind == "redeem":
                    f.points_redeemed = -pts
                elif kind == "expire":
                    f.points_expired = -pts
                elif kind == "adjust":
                    f.points_adjusted = pts
        return f

    # -- generating -------------------------------------------------------------------------
    def _write(self, actor, kind: str, period: str, figures, csv_text: str, render_pdf: RenderPdf | None):
        folder = self.folder / ("daily" if kind == "daily" else "monthly")
        folder.mkdir(parents=True, exist_ok=True)
        stem = f"{'nippo' if kind == 'daily' else 'getsuji'}-{self.store.store_id}-{period}"
        csv_path = folder / f"{stem}.csv"
        tmp = csv_path.with_name(csv_path.name + ".part")
        tmp.write_text(csv_text, encoding="utf-8-sig", newline="")
        tmp.replace(csv_path)
        pdf_path = None
        if render_pdf is not None:
            pdf_path = folder / f"{stem}.pdf"
            render_pdf(figures, pdf_path)
        with self.store.db.write() as s:
            row = s.scalars(select(GeneratedReport).where(GeneratedReport.kind == kind,
                                                          GeneratedReport.period == period)).first()
            if row is None:
                row = GeneratedReport(kind=kind, period=period)
                s.add(row)
            row.generated_at = iso(self.store.now())
            row.generated_by = getattr(actor, "staff_id", None)
            row.csv_path = str(csv_path)
            row.pdf_path = str(pdf_path) if pdf_path else None
            row.figures = figures.as_dict()
            self.store.audit.record(s, actor, f"report.{kind}", "report", period, None,
                                    {"csv": csv_path.name, "pdf": pdf_path.name if pdf_path else None})
            s.flush()
            return row

    def generate_daily(self, actor, day: date, *, render_pdf: RenderPdf | None = None) -> GeneratedReport:
        require(actor, "manager", "generate reports")
        figures = self.daily_figures(day)
        return self._write(actor, "daily", day.isoformat(), figures, daily_csv(figures), render_pdf)

    def generate_monthly(self, actor, month: str, *, render_pdf: RenderPdf | None = None) -> GeneratedReport:
        require(actor, "manager", "generate reports")
        figures = self.monthly_figures(month)
        return self._write(actor, "monthly", month, figures, monthly_csv(figures), render_pdf)

    def list(self, actor, kind: str | None = None, limit: int = 500) -> list[GeneratedReport]:
        require(actor, "manager", "read reports")
        q = select(GeneratedReport).order_by(GeneratedReport.period.desc(), GeneratedReport.kind).limit(limit)
        if kind:
            q = q.where(GeneratedReport.kind == kind)
        with self.store.db.read() as s:
            return list(s.scalars(q))

    def get(self, actor, kind: str, period: str) -> GeneratedReport | None:
        require(actor, "manager", "read reports")
        with self.store.db.read() as s:
            return s.scalars(select(GeneratedReport).where(GeneratedReport.kind == kind,
                                                           GeneratedReport.period == period)).first()

    def _first_day(self, s) -> date | None:
        first = s.scalar(select(func.min(AuditEntry.at)).where(AuditEntry.action == "store.init"))
        if first is None:
            first = s.scalar(select(func.min(Member.created_at)))
        if first is None:
            return None
        return self.local_today(parse_iso(first))

    def missing(self, now: datetime | None = None) -> tuple[list[date], list[str]]:
        """Days (up to yesterday, local) and completed months with no report yet: since the last
        report, or since the store was set up, at most MAX_CATCH_UP_DAYS back."""
        now = now or self.store.now()
        today = self.local_today(now)
        with self.store.db.read() as s:
            have_days = set(s.scalars(select(GeneratedReport.period).where(GeneratedReport.kind == "daily")))
            have_months = set(s.scalars(select(GeneratedReport.period).where(GeneratedReport.kind == "monthly")))
            first = self._first_day(s)
        if first is None:
            return [], []
        start = max(first, today - timedelta(days=MAX_CATCH_UP_DAYS))
        days = [start + timedelta(days=i) for i in range((today - start).days)]
        days = [d for d in days if d.isoformat() not in have_days]
        months = []
        cur = date(start.year, start.month, 1)
        this_month = date(today.year, today.month, 1)
        while cur < this_month:
            key = cur.strftime("%Y-%m")
            if key not in have_months and date(cur.year + (cur.month == 12), cur.month % 12 + 1, 1) > first:
                months.append(key)
            cur = date(cur.year + (cur.month == 12), cur.month % 12 + 1, 1)
        return days, months

    def catch_up(self, now: datetime | None = None, *, render_pdf: RenderPdf | None = None,
                 render_monthly_pdf: RenderPdf | None = None) -> list[GeneratedReport]:
        """Generate every missed daily report and month-end snapshot (run by the system at start)."""
        from app.store import SYSTEM

        days, months = self.missing(now)
        out = [self.generate_daily(SYSTEM, d, render_pdf=render_pdf) for d in days]
        out += [self.generate_monthly(SYSTEM, m, render_pdf=render_monthly_pdf) for m in months]
        return out
