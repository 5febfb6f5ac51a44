"""HQ jobs: win-back, churn, VIP, tiers, point expiry, rainy day, overstock — and their scheduler.

``run_job(svc, name, day)`` runs one job for one store-local day and leaves a ``job_runs`` row
(what it did, as JSON). Every effect is keyed by (job, day, member) in ``job_items`` (and the
coupon / ledger / notification ids are UUIDv5 of the same key), so a rerun of the same day issues
nothing twice. A win-back or churn coupon is issued once per absence: not again while the member
has not visited since the last one. On PostgreSQL a run that wrote a large share of a table
ANALYZEs it afterwards (VACUUM (ANALYZE) when it rewrote rows), so the next job is not planned on
the statistics of before (``maintenance`` in the run record; see ``_refresh_statistics``).

The scheduler (``Scheduler``) runs inside ``python -m hq serve`` (every worker starts one): each job
has a store-local time of day; a worker claims (job, day) with one conditional UPDATE on
``job_leases`` (a lease with an expiry, so a crashed worker's claim is taken over), so with several
workers a job runs once a day.

Thresholds come from the rule set in force (``coupons[].trigger`` for win-back, ``segments`` for
churn and VIP, ``tiers`` for ranks, ``expiry`` for lots) and from the HQ-only ``jobs:`` part of its
campaign file (hq/CAMPAIGNS.md).
"""
from __future__ import annotations

import calendar
import contextvars
import csv
import json
import logging
import math
import os
import socket
import threading
import uuid
from collections import defaultdict
from concurrent.futures import Future, ThreadPoolExecutor
from hashlib import sha1
from itertools import chain, groupby
from operator import itemgetter
from time import perf_counter
from datetime import date, datetime, time, timedelta, timezone
from fractions import Fraction

import httpx
from sqlalchemy import bindparam, func, select, text, update

from app.rules import RuleSet, expiry_for
from hq.campaigns import current_extras, publish_derived
from hq.models import JobLease, JobRun, WeatherMark
from hq.notify import insert_ignore
from hq.service import PROFILE_FIELDS

log = logging.getLogger("hq.jobs")
JOB_NS = uuid.UUID("a3c1f0de-5b7e-4c39-8d2a-61f4e0b9c7a5")
EXPIRE_NS = uuid.UUID("6f1c1d43-7c55-4d0e-9d43-3e1f5d1a7a11")  # the store's (app/services/ledger.py): same ids
_EXPIRE_NS_BYTES = EXPIRE_NS.bytes

# job → store-local time it runs at (the rainy-day job looks at tomorrow, so stores get it overnight)
SCHEDULE = {"expiry": time(2, 0), "tiers": time(3, 0), "vip": time(3, 30), "win_back": time(4, 0),
            "churn": time(4, 30), "rainy_day": time(18, 0)}
JOBS = ("expiry", "tiers", "vip", "win_back", "churn", "rainy_day", "overstock")


def _iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse_iso(text_: str) -> datetime:
    dt = datetime.fromisoformat(text_.replace("Z", "+00:00"))
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def _midnight(rs: RuleSet, day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=rs.zone)


class JobError(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# Running a job
# ---------------------------------------------------------------------------------------------
def local_today(svc, now: datetime | None = None) -> date:
    now = now or datetime.now(timezone.utc)
    with svc.db.read() as s:
        rs, _ = current_extras(s, now)
    return now.astimezone(rs.zone).date()


def run_job(svc, name: str, day: date | None = None, *, trigger: str = "cli", now: datetime | None = None,
            **opts) -> dict:
    if name not in JOBS:
        raise JobError(f"unknown job {name!r} (one of {', '.join(JOBS)})")
    now = now or datetime.now(timezone.utc)
    day = day or local_today(svc, now)
    started = _iso(datetime.now(timezone.utc))
    with svc.db.write() as s:
        run = JobRun(job=name, run_date=day.isoformat(), trigger=trigger, status="running", started_at=started,
                     summary={})
        s.add(run)
        s.flush()
        run_id = run.id
    try:
        token = _WRITTEN.set({})
        try:
            summary = globals()[f"job_{name}"](svc, day, now, **opts)
            written = _WRITTEN.get()
        finally:
            _WRITTEN.reset(token)
        status = "done"
        maintained = _refresh_statistics(svc, written)
        if maintained:
            summary = {**summary, "maintenance": maintained}
    except Exception as exc:
        summary, status = {"error": f"{type(exc).__name__}: {exc}"}, "failed"
        log.exception("job %s %s failed", name, day)
        raise
    finally:
        with svc.db.write() as s:
            s.execute(update(JobRun).where(JobRun.id == run_id).values(
                status=status, finished_at=_iso(datetime.now(timezone.utc)), summary=_jsonable(summary)))
    return {"run_id": run_id, "job": name, "date": day.isoformat(), "status": status, **summary}


# rows each table got from this job run ({table: {"inserted": n, "updated": n}}), noted by the
# set-based helpers: after a run that changed a table heavily its planner statistics are stale (a
# catch-up expiry adds millions of ledger / feed / job-item rows and rewrites most members' rows)
# and the next job's plans go wrong — autovacuum may be off, and is minutes late at best
_WRITTEN: contextvars.ContextVar[dict | None] = contextvars.ContextVar("hq_jobs_written", default=None)
ANALYZE_SHARE = 0.1  # rows written, as a share of the rows the planner believes the table has (+ ANALYZE_MIN)
ANALYZE_MIN = 10000
VACUUM_SHARE = 0.2  # rows updated or deleted (each leaves a dead copy): VACUUM (ANALYZE) instead


def _note(table: str, n: int, how: str = "inserted") -> None:
    written = _WRITTEN.get()
    if written is not None and n and n > 0 and not table.startswith("tmp_"):
        t = written.setdefault(table, {})
        t[how] = t.get(how, 0) + int(n)


def _refresh_statistics(svc, written: dict | None) -> dict:
    """PostgreSQL only: after a job run, ANALYZE each table it wrote more than ANALYZE_SHARE of
    (against pg_class.reltuples, what the planner goes by), and VACUUM (ANALYZE) a table whose
    rows it updated or deleted beyond VACUUM_SHARE (a rewrite of most members leaves a second copy
    of every row for the next job's scans to wade through). Returns {table: {"op", "rows", "s"}}
    for the run record; {} when nothing was due. A failure here is logged, not the job's."""
    if not _pg(svc) or not written:
        return {}
    import time as _time

    out: dict = {}
    try:
        with svc.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            believed = dict(conn.execute(text(
                "SELECT c.relname, GREATEST(c.reltuples, 0) FROM pg_class c "
                "WHERE c.relnamespace = CAST(current_schema() AS regnamespace) AND c.relkind = 'r' "
                "AND c.relname = ANY(:t)"), {"t": sorted(written)}).all())
            for rel in sorted(written):
                if rel not in believed:
                    continue
                w = written[rel]
                rows = sum(w.values())
                base = float(believed[rel])
                if rows <= ANALYZE_SHARE * base + ANALYZE_MIN:
                    continue
                dead = w.get("updated", 0) + w.get("deleted", 0)
                op = "vacuum analyze" if dead > VACUUM_SHARE * base + ANALYZE_MIN else "analyze"
                t0 = _time.perf_counter()
                conn.execute(text(f'{"VACUUM (ANALYZE)" if op != "analyze" else "ANALYZE"} "{rel}"'))
                out[rel] = {"op": op, "rows": rows, "s": round(_time.perf_counter() - t0, 2)}
    except Exception:  # noqa: BLE001 - statistics are an optimisation; the job's effects are committed
        log.exception("refreshing statistics after a job failed")
    return out


def _analyze_temp(svc, s, name: str) -> None:
    """Statistics for a filled staging table (PostgreSQL never auto-analyzes temp tables, so
    without this the planner guesses their size and spread from the page count)."""
    if _pg(svc):
        s.execute(text(f"ANALYZE {name}"))


def _jsonable(obj):
    return json.loads(json.dumps(obj, default=str))


def runs(svc, job: str | None = None, limit: int = 50) -> list[dict]:
    with svc.db.read() as s:
        q = select(JobRun).order_by(JobRun.id.desc()).limit(limit)
        if job:
            q = q.where(JobRun.job == job)
        return [{"run_id": r.id, "job": r.job, "date": r.run_date, "trigger": r.trigger, "status": r.status,
                 "started_at": r.started_at, "finished_at": r.finished_at, "summary": r.summary}
                for r in s.scalars(q)]


def _context(svc, day: date):
    with svc.db.read() as s:
        # the version in force at the start of the day
        probe = datetime.combine(day, time(12), tzinfo=timezone.utc)
        rs, extras = current_extras(s, probe)
        at = _midnight(rs, day)
        rs, extras = current_extras(s, at)
    return rs, extras, at


# ---------------------------------------------------------------------------------------------
# Set-based SQL: one write transaction per job, staging tables, INSERT … SELECT, UPDATE … FROM.
# The same statements run on PostgreSQL and SQLite (≥ 3.33: UPDATE … FROM, window functions);
# where the two differ (JSON builders, INSERT OR IGNORE / ON CONFLICT, temp tables, COPY) the
# helpers below branch on the dialect.
# ---------------------------------------------------------------------------------------------
def _pg(svc) -> bool:
    return not svc.db.is_sqlite


def _begin(svc, s, job: str) -> None:
    """Start a job's write transaction: one run of a job at a time (PostgreSQL: an advisory lock
    per job; SQLite has one writer anyway) and enough memory for its hash joins and sorts."""
    if _pg(svc):
        s.execute(text("SET LOCAL work_mem = '256MB'"))
        s.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": 727000 + JOBS.index(job)})


def _temp(svc, s, name: str, columns: str) -> None:
    """A staging table private to this transaction's connection (dropped at commit on PostgreSQL;
    SQLite keeps temp tables on the pooled connection, so an old one is dropped first)."""
    if _pg(svc):
        s.execute(text(f"CREATE TEMP TABLE {name} ({columns}) ON COMMIT DROP"))
    else:
        s.execute(text(f"DROP TABLE IF EXISTS temp.{name}"))
        s.execute(text(f"CREATE TEMP TABLE {name} ({columns})"))


def _fill(svc, s, name: str, columns: tuple[str, ...], rows) -> None:
    """Rows computed in Python (ids that are UUIDv5 of the job key, lots replayed) into a staging
    table: COPY on PostgreSQL, one executemany on SQLite."""
    if _pg(svc):
        svc._copy(s, name, columns, rows)
        return
    rows = [dict(zip(columns, r)) for r in rows]
    if rows:
        s.execute(text(f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)})"),
                  rows)


