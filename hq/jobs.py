"""HQ jobs: win-back, churn, VIP, tiers, point expiry, rainy day, overstock — and their scheduler.

``run_job(svc, name, day)`` runs one job for one store-local day and leaves a ``job_runs`` row
(what it did, as JSON). Every effect is keyed by (job, day, member) in ``job_items`` (and the
coupon / ledger / notification ids are UUIDv5 of the same key), so a rerun of the same day issues
nothing twice. A win-back or churn coupon is issued once per absence: not again while the member
has not visited since the last one.

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
import csv
import json
import logging
import math
import os
import socket
import threading
import uuid
from collections import defaultdict
from datetime import date, datetime, time, timedelta, timezone

import httpx
from sqlalchemy import and_, exists, func, select, update

from app.rules import RuleSet, expiry_for, tier_for, vip_threshold
from hq.campaigns import current_extras, publish_derived
from hq.models import (CouponRow, JobItem, JobLease, JobRun, LedgerRow, MemberRow, MemberTag, Notification,
                       TierChange, WeatherMark)
from hq.notify import enqueue, insert_ignore

log = logging.getLogger("hq.jobs")
JOB_NS = uuid.UUID("a3c1f0de-5b7e-4c39-8d2a-61f4e0b9c7a5")
EXPIRE_NS = uuid.UUID("6f1c1d43-7c55-4d0e-9d43-3e1f5d1a7a11")  # the store's (app/services/ledger.py): same ids
CHUNK = 5000

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
        summary = globals()[f"job_{name}"](svc, day, now, **opts)
        status = "done"
    except Exception as exc:
        summary, status = {"error": f"{type(exc).__name__}: {exc}"}, "failed"
        log.exception("job %s %s failed", name, day)
        raise
    finally:
        with svc.db.write() as s:
            s.execute(update(JobRun).where(JobRun.id == run_id).values(
                status=status, finished_at=_iso(datetime.now(timezone.utc)), summary=_jsonable(summary)))
    return {"run_id": run_id, "job": name, "date": day.isoformat(), "status": status, **summary}


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
# Coupons (win-back, churn)
# ---------------------------------------------------------------------------------------------
def _issue_coupons(svc, job: str, day: date, rs: RuleSet, template_id: str, member_ids: list[str],
                   now: datetime) -> int:
    """Coupons + job items + change-feed rows + notifications, in chunks (each chunk one
    transaction; a rerun or a resumed run skips what is already there)."""
    tpl = rs.coupon(template_id)
    issued = 0
    value = tpl.points if tpl.kind == "bonus_points" else tpl.yen
    issued_at = now
    expires_at = issued_at + timedelta(hours=tpl.valid_hours)
    for i in range(0, len(member_ids), CHUNK):
        chunk = member_ids[i:i + CHUNK]
        with svc.db.write() as s:
            done = set(s.scalars(select(JobItem.member_id).where(JobItem.job == job, JobItem.run_date == day.isoformat(),
                                                                 JobItem.member_id.in_(chunk))))
            todo = [m for m in chunk if m not in done]
            if not todo:
                continue
            items, coupons, changes = [], [], []
            for mid in todo:
                cid = str(uuid.uuid5(JOB_NS, f"{job}:{day.isoformat()}:{mid}:{template_id}"))
                data = {"coupon_id": cid, "member_id": mid, "template_id": template_id, "kind": tpl.kind,
                        "value": int(value), "issued_at": _iso(issued_at), "expires_at": _iso(expires_at),
                        "source": job, "rule_set_version": rs.version}
                items.append({"job": job, "run_date": day.isoformat(), "member_id": mid, "kind": "coupon", "ref": cid,
                              "created_at": _iso(now)})
                coupons.append({"id": cid, "member_id": mid, "data": data, "used_entry_id": None})
                changes.append(("coupon", data, mid))
            insert_ignore(s, JobItem, items, ["job", "run_date", "member_id"])
            n = len(todo)  # under this transaction's write lock / the PK: another run inserts none of them
            insert_ignore(s, CouponRow, coupons, ["id"])
            svc._emit(s, changes)
            members = s.scalars(select(MemberRow).where(MemberRow.id.in_(todo), MemberRow.consent_marketing.is_(True)))
            rows: list[dict] = []
            for m in members:
                enqueue(s, m, "coupon", {"title": tpl.name_ja, "value": f"{value}{'pt' if tpl.kind == 'bonus_points' else '円引'}",
                                         "expires": expires_at.astimezone(rs.zone).strftime("%m/%d %H:%M")},
                        f"coupon:{job}:{day.isoformat()}:{m.id}", collect=rows)
            insert_ignore(s, Notification, rows, ["dedupe_key"])
            issued += n
    return issued


def _not_issued_since_visit(job: str):
    """No coupon from this job since the member's last visit (one per absence)."""
    return ~exists().where(JobItem.job == job, JobItem.member_id == MemberRow.id,
                           JobItem.created_at > func.coalesce(MemberRow.last_visit_at, ""))


