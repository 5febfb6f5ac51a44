"""HQ reports: chain-wide daily figures per store, the coupon funnel, every store's sync health.

JSON from the API (/v1/admin/reports/...), CSV from the CLI (``python -m hq reports ... --csv``).

The coupon funnel: issued → seen at the counter → used → spend on that visit.
* *seen*: stores send no "member scanned" event, so HQ counts a coupon as seen when its member
  has any ledger entry at a store while the coupon was valid (the member panel lists the member's
  coupons at every scan, and an entry means the member was scanned at a counter). A scan with no
  points action is not visible to HQ; the figure is a lower bound.
* *used*: the coupon's ``coupon`` ledger entry (HQ links it when the store pushes it).
* *spend on that visit*: the member's earn at the same store within 30 minutes of the use.
"""
from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select

from hq.campaigns import current_extras
from hq.models import CouponRow, LedgerRow, MemberRow, StoreRow

VISIT_WINDOW = timedelta(minutes=30)


def _iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse_iso(text_: str) -> datetime:
    dt = datetime.fromisoformat(text_.replace("Z", "+00:00"))
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def _zone(svc):
    with svc.db.read() as s:
        rs, _ = current_extras(s, datetime.now(timezone.utc))
    return rs.zone


def daily(svc, day_from: date, day_to: date | None = None) -> list[dict]:
    """Per store-local day and store: purchases, sales, members, points issued / redeemed / voided
    / expired / adjusted, coupons used, new members (home store)."""
    day_to = day_to or day_from
    zone = _zone(svc)
    lo = _iso(datetime.combine(day_from, time(0), tzinfo=zone))
    hi = _iso(datetime.combine(day_to + timedelta(days=1), time(0), tzinfo=zone))
    rows: dict[tuple[str, str], dict] = {}

    def row(day: str, store: str) -> dict:
        return rows.setdefault((day, store), {
            "date": day, "store_id": store, "purchases": 0, "sales_yen": 0, "members": set(), "points_earned": 0,
            "points_redeemed": 0, "points_voided": 0, "points_expired": 0, "points_adjusted": 0,
            "points_coupons": 0, "coupons_used": 0, "new_members": 0})

    with svc.db.read() as s:
        for store, kind, points, amount, created, member in s.execute(
                select(LedgerRow.store_id, LedgerRow.kind, LedgerRow.points, LedgerRow.amount_yen, LedgerRow.created_at,
                       LedgerRow.member_id).where(LedgerRow.created_at >= lo, LedgerRow.created_at < hi)):
            d = _parse_iso(created).astimezone(zone).date().isoformat()
            r = row(d, store)
            r["members"].add(member)
            if kind == "earn":
                r["purchases"] += 1
                r["sales_yen"] += int(amount or 0)
                r["points_earned"] += points
            elif kind == "redeem":
                r["points_redeemed"] += -points
            elif kind == "void":
                r["points_voided"] += points
            elif kind == "expire":
                r["points_expired"] += -points
            elif kind == "coupon":
                r["coupons_used"] += 1
                r["points_coupons"] += points
            else:
                r["points_adjusted"] += points
        for store, created in s.execute(select(MemberRow.home_store_id, MemberRow.created_at)
                                        .where(MemberRow.created_at >= lo, MemberRow.created_at < hi)):
            d = _parse_iso(created).astimezone(zone).date().isoformat()
            row(d, store or "?")["new_members"] += 1
    out = []
    for key in sorted(rows):
        r = rows[key]
        r["members"] = len(r["members"])
        out.append(r)
    return out


def coupon_funnel(svc, day_from: date, day_to: date | None = None) -> dict:
    """Coupons issued in the range, by template and source (job or store)."""
    day_to = day_to or day_from
    zone = _zone(svc)
    lo = _iso(datetime.combine(day_from, time(0), tzinfo=zone))
    hi = _iso(datetime.combine(day_to + timedelta(days=1), time(0), tzinfo=zone))
    with svc.db.read() as s:
        coupons = [(c.id, c.member_id, c.data, c.used_entry_id) for c in s.scalars(select(CouponRow))
                   if (c.data or {}).get("issued_at") and lo <= c.data["issued_at"] < hi]
        members = sorted({m for _, m, _, _ in coupons})
        entries: dict[str, list[tuple]] = defaultdict(list)
        for i in range(0, len(members), 5000):
            for mid, eid, kind, store, created, amount in s.execute(
                    select(LedgerRow.member_id, LedgerRow.id, LedgerRow.kind, LedgerRow.store_id, LedgerRow.created_at,
                           LedgerRow.amount_yen).where(LedgerRow.member_id.in_(members[i:i + 5000]),
                                                       LedgerRow.created_at >= lo, LedgerRow.store_id != "HQ")):
                entries[mid].append((eid, kind, store, created, amount))
    groups: dict[tuple[str, str], dict] = {}
    for cid, mid, data, used in coupons:
        key = (data.get("template_id") or "?", data.get("source") or "store")
        g = groups.setdefault(key, {"template_id": key[0], "source": key[1], "issued": 0, "seen": 0, "used": 0,
                                    "spend_yen": 0, "visits_with_spend": 0})
        g["issued"] += 1
        mine = entries.get(mid, [])
        issued, expires = data["issued_at"], data.get("expires_at") or "9999"
        if any(issued <= e[3] < expires for e in mine) or used:
            g["seen"] += 1
        use = next((e for e in mine if e[0] == used), None) if used else None
        if used:
            g["used"] += 1
        if use is not None:
            t = _parse_iso(use[3])
            spend = [int(e[4] or 0) for e in mine if e[1] == "earn" and e[2] == use[2]
                     and abs(_parse_iso(e[3]) - t) <= VISIT_WINDOW]
            if spend:
                g["visits_with_spend"] += 1
                g["spend_yen"] += sum(spend)
    rows = [groups[k] for k in sorted(groups)]
    total = {k: sum(r[k] for r in rows) for k in ("issued", "seen", "used", "spend_yen", "visits_with_spend")}
    return {"from": day_from.isoformat(), "to": day_to.isoformat(), "rows": rows, "total": total,
            "seen_definition": "the member had an entry at a store while the coupon was valid"}


def sync_health(svc, now: datetime | None = None) -> list[dict]:
    now = now or datetime.now(timezone.utc)
    with svc.db.read() as s:
        stores = s.scalars(select(StoreRow).order_by(StoreRow.id)).all()
    out = []
    for r in stores:
        lag = (now - _parse_iso(r.last_contact_at)).total_seconds() if r.last_contact_at else None
        oldest = (now - _parse_iso(r.oldest_pending_at)).total_seconds() if r.oldest_pending_at else None
        if r.status != "active":
            health = r.status
        elif lag is None:
            health = "never"
        elif lag > 86400:
            health = "offline"
        elif lag > 3600 or (oldest is not None and oldest > 3600) or r.last_error:
            health = "lagging"
        else:
            health = "ok"
        out.append({"store_id": r.id, "name": r.name, "status": r.status, "health": health,
                    "last_contact_at": r.last_contact_at, "last_push_at": r.last_push_at,
                    "seconds_since_contact": round(lag) if lag is not None else None,
                    "queue_length": r.queue_length, "oldest_pending_at": r.oldest_pending_at,
                    "oldest_pending_age_s": round(oldest) if oldest is not None else None,
                    "clock_skew_ms": r.clock_skew_ms, "last_error": r.last_error})
    return out


def to_csv(rows: list[dict]) -> str:
    if not rows:
        return ""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0].keys()), lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow(r)
    return buf.getvalue()
