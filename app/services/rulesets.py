"""Rule sets held by the store: the default one at init, versions pushed by HQ later.
Pricing uses the version valid at the moment of the purchase."""
from __future__ import annotations

import json
import time
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from app.clock import iso
from app.db import dbapi_of
from app.models import RuleSetRow
from app.rules import RuleSet, load_default_rule_set, parse_rule_set, rule_set_for


RECHECK_S = 2.0
# Plain SQL on the DB-API connection (app.db.dbapi_of): the check runs in every points action.
_VERSIONS = "SELECT version FROM rule_sets ORDER BY valid_from, version"
_BODIES = "SELECT body FROM rule_sets ORDER BY valid_from, version"  # JSON text


class RuleSetService:
    def __init__(self, store):
        self.store = store
        # (stored versions, parsed rule sets, time.monotonic() of the last check)
        self._cache: tuple[tuple[str, ...], list[RuleSet], float] | None = None

    def all(self, session: Session | None = None) -> list[RuleSet]:
        """Every rule set held, parsed once per Store. A stored version never changes, so the
        parsed list is right as long as the stored versions are the same ones. With `session` (a
        Session, or the DB-API connection of a points action's transaction) that is checked in
        it, one small query: a version installed by another process (the CLI, sync run elsewhere)
        prices the very next action. Without one, at most every RECHECK_S seconds; install() in
        this process clears the cache at once."""
        cache = self._cache  # one read: another thread may replace it meanwhile
        if session is None:
            if cache is not None and time.monotonic() - cache[2] < RECHECK_S:
                return list(cache[1])
            with self.store.db.read() as s:
                return self.all(s)
        cx = dbapi_of(session)
        versions = tuple(v for (v,) in cx.execute(_VERSIONS))
        if cache is None or cache[0] != versions:
            cache = (versions, [parse_rule_set(json.loads(b)) for (b,) in cx.execute(_BODIES)], time.monotonic())
        else:
            cache = (cache[0], cache[1], time.monotonic())
        self._cache = cache
        return list(cache[1])

    def valid_at(self, at: datetime, session: Session | None = None) -> RuleSet:
        return rule_set_for(self.all(session), at)

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