def job_win_back(svc, day: date, now: datetime, **_) -> dict:
    rs, extras, at = _context(svc, day)
    out = {"rule_set": rs.version, "templates": {}}
    for tpl in rs.coupons:
        if tpl.trigger is None or tpl.trigger.type != "win_back":
            continue
        days = tpl.trigger.days_without_visit or 0
        min_spend = tpl.trigger.min_lifetime_spend_yen or 0
        # last visit on a store-local day at least `days` before today
        before = _iso(_midnight(rs, day - timedelta(days=days - 1)))
        with svc.db.read() as s:
            ids = list(s.scalars(select(MemberRow.id).where(
                MemberRow.status == "active", MemberRow.last_visit_at.is_not(None), MemberRow.last_visit_at < before,
                MemberRow.lifetime_spend_yen >= min_spend, _not_issued_since_visit("win_back"))
                .order_by(MemberRow.id)))
        # a coupon issued today for this member by an earlier run: skipped in _issue_coupons
        n = _issue_coupons(svc, "win_back", day, rs, tpl.id, ids, now)
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
    with svc.db.read() as s:
        cand = s.execute(select(MemberRow.id, MemberRow.last_visit_at).where(
            MemberRow.status == "active", MemberRow.last_visit_at.is_not(None), MemberRow.last_visit_at < before,
            _not_issued_since_visit("churn")).order_by(MemberRow.id)).all()
        stats: dict[str, tuple[int, str]] = {}
        ids = [c[0] for c in cand]
        for i in range(0, len(ids), CHUNK):
            chunk = ids[i:i + CHUNK]
            for mid, n, first in s.execute(select(LedgerRow.member_id, func.count(), func.min(LedgerRow.created_at))
                                           .where(LedgerRow.member_id.in_(chunk), LedgerRow.kind == "earn")
                                           .group_by(LedgerRow.member_id)):
                stats[mid] = (int(n), first)
    chosen = []
    today = day
    for mid, last in cand:
        last_dt = _parse_iso(last)
        since = (today - last_dt.astimezone(rs.zone).date()).days
        n, first = stats.get(mid, (1, None))
        if churn_score(since, n, _parse_iso(first) if first else None, last_dt) >= min_score:
            chosen.append(mid)
    n = _issue_coupons(svc, "churn", day, rs, template, chosen, now)
    return {"rule_set": rs.version, "template": template, "days_without_visit": days, "min_score": min_score,
            "lapsed": len(cand), "high_score": len(chosen), "issued": n}


# ---------------------------------------------------------------------------------------------
# 12-month spend: VIP and tiers
# ---------------------------------------------------------------------------------------------
def annual_spends(s, at: datetime) -> dict[str, int]:
    """Every member's spend on earns in the 365 days before ``at``, voided earns excluded."""
    since, until = _iso(at - timedelta(days=365)), _iso(at)
    voided = select(LedgerRow.reverses_id).where(LedgerRow.kind == "void", LedgerRow.reverses_id.is_not(None),
                                                 LedgerRow.created_at >= since)
    q = (select(LedgerRow.member_id, func.sum(LedgerRow.amount_yen))
         .where(LedgerRow.kind == "earn", LedgerRow.created_at >= since, LedgerRow.created_at < until,
                LedgerRow.id.not_in(voided))
         .group_by(LedgerRow.member_id))
    return {m: int(v or 0) for m, v in s.execute(q)}