def _insert_select(svc, s, table: str, columns: str, select_sql: str, params: dict,
                   conflict: str | None = None) -> int:
    """INSERT INTO table (columns) SELECT …, skipping rows whose key exists when ``conflict`` is
    given (ON CONFLICT DO NOTHING / INSERT OR IGNORE). Returns the rows inserted."""
    if conflict and not _pg(svc):
        sql = f"INSERT OR IGNORE INTO {table} ({columns}) {select_sql}"
    else:
        sql = f"INSERT INTO {table} ({columns}) {select_sql}"
        if conflict:
            sql += f" ON CONFLICT ({conflict}) DO NOTHING"
    n = s.execute(text(sql), params).rowcount
    n = n if n and n > 0 else 0
    _note(table, n)
    return n


def _emit_select(svc, s, select_sql: str, params: dict) -> int:
    """Change-feed rows straight from a query (``select_sql`` yields kind, member_id, data), in
    the caller's transaction: the set-based twin of ``HQService._emit``, following the feed's
    ordering protocol on PostgreSQL as ``_emit`` does (hq/service.py's module docstring): the
    feed writers' shared lock keyed by the sequence's last value before any id is drawn (or, with
    an older service, the feed's exclusive advisory lock and a NOTIFY). SQLite: one writer."""
    from hq import service as hq_service

    if hasattr(svc, "_emit_select"):
        n = svc._emit_select(s, select_sql, params)
        _note("changes", n or 0)
        return n
    band = getattr(hq_service, "FEED_BAND", None)
    if _pg(svc):
        if band is not None:
            if not s.info.get("feed_lock"):
                s.execute(text(f"SELECT pg_advisory_xact_lock_shared({band} + {hq_service._SEQ_LAST})::text"))
                s.info["feed_lock"] = True
        else:
            s.execute(text("SELECT pg_advisory_xact_lock(727274)"))
    n = s.execute(text(f"INSERT INTO changes (kind, member_id, data, created_at) "
                       f"SELECT q.kind, q.member_id, q.data, :emit_now FROM ({select_sql}) q"),
                  {**params, "emit_now": _iso(datetime.now(timezone.utc))}).rowcount
    _note("changes", n or 0)
    if n:
        s.info["feed_changed"] = True  # the service wakes the streams after the commit
        if _pg(svc) and band is None:
            s.execute(text(f"NOTIFY {hq_service.NOTIFY_CHANNEL}"))
    return n


def _t(name: str) -> str:
    return f"CAST(:{name} AS TEXT)"


def _i(name: str) -> str:
    return f"CAST(:{name} AS BIGINT)"


def _jobj(svc, pairs: list[tuple[str, str]]) -> str:
    """A JSON object built by the database from (key, SQL expression) pairs."""
    fn = "json_build_object" if _pg(svc) else "json_object"
    return f"{fn}(" + ", ".join(f"'{k}', {v}" for k, v in pairs) + ")"


def _jconst(svc, name: str) -> str:
    """A JSON value passed as text in parameter ``name``."""
    return f"CAST(:{name} AS JSON)" if _pg(svc) else f"json(:{name})"


def _jnest(svc, expr: str) -> str:
    """A stored JSON column (or a built object) nested inside a built object."""
    return expr if _pg(svc) else f"json({expr})"


def _jbool(svc, cond: str) -> str:
    return f"({cond})" if _pg(svc) else f"json(CASE WHEN {cond} THEN 'true' ELSE 'false' END)"


def _notify_select(svc, s, template: str, key_sql: str, params_sql: str, from_sql: str, params: dict) -> int:
    """The notification outbox from a query (hq/notify.py's rules, set-based): one row per
    member × channel, only for active members who consented and have an address on it.
    ``from_sql`` must join the members as ``m``; ``key_sql`` is the dedupe key without the channel."""
    n = 0
    for ch, col in (("line", "m.line_user_id"), ("email", "m.email")):
        n += _insert_select(
            svc, s, "notifications", "dedupe_key, member_id, channel, template, params, status, attempts, created_at",
            f"SELECT {key_sql} || ':' || '{ch}', m.id, '{ch}', '{template}', {params_sql}, 'pending', 0, {_t('n_created')} "
            f"{from_sql} AND m.consent_marketing AND m.status = 'active' AND {col} IS NOT NULL AND {col} <> ''",
            {**params, "n_created": _iso(datetime.now(timezone.utc))}, "dedupe_key")
    return n


def _member_json(svc, m: str = "m") -> list[tuple[str, str]]:
    """hq.service.HQService.member_dict, built by the database (the store-visible member record)."""
    fields = [(f, _jbool(svc, f"{m}.{f}") if f == "consent_marketing" else f"{m}.{f}") for f in PROFILE_FIELDS]
    return [("member_id", f"{m}.id"), ("member_no", f"{m}.member_no"), ("status", f"{m}.status"),
            ("merged_into", f"{m}.merged_into"), ("home_store_id", f"{m}.home_store_id"), ("tier", f"{m}.tier"),
            ("balance", f"{m}.balance"), ("fields", _jnest(svc, _jobj(svc, fields))),
            ("field_times", _jnest(svc, f"{m}.field_times")), ("created_at", f"{m}.created_at"),
            ("updated_at", f"{m}.updated_at")]


