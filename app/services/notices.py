"""What HQ decided about a member that the cashier should see once, at the member's next scan:
a tier promotion or demotion (the HQ tiers job) and a tag such as VIP (the HQ vip job).

Sync (app/services/replica.py) records them as it applies HQ's change feed; the counter takes
them when the member is scanned (``take``: returned once, then gone). They are kept in the
settings table under ``notice:<member id>`` (a JSON list; ``Store.settings()`` leaves these keys
out), so no schema change was needed: a member has at most one pending tier notice (a later
change replaces an unseen one) and one per tag. No personal data: ids, tier ids and tag names.
"""
from __future__ import annotations

import json

from sqlalchemy.orm import Session

from app.models import Setting

PREFIX = "notice:"


class NoticeService:
    def __init__(self, store):
        self.store = store

    # -- written by sync, inside its transaction ----------------------------------------------
    @staticmethod
    def record(s: Session, member_id: str, notice: dict) -> None:
        """Add ``notice`` ({"kind": "tier", "from", "to", "direction", "at"} or {"kind": "tag",
        "tag", "at"}) for the member; an unseen notice of the same kind (and tag) is replaced."""
        row = s.get(Setting, PREFIX + member_id)
        items = json.loads(row.value) if row else []
        items = [n for n in items if not _same(n, notice)]
        items.append(notice)
        s.merge(Setting(key=PREFIX + member_id, value=json.dumps(items, ensure_ascii=False)))

    @staticmethod
    def withdraw(s: Session, member_id: str, notice: dict) -> None:
        """An unseen notice that no longer holds (e.g. the tag was removed again): dropped."""
        row = s.get(Setting, PREFIX + member_id)
        if row is None:
            return
        items = [n for n in json.loads(row.value) if not _same(n, notice)]
        if items:
            row.value = json.dumps(items, ensure_ascii=False)
        else:
            s.delete(row)

    # -- read by the counter ------------------------------------------------------------------
    def pending(self, member_id: str) -> list[dict]:
        with self.store.db.read() as s:
            row = s.get(Setting, PREFIX + member_id)
            return json.loads(row.value) if row else []

    def take(self, member_id: str) -> list[dict]:
        """The member's notices, once: returned and removed (no write when there are none, so a
        scan without news costs one primary-key read)."""
        if not self.pending(member_id):
            return []
        with self.store.db.write() as s:
            row = s.get(Setting, PREFIX + member_id)
            if row is None:
                return []
            items = json.loads(row.value)
            s.delete(row)
        return items


def _same(a: dict, b: dict) -> bool:
    return a.get("kind") == b.get("kind") and (a.get("kind") != "tag" or a.get("tag") == b.get("tag"))