def job_vip(svc, day: date, now: datetime, **_) -> dict:
    rs, extras, at = _context(svc, day)
    tag = ((extras.get("jobs") or {}).get("vip") or {}).get("tag") or "vip"
    with svc.db.read() as s:
        spends = annual_spends(s, at)
        active = s.scalar(select(func.count()).select_from(MemberRow).where(MemberRow.status == "active"))
        active_ids = None
        if len(spends) > 0:
            active_ids = set(s.scalars(select(MemberRow.id).where(MemberRow.status == "active",
                                                                   MemberRow.id.in_(list(spends))))) \
                if len(spends) <= 50000 else set(s.scalars(select(MemberRow.id).where(MemberRow.status == "active")))
        current = set(s.scalars(select(MemberTag.member_id).where(MemberTag.tag == tag)))
    spends = {m: v for m, v in spends.items() if active_ids and m in active_ids}
    population = list(spends.values()) + [0] * max(0, active - len(spends))
    threshold = vip_threshold(rs, population)
    vip = {m for m, v in spends.items() if threshold is not None and v >= threshold and v > 0}
    added, removed = sorted(vip - current), sorted(current - vip)
    with svc.db.write() as s:
        for i in range(0, len(removed), CHUNK):
            s.execute(MemberTag.__table__.delete().where(MemberTag.tag == tag,
                                                         MemberTag.member_id.in_(removed[i:i + CHUNK])))
        insert_ignore(s, MemberTag, [{"member_id": m, "tag": tag, "since": day.isoformat()} for m in added],
                      ["member_id", "tag"])
        insert_ignore(s, JobItem, [{"job": "vip", "run_date": day.isoformat(), "member_id": m, "kind": "tag",
                                    "ref": tag, "created_at": _iso(now)} for m in added],
                      ["job", "run_date", "member_id"])
    return {"rule_set": rs.version, "tag": tag, "top_percent": rs.segments.vip_top_percent, "members": active,
            "threshold_yen": threshold, "vip": len(vip), "added": len(added), "removed": len(removed)}


def _demotion_day(schedule: str, day: date) -> bool:
    if schedule == "daily":
        return True
    if schedule == "yearly":
        return day.month == 1 and day.day == 1
    return day.day == 1  # monthly (default)


def job_tiers(svc, day: date, now: datetime, **_) -> dict:
    """Ranks from annual spend: a promotion at once, a demotion on the schedule's day
    (``jobs.tiers.schedule``: daily | monthly (1st, default) | yearly (1 Jan)). A change goes into
    the change feed with the member record (``tier``, ``tier_change``), and a promotion is also a
    notification for members who consented."""
    rs, extras, at = _context(svc, day)
    schedule = ((extras.get("jobs") or {}).get("tiers") or {}).get("schedule") or "monthly"
    demote_today = _demotion_day(schedule, day)
    order = {t.id: i for i, t in enumerate(rs.tiers)}
    with svc.db.read() as s:
        spends = annual_spends(s, at)
        rows = s.execute(select(MemberRow.id, MemberRow.tier).where(MemberRow.status == "active")).all()
    changes: list[tuple[str, str | None, str | None, str]] = []
    for mid, cur in rows:
        t = tier_for(rs, spends.get(mid, 0))
        new = t.id if t else None
        if new == cur:
            continue
        up = cur is None or cur not in order or (new is not None and order[new] > order[cur])
        if not up and not demote_today:
            continue
        changes.append((mid, cur, new, "up" if up else "down"))
    promoted = sum(1 for c in changes if c[3] == "up")
    for i in range(0, len(changes), CHUNK):
        chunk = changes[i:i + CHUNK]
        with svc.db.write() as s:
            done = set(s.scalars(select(JobItem.member_id).where(JobItem.job == "tiers", JobItem.run_date == day.isoformat(),
                                                                 JobItem.member_id.in_([c[0] for c in chunk]))))
            feed = []
            members = {m.id: m for m in s.scalars(select(MemberRow).where(MemberRow.id.in_([c[0] for c in chunk])))}
            stamp = _iso(now)
            for mid, cur, new, direction in chunk:
                if mid in done:
                    continue
                m = members[mid]
                m.tier = new
                m.updated_at = stamp
                s.add(TierChange(member_id=mid, from_tier=cur, to_tier=new, direction=direction,
                                 run_date=day.isoformat(), created_at=stamp))
                d = svc.member_dict(m)
                d["tier_change"] = {"from": cur, "to": new, "direction": direction, "at": stamp,
                                    "show_at_next_visit": direction == "up"}
                feed.append(("member", d, mid))
                if direction == "up":
                    tier = rs.tier(new)
                    enqueue(s, m, "tier_up", {"tier": tier.name_ja if tier else new}, f"tier_up:{day}:{mid}")
            s.flush()
            insert_ignore(s, JobItem, [{"job": "tiers", "run_date": day.isoformat(), "member_id": c[0], "kind": "tier",
                                        "ref": c[2], "created_at": stamp} for c in chunk if c[0] not in done],
                          ["job", "run_date", "member_id"])
            svc._emit(s, feed)
    return {"rule_set": rs.version, "schedule": schedule, "demotions_today": demote_today, "members": len(rows),
            "changed": len(changes), "promoted": promoted, "demoted": len(changes) - promoted}