# ---------------------------------------------------------------------------------------------
# Coupons (win-back, churn)
# ---------------------------------------------------------------------------------------------
def _issue_coupons(svc, s, job: str, day: date, rs: RuleSet, template_id: str, member_ids: list[str],
                   now: datetime) -> int:
    """Coupons + job items + change-feed rows + notifications for ``member_ids``, set-based inside
    the caller's transaction. Members already holding this job's item for the day are skipped
    (a rerun issues nothing twice); coupon ids are UUIDv5 of (job, day, member, template)."""
    tpl = rs.coupon(template_id)
    value = int(tpl.points if tpl.kind == "bonus_points" else tpl.yen)
    expires_at = now + timedelta(hours=tpl.valid_hours)
    d = day.isoformat()
    _temp(svc, s, "tmp_job_issue", "member_id VARCHAR(36) PRIMARY KEY, ref VARCHAR(64) NOT NULL")
    _fill(svc, s, "tmp_job_issue", ("member_id", "ref"),
          ((m, str(uuid.uuid5(JOB_NS, f"{job}:{d}:{m}:{template_id}"))) for m in member_ids))
    p = {"job": job, "day": d, "now": _iso(now), "tpl": template_id, "kind": tpl.kind, "value": value,
         "expires": _iso(expires_at), "version": rs.version}
    s.execute(text("DELETE FROM tmp_job_issue WHERE EXISTS (SELECT 1 FROM job_items j WHERE j.job = :job "
                   "AND j.run_date = :day AND j.member_id = tmp_job_issue.member_id)"), p)
    n = s.scalar(text("SELECT count(*) FROM tmp_job_issue"))
    if not n:
        return 0
    _insert_select(svc, s, "job_items", "job, run_date, member_id, kind, ref, created_at",
                   f"SELECT {_t('job')}, {_t('day')}, t.member_id, 'coupon', t.ref, {_t('now')} FROM tmp_job_issue t",
                   p, "job, run_date, member_id")
    data = _jobj(svc, [("coupon_id", "t.ref"), ("member_id", "t.member_id"), ("template_id", _t("tpl")),
                       ("kind", _t("kind")), ("value", _i("value")), ("issued_at", _t("now")),
                       ("expires_at", _t("expires")), ("source", _t("job")), ("rule_set_version", _t("version"))])
    _insert_select(svc, s, "coupons", "id, member_id, data, used_entry_id",
                   f"SELECT t.ref, t.member_id, {data}, NULL FROM tmp_job_issue t", p, "id")
    _emit_select(svc, s, f"SELECT 'coupon' AS kind, t.member_id AS member_id, {data} AS data FROM tmp_job_issue t", p)
    params = json.dumps({"title": tpl.name_ja, "value": f"{value}{'pt' if tpl.kind == 'bonus_points' else '円引'}",
                         "expires": expires_at.astimezone(rs.zone).strftime("%m/%d %H:%M")}, ensure_ascii=False)
    _notify_select(svc, s, "coupon", f"'coupon:' || {_t('job')} || ':' || {_t('day')} || ':' || m.id",
                   _jconst(svc, "nparams"), "FROM tmp_job_issue t JOIN members m ON m.id = t.member_id WHERE 1 = 1",
                   {**p, "nparams": params})
    return int(n)


# no coupon from this job since the member's last visit (one per absence)
_NOT_ISSUED_SINCE_VISIT = ("NOT EXISTS (SELECT 1 FROM job_items j WHERE j.job = :job AND j.member_id = m.id "
                           "AND j.created_at > COALESCE(m.last_visit_at, ''))")


def job_win_back(svc, day: date, now: datetime, **_) -> dict:
    rs, extras, at = _context(svc, day)
    out = {"rule_set": rs.version, "templates": {}}
    with svc.db.write() as s:
        _begin(svc, s, "win_back")
        for tpl in rs.coupons:
            if tpl.trigger is None or tpl.trigger.type != "win_back":
                continue
            days = tpl.trigger.days_without_visit or 0
            min_spend = tpl.trigger.min_lifetime_spend_yen or 0
            # last visit on a store-local day at least `days` before today
            before = _iso(_midnight(rs, day - timedelta(days=days - 1)))
            ids = list(s.scalars(text(
                "SELECT m.id FROM members m WHERE m.status = 'active' AND m.last_visit_at IS NOT NULL "
                f"AND m.last_visit_at < :before AND m.lifetime_spend_yen >= :min AND {_NOT_ISSUED_SINCE_VISIT} "
                "ORDER BY m.id"), {"before": before, "min": min_spend, "job": "win_back"}))
            n = _issue_coupons(svc, s, "win_back", day, rs, tpl.id, ids, now)
            out["templates"][tpl.id] = {"eligible": len(ids), "issued": n, "days_without_visit": days,
                                        "min_lifetime_spend_yen": min_spend}
    out["issued"] = sum(v["issued"] for v in out["templates"].values())
    return out


def churn_score(days_since: int, visits: int, first: datetime | None, last: datetime | None) -> float:
    """1 − exp(−days since the last visit / the member's usual gap between visits): a weekly
    customer gone 60 days scores ~1.0, one who comes every 90 days ~0.49. One visit only: the
    usual gap is taken as 30 days."""
    gap = 30.0
    if visits >= 2 and first and last and last > first:
        gap = max(1.0, (last - first).total_seconds() / 86400 / (visits - 1))
    return 1 - math.exp(-days_since / gap)


def job_churn(svc, day: date, now: datetime, **_) -> dict:
    rs, extras, at = _context(svc, day)
    conf = (extras.get("jobs") or {}).get("churn") or {}
    days = int(conf.get("days_without_visit") or rs.segments.churn_risk_days)
    min_score = float(conf.get("min_score") if conf.get("min_score") is not None else 0.7)
    template = conf.get("coupon")
    if template is None:
        template = next((c.id for c in rs.coupons if c.trigger and c.trigger.type == "manual"), None) or \
            next((c.id for c in rs.coupons if c.trigger and c.trigger.type == "win_back"), None)
    if template is None or rs.coupon(template) is None:
        return {"rule_set": rs.version, "issued": 0, "note": "no churn coupon template in the rule set"}
    before = _iso(_midnight(rs, day - timedelta(days=days - 1)))
    with svc.db.write() as s:
        _begin(svc, s, "churn")
        # the lapsed members with their visits (earns) and first visit, in one grouped join
        cand = s.execute(text(
            "SELECT m.id, m.last_visit_at, COUNT(l.id), MIN(l.created_at) FROM members m "
            "LEFT JOIN ledger l ON l.member_id = m.id AND l.kind = 'earn' "
            "WHERE m.status = 'active' AND m.last_visit_at IS NOT NULL AND m.last_visit_at < :before "
            f"AND {_NOT_ISSUED_SINCE_VISIT} GROUP BY m.id, m.last_visit_at ORDER BY m.id"),
            {"before": before, "job": "churn"}).all()
        chosen = []
        for mid, last, n, first in cand:
            last_dt = _parse_iso(last)
            since = (day - last_dt.astimezone(rs.zone).date()).days
            if not n:
                n, first = 1, None
            if churn_score(since, int(n), _parse_iso(first) if first else None, last_dt) >= min_score:
                chosen.append(mid)
        n = _issue_coupons(svc, s, "churn", day, rs, template, chosen, now)
    return {"rule_set": rs.version, "template": template, "days_without_visit": days, "min_score": min_score,
            "lapsed": len(cand), "high_score": len(chosen), "issued": n}


