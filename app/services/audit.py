"""Audit log: who did what, when, on which terminal, with before/after where it matters.

Rows are written inside the caller's transaction, so a change and its audit row commit together.
Personal data is never written to the application log; the audit table is inside the (to be
encrypted) store database.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.clock import iso
from app.models import AuditEntry


class AuditService:
    def __init__(self, store):
        self.store = store

    def record(self, session: Session, actor, action: str, object_type: str | None, object_id,
               before: dict | None = None, after: dict | None = None) -> None:
        session.add(AuditEntry(**self.values(actor, action, object_type, object_id, before, after)))

    def values(self, actor, action: str, object_type: str | None, object_id,
               before: dict | None = None, after: dict | None = None) -> dict:
        """The audit row's columns, for a caller that inserts it with Core in its own transaction
        (the ledger's hot path) rather than through record()."""
        return {"at": iso(self.store.now()), "staff_id": getattr(actor, "staff_id", None),
                "terminal_id": self.store.setting("terminal_id"), "action": action, "object_type": object_type,
                "object_id": None if object_id is None else str(object_id), "before": before, "after": after}

    def entries(self, *, action: str | None = None, staff_id: int | None = None,
                since: str | None = None, until: str | None = None, limit: int = 500) -> list[AuditEntry]:
        q = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
        if action:
            q = q.where(AuditEntry.action.startswith(action))
        if staff_id is not None:
            q = q.where(AuditEntry.staff_id == staff_id)
        if since:
            q = q.where(AuditEntry.at >= since)
        if until:
            q = q.where(AuditEntry.at < until)
        with self.store.db.read() as s:
            return list(s.scalars(q))

    def prune(self) -> int:
        """Delete audit rows older than the retention (never less than 30 days)."""
        days = max(int(self.store.setting("audit_retention_days")), 30)
        cutoff = iso(self.store.now() - timedelta(days=days))
        with self.store.db.write() as s:
            return s.execute(delete(AuditEntry).where(AuditEntry.at < cutoff)).rowcount
