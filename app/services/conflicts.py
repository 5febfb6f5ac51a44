"""The manager's 要確認 queue over the conflicts table (filled by sync): list, count, acknowledge.

Acknowledging is a manager action, audited, with what was done about it: "acknowledged" (nothing
more), "adjusted" (with the adjustment entry id) or "contacted" (the customer was contacted).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from app.clock import iso
from app.errors import InvalidInput, NotFound
from app.models import Conflict, Member
from app.services.staff import require

ACTIONS = ("acknowledged", "adjusted", "contacted")
CLOSED = ("resolved", "acknowledged")


@dataclass(frozen=True)
class ConflictView:
    id: int
    kind: str
    created_at: str
    member_id: str | None
    member_no: str | None
    details: dict
    status: str
    resolved_at: str | None
    resolved_by: int | None


class ConflictsService:
    def __init__(self, store):
        self.store = store

    def _views(self, s, rows) -> list[ConflictView]:
        ids = {c.member_id for c in rows if c.member_id}
        numbers = dict(s.execute(select(Member.id, Member.member_no).where(Member.id.in_(ids))).all()) if ids else {}
        return [ConflictView(c.id, c.kind, c.created_at, c.member_id, numbers.get(c.member_id), dict(c.details or {}),
                             c.status, c.resolved_at, c.resolved_by) for c in rows]

    def list(self, *, include_closed: bool = False, limit: int = 1000) -> list[ConflictView]:
        q = select(Conflict).order_by(Conflict.id.desc()).limit(limit)
        if not include_closed:
            q = q.where(Conflict.status == "open")
        with self.store.db.read() as s:
            return self._views(s, list(s.scalars(q)))

    def open_count(self) -> int:
        with self.store.db.read() as s:
            return int(s.scalar(select(func.count()).select_from(Conflict).where(Conflict.status == "open")))

    def get(self, conflict_id: int) -> ConflictView:
        with self.store.db.read() as s:
            c = s.get(Conflict, conflict_id)
            if c is None:
                raise NotFound("No such conflict.", code="unknown_conflict")
            return self._views(s, [c])[0]

    def acknowledge(self, actor, conflict_id: int, *, action: str = "acknowledged", note: str | None = None,
                    entry_id: str | None = None) -> ConflictView:
        require(actor, "manager", "acknowledge conflicts")
        if action not in ACTIONS:
            raise InvalidInput(f"Unknown action {action!r}.", code="bad_action")
        with self.store.db.write() as s:
            c = s.get(Conflict, int(conflict_id))
            if c is None:
                raise NotFound("No such conflict.", code="unknown_conflict")
            if c.status != "open":
                raise InvalidInput("This conflict was already dealt with.", code="already_resolved")
            now = iso(self.store.now())
            c.status = "resolved"
            c.resolved_at = now
            c.resolved_by = actor.staff_id
            c.details = dict(c.details or {}, resolution={"action": action, "note": (note or "").strip() or None,
                                                         "entry_id": entry_id, "at": now})
            self.store.audit.record(s, actor, "conflict.acknowledge", "conflict", c.id, {"status": "open"},
                                    {"status": "resolved", "action": action, "note": bool(note),
                                     "entry_id": entry_id})
            s.flush()
            return self._views(s, [c])[0]