# ---------------------------------------------------------------------------------------------
# 12-month spend: VIP and tiers
# ---------------------------------------------------------------------------------------------
def _stage_annual_spends(svc, s, at: datetime) -> None:
    """tmp_job_spend(member_id, spend): every active member's spend on earns in the 365 days
    before ``at``, voided earns excluded (members without an earn there have no row: ¥0)."""
    _temp(svc, s, "tmp_job_spend", "member_id VARCHAR(36) PRIMARY KEY, spend BIGINT NOT NULL")
    _insert_select(svc, s, "tmp_job_spend", "member_id, spend",
                   "SELECT l.member_id, SUM(COALESCE(l.amount_yen, 0)) FROM ledger l "
                   "WHERE l.kind = 'earn' AND l.created_at >= :since AND l.created_at < :until "
                   "AND NOT EXISTS (SELECT 1 FROM ledger v WHERE v.reverses_id = l.id AND v.kind = 'void' "
                   "AND v.created_at >= :since) "
                   "AND EXISTS (SELECT 1 FROM members m WHERE m.id = l.member_id AND m.status = 'active') "
                   "GROUP BY l.member_id",
                   {"since": _iso(at - timedelta(days=365)), "until": _iso(at)})
    _analyze_temp(svc, s, "tmp_job_spend")


def annual_spends(s, at: datetime) -> dict[str, int]:
    """Every member's spend on earns in the 365 days before ``at``, voided earns excluded."""
    since, until = _iso(at - timedelta(days=365)), _iso(at)
    q = text("SELECT l.member_id, SUM(l.amount_yen) FROM ledger l WHERE l.kind = 'earn' AND l.created_at >= :since "
             "AND l.created_at < :until AND NOT EXISTS (SELECT 1 FROM ledger v WHERE v.reverses_id = l.id "
             "AND v.kind = 'void' AND v.created_at >= :since) GROUP BY l.member_id")
    return {m: int(v or 0) for m, v in s.execute(q, {"since": since, "until": until})}


