"""Customer segments, computed locally from the ledger (Qt-free; the UI runs refresh() off the GUI
thread, e.g. at start and every night).

Definitions (thresholds from the rule set's SegmentThresholds; defaults in brackets). "Days" are
whole store-local calendar days between the last visit and today, as in app.rules.member_segments.
A visit is an earn entry that was not voided; spend is its purchase amount.

- RFM quintiles, over active members who have visited at least once (the others score 0):
  R from the last visit date (more recent is better), F = visits in the last 365 days,
  M = spend in the last 365 days. Score = 1 + floor(5 × (members with a strictly worse value) / n),
  so ties share a score and the best value scores 5 when values are spread.
- 離反リスク churn_risk: no visit for churn_risk_days [60] days or more. churn_score (0-100) weighs
  recency by past frequency: round(100 × min(1, days / (2 × churn_risk_days)) × (0.5 + 0.5 ×
  min(1, visits_12m / 12))), rounded half up — a monthly regular who stopped scores higher than a
  one-off visitor.
- 優良顧客 vip: 12-month spend at or above app.rules.vip_threshold (top vip_top_percent [10] %).
- 休眠掘り起こし win_back: no visit for win_back_days [30] days and lifetime spend ≥
  win_back_min_lifetime_spend_yen [¥5,000].

Computed set-based in SQL (window functions, SQLite >= 3.25) on a connection of its own: the
12-month visits and spend from a covering partial index of the earns (ix_ledger_earn_member), the
scores into temporary tables inside one read snapshot, then written to member_segments (one row
per member) in short transactions of CHUNK rows, so the counter is never held up for long; each
run's counts go to segment_runs.
"""
from __future__ import annotations

import time as _time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from app.clock import iso, parse_iso
from app.models import MemberSegment, SegmentRun
from app.services.localday import local_date_sql

SEGMENT_IDS = ("vip", "churn_risk", "win_back")
CHUNK = 20_000


@dataclass(frozen=True)
class SegmentResult:
    computed_at: str
    members: int
    counts: dict
    vip_threshold_yen: int | None
    duration_ms: int


def quintile_scores(values: list) -> list[int]:
    """1 + floor(5 × (number of strictly smaller values) / n) for each value (higher is better).
    The reference definition; the refresh computes the same scores from quintile_cuts."""
    n = len(values)
    if n == 0:
        return []
    order = sorted(range(n), key=lambda i: values[i])
    scores = [0] * n
    below = 0
    for pos, i in enumerate(order):
        if pos > 0 and values[i] != values[order[pos - 1]]:
            below = pos
        scores[i] = 1 + (5 * below) // n
    return scores


def quintile_cuts(histogram) -> list:
    """The four cut values of quintile_scores from a histogram [(value, count)] in any order:
    score(v) = 1 + number of cuts c with v > c. (score ≥ k + 1 ⟺ at least ceil(k·n/5) values are
    strictly smaller than v ⟺ v is above the ceil(k·n/5)-th smallest value.)"""
    hist = sorted(histogram)
    n = sum(c for _, c in hist)
    if n == 0:
        return []
    cuts, seen, i = [], 0, 0
    for k in range(1, 5):
        b = (k * n + 4) // 5  # ceil(k·n/5) ≥ 1 when n ≥ 1
        while seen + hist[i][1] < b:
            seen += hist[i][1]
            i += 1
        cuts.append(hist[i][0])
    return cuts


def score_from_cuts(value, cuts: list) -> int:
    return 1 + sum(1 for c in cuts if value > c)


