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

Computed set-based in SQL on a connection of its own, inside one read snapshot, and written to
member_segments in short transactions of CHUNK rows, so the counter is never held up for long;
each run's counts go to segment_runs. At a million members a refresh does not redo what did not
change:

- The 12-month visits and spend are kept in member_segments (visits_12m, spend_12m_yen) and
  carried from one refresh to the next. The refresh state in settings ('segments_state': the last
  ledger seq seen and the window's start) says what the stored figures cover; only the members
  whose figures can have changed since are recomputed from the ledger (ix_ledger_earn_member):
  members with entries booked or pulled since (seq > the last seq: earns, voids and whatever
  else), members with earns that have left the window since (ix_ledger_created), and the
  survivors of merges (their history moved onto them). The first refresh, one after the window
  moved back in time or by more than FULL_AFTER_DAYS (28), and one over an empty table recompute
  everyone (one GROUP BY over the index).
- Nothing that moves every day is stored (days since the last visit, the churn score: worked out
  from members.last_visit_at when read, see of() and read_time()), so a refresh rewrites only the
  rows whose scores, flags or 12-month figures differ from the stored ones (most members keep
  their quintiles from one day to the next).
"""
from __future__ import annotations

import json
import threading
import time as _time
from dataclasses import dataclass
from collections import Counter
from operator import itemgetter
from datetime import date, datetime, timedelta

from sqlalchemy import select

from app.clock import iso, parse_iso
from app.models import Member, MemberSegment, SegmentRun
from app.services.localday import local_daynum_sql

SEGMENT_IDS = ("vip", "churn_risk", "win_back")
CHUNK = 20_000
TEMP_STORE = "MEMORY"  # the temporary tables (a few small columns per member) in memory, not an
# encrypted temporary file: ~2x faster at a million members
STATE_KEY = "segments_state"
STATE_VERSION = 1
FULL_AFTER_DAYS = 28  # the window moved further than this since the last refresh: recompute everyone. The
# members of the earns that left the window come from the covering ix_ledger_created (revision 0011), index
# only: at 1M members / 10M entries, 12-month figures after a gap of 8 / 14 / 28 days 1.4 / 2.1 / 3.3 s
# against 4.3-5.1 s for everyone


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
    n = sum(map(itemgetter(1), hist))
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
    n = sum(map(itemgetter(1), hist))
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


def _histograms(con, rich_yen: int) -> tuple[dict, dict]:
    """Two histograms over temp.seg_base, each value packed into one integer in SQL so that one
    int per member crosses into Python and Counter counts them in C (a tuple per member costs
    twice as much at a million members):
    → ({(days, visits, lifetime >= rich_yen): members} over members who visited,
       {(visited, 12-month spend): members} over every member)."""
    first = itemgetter(0)
    dmin, dmax, vmax = con.execute(
        "SELECT min(days), max(days), max(visits) FROM temp.seg_base WHERE days IS NOT NULL").fetchone()
    dv: dict = {}
    if dmin is not None:
        bv = (vmax + 1).bit_length()
        packed = Counter(map(first, con.execute(
            f"SELECT ((days - {int(dmin)}) << {bv + 1}) | (visits << 1) | (lifetime >= {int(rich_yen)})"
            " FROM temp.seg_base WHERE days IS NOT NULL")))
        mv = (1 << bv) - 1
        dv = {((k >> (bv + 1)) + int(dmin), (k >> 1) & mv, k & 1): c for k, c in packed.items()}
    packed = Counter(map(first, con.execute("SELECT (spend << 1) | (days IS NOT NULL) FROM temp.seg_base")))
    return dv, {(bool(k & 1), k >> 1): c for k, c in packed.items()}


def _give_back_memory() -> None:
    """The in-memory temporary tables (~150 MB at a million members) are freed when the refresh's
    connection closes, but glibc keeps the freed heap in the process: hand it back to the system
    (malloc_trim), so the app's footprint after a refresh is what it was before. No-op elsewhere."""
    try:
        import ctypes
        import sys

        if sys.platform.startswith("linux"):
            ctypes.CDLL("libc.so.6").malloc_trim(0)
    except Exception:  # noqa: BLE001 - not glibc: nothing to do
        pass


class SegmentService:
    def __init__(self, store):
        self.store = store
        self._lock = threading.Lock()  # one refresh at a time (the state says what the rows cover)
        self.last_refresh_kind: str | None = None  # "full" | "incremental" (for benchmarks and tests)
        self.last_phases: dict = {}  # seconds per phase of the last refresh (benchmarks)

    def refresh(self, at: datetime | None = None, *, full: bool = False) -> SegmentResult:
        """Compute every active member's segments and store them (idempotent; safe to run while the
        counter works: the figures come from one read snapshot into temporary tables of this
        refresh's own connection; the rows that changed go to member_segments in write transactions
        of CHUNK rows). full=True recomputes every member's 12-month figures from the ledger."""
        with self._lock:
            return self._refresh(at, full)

    def _refresh(self, at: datetime | None, full: bool) -> SegmentResult:
        started = _time.perf_counter()
        phases = self.last_phases = {}

        cpu = _time.process_time()

        def lap(name, t=[started]):
            now_ = _time.perf_counter()
            phases[name] = round(now_ - t[0], 3)
            t[0] = now_
            phases["cpu"] = round(_time.process_time() - cpu, 3)  # this process's CPU so far (load-independent)

        now = at or self.store.now()
        rule_set = self.store.rules.valid_at(now)
        th = rule_set.segments
        computed_at = iso(now)
        con = self.store.db.connect_raw()
        con.execute(f"PRAGMA temp_store = {TEMP_STORE}")
        con.execute("PRAGMA cache_size = -32768")
        try:
            members, cuts, threshold, counts, state = self._collect(con, now, rule_set, full, lap)
            cd = int(th.churn_risk_days)
            vip = "0" if threshold is None else f"(spend >= {int(threshold)} AND spend > 0)"
            scored = (
                "SELECT member_id, visits, spend, had, o_r, o_f, o_m, o_visits, o_spend, o_vip, o_cr, o_wb,"
                f" {_quintile_sql('-days', cuts['r'])} AS rfm_r,"
                f" {_quintile_sql('visits', cuts['f'])} AS rfm_f,"
                f" {_quintile_sql('spend', cuts['m'])} AS rfm_m,"
                f" {vip} AS vip,"
                f" (days IS NOT NULL AND days >= {cd}) AS churn_risk,"
                f" (days IS NOT NULL AND days >= {int(th.win_back_days)}"
                f" AND lifetime >= {int(th.win_back_min_lifetime_spend_yen)}) AS win_back"
                " FROM temp.seg_base")
            try:
                changed = self._changed(con, scored)
            finally:
                con.execute("COMMIT")  # the read snapshot, from the figures to the changed rows
            phases["changed_rows"] = changed
            lap("diff")
            self._write(con, changed, state)
            lap("write")
        finally:
            try:
                for t in ("seg_base", "seg_changed"):
                    con.execute(f"DROP TABLE IF EXISTS temp.{t}")
            finally:
                con.close()
                _give_back_memory()
        duration_ms = int((_time.perf_counter() - started) * 1000)
        with self.store.db.write() as s:
            s.add(SegmentRun(computed_at=computed_at, rule_set_version=rule_set.version,
                             thresholds=th.model_dump(), counts=counts | {"vip_threshold_yen": threshold},
                             members=members, duration_ms=duration_ms))
        return SegmentResult(computed_at, members, counts, threshold, duration_ms)

    def _collect(self, con, now: datetime, rule_set, full: bool, lap) -> tuple[int, dict, int | None, dict, dict]:
        """temp.seg_base: (member_id, days since the last visit, visits and spend of the last 365
        days, lifetime spend, and the member's stored row) per active member in member_id order,
        from one read snapshot; then the quintile cut points and the VIP threshold from histograms.
        → (members, cuts, threshold, counts, the refresh state the new rows will cover)"""
        zone = rule_set.zone
        cut = iso(now - timedelta(days=365))
        today = (now.astimezone(zone).date() - date(1970, 1, 1)).days  # local day number
        con.execute("BEGIN")  # deferred: one snapshot of members, ledger and stored rows (_refresh ends it)
        try:
            hwm = con.execute("SELECT coalesce(max(seq), 0) FROM ledger").fetchone()[0]
            state = None
            row = con.execute("SELECT value FROM settings WHERE key = ?", (STATE_KEY,)).fetchone()
            if row:
                try:
                    state = json.loads(row[0])
                except ValueError:
                    state = None
            incremental = (
                not full and isinstance(state, dict) and state.get("v") == STATE_VERSION
                and isinstance(state.get("hwm"), int) and state["hwm"] <= hwm
                and isinstance(state.get("cut"), str) and state["cut"] <= cut
                and parse_iso(cut) - parse_iso(state["cut"]) <= timedelta(days=FULL_AFTER_DAYS)
                and con.execute("SELECT 1 FROM member_segments LIMIT 1").fetchone() is not None)
            first, last = (con.execute(f"SELECT {fn}(last_visit_at) FROM members").fetchone()[0]
                           for fn in ("min", "max"))
            span = [now] + [parse_iso(x) for x in (first, last) if x]
            local_day = local_daynum_sql("m.last_visit_at", zone, min(span), max(span))
            for t in ("seg_12m", "seg_dirty", "seg_base", "seg_changed"):
                con.execute(f"DROP TABLE IF EXISTS temp.{t}")
            con.execute("CREATE TEMP TABLE seg_12m (member_id TEXT PRIMARY KEY, visits INTEGER NOT NULL, "
                        "spend INTEGER NOT NULL) WITHOUT ROWID")
            if incremental:
                self._recompute_dirty(con, state, cut)
            else:
                self._recompute_all(con, cut)
            lap("figures_12m")
            # Every active member from the covering partial index ix_members_active_segment, in id
            # order, with their figures: recomputed (seg_12m) or carried from their stored row.
            if incremental:
                visits = "CASE WHEN a.member_id IS NOT NULL THEN a.visits ELSE coalesce(ms.visits_12m, 0) END"
                spend = "CASE WHEN a.member_id IS NOT NULL THEN a.spend ELSE coalesce(ms.spend_12m_yen, 0) END"
            else:
                visits, spend = "coalesce(a.visits, 0)", "coalesce(a.spend, 0)"
            con.execute(
                "CREATE TEMP TABLE seg_base AS SELECT m.id AS member_id,"
                f" ? - {local_day} AS days,"
                f" max(0, {visits}) AS visits, max(0, {spend}) AS spend,"
                " coalesce(m.lifetime_spend_yen, 0) AS lifetime,"
                " ms.member_id IS NOT NULL AS had, ms.rfm_r AS o_r, ms.rfm_f AS o_f, ms.rfm_m AS o_m,"
                " ms.visits_12m AS o_visits, ms.spend_12m_yen AS o_spend, ms.vip AS o_vip, ms.churn_risk AS o_cr,"
                " ms.win_back AS o_wb"
                " FROM members m LEFT JOIN temp.seg_12m a ON a.member_id = m.id"
                " LEFT JOIN member_segments ms ON ms.member_id = m.id"
                " WHERE m.status = 'active' ORDER BY m.id", (today,))
            lap("member_base")
        except BaseException:
            con.execute("COMMIT")
            raise
        con.execute("DROP TABLE temp.seg_12m")
        con.execute("DROP TABLE IF EXISTS temp.seg_dirty")
        self.last_refresh_kind = "incremental" if incremental else "full"
        # One histogram of (days, visits, lifetime spend at the win-back minimum, 12-month spend),
        # counted in C by Counter while the rows stream (one pass; keys are far fewer than members):
        # the quintile cuts, the VIP threshold and the three segment counts all come from it.
        th = rule_set.segments
        dv, sp = _histograms(con, int(th.win_back_min_lifetime_spend_yen))
        r: dict = {}
        f: dict = {}
        churn = win_back = 0
        for (days, visits, rich), c in dv.items():
            r[-days] = r.get(-days, 0) + c
            f[visits] = f.get(visits, 0) + c
            if days >= th.churn_risk_days:
                churn += c
            if days >= th.win_back_days and rich:
                win_back += c
        m = {spend: c for (visited, spend), c in sp.items() if visited}
        by_spend = dict(m)
        for (visited, spend), c in sp.items():
            if not visited:
                by_spend[spend] = by_spend.get(spend, 0) + c
        cuts = {"r": quintile_cuts(r.items()), "f": quintile_cuts(f.items()), "m": quintile_cuts(m.items())}
        threshold = vip_threshold_from_histogram(by_spend.items(), th.vip_top_percent)
        vip = 0 if threshold is None else sum(c for v, c in by_spend.items() if v >= threshold and v > 0)
        counts = {"vip": vip, "churn_risk": churn, "win_back": win_back}
        members = sum(sp.values())
        lap("histograms")
        return members, cuts, threshold, counts, {"v": STATE_VERSION, "hwm": int(hwm), "cut": cut}

    @staticmethod
    def _recompute_all(con, cut: str) -> None:
        """temp.seg_12m for every member: the earns of the last 365 days per member from the
        covering partial index ix_ledger_earn_member (read in member order: no table rows, no sort)
        ... less those voided: every void's member and reversed id (ix_ledger_member_voids), the
        reversed entries' rowids looked up in the ledger's id index in id order (temp.seg_voided;
        in the voids' member order the probes land on random pages of that index: at a million
        members most of the time of this step), then those rowids among the member's earns of the
        window in ix_ledger_earn_member, in member order. Indexes only, no row of the ledger table."""
        con.execute("INSERT INTO temp.seg_12m SELECT member_id, count(*), coalesce(sum(amount_yen), 0) "
                    "FROM ledger WHERE kind = 'earn' AND created_at >= ? GROUP BY member_id", (cut,))
        con.execute("DROP TABLE IF EXISTS temp.seg_voids")
        con.execute("DROP TABLE IF EXISTS temp.seg_voided")
        con.execute("CREATE TEMP TABLE seg_voids AS SELECT reverses_id, member_id FROM ledger INDEXED BY "
                    "ix_ledger_member_voids WHERE kind = 'void' AND reverses_id IS NOT NULL ORDER BY reverses_id")
        con.execute("CREATE TEMP TABLE seg_voided AS SELECT v.member_id AS member_id, o.rowid AS entry"
                    " FROM temp.seg_voids v CROSS JOIN ledger o ON o.id = v.reverses_id ORDER BY 1, 2")
        con.execute(
            "UPDATE temp.seg_12m SET visits = visits - v.n, spend = spend - v.yen FROM ("
            " SELECT e.member_id AS member_id, count(*) AS n, coalesce(sum(e.amount_yen), 0) AS yen"
            " FROM temp.seg_voided v"
            " CROSS JOIN ledger e INDEXED BY ix_ledger_earn_member ON e.member_id = v.member_id"
            " AND e.rowid = v.entry"
            " WHERE e.kind = 'earn' AND e.created_at >= ?"
            " GROUP BY e.member_id) AS v WHERE seg_12m.member_id = v.member_id", (cut,))
        con.execute("DROP TABLE temp.seg_voids")
        con.execute("DROP TABLE temp.seg_voided")

    @staticmethod
    def _recompute_dirty(con, state: dict, cut: str) -> None:
        """temp.seg_12m for the members whose 12-month figures can differ from their stored row
        (temp.seg_dirty): every member with an entry after the last refresh's seq (and the member
        of any entry a new void reverses), every member with an earn that left the window since
        the last refresh, and every merge survivor (a merge moves the duplicate's entries onto the
        survivor without new seqs). Their figures are recomputed exactly, member by member, from
        ix_ledger_earn_member and ix_ledger_member_voids."""
        con.execute("CREATE TEMP TABLE seg_dirty (member_id TEXT PRIMARY KEY) WITHOUT ROWID")
        con.execute("INSERT OR IGNORE INTO temp.seg_dirty SELECT member_id FROM ledger WHERE seq > ?", (state["hwm"],))
        con.execute("INSERT OR IGNORE INTO temp.seg_dirty SELECT o.member_id FROM ledger v"
                    " CROSS JOIN ledger o ON o.id = v.reverses_id WHERE v.seq > ? AND v.kind = 'void'",
                    (state["hwm"],))
        if state["cut"] < cut:
            con.execute("INSERT OR IGNORE INTO temp.seg_dirty SELECT member_id FROM ledger INDEXED BY ix_ledger_created"
                        " WHERE created_at >= ? AND created_at < ? AND kind = 'earn'", (state["cut"], cut))
        con.execute("INSERT OR IGNORE INTO temp.seg_dirty SELECT merged_into FROM members INDEXED BY ix_members_not_active"
                    " WHERE status <> 'active' AND status = 'merged' AND merged_into IS NOT NULL")
        con.execute("INSERT INTO temp.seg_12m SELECT e.member_id, count(*), coalesce(sum(e.amount_yen), 0)"
                    " FROM temp.seg_dirty d CROSS JOIN ledger e INDEXED BY ix_ledger_earn_member"
                    " ON e.member_id = d.member_id AND e.kind = 'earn' AND e.created_at >= ? GROUP BY e.member_id",
                    (cut,))
        con.execute("INSERT OR IGNORE INTO temp.seg_12m SELECT member_id, 0, 0 FROM temp.seg_dirty")
        con.execute(
            "UPDATE temp.seg_12m SET visits = visits - v.n, spend = spend - v.yen FROM ("
            " SELECT e.member_id AS member_id, count(*) AS n, coalesce(sum(e.amount_yen), 0) AS yen"
            " FROM temp.seg_dirty d CROSS JOIN ledger v INDEXED BY ix_ledger_member_voids"
            " ON v.member_id = d.member_id AND v.kind = 'void'"
            " CROSS JOIN ledger o ON o.id = v.reverses_id"
            " CROSS JOIN ledger e INDEXED BY ix_ledger_earn_member ON e.member_id = v.member_id"
            " AND e.rowid = o.rowid"
            " WHERE e.kind = 'earn' AND e.created_at >= ?"
            " GROUP BY e.member_id) AS v WHERE seg_12m.member_id = v.member_id", (cut,))

    @staticmethod
    def _changed(con, scored: str) -> int:
        """temp.seg_changed: the scored rows that differ from the stored ones (or have none)."""
        same = ("s.had AND s.rfm_r = s.o_r AND s.rfm_f = s.o_f AND s.rfm_m = s.o_m AND s.visits = s.o_visits"
                " AND s.spend = s.o_spend AND s.vip = s.o_vip AND s.churn_risk = s.o_cr AND s.win_back = s.o_wb")
        con.execute("CREATE TEMP TABLE seg_changed AS SELECT s.member_id, s.rfm_r, s.rfm_f, s.rfm_m, s.visits,"
                    f" s.spend, s.vip, s.churn_risk, s.win_back FROM ({scored}) AS s WHERE NOT coalesce({same}, 0)")
        return con.execute("SELECT max(rowid) FROM temp.seg_changed").fetchone()[0] or 0

    def _write(self, con, n: int, state: dict) -> None:
        """The changed rows → member_segments, CHUNK rows per write transaction; then the rows of
        members no longer active (merged, deleted: ix_members_not_active) are deleted and the
        refresh state saved, in one short transaction."""
        segments = ("'[' || rtrim(CASE WHEN vip THEN '\"vip\",' ELSE '' END"
                    " || CASE WHEN churn_risk THEN '\"churn_risk\",' ELSE '' END"
                    " || CASE WHEN win_back THEN '\"win_back\",' ELSE '' END, ',') || ']'")
        cols = ("rfm_r", "rfm_f", "rfm_m", "visits_12m", "spend_12m_yen", "vip", "churn_risk", "win_back", "segments")
        # an upsert updates a member's row in place
        insert = (f"INSERT INTO member_segments (member_id, {', '.join(cols)}) "
                  "SELECT member_id, rfm_r, rfm_f, rfm_m, visits, spend, vip, churn_risk, "
                  f"win_back, {segments} FROM temp.seg_changed WHERE rowid BETWEEN ? AND ? "
                  "ON CONFLICT (member_id) DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in cols))
        for start in range(1, n + 1, CHUNK):
            con.execute("BEGIN IMMEDIATE")
            try:
                con.execute(insert, (start, start + CHUNK - 1))
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
        con.execute("BEGIN IMMEDIATE")
        try:
            con.execute("DELETE FROM member_segments WHERE member_id IN (SELECT id FROM members INDEXED BY "
                        "ix_members_not_active WHERE status <> 'active')")
            con.execute("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET "
                        "value = excluded.value", (STATE_KEY, json.dumps(state)))
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")
        self.store._settings_cache = None

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

    def read_time(self, last_visit_at: str | None, visits_12m: int, *, rule_set=None) -> tuple[int | None, int]:
        """(days since the last visit, churn score) as of now: whole store-local calendar days
        between the last visit and today, and churn_score() of them and the 12-month visits."""
        now = self.store.now()
        rule_set = rule_set or self.store.rules.valid_at(now)
        if not last_visit_at:
            return None, 0
        zone = rule_set.zone
        days = (now.astimezone(zone).date() - parse_iso(last_visit_at).astimezone(zone).date()).days
        return days, churn_score(days, int(visits_12m or 0), int(rule_set.segments.churn_risk_days))

    def of(self, member_id: str) -> MemberSegment | None:
        """The member's stored segments, with days_since_visit and churn_score as of now."""
        with self.store.db.read() as s:
            row = s.get(MemberSegment, member_id)
            if row is None:
                return None
            last = s.scalar(select(Member.last_visit_at).where(Member.id == member_id))
        row.days_since_visit, row.churn_score = self.read_time(last, row.visits_12m)
        return row