def job_vip(svc, day: date, now: datetime, **_) -> dict:
    """Top ``vip_top_percent`` % of active members by 12-month spend tagged (vip_threshold's
    rule, in SQL); tags added and removed; each change goes to the stores as a ``member.tag``
    change (the counter shows an added tag at the member's next scan)."""
    rs, extras, at = _context(svc, day)
    tag = ((extras.get("jobs") or {}).get("vip") or {}).get("tag") or "vip"
    stamp = _iso(now)
    with svc.db.write() as s:
        _begin(svc, s, "vip")
        _stage_annual_spends(svc, s, at)
        active = s.scalar(text("SELECT count(*) FROM members WHERE status = 'active'"))
        # vip_threshold: the spend of the k-th best (¥0 for active members without earns), k = max(1, floor(share))
        threshold = None
        top = s.scalar(text("SELECT MAX(spend) FROM tmp_job_spend"))
        if top is not None and top > 0:
            k = max(1, active * rs.segments.vip_top_percent // 100)
            threshold = s.scalar(text("SELECT spend FROM tmp_job_spend ORDER BY spend DESC LIMIT 1 OFFSET :o"),
                                 {"o": k - 1})
            if threshold is None or threshold <= 0:
                threshold = s.scalar(text("SELECT MIN(spend) FROM tmp_job_spend WHERE spend > 0"))
            threshold = int(threshold)
        p = {"tag": tag, "thr": threshold if threshold is not None else (1 << 62), "day": day.isoformat(),
             "now": stamp}
        vip_q = "SELECT member_id FROM tmp_job_spend WHERE spend >= :thr AND spend > 0"
        _temp(svc, s, "tmp_job_tag", "member_id VARCHAR(36) PRIMARY KEY, added INTEGER NOT NULL")
        _insert_select(svc, s, "tmp_job_tag", "member_id, added",
                       f"SELECT member_id, 1 FROM ({vip_q}) v WHERE NOT EXISTS (SELECT 1 FROM member_tags g "
                       "WHERE g.member_id = v.member_id AND g.tag = :tag)", p)
        _insert_select(svc, s, "tmp_job_tag", "member_id, added",
                       f"SELECT g.member_id, 0 FROM member_tags g WHERE g.tag = :tag AND g.member_id NOT IN ({vip_q})", p)
        vip = s.scalar(text(f"SELECT count(*) FROM ({vip_q}) v"), p)
        added = s.scalar(text("SELECT count(*) FROM tmp_job_tag WHERE added = 1"))
        removed = s.scalar(text("SELECT count(*) FROM tmp_job_tag WHERE added = 0"))
        _note("member_tags", s.execute(text("DELETE FROM member_tags WHERE tag = :tag AND member_id IN "
                                            "(SELECT member_id FROM tmp_job_tag WHERE added = 0)"), p).rowcount,
              "deleted")
        _insert_select(svc, s, "member_tags", "member_id, tag, since",
                       f"SELECT member_id, {_t('tag')}, {_t('day')} FROM tmp_job_tag WHERE added = 1", p,
                       "member_id, tag")
        _insert_select(svc, s, "job_items", "job, run_date, member_id, kind, ref, created_at",
                       f"SELECT 'vip', {_t('day')}, member_id, 'tag', {_t('tag')}, {_t('now')} FROM tmp_job_tag "
                       "WHERE added = 1", p, "job, run_date, member_id")
        data = _jobj(svc, [("member_id", "t.member_id"), ("tag", _t("tag")), ("added", _jbool(svc, "t.added = 1")),
                           ("at", _t("now")), ("show_at_next_visit", _jbool(svc, "t.added = 1"))])
        _emit_select(svc, s, f"SELECT 'member.tag' AS kind, t.member_id AS member_id, {data} AS data "
                            "FROM tmp_job_tag t", p)
    return {"rule_set": rs.version, "tag": tag, "top_percent": rs.segments.vip_top_percent, "members": active,
            "threshold_yen": threshold, "vip": vip, "added": added, "removed": removed}


def _demotion_day(schedule: str, day: date) -> bool:
    if schedule == "daily":
        return True
    if schedule == "yearly":
        return day.month == 1 and day.day == 1
    return day.day == 1  # monthly (default)


def job_tiers(svc, day: date, now: datetime, **_) -> dict:
    """Ranks from annual spend (tier_for, as a CASE over the rule set's thresholds): a promotion
    at once, a demotion on the schedule's day (``jobs.tiers.schedule``: daily | monthly (1st,
    default) | yearly (1 Jan)). A change goes into the change feed with the member record
    (``tier``, ``tier_change``), and a promotion is also a notification for members who consented."""
    rs, extras, at = _context(svc, day)
    schedule = ((extras.get("jobs") or {}).get("tiers") or {}).get("schedule") or "monthly"
    demote_today = _demotion_day(schedule, day)
    stamp = _iso(now)
    p: dict = {"day": day.isoformat(), "now": stamp, "demote": 1 if demote_today else 0}
    new_case = "CASE"
    for i, t in reversed(list(enumerate(rs.tiers))):  # tier_for: the highest threshold reached
        p[f"tmin{i}"], p[f"tid{i}"] = t.min_annual_spend_yen, t.id
        new_case += f" WHEN (CASE WHEN sp.spend > 0 THEN sp.spend ELSE 0 END) >= :tmin{i} THEN {_t(f'tid{i}')}"
    new_case += " ELSE NULL END"
    if not rs.tiers:
        new_case = "CAST(NULL AS TEXT)"

    def order(col: str) -> str:
        if not rs.tiers:
            return "NULL"
        return "CASE " + " ".join(f"WHEN {col} = :tid{i} THEN {i}" for i in range(len(rs.tiers))) + " ELSE NULL END"

    with svc.db.write() as s:
        _begin(svc, s, "tiers")
        _stage_annual_spends(svc, s, at)
        _temp(svc, s, "tmp_job_tier", "member_id VARCHAR(36) PRIMARY KEY, from_tier VARCHAR(32), "
                                      "to_tier VARCHAR(32), direction VARCHAR(8) NOT NULL")
        members = s.scalar(text("SELECT count(*) FROM members WHERE status = 'active'"))
        # up: no tier yet, a tier this rule set does not know, or a higher one; else down
        _insert_select(svc, s, "tmp_job_tier", "member_id, from_tier, to_tier, direction",
                       "SELECT c.id, c.cur, c.new, CASE WHEN c.up = 1 THEN 'up' ELSE 'down' END FROM ("
                       f"SELECT y.id, y.cur, y.new, CASE WHEN y.cur IS NULL OR ({order('y.cur')}) IS NULL OR "
                       f"(y.new IS NOT NULL AND ({order('y.new')}) > ({order('y.cur')})) THEN 1 ELSE 0 END AS up FROM ("
                       f"SELECT m.id, m.tier AS cur, {new_case} AS new FROM members m "
                       "LEFT JOIN tmp_job_spend sp ON sp.member_id = m.id WHERE m.status = 'active') y "
                       "WHERE (y.new <> y.cur OR (y.new IS NULL) <> (y.cur IS NULL))) c "
                       "WHERE c.up = 1 OR :demote = 1", p)
        _analyze_temp(svc, s, "tmp_job_tier")
        changed = s.scalar(text("SELECT count(*) FROM tmp_job_tier"))
        promoted = s.scalar(text("SELECT count(*) FROM tmp_job_tier WHERE direction = 'up'"))
        # already changed by this job today (a rerun): nothing again
        s.execute(text("DELETE FROM tmp_job_tier WHERE EXISTS (SELECT 1 FROM job_items j WHERE j.job = 'tiers' "
                       "AND j.run_date = :day AND j.member_id = tmp_job_tier.member_id)"), p)
        _note("members", s.execute(text("UPDATE members SET tier = t.to_tier, updated_at = :now FROM tmp_job_tier t "
                                        "WHERE members.id = t.member_id"), p).rowcount, "updated")
        _insert_select(svc, s, "tier_changes", "member_id, from_tier, to_tier, direction, run_date, created_at",
                       f"SELECT member_id, from_tier, to_tier, direction, {_t('day')}, {_t('now')} FROM tmp_job_tier "
                       "ORDER BY member_id", p)
        _insert_select(svc, s, "job_items", "job, run_date, member_id, kind, ref, created_at",
                       f"SELECT 'tiers', {_t('day')}, member_id, 'tier', to_tier, {_t('now')} FROM tmp_job_tier", p,
                       "job, run_date, member_id")
        change = _jobj(svc, [("from", "t.from_tier"), ("to", "t.to_tier"), ("direction", "t.direction"),
                             ("at", _t("now")), ("show_at_next_visit", _jbool(svc, "t.direction = 'up'"))])
        data = _jobj(svc, _member_json(svc) + [("tier_change", _jnest(svc, change))])
        _emit_select(svc, s, f"SELECT 'member' AS kind, m.id AS member_id, {data} AS data FROM tmp_job_tier t "
                            "JOIN members m ON m.id = t.member_id", p)
        names = "CASE " + " ".join(f"WHEN t.to_tier = :tid{i} THEN {_t(f'tname{i}')}" for i in range(len(rs.tiers))) \
            + " ELSE t.to_tier END" if rs.tiers else "t.to_tier"
        for i, t in enumerate(rs.tiers):
            p[f"tname{i}"] = t.name_ja
        _notify_select(svc, s, "tier_up", f"'tier_up:' || {_t('day')} || ':' || m.id",
                       _jnest(svc, _jobj(svc, [("tier", names)])),
                       "FROM tmp_job_tier t JOIN members m ON m.id = t.member_id WHERE t.direction = 'up'", p)
    return {"rule_set": rs.version, "schedule": schedule, "demotions_today": demote_today, "members": members,
            "changed": changed, "promoted": promoted, "demoted": changed - promoted}


# ---------------------------------------------------------------------------------------------
# Point expiry
# ---------------------------------------------------------------------------------------------
class _ExpiryByHour:
    """expiry_for(rule set in force at t, t) for a credit made at ``created`` (UTC ISO text),
    shared by every member a job replays: worked out once per UTC hour when that is exact (the
    same rule set at both ends of the hour, and a whole-hour zone offset that does not change
    within it, so every moment of the hour has the same local day), else per credit."""

    def __init__(self, rule_sets: list[RuleSet]):
        self.rule_sets = rule_sets
        self.hours: dict[str, datetime | None] = {}

    def _rule_set(self, t: datetime) -> RuleSet:
        from app.rules import rule_set_for

        try:
            return rule_set_for(self.rule_sets, t)
        except Exception:  # noqa: BLE001 - older than every version: the first one
            return self.rule_sets[0]

    def __call__(self, created: str, t: datetime) -> datetime:
        return self.pair(created)[0]

    def pair(self, created: str) -> tuple[datetime, datetime]:
        """(the expiry, the same moment in UTC). The UTC one is what the replay compares: two
        datetimes with the very same tzinfo compare field by field, while a zone's (a ZoneInfo)
        asks it for the offset at each comparison. ``created`` is parsed only on a miss."""
        hour = created[:13]
        p = self.hours.get(hour, False)
        if p is False:
            t = _parse_iso(created)
            start = t.replace(minute=0, second=0, microsecond=0)
            end = start + timedelta(hours=1) - timedelta(microseconds=1)
            rs = self._rule_set(start)
            p = None
            if rs is self._rule_set(end):
                o1, o2 = start.astimezone(rs.zone).utcoffset(), end.astimezone(rs.zone).utcoffset()
                if o1 == o2 and o1.total_seconds() % 3600 == 0:
                    exp = expiry_for(rs, start)
                    p = (exp, exp.astimezone(timezone.utc))
            self.hours[hour] = p
        if p is None:
            t = _parse_iso(created)
            exp = expiry_for(self._rule_set(t), t)
            return exp, exp.astimezone(timezone.utc)
        return p


def _lots(rule_sets: list[RuleSet], entries: list[tuple], expiry: _ExpiryByHour | None = None) -> list[list]:
    """The member's lots after replaying the ledger the way the store keeps them: a credit opens a
    lot (expiry from the rule set in force when earned); a debit takes from the unexpired lots that
    expire first; a void of an earn takes from that earn's lot first. Each lot: [expires_at,
    remaining, entry_id]. Lots are kept sorted by expiry (bisect), so a member's replay is
    O(entries × log lots) plus the lots a debit walks over. Pass one ``expiry`` to share the
    expiry dates worked out between members."""
    from bisect import bisect_left, bisect_right

    pair = (expiry or _ExpiryByHour(rule_sets)).pair
    lots: list[list] = []
    keys: list[tuple] = []  # (expiry in UTC, n): the lots' order, for bisect
    by_entry: dict[str, list] = {}
    lo = 0  # every lot before this index is empty
    for eid, kind, points, created, reverses in entries:
        if points > 0:
            exp, exp_utc = pair(created)
            lot = [exp, points, eid]
            k = (exp_utc, len(keys))
            i = bisect_right(keys, k)
            keys.insert(i, k)
            lots.insert(i, lot)
            if i < lo:
                lo = i
            by_entry[eid] = lot
            continue
        t = _parse_iso(created)
        left = -points
        if kind == "void" and reverses in by_entry:
            lot = by_entry[reverses]
            take = min(left, lot[1])
            lot[1] -= take
            left -= take
        while lo < len(lots) and lots[lo][1] <= 0:
            lo += 1
        first = lo if kind == "expire" else max(lo, bisect_left(keys, (t,)))
        # lazily: a debit walks only the lots it takes from (a member with 400k entries made this quadratic)
        order = range(first, len(lots)) if first == lo else chain(range(first, len(lots)), range(lo, first))
        for idx in order:
            if not left:
                break
            lot = lots[idx]
            if lot[1] <= 0:
                continue
            take = min(left, lot[1])
            lot[1] -= take
            left -= take
    return lots


class _Laps:
    """Seconds spent in each phase of a job, for its run record (``phases_s``)."""

    def __init__(self):
        self.laps: dict[str, float] = {}
        self._t = perf_counter()

    def __call__(self, name: str) -> None:
        t = perf_counter()
        self.laps[name] = round(self.laps.get(name, 0.0) + t - self._t, 2)
        self._t = t


def _months_back(day: date, months: int) -> date:
    idx = day.year * 12 + day.month - 1 - months
    y, m = divmod(idx, 12)
    return date(y, m + 1, min(day.day, calendar.monthrange(y, m + 1)[1]))


def _expire_id(lot_id: str) -> str:
    """str(uuid.uuid5(EXPIRE_NS, f"{lot_id}:0")), the id the store gives a lot's expiry, without
    the UUID object (a first run makes millions of them)."""
    b = bytearray(sha1(_EXPIRE_NS_BYTES + f"{lot_id}:0".encode()).digest()[:16])
    b[6] = (b[6] & 0x0F) | 0x50
    b[8] = (b[8] & 0x3F) | 0x80
    h = b.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _replay_batch(batch, entries, rule_sets, expiry, at, listing, first_next, last_next, zone, seq,
                  expired: list, listed: list, reasons: dict) -> tuple[int, int, int]:
    """Replay each member of ``batch`` ((member_id, balance, due) rows) from ``entries``: a due
    member's lots past ``at`` go into ``expired`` as (seq, id, member_id, -points, reason), capped
    by the balance; with ``listing``, next month's expiring points into ``listed``. Returns the last
    seq and the members and points listed."""
    n_listed = pts_listed = 0
    for mid, balance, due in batch:
        lots = _lots(rule_sets, entries.get(mid, ()), expiry)  # in expiry order already (ties: as earned)
        if due:
            for lot in lots:
                exp, remaining, lot_id = lot
                if remaining <= 0 or exp >= at or balance <= 0:
                    continue
                pts = min(remaining, balance)
                seq += 1
                reason = reasons.get(exp)
                if reason is None:
                    reason = reasons[exp] = f"expired {exp.isoformat()}"
                expired.append((seq, _expire_id(lot_id), mid, -pts, reason))
                balance -= pts
                lot[1] -= pts
        if not listing:
            continue
        pts = sum(r for e, r, _ in lots if r > 0 and first_next <= e.astimezone(zone).date() <= last_next)
        pts = min(pts, balance)
        if pts > 0:
            n_listed += 1
            pts_listed += pts
            listed.append((mid, pts))
    return seq, n_listed, pts_listed


class _LedgerReader:
    """The ledgers of a batch of members for the replay ({member_id: [(id, kind, points,
    created_at, reverses_id), …]} in time order), ``EXPIRY_READ`` members a query. PostgreSQL: on
    a second connection in a worker thread, so the next batch is read while this one is replayed
    (the reads were about a third of the replay, the job waiting on the server). That connection
    reads what is committed, as the job's own statements do (READ COMMITTED): the job has written
    nothing to the ledger yet. SQLite: in line, on the job's session."""

    SQL_PG = ("SELECT member_id, id, kind, points, created_at, reverses_id FROM ledger "
              "WHERE member_id = ANY(%s) ORDER BY member_id, created_at, booked_at")

    def __init__(self, svc, s):
        self.s = s
        self.raw = self.pool = None
        if _pg(svc):
            self.raw = svc.db.engine.raw_connection()
            cur = self.raw.cursor()
            # its many small queries: no JIT (it compiled each of them for ~0.2 s), no parallel
            # workers to start; for this read-only transaction, rolled back at close
            cur.execute("SET LOCAL jit = off")
            cur.execute("SET LOCAL max_parallel_workers_per_gather = 0")
            self.pool = ThreadPoolExecutor(1, thread_name_prefix="hq-expiry-read")

    def submit(self, ids: list[str]):
        if self.pool is not None:
            return self.pool.submit(self._read_pg, ids)
        entries: dict[str, list[tuple]] = defaultdict(list)
        for i in range(0, len(ids), EXPIRY_READ):
            for row in self.s.execute(_LEDGER_OF, {"ids": ids[i:i + EXPIRY_READ]}):
                entries[row[0]].append(tuple(row[1:]))
        done: Future = Future()
        done.set_result(entries)
        return done

    def _read_pg(self, ids: list[str]) -> dict[str, list[tuple]]:
        entries: dict[str, list[tuple]] = {}
        cur = self.raw.cursor()
        for i in range(0, len(ids), EXPIRY_READ):
            cur.execute(self.SQL_PG, (ids[i:i + EXPIRY_READ],))
            for mid, group in groupby(cur.fetchall(), itemgetter(0)):
                entries[mid] = [r[1:] for r in group]
        return entries

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            try:
                self.raw.rollback()
            finally:
                self.raw.close()


EXPIRY_BATCH = 20000  # members replayed per round (their expiries staged by one COPY)
# members whose ledgers one query reads, by id: few enough that PostgreSQL reads them through
# ix_hq_ledger_member whatever its statistics say. A range of 20,000 members (the old way) was
# planned as a sequential scan of the whole ledger, about 4 s a batch at 10M entries: 194 of the
# first run's 411 s at 1M / 10M on a stock server
EXPIRY_READ = 200
_LEDGER_OF = text("SELECT l.member_id, l.id, l.kind, l.points, l.created_at, l.reverses_id FROM ledger l "
                  "WHERE l.member_id IN :ids ORDER BY l.member_id, l.created_at, l.booked_at"
                  ).bindparams(bindparam("ids", expanding=True))


def job_expiry(svc, day: date, now: datetime, *, notice: bool = True, **_) -> dict:
    """Lots past their date (expiry_for < start of ``day``) expire chain-wide: an ``expire`` entry
    per lot with the id the store would give it (so a store that expired it first is a duplicate,
    not a second expiry). Members with points expiring next month are listed by the month's first
    run (and notified once a month if they consented; ``listed`` in the run record). Only lots
    earned in the window since the previous run are looked at (the first run looks at everything).

    One transaction: the members that may have something due (or due next month) are picked by
    SQL into a staging table; their ledgers are read in batches of EXPIRY_BATCH members and
    replayed in Python (the store's lot rules: see ``_lots``); the expiries found go into a
    staging table by COPY, and the ledger rows, balances (UPDATE … FROM), job items, change-feed
    rows (with each entry's balance after it, by a window sum) and notices are written from it."""
    from hq.campaigns import published_rule_sets

    rs, extras, at = _context(svc, day)
    lap = _Laps()
    months = rs.expiry.months
    first_next = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
    last_next = (first_next + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    month = first_next.strftime("%Y-%m")
    stamp, booked = _iso(at), _iso(datetime.now(timezone.utc))
    with svc.db.write() as s:
        _begin(svc, s, "expiry")
        rule_sets = published_rule_sets(s)
        # the last run done (the same day too: a rerun then looks only around today's boundary)
        prev = s.scalar(select(func.max(JobRun.run_date)).where(JobRun.job == "expiry", JobRun.status == "done",
                                                                 JobRun.run_date <= day.isoformat()))
        p = {"hi": _iso(_midnight(rs, _months_back(day, months) + timedelta(days=4))),  # lots that may be due (superset)
             "lo": _iso(_midnight(rs, _months_back(date.fromisoformat(prev), months) - timedelta(days=4)))
             if prev else "",
             # next month's notice: lots earned `months` before next month
             "n_lo": _iso(_midnight(rs, _months_back(first_next, months) - timedelta(days=4))),
             "n_hi": _iso(_midnight(rs, _months_back(last_next, months) + timedelta(days=4)))}
        _temp(svc, s, "tmp_job_due", "member_id VARCHAR(36) PRIMARY KEY, balance BIGINT NOT NULL, due INTEGER NOT NULL")
        due_q = "(l.created_at < :hi AND l.created_at >= :lo)"
        notice_q = "(l.created_at >= :n_lo AND l.created_at < :n_hi)"
        # next month's list is made by the month's first run (its notices are once a month)
        listing = prev is None or prev[:7] != day.isoformat()[:7]
        # one pass over the credits, grouped by member (a correlated EXISTS per member was 18 s of
        # the first run at 1M / 10M: the CASE's copy of it ran once for every member)
        _insert_select(svc, s, "tmp_job_due", "member_id, balance, due",
                       "SELECT m.id, m.balance, x.due FROM members m JOIN ("
                       f"SELECT l.member_id, MAX(CASE WHEN {due_q} THEN 1 ELSE 0 END) AS due FROM ledger l "
                       f"WHERE l.points > 0 AND ({due_q}{f' OR {notice_q}' if listing else ''}) GROUP BY l.member_id"
                       ") x ON x.member_id = m.id WHERE m.status = 'active' AND m.balance > 0", p)
        _analyze_temp(svc, s, "tmp_job_due")
        lap("select_due")
        checked = s.scalar(text("SELECT count(*) FROM tmp_job_due WHERE due = 1"))
        expiry = _ExpiryByHour(rule_sets)
        _temp(svc, s, "tmp_job_expire", "seq BIGINT PRIMARY KEY, id VARCHAR(36) NOT NULL, member_id VARCHAR(36) NOT NULL, "
                                        "points BIGINT NOT NULL, reason TEXT NOT NULL")
        expired, listed = [], []
        n_listed = pts_listed = seq = 0
        reasons: dict[datetime, str] = {}

        def due_after(after: str) -> list:
            return s.execute(text("SELECT member_id, balance, due FROM tmp_job_due WHERE member_id > :a "
                                  "ORDER BY member_id LIMIT :n"), {"a": after, "n": EXPIRY_BATCH}).all()

        reader = _LedgerReader(svc, s)
        try:
            batch = due_after("")
            pending = reader.submit([r[0] for r in batch]) if batch else None
            while batch:
                nxt = due_after(batch[-1][0])
                ahead = reader.submit([r[0] for r in nxt]) if nxt else None  # read while this batch replays
                entries = pending.result()
                seq, n, p_ = _replay_batch(batch, entries, rule_sets, expiry, at, listing, first_next, last_next,
                                           rs.zone, seq, expired, listed, reasons)
                n_listed += n
                pts_listed += p_
                _fill(svc, s, "tmp_job_expire", ("seq", "id", "member_id", "points", "reason"), expired)  # per batch
                expired.clear()
                batch, pending = nxt, ahead
        finally:
            reader.close()
        _analyze_temp(svc, s, "tmp_job_expire")
        lap("replay")
        # an id already in the ledger (this lot expired before, here or at a store) is not booked again
        s.execute(text("DELETE FROM tmp_job_expire WHERE EXISTS (SELECT 1 FROM ledger l WHERE l.id = tmp_job_expire.id)"))
        lots_expired, points_expired, members_expired = s.execute(text(
            "SELECT count(*), COALESCE(-SUM(points), 0), count(DISTINCT member_id) FROM tmp_job_expire")).one()
        lap("skip_held")
        q = {"stamp": stamp, "booked": booked, "version": rs.version, "day": day.isoformat(), "now": _iso(now)}
        if lots_expired:
            _insert_select(svc, s, "ledger", "id, member_id, kind, points, amount_yen, store_id, terminal_id, staff_id, "
                           "created_at, booked_at, rule_set_version, reverses_id, coupon_id, reason, origin_event_id",
                           f"SELECT id, member_id, 'expire', points, NULL, 'HQ', 'HQ', NULL, {_t('stamp')}, "
                           f"{_t('booked')}, {_t('version')}, NULL, NULL, reason, NULL FROM tmp_job_expire ORDER BY seq", q)
            lap("ledger")
            _note("members", s.execute(text(
                "UPDATE members SET balance = members.balance + x.points, updated_at = :now FROM "
                "(SELECT member_id, SUM(points) AS points FROM tmp_job_expire GROUP BY member_id) x "
                "WHERE members.id = x.member_id"), q).rowcount, "updated")
            lap("balances")
            _insert_select(svc, s, "job_items", "job, run_date, member_id, kind, ref, created_at",
                           f"SELECT DISTINCT 'expiry', {_t('day')}, member_id, 'expire', NULL, {_t('now')} "
                           "FROM tmp_job_expire", q, "job, run_date, member_id")
            lap("job_items")
        if notice and listed:
            _temp(svc, s, "tmp_job_notice", "member_id VARCHAR(36) PRIMARY KEY, points BIGINT NOT NULL")
            _fill(svc, s, "tmp_job_notice", ("member_id", "points"), listed)
            _notify_select(svc, s, "expiry_notice", f"'expiry_notice:' || {_t('month')} || ':' || m.id",
                           _jnest(svc, _jobj(svc, [("points", "t.points"), ("month", _t("month"))])),
                           "FROM tmp_job_notice t JOIN members m ON m.id = t.member_id WHERE 1 = 1", {"month": month})
            lap("notices")
        if lots_expired:
            # the feed last: from its first change to the commit this transaction holds the feed's
            # readers back (hq/service.py), so every store's pull waits for what comes after it
            entry = _jobj(svc, [("entry_id", "e.id"), ("member_id", "e.member_id"), ("kind", "'expire'"),
                                ("points", "e.points"), ("amount_yen", "NULL"), ("store_id", "'HQ'"),
                                ("terminal_id", "'HQ'"), ("staff_id", "NULL"), ("created_at", _t("stamp")),
                                ("rule_set_version", _t("version")), ("reverses_id", "NULL"), ("coupon_id", "NULL"),
                                ("reason", "e.reason"), ("origin_event_id", "NULL"),
                                ("balance_after", "d.balance + SUM(e.points) OVER (PARTITION BY e.member_id ORDER BY e.seq)")])
            _emit_select(svc, s, f"SELECT 'ledger' AS kind, e.member_id AS member_id, {entry} AS data "
                                "FROM tmp_job_expire e JOIN tmp_job_due d ON d.member_id = e.member_id", q)
            lap("feed")
    lap("commit")
    return {"rule_set": rs.version, "since_previous_run": prev, "members_checked": checked,
            "members_expired": members_expired, "lots_expired": lots_expired, "points_expired": int(points_expired),
            "notice_month": month, "listed": listing,
            "members_expiring_next_month": n_listed if listing else None,
            "points_expiring_next_month": pts_listed if listing else None,
            "expiring_next_month": [{"member_id": m, "points": v} for m, v in listed[:1000]],
            "phases_s": lap.laps}


# ---------------------------------------------------------------------------------------------
# Rainy day (weather provider over HTTP) and overstock: derived versions of the rules in force
# ---------------------------------------------------------------------------------------------
class WeatherProvider:
    """GET {endpoint}?date=YYYY-MM-DD&regions=a,b → {"forecasts": [{"region", "condition",
    "probability"}]}; endpoint from TSUMUGI_WEATHER_URL (an adapter for a real provider maps its
    API onto this shape). A region is marked when probability ≥ ``min_probability``."""

    def __init__(self, endpoint: str | None = None, min_probability: float = 0.5, timeout: float = 10.0):
        self.endpoint = endpoint or os.environ.get("TSUMUGI_WEATHER_URL")
        self.min_probability = min_probability
        self.timeout = timeout

    def forecast(self, day: date, regions: list[str]) -> dict[str, set[str]]:
        if not self.endpoint:
            raise JobError("no weather endpoint configured (TSUMUGI_WEATHER_URL)")
        r = httpx.get(self.endpoint, params={"date": day.isoformat(), "regions": ",".join(regions)},
                      timeout=self.timeout)
        r.raise_for_status()
        out: dict[str, set[str]] = defaultdict(set)
        for f in r.json().get("forecasts", []):
            if f.get("region") in regions and float(f.get("probability", 1)) >= self.min_probability:
                out[f["region"]].add(str(f.get("condition", "rain")))
        return dict(out)


def job_rainy_day(svc, day: date, now: datetime, *, provider: WeatherProvider | None = None,
                  target: date | None = None, **_) -> dict:
    """Mark the regions where the provider forecasts rain for ``target`` (default: the day after
    ``day`` when run by the scheduler in the evening, else ``day``), then publish a one-day version
    of the rules in force in which each weather campaign applies, without the condition, at the
    stores of the marked regions. Stores receive it by sync before the day starts; HQ reprices
    with it too. Nothing is published when no campaign asks for that weather."""
    target = target or day
    rs, extras, at = _context(svc, target)
    regions = extras.get("regions") or {}
    provider = provider or WeatherProvider()
    marks = provider.forecast(target, sorted(regions)) if regions else {}
    with svc.db.write() as s:
        insert_ignore(s, WeatherMark, [{"day": target.isoformat(), "region": r, "condition": c,
                                        "created_at": _iso(now)} for r, cs in marks.items() for c in cs],
                      ["day", "region", "condition"])
    conditions = {c for cs in marks.values() for c in cs}
    body = json.loads(rs.model_dump_json())
    touched = []
    for c in body["campaigns"]:
        if not c.get("weather"):
            continue
        want = set(c["weather"])
        stores = sorted({st for r, cs in marks.items() if cs & want for st in regions.get(r, [])})
        if c.get("stores"):
            stores = [st for st in stores if st in c["stores"]]
        if not stores:
            continue
        c["weather"] = []
        c["stores"] = stores
        touched.append({"campaign": c["id"], "stores": stores})
    result = {"rule_set": rs.version, "date": target.isoformat(), "marked": {r: sorted(c) for r, c in marks.items()},
              "campaigns": touched, "published": None}
    if touched:
        start = _midnight(rs, target)
        end = _midnight(rs, target + timedelta(days=1))
        if rs.valid_to is not None:
            end = min(end, rs.valid_to)
        version = f"{rs.version}~wx{target.strftime('%Y%m%d')}"[:64]
        res = publish_derived(svc, rs, body, version=version, valid_from=max(start, rs.valid_from), valid_to=end,
                              note=f"weather {','.join(sorted(conditions))} on {target.isoformat()}")
        result["published"] = res["version"]
    return result


def read_products(path: str) -> list[dict]:
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    if not rows or "category" not in rows[0]:
        raise JobError("the product list needs a 'category' column (and optionally sku, name)")
    return rows


def job_overstock(svc, day: date, now: datetime, *, products: list[dict] | str | None = None,
                  multiplier: str | None = None, days: int | None = None, **_) -> dict:
    """With a product list (CSV: sku, category, name), publish a version of the rules in force with
    one more campaign: ×multiplier (``jobs.overstock.multiplier``, default 2) on purchases that
    include any of the listed categories, from the start of ``day`` for ``days`` days (default 7).
    The counter applies it when it passes the purchase's categories to pricing."""
    if products is None:
        return {"published": None, "note": "no product list given (--products FILE.csv)"}
    if isinstance(products, str):
        products = read_products(products)
    categories = sorted({(p.get("category") or "").strip() for p in products if (p.get("category") or "").strip()})
    if not categories:
        raise JobError("the product list names no category")
    rs, extras, at = _context(svc, day)
    conf = (extras.get("jobs") or {}).get("overstock") or {}
    mult = str(multiplier or conf.get("multiplier") or "2")
    ndays = int(days or conf.get("days") or 7)
    body = json.loads(rs.model_dump_json())
    cid = f"overstock-{day.strftime('%Y%m%d')}"
    same = rs.campaign(cid)
    if same is not None and list(same.categories) == categories and Fraction(str(same.multiplier)) == Fraction(mult) \
            and same.end == day + timedelta(days=ndays - 1):
        # this day's overstock version is already the one in force: a rerun publishes nothing more
        return {"rule_set": rs.version, "published": None, "note": f"already in force: {rs.version}",
                "categories": categories, "multiplier": mult, "days": ndays, "products": len(products)}
    body["campaigns"] = [c for c in body["campaigns"] if c["id"] != cid] + [{
        "id": cid, "name_ja": conf.get("name_ja") or "在庫一掃ポイントアップ",
        "name_en": conf.get("name_en") or "Overstock points up", "start": day.isoformat(),
        "end": (day + timedelta(days=ndays - 1)).isoformat(), "categories": categories, "multiplier": mult}]
    version = f"{rs.version}~os{day.strftime('%Y%m%d')}"[:64]
    end = _midnight(rs, day + timedelta(days=ndays))
    if rs.valid_to is not None:
        end = min(end, rs.valid_to)
    res = publish_derived(svc, rs, body, version=version, valid_from=max(_midnight(rs, day), rs.valid_from),
                          valid_to=end, note=f"overstock {','.join(categories)}")
    return {"rule_set": rs.version, "published": res["version"], "categories": categories, "multiplier": mult,
            "days": ndays, "products": len(products)}


# ---------------------------------------------------------------------------------------------
# The scheduler inside `hq serve`
# ---------------------------------------------------------------------------------------------
class Scheduler:
    """Runs each job once per store-local day at its time (SCHEDULE), whichever worker claims it."""

    def __init__(self, svc, *, poll_s: float = 30.0, lease_s: int = 3600, clock=None, jobs=None):
        self.svc = svc
        self.poll_s = poll_s
        self.lease_s = lease_s
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.jobs = dict(jobs or SCHEDULE)
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.ran: list[dict] = []

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="hq-jobs", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception:  # noqa: BLE001 - a bad tick must not end the scheduler
                log.exception("scheduler tick failed")
            self._stop.wait(self.poll_s)

    def claim(self, job: str, day: date, now: datetime) -> bool:
        with self.svc.db.write() as s:
            insert_ignore(s, JobLease, [{"job": job, "last_date": None, "owner": None, "lease_until": None}], ["job"])
        with self.svc.db.write() as s:
            n = s.execute(update(JobLease).where(
                JobLease.job == job,
                (JobLease.last_date.is_(None)) | (JobLease.last_date < day.isoformat()),
                (JobLease.lease_until.is_(None)) | (JobLease.lease_until < _iso(now)))
                .values(owner=self.owner, lease_until=_iso(now + timedelta(seconds=self.lease_s)))).rowcount
        return n == 1

    def finish(self, job: str, day: date) -> None:
        with self.svc.db.write() as s:
            s.execute(update(JobLease).where(JobLease.job == job, JobLease.owner == self.owner)
                      .values(last_date=day.isoformat(), lease_until=None))

    def tick(self) -> list[dict]:
        now = self.clock()
        with self.svc.db.read() as s:
            rs, _ = current_extras(s, now)
        local = now.astimezone(rs.zone)
        done = []
        for job, when in self.jobs.items():
            if local.time() < when:
                continue
            day = local.date()
            if not self.claim(job, day, now):
                continue
            try:
                opts = {"target": day + timedelta(days=1)} if job == "rainy_day" else {}
                if job == "rainy_day" and not os.environ.get("TSUMUGI_WEATHER_URL") and "provider" not in opts:
                    res = {"job": job, "date": day.isoformat(), "status": "skipped", "note": "no weather endpoint"}
                else:
                    res = run_job(self.svc, job, day, trigger="scheduler", now=now, **opts)
                done.append(res)
                self.finish(job, day)
            except Exception:  # noqa: BLE001 - the lease expires; another tick (or worker) retries
                log.exception("scheduled job %s failed", job)
        self.ran.extend(done)
        return done


def scheduler_enabled() -> bool:
    return os.environ.get("TSUMUGI_HQ_SCHEDULER", "0") == "1"