# ---------------------------------------------------------------------------------------------
# Point expiry
# ---------------------------------------------------------------------------------------------
def _lots(rule_sets: list[RuleSet], entries: list[tuple]) -> list[list]:
    """The member's lots after replaying the ledger the way the store keeps them: a credit opens a
    lot (expiry from the rule set in force when earned); a debit takes from the unexpired lots that
    expire first; a void of an earn takes from that earn's lot first. Each lot: [expires_at,
    remaining, entry_id]. Lots are kept sorted by expiry (bisect), so a member's replay is
    O(entries × log lots) plus the lots a debit walks over."""
    from bisect import bisect_left, bisect_right

    from app.rules import rule_set_for

    lots: list[list] = []
    keys: list[tuple] = []
    by_entry: dict[str, list] = {}
    zone_cache: dict[str, RuleSet] = {}
    lo = 0  # every lot before this index is empty
    for eid, kind, points, created, reverses in entries:
        t = _parse_iso(created)
        if points > 0:
            hour = created[:13]
            rs = zone_cache.get(hour)
            if rs is None:
                try:
                    rs = rule_set_for(rule_sets, t)
                except Exception:  # noqa: BLE001 - older than every version: the first one
                    rs = rule_sets[0]
                zone_cache[hour] = rs
            exp = expiry_for(rs, t)
            lot = [exp, points, eid]
            k = (exp, len(keys))
            i = bisect_right(keys, k)
            keys.insert(i, k)
            lots.insert(i, lot)
            if i < lo:
                lo = i
            by_entry[eid] = lot
            continue
        left = -points
        if kind == "void" and reverses in by_entry:
            lot = by_entry[reverses]
            take = min(left, lot[1])
            lot[1] -= take
            left -= take
        while lo < len(lots) and lots[lo][1] <= 0:
            lo += 1
        first = lo if kind == "expire" else max(lo, bisect_left(keys, (t,)))
        order = range(first, len(lots)) if first == lo else list(range(first, len(lots))) + list(range(lo, first))
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


def _member_entries(s, member_ids: list[str]) -> dict[str, list[tuple]]:
    out: dict[str, list[tuple]] = defaultdict(list)
    for i in range(0, len(member_ids), CHUNK):
        for row in s.execute(select(LedgerRow.member_id, LedgerRow.id, LedgerRow.kind, LedgerRow.points,
                                    LedgerRow.created_at, LedgerRow.reverses_id)
                             .where(LedgerRow.member_id.in_(member_ids[i:i + CHUNK]))
                             .order_by(LedgerRow.member_id, LedgerRow.created_at, LedgerRow.booked_at)):
            out[row[0]].append(tuple(row[1:]))
    return out


def _months_back(day: date, months: int) -> date:
    idx = day.year * 12 + day.month - 1 - months
    y, m = divmod(idx, 12)
    return date(y, m + 1, min(day.day, calendar.monthrange(y, m + 1)[1]))


