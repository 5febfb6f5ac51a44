"""Generated HQ histories: members and ledger rows written straight into HQ's database."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from hq.models import LedgerRow, MemberRow

JST = timezone(timedelta(hours=9))


def iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class History:
    def __init__(self, svc, now: datetime):
        self.svc = svc
        self.now = now
        self.n = 0

    def member(self, *, consent=False, email=None, line=None, tier=None, status="active", birthday=None) -> str:
        self.n += 1
        mid = str(uuid.uuid4())
        with self.svc.db.write() as s:
            s.add(MemberRow(id=mid, member_no=f"T{self.n:06d}", name=None, name_kana="テスト", consent_marketing=consent,
                            email=email, line_user_id=line, tier=tier, status=status, birthday=birthday,
                            field_times={}, balance=0, lifetime_spend_yen=0, created_at=iso(self.now - timedelta(days=800)),
                            updated_at=iso(self.now), home_store_id="S001"))
        return mid

    def entry(self, mid: str, kind: str, points: int, at: datetime, amount: int | None = None, store="S001",
              reverses: str | None = None) -> str:
        eid = str(uuid.uuid4())
        with self.svc.db.write() as s:
            s.add(LedgerRow(id=eid, member_id=mid, kind=kind, points=points, amount_yen=amount, store_id=store,
                            terminal_id="T1", created_at=iso(at), booked_at=iso(at), rule_set_version="2026.1",
                            reverses_id=reverses))
            m = s.get(MemberRow, mid)
            m.balance += points
            if kind == "earn":
                m.lifetime_spend_yen += amount or 0
                if not m.last_visit_at or iso(at) > m.last_visit_at:
                    m.last_visit_at = iso(at)
        return eid

    def earn(self, mid: str, yen: int, days_ago: float, store="S001") -> str:
        return self.entry(mid, "earn", yen // 100, self.now - timedelta(days=days_ago), yen, store)
