"""Rule sets held by the store: the default one at init, versions pushed by HQ later.
Pricing uses the version valid at the moment of the purchase."""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import iso
from app.models import RuleSetRow
from app.rules import RuleSet, load_default_rule_set, parse_rule_set, rule_set_for


class RuleSetService:
    def __init__(self, store):
        self.store = store
        self._cache: list[RuleSet] | None = None

    def all(self) -> list[RuleSet]:
        if self._cache is None:
            with self.store.db.read() as s:
                bodies = s.scalars(select(RuleSetRow.body).order_by(RuleSetRow.valid_from)).all()
            self._cache = [parse_rule_set(b) for b in bodies]
        return list(self._cache)

    def valid_at(self, at: datetime) -> RuleSet:
        return rule_set_for(self.all(), at)

    def current(self) -> RuleSet:
        return self.valid_at(self.store.now())

    def active_and_upcoming(self, now: datetime | None = None) -> dict:
        """For the read-only "rules" view: the version pricing now and the versions received ahead
        of their start (sorted by start). {"active": RuleSet | None, "upcoming": [RuleSet, ...]}."""
        now = now or self.store.now()
        sets = self.all()
        try:
            active = rule_set_for(sets, now)
        except ValueError:
            active = None
        upcoming = sorted((r for r in sets if r.valid_from > now), key=lambda r: r.valid_from)
        return {"active": active, "upcoming": upcoming}

    def install(self, session: Session, rule_set: RuleSet) -> bool:
        """Store a rule set version (immutable: a version already held is left as it is)."""
        if session.get(RuleSetRow, rule_set.version) is not None:
            return False
        session.add(RuleSetRow(
            version=rule_set.version,
            valid_from=iso(rule_set.valid_from),
            valid_to=iso(rule_set.valid_to) if rule_set.valid_to else None,
            body=json.loads(rule_set.model_dump_json()),
            received_at=iso(self.store.now()),
        ))
        self._cache = None
        return True

    @staticmethod
    def load_file(path: str | Path | None) -> RuleSet:
        if path is None:
            return load_default_rule_set()
        return parse_rule_set(Path(path).read_bytes())