def job_expiry(svc, day: date, now: datetime, *, notice: bool = True, **_) -> dict:
    """Lots past their date (expiry_for < start of ``day``) expire chain-wide: an ``expire`` entry
    per lot with the id the store would give it (so a store that expired it first is a duplicate,
    not a second expiry). Members with points expiring next month are listed (and notified once a
    month if they consented). Only lots earned in the window since the previous run are looked
    at (the first run looks at everything)."""
    from app.rules import rule_set_for
    from hq.campaigns import published_rule_sets

    rs, extras, at = _context(svc, day)
    months = rs.expiry.months
    with svc.db.read() as s:
        rule_sets = published_rule_sets(s)
        prev = s.scalar(select(func.max(JobRun.run_date)).where(JobRun.job == "expiry", JobRun.status == "done",
                                                                 JobRun.run_date < day.isoformat()))
        hi = _midnight(rs, _months_back(day, months) + timedelta(days=4))  # lots that may be due (superset)
        lo = _midnight(rs, _months_back(date.fromisoformat(prev), months) - timedelta(days=4)) if prev else None
        q = select(LedgerRow.member_id).where(LedgerRow.points > 0, LedgerRow.created_at < _iso(hi)).distinct()
        if lo is not None:
            q = q.where(LedgerRow.created_at >= _iso(lo))
        due_members = sorted(set(s.scalars(q)) & set(s.scalars(select(MemberRow.id).where(
            MemberRow.status == "active", MemberRow.balance > 0)))) if True else []
        # next month's notice: lots earned `months` before next month
        first_next = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
        last_next = (first_next + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        n_lo = _midnight(rs, _months_back(first_next, months) - timedelta(days=4))
        n_hi = _midnight(rs, _months_back(last_next, months) + timedelta(days=4))
        notice_members = sorted(set(s.scalars(select(LedgerRow.member_id).where(
            LedgerRow.points > 0, LedgerRow.created_at >= _iso(n_lo), LedgerRow.created_at < _iso(n_hi)).distinct()))
            & set(s.scalars(select(MemberRow.id).where(MemberRow.status == "active", MemberRow.balance > 0))))
    expired_points = expired_lots = members_expired = 0
    for i in range(0, len(due_members), CHUNK):
        chunk = due_members[i:i + CHUNK]
        with svc.db.write() as s:
            entries = _member_entries(s, chunk)
            members = {m.id: m for m in s.scalars(select(MemberRow).where(MemberRow.id.in_(chunk))
                                                  .with_for_update() if not svc.db.is_sqlite else
                                                  select(MemberRow).where(MemberRow.id.in_(chunk)))}
            booked = set()
            feed, new_rows, items = [], [], []
            stamp = _iso(at)
            for mid in chunk:
                m = members.get(mid)
                if m is None or m.balance <= 0:
                    continue
                took_any = False
                for exp, remaining, lot_id in sorted(_lots(rule_sets, entries.get(mid, [])), key=lambda l: l[0]):
                    if remaining <= 0 or exp >= at or m.balance <= 0:
                        continue
                    eid = str(uuid.uuid5(EXPIRE_NS, f"{lot_id}:0"))
                    booked.add(eid)
                    pts = min(remaining, m.balance)
                    row = {"id": eid, "member_id": mid, "kind": "expire", "points": -pts, "amount_yen": None,
                           "store_id": "HQ", "terminal_id": "HQ", "staff_id": None, "created_at": stamp,
                           "booked_at": _iso(datetime.now(timezone.utc)), "rule_set_version": rs.version,
                           "reverses_id": None, "coupon_id": None, "reason": f"expired {exp.isoformat()}",
                           "origin_event_id": None}
                    new_rows.append(row)
                    m.balance -= pts
                    feed.append(("ledger", svc._ledger_dict(row, m.balance), mid))
                    expired_points += pts
                    expired_lots += 1
                    took_any = True
                if took_any:
                    m.updated_at = _iso(now)
                    members_expired += 1
                    items.append({"job": "expiry", "run_date": day.isoformat(), "member_id": mid, "kind": "expire",
                                  "ref": None, "created_at": _iso(now)})
            if new_rows:
                # an id already in the ledger (this lot expired before, here or at a store) is skipped
                have = set(s.scalars(select(LedgerRow.id).where(LedgerRow.id.in_([r["id"] for r in new_rows]))))
                if have:
                    for r in new_rows:
                        if r["id"] in have:
                            members[r["member_id"]].balance -= r["points"]  # give back: not booked again
                            expired_points += r["points"]
                            expired_lots -= 1
                    new_rows = [r for r in new_rows if r["id"] not in have]
                    feed = [f for f in feed if f[1]["entry_id"] not in have]
                s.execute(LedgerRow.__table__.insert(), new_rows) if new_rows else None
                insert_ignore(s, JobItem, items, ["job", "run_date", "member_id"])
                svc._emit(s, feed)
    # notice for next month
    listed = []
    month = first_next.strftime("%Y-%m")
    for i in range(0, len(notice_members), CHUNK):
        chunk = notice_members[i:i + CHUNK]
        with svc.db.write() as s:
            entries = _member_entries(s, chunk)
            members = {m.id: m for m in s.scalars(select(MemberRow).where(MemberRow.id.in_(chunk)))}
            rows: list[dict] = []
            for mid in chunk:
                pts = sum(r for e, r, _ in _lots(rule_sets, entries.get(mid, []))
                          if r > 0 and first_next <= e.astimezone(rs.zone).date() <= last_next)
                pts = min(pts, members[mid].balance)
                if pts > 0:
                    listed.append({"member_id": mid, "points": pts})
                    if notice:
                        enqueue(s, members[mid], "expiry_notice", {"points": pts, "month": month},
                                f"expiry_notice:{month}:{mid}", collect=rows)
            insert_ignore(s, Notification, rows, ["dedupe_key"])
    return {"rule_set": rs.version, "since_previous_run": prev, "members_checked": len(due_members),
            "members_expired": members_expired, "lots_expired": expired_lots, "points_expired": expired_points,
            "notice_month": month, "members_expiring_next_month": len(listed),
            "points_expiring_next_month": sum(x["points"] for x in listed), "expiring_next_month": listed[:1000]}


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
