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
  min(1, visits_12m / 12))) — a monthly regular who stopped scores higher than a one-off visitor.
- 優良顧客 vip: 12-month spend at or above app.rules.vip_threshold (top vip_top_percent [10] %).
- 休眠掘り起こし win_back: no visit for win_back_days [30] days and lifetime spend ≥
  win_back_min_lifetime_spend_yen [¥5,000].

Results go to member_segments (one row per member, written in short chunks so the counter is never
held up) and each run's counts to segment_runs.
"""
from __future__ import annotations

import time as _time
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import delete, select, text

from app.clock import iso, parse_iso
from app.models import MemberSegment, SegmentRun
from app.rules import vip_threshold

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
    """1 + floor(5 × (number of strictly smaller values) / n) for each value (higher is better)."""
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


def churn_score(days: int | None, visits_12m: int, churn_days: int) -> int:
    if days is None:
        return 0
    recency = min(1.0, max(0, days) / (2 * churn_days))
    weight = 0.5 + 0.5 * min(1.0, visits_12m / 12)
    return int(round(100 * recency * weight))


class SegmentService:
    def __init__(self, store):
        self.store = store

    def refresh(self, at: datetime | None = None) -> SegmentResult:
        """Compute every active member's segments and store them (idempotent; safe to run while the
        counter works: reads in one snapshot, writes in short transactions)."""
        started = _time.perf_counter()
        now = at or self.store.now()
        rule_set = self.store.rules.valid_at(now)
        th = rule_set.segments
        zone = rule_set.zone
        cutoff = iso(now - timedelta(days=365))
        today = now.astimezone(zone).date()
        with self.store.db.read() as s:
            conn = s.connection()
            members = conn.execute(text(
                "SELECT id, last_visit_at, lifetime_spend_yen FROM members WHERE status = 'active'")).all()
            agg: dict[str, list[int]] = {}
            for mid, n, spend in conn.execute(text(
                    "SELECT member_id, count(*), coalesce(sum(amount_yen), 0) FROM ledger "
                    "WHERE kind = 'earn' AND created_at >= :cut GROUP BY member_id"), {"cut": cutoff}):
                agg[mid] = [n, spend]
            # Voided earns of the window (a void always comes after what it reverses).
            for mid, n, spend in conn.execute(text(
                    "SELECT o.member_id, count(*), coalesce(sum(o.amount_yen), 0) FROM ledger v "
                    "JOIN ledger o ON o.id = v.reverses_id "
                    "WHERE v.kind = 'void' AND v.created_at >= :cut AND o.kind = 'earn' AND o.created_at >= :cut "
                    "GROUP BY o.member_id"), {"cut": cutoff}):
                if mid in agg:
                    agg[mid][0] -= n
                    agg[mid][1] -= spend
        computed_at = iso(now)
        local_day: dict[str, date | None] = {}

        def day_of(stamp: str) -> date:
            key = stamp[:13]
            d = local_day.get(key, False)
            if d is False:
                dt = parse_iso(stamp).astimezone(zone)
                whole_hours = dt.utcoffset().total_seconds() % 3600 == 0
                d = dt.date() if whole_hours else None
                local_day[key] = d
            return d if d is not None else parse_iso(stamp).astimezone(zone).date()

        ids, days, visits, spends, lifetimes = [], [], [], [], []
        for mid, last, lifetime in members:
            ids.append(mid)
            days.append((today - day_of(last)).days if last else None)
            a = agg.get(mid)
            visits.append(max(0, a[0]) if a else 0)
            spends.append(max(0, a[1]) if a else 0)
            lifetimes.append(lifetime or 0)
        visited = [i for i, d in enumerate(days) if d is not None]
        r = quintile_scores([-days[i] for i in visited])
        f = quintile_scores([visits[i] for i in visited])
        m = quintile_scores([spends[i] for i in visited])
        rfm = {i: (r[k], f[k], m[k]) for k, i in enumerate(visited)}
        threshold = vip_threshold(rule_set, spends)
        counts = {k: 0 for k in SEGMENT_IDS}
        rows = []
        for i, mid in enumerate(ids):
            d = days[i]
            vip = threshold is not None and spends[i] >= threshold and spends[i] > 0
            churn = d is not None and d >= th.churn_risk_days
            win = d is not None and d >= th.win_back_days and lifetimes[i] >= th.win_back_min_lifetime_spend_yen
            segs = [name for name, on in (("vip", vip), ("churn_risk", churn), ("win_back", win)) if on]
            for name in segs:
                counts[name] += 1
            rr, ff, mm = rfm.get(i, (0, 0, 0))
            rows.append((mid, rr, ff, mm, d, visits[i], spends[i], churn_score(d, visits[i], th.churn_risk_days),
                         int(vip), int(churn), int(win), _json_list(segs), computed_at))
        rows.sort()
        sql = ("INSERT OR REPLACE INTO member_segments (member_id, rfm_r, rfm_f, rfm_m, days_since_visit, "
               "visits_12m, spend_12m_yen, churn_score, vip, churn_risk, win_back, segments, computed_at) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        for start in range(0, len(rows), CHUNK):
            with self.store.db.write() as s:
                s.connection().exec_driver_sql(sql, rows[start:start + CHUNK])
        duration_ms = int((_time.perf_counter() - started) * 1000)
        with self.store.db.write() as s:
            s.execute(delete(MemberSegment).where(MemberSegment.computed_at != computed_at))
            s.add(SegmentRun(computed_at=computed_at, rule_set_version=rule_set.version,
                             thresholds=th.model_dump(), counts=counts | {"vip_threshold_yen": threshold},
                             members=len(ids), duration_ms=duration_ms))
        return SegmentResult(computed_at, len(ids), counts, threshold, duration_ms)

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


def _json_list(items: list[str]) -> str:
    return "[" + ",".join(f'"{x}"' for x in items) + "]"