def vip_threshold_from_histogram(histogram, top_percent: int) -> int | None:
    """app.rules.vip_threshold over a histogram [(annual spend, members)]: the lowest spend among
    the top `top_percent` % (floor, at least one member), the lowest positive spend when that is
    ¥0, None when nobody spent anything."""
    hist = sorted(histogram, reverse=True)
    n = sum(c for _, c in hist)
    if n == 0 or hist[0][0] <= 0:
        return None
    count = max(1, n * top_percent // 100)
    seen = 0
    for value, c in hist:
        seen += c
        if seen >= count:
            break
    if value > 0:
        return int(value)
    return int(min(v for v, _ in hist if v > 0))


def churn_score(days: int | None, visits_12m: int, churn_days: int) -> int:
    """round(100 × min(1, days / (2 × churn_days)) × (0.5 + 0.5 × min(1, visits_12m / 12))), in
    integers and rounded half up, exactly as the refresh's SQL computes it."""
    if days is None:
        return 0
    num = 100 * min(max(0, days), 2 * churn_days) * (12 + min(visits_12m, 12))
    den = 48 * churn_days
    return (2 * num + den) // (2 * den)


def _quintile_sql(expr: str, cuts: list) -> str:
    if not cuts:
        return "0"
    above = " + ".join(f"({expr} > {int(c)})" for c in cuts)
    return f"CASE WHEN days IS NULL THEN 0 ELSE 1 + {above} END"


class SegmentService:
    def __init__(self, store):
        self.store = store

    def refresh(self, at: datetime | None = None) -> SegmentResult:
        """Compute every active member's segments and store them (idempotent; safe to run while the
        counter works: the figures come from one read snapshot into a temporary table of this
        refresh's own connection, then go to member_segments in write transactions of CHUNK rows)."""
        started = _time.perf_counter()
        now = at or self.store.now()
        rule_set = self.store.rules.valid_at(now)
        th = rule_set.segments
        computed_at = iso(now)
        con = self.store.db.connect_raw()
        try:
            members, cuts, threshold = self._collect(con, now, rule_set)
            cd = int(th.churn_risk_days)
            vip = "0" if threshold is None else f"(spend >= {int(threshold)} AND spend > 0)"
            scored = (
                "SELECT member_id, days, visits, spend,"
                f" {_quintile_sql('-days', cuts['r'])} AS rfm_r,"
                f" {_quintile_sql('visits', cuts['f'])} AS rfm_f,"
                f" {_quintile_sql('spend', cuts['m'])} AS rfm_m,"
                # churn_score() in integers, rounded half up
                f" CASE WHEN days IS NULL THEN 0 ELSE (200 * min(max(0, days), {2 * cd}) * (12 + min(visits, 12))"
                f" + {48 * cd}) / {96 * cd} END AS churn_score,"
                f" {vip} AS vip,"
                f" (days IS NOT NULL AND days >= {cd}) AS churn_risk,"
                f" (days IS NOT NULL AND days >= {int(th.win_back_days)}"
                f" AND lifetime >= {int(th.win_back_min_lifetime_spend_yen)}) AS win_back"
                " FROM temp.seg_base")
            row = con.execute(f"SELECT total(vip), total(churn_risk), total(win_back) FROM ({scored})").fetchone()
            counts = {k: int(v) for k, v in zip(SEGMENT_IDS, row)}
            self._write(con, scored, computed_at, members)
        finally:
            try:
                con.execute("DROP TABLE IF EXISTS temp.seg_base")
            finally:
                con.close()
        duration_ms = int((_time.perf_counter() - started) * 1000)
        with self.store.db.write() as s:
            s.add(SegmentRun(computed_at=computed_at, rule_set_version=rule_set.version,
                             thresholds=th.model_dump(), counts=counts | {"vip_threshold_yen": threshold},
                             members=members, duration_ms=duration_ms))
        return SegmentResult(computed_at, members, counts, threshold, duration_ms)

    @staticmethod
    def _collect(con, now: datetime, rule_set) -> tuple[int, dict, int | None]:
        """temp.seg_base: (member_id, days since the last visit, visits and spend of the last 365
        days, lifetime spend) per active member in member_id order, from one read snapshot; then
        the quintile cut points and the VIP threshold from histograms. → (members, cuts, threshold)"""
        zone = rule_set.zone
        cut = iso(now - timedelta(days=365))
        today = now.astimezone(zone).date().isoformat()
        con.execute("BEGIN")  # deferred: one consistent snapshot of members and ledger
        try:
            first, last = (con.execute(f"SELECT {fn}(last_visit_at) FROM members").fetchone()[0]
                           for fn in ("min", "max"))
            span = [now] + [parse_iso(x) for x in (first, last) if x]
            local_day = local_date_sql("m.last_visit_at", zone, min(span), max(span))
            for t in ("seg_12m", "seg_base"):
                con.execute(f"DROP TABLE IF EXISTS temp.{t}")
            # The earns of the last 365 days per member, from the covering partial index
            # ix_ledger_earn_member (read in member order: no table rows, no sort) ...
            con.execute("CREATE TEMP TABLE seg_12m (member_id TEXT PRIMARY KEY, visits INTEGER NOT NULL, "
                        "spend INTEGER NOT NULL) WITHOUT ROWID")
            con.execute("INSERT INTO temp.seg_12m SELECT member_id, count(*), coalesce(sum(amount_yen), 0) "
                        "FROM ledger WHERE kind = 'earn' AND created_at >= ? GROUP BY member_id", (cut,))
            # ... less those voided (every void's member and reversed id from ix_ledger_member_voids,
            # the reversed entry's rowid from the ledger's id index, and that rowid among the member's
            # earns of the window in ix_ledger_earn_member: indexes only, no row of the 10M-row table).
            con.execute(
                "UPDATE temp.seg_12m SET visits = visits - v.n, spend = spend - v.yen FROM ("
                " SELECT e.member_id AS member_id, count(*) AS n, coalesce(sum(e.amount_yen), 0) AS yen"
                " FROM ledger v INDEXED BY ix_ledger_member_voids"
                " CROSS JOIN ledger o ON o.id = v.reverses_id"
                " CROSS JOIN ledger e INDEXED BY ix_ledger_earn_member ON e.member_id = v.member_id"
                " AND e.rowid = o.rowid"
                " WHERE v.kind = 'void' AND e.kind = 'earn' AND e.created_at >= ?"
                " GROUP BY e.member_id) AS v WHERE seg_12m.member_id = v.member_id", (cut,))
            # Every active member from the covering partial index ix_members_active_segment, in id order.
            con.execute(
                "CREATE TEMP TABLE seg_base AS SELECT m.id AS member_id,"
                f" CAST(julianday(?) - julianday({local_day}) AS INTEGER) AS days,"
                " max(0, coalesce(a.visits, 0)) AS visits, max(0, coalesce(a.spend, 0)) AS spend,"
                " coalesce(m.lifetime_spend_yen, 0) AS lifetime"
                " FROM members m LEFT JOIN temp.seg_12m a ON a.member_id = m.id WHERE m.status = 'active'"
                " ORDER BY m.id", (today,))
        finally:
            con.execute("COMMIT")
        con.execute("DROP TABLE temp.seg_12m")
        members = con.execute("SELECT count(*) FROM temp.seg_base").fetchone()[0]
        # Histograms counted into small keyed temporary tables (an upsert per member is 2-3 times
        # faster here than a GROUP BY, which sorts every member): (days, visits) pairs are few.
        r, f = {}, {}
        for t, cols, select_rows in (
                ("seg_hist_dv", "days, visits", "SELECT days, visits, 1 FROM temp.seg_base WHERE days IS NOT NULL"),
                ("seg_hist_spend", "visited, spend", "SELECT days IS NOT NULL, spend, 1 FROM temp.seg_base WHERE true")):
            con.execute(f"DROP TABLE IF EXISTS temp.{t}")
            con.execute(f"CREATE TEMP TABLE {t} ({cols}, n INTEGER NOT NULL, PRIMARY KEY ({cols})) WITHOUT ROWID")
            con.execute(f"INSERT INTO temp.{t} {select_rows} ON CONFLICT DO UPDATE SET n = n + 1")
        for days, visits, c in con.execute("SELECT days, visits, n FROM temp.seg_hist_dv"):
            r[-days] = r.get(-days, 0) + c
            f[visits] = f.get(visits, 0) + c
        spend = con.execute("SELECT visited, spend, n FROM temp.seg_hist_spend").fetchall()
        for t in ("seg_hist_dv", "seg_hist_spend"):
            con.execute(f"DROP TABLE temp.{t}")
        cuts = {"r": quintile_cuts(r.items()), "f": quintile_cuts(f.items()),
                "m": quintile_cuts([(v, c) for visited, v, c in spend if visited])}
        by_spend: dict[int, int] = {}
        for _, v, c in spend:
            by_spend[v] = by_spend.get(v, 0) + c
        threshold = vip_threshold_from_histogram(by_spend.items(), rule_set.segments.vip_top_percent)
        return members, cuts, threshold

    @staticmethod
    def _write(con, scored: str, computed_at: str, n: int) -> None:
        """The scored rows → member_segments, CHUNK rows (a member_id key range) per write
        transaction; rows left from an earlier run in that key range (members no longer active)
        are deleted in the same transaction, so no transaction scans the whole table."""
        segments = ("'[' || rtrim(CASE WHEN vip THEN '\"vip\",' ELSE '' END"
                    " || CASE WHEN churn_risk THEN '\"churn_risk\",' ELSE '' END"
                    " || CASE WHEN win_back THEN '\"win_back\",' ELSE '' END, ',') || ']'")
        cols = ("rfm_r", "rfm_f", "rfm_m", "days_since_visit", "visits_12m", "spend_12m_yen", "churn_score", "vip",
                "churn_risk", "win_back", "segments", "computed_at")
        # an upsert updates a member's row in place (its key and index entry stay), where a
        # replace would delete and insert both
        insert = (f"INSERT INTO member_segments (member_id, {', '.join(cols)}) "
                  "SELECT member_id, rfm_r, rfm_f, rfm_m, days, visits, spend, churn_score, vip, churn_risk, "
                  f"win_back, {segments}, ? FROM ({scored} WHERE rowid BETWEEN ? AND ?) WHERE true "
                  "ON CONFLICT (member_id) DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in cols))
        lo = None
        for start in range(1, n + 1, CHUNK) if n else [1]:
            end = start + CHUNK - 1
            hi = None
            if end < n:
                hi = con.execute("SELECT member_id FROM temp.seg_base WHERE rowid = ?", (end,)).fetchone()[0]
            con.execute("BEGIN IMMEDIATE")
            try:
                con.execute(insert, (computed_at, start, end))
                where, args = ["computed_at <> ?"], [computed_at]
                if lo is not None:
                    where.append("member_id > ?")
                    args.append(lo)
                if hi is not None:
                    where.append("member_id <= ?")
                    args.append(hi)
                con.execute(f"DELETE FROM member_segments WHERE {' AND '.join(where)}", args)
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
            lo = hi

    def last_run(self) -> SegmentRun | None:
        with self.store.db.read() as s:
            return s.scalars(select(SegmentRun).order_by(SegmentRun.id.desc()).limit(1)).first()

    def counts(self) -> dict:
        """Members per segment as of the last refresh ({} before the first)."""
        run = self.last_run()
        if run is None:
            return {}
        return {k: int(run.counts.get(k, 0)) for k in SEGMENT_IDS}

    def stale(self, max_age: timedelta = timedelta(hours=12)) -> bool:
        run = self.last_run()
        return run is None or self.store.now() - parse_iso(run.computed_at) > max_age

    def of(self, member_id: str) -> MemberSegment | None:
        with self.store.db.read() as s:
            return s.get(MemberSegment, member_id)
