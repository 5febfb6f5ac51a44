"""The store: one database, its settings, and the services over it.

    store = Store.open(path)             # upgrades the schema to head
    actor = store.staff.authenticate(1, "1234")
    store.ledger.earn(actor, member_id, 3480, key=uuid4())

Every service is plain Python (no Qt); the UI, the CLI and sync all call these.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from app.clock import Clock, system_clock
from app.db import Database
from app.errors import InvalidInput
from app.models import Setting

DEFAULT_SETTINGS = {
    "store_id": None,
    "terminal_id": "T01",
    "void_window_minutes": 30,
    "audit_retention_days": 365,
    "idle_signout_minutes": 10,
    "language": "ja",
    "pin_max_attempts": 5,
    "pin_lockout_minutes": 15,
}
MIN_AUDIT_RETENTION_DAYS = 30


@dataclass(frozen=True)
class Actor:
    """Who is acting: a signed-in staff member, or the system (sync, scheduled jobs)."""
    staff_id: int | None
    role: str  # cashier | manager | admin | system
    name: str = ""
    # The store the actor signed in to (set by staff.authenticate), so that a permission denial
    # can be recorded as a security event where it happens. Not part of equality.
    store: object = field(default=None, compare=False, repr=False, hash=False)

    @property
    def is_manager(self) -> bool:
        return self.role in ("manager", "admin", "system")


SYSTEM = Actor(staff_id=None, role="system", name="system")


def settle_heap() -> None:
    """Once start-up is over (the app calls it after its warm-up): what exists now (modules,
    SQLAlchemy mappers, parsed rule sets, Qt wrappers) lives as long as the process, so move it
    out of the cyclic garbage collector's generations (gc.freeze). A full collection otherwise
    walks all of it (~50 ms for the store's ~100k objects on the 2-core benchmark machine)
    inside whichever counter action happens to trigger it; after this it walks only what was
    made since."""
    import gc

    gc.collect()
    gc.freeze()


_UPSERT_SETTING = text("INSERT INTO settings (key, value) VALUES (:key, :value)"
                       " ON CONFLICT (key) DO UPDATE SET value = excluded.value")
_PENDING_SETTINGS = "tsumugi_settings"  # Session.info: [(store, values)] written in its transaction


@event.listens_for(Session, "after_commit")
def _settings_after_commit(session: Session) -> None:
    for store, values in session.info.pop(_PENDING_SETTINGS, ()):
        store._settings_committed(values)


@event.listens_for(Session, "after_soft_rollback")
def _settings_after_rollback(session: Session, _previous) -> None:
    # any rollback (a savepoint's too) with settings written: read them from the table next time
    for store, _values in session.info.pop(_PENDING_SETTINGS, ()):
        store._settings_cache = None


class Store:
    def __init__(self, db: Database, clock: Clock = system_clock):
        from app.services.audit import AuditService
        from app.services.coupons import CouponService
        from app.services.ledger import LedgerService
        from app.services.members import MemberService
        from app.services.rulesets import RuleSetService
        from app.services.staff import StaffService

        self.db = db
        self.clock = clock
        self._settings_cache: dict | None = None
        self.audit = AuditService(self)
        self.staff = StaffService(self)
        self.rules = RuleSetService(self)
        self.members = MemberService(self)
        self.ledger = LedgerService(self)
        self.coupons = CouponService(self)
        from app.services.segments import SegmentService; self.segments = SegmentService(self)  # noqa: E702
        from app.services.customers import CustomerService; self.customers = CustomerService(self)  # noqa: E702
        from app.services.reports import ReportService; self.reports = ReportService(self)  # noqa: E702
        from app.services.conflicts import ConflictsService; self.conflicts = ConflictsService(self)  # noqa: E702
        from app.services.migration import MigrationService
        self.migration = MigrationService(self)
        from app.services.security_log import SecurityLog; self.security = SecurityLog(self)  # noqa: E702
        from app.services.privacy import PrivacyService; self.privacy = PrivacyService(self)  # noqa: E702
        from app.services.notices import NoticeService; self.notices = NoticeService(self)  # noqa: E702

    @classmethod
    def open(cls, path: str | Path, clock: Clock = system_clock, *,
             background_checkpoint: bool = False) -> "Store":
        """``background_checkpoint``: fold the WAL in from a daemon thread (the app's own store)
        instead of inside whichever write crosses SQLite's threshold."""
        store = cls(Database(path), clock)
        if background_checkpoint:
            store.db.start_checkpointer()
        return store

    def close(self) -> None:
        self.db.close()

    # -- settings ---------------------------------------------------------------------------
    # Read once per Store, then kept: a write through set_settings() updates the cache when its
    # transaction commits (a rollback drops it and the next read goes to the table). Another
    # process writing settings (a CLI tool) is not seen until this Store reads them again
    # (invalidate_settings(), or a new Store) - as before; the store database has one owner.
    def settings(self) -> dict:
        return dict(self._loaded_settings())

    def _loaded_settings(self) -> dict:
        cache = self._settings_cache
        if cache is None:
            with self.db.read() as s:
                # member notices (app/services/notices.py) share the table but are not settings
                rows = s.execute(select(Setting.key, Setting.value).where(
                    (Setting.key < "notice:") | (Setting.key >= "notice;"))).all()
            cache = dict(DEFAULT_SETTINGS)
            cache.update({k: json.loads(v) for k, v in rows})
            self._settings_cache = cache
        return cache

    def invalidate_settings(self) -> None:
        """Forget the cached settings (the next read goes to the table): after another process
        may have written them."""
        self._settings_cache = None

    def setting(self, key: str):
        return self._loaded_settings().get(key)

    @property
    def store_id(self) -> str:
        sid = self.setting("store_id")
        if not sid:
            raise InvalidInput("This database has no store yet: run 'init' (or the first-run wizard) first.",
                               code="not_initialised")
        return sid

    @property
    def terminal_id(self) -> str:
        return self.setting("terminal_id")

    @property
    def initialised(self) -> bool:
        return bool(self.setting("store_id"))

    def set_settings(self, session: Session, **values) -> None:
        """Write settings in the caller's transaction (one upsert); this Store's cache takes the
        values when that transaction commits."""
        self._check_settings(values)
        if not values:
            return
        rows = [{"key": k, "value": json.dumps(v)} for k, v in values.items()]
        session.execute(_UPSERT_SETTING, rows)
        for k in values:  # a Setting this session already loaded would be stale now
            obj = session.identity_map.get(Session.identity_key(Setting, k))
            if obj is not None:
                session.expire(obj)
        # the cache takes what a read of the table would give back (JSON round trip)
        session.info.setdefault(_PENDING_SETTINGS, []).append(
            (self, {r["key"]: json.loads(r["value"]) for r in rows}))

    def write_settings(self, **values) -> None:
        """set_settings() in a transaction of its own, as plain SQL on the DB-API connection
        (Database.raw_write); the cache takes the values once it has committed."""
        self._check_settings(values)
        if not values:
            return
        rows = [(k, json.dumps(v)) for k, v in values.items()]
        with self.db.raw_write() as con:
            con.executemany("INSERT INTO settings (key, value) VALUES (?, ?)"
                            " ON CONFLICT (key) DO UPDATE SET value = excluded.value", rows)
        self._settings_committed({k: json.loads(v) for k, v in rows})

    @staticmethod
    def _check_settings(values: dict) -> None:
        if "audit_retention_days" in values and int(values["audit_retention_days"]) < MIN_AUDIT_RETENTION_DAYS:
            raise InvalidInput("Audit log retention cannot be shorter than 30 days.", code="retention_too_short")
        if "void_window_minutes" in values and int(values["void_window_minutes"]) < 0:
            raise InvalidInput("The void window cannot be negative.", code="bad_void_window")

    def _settings_committed(self, values: dict) -> None:
        cache = self._settings_cache
        if cache is not None:
            cache.update({k: v for k, v in values.items() if not ("notice:" <= k < "notice;")})

    def update_settings(self, actor: Actor, **values) -> None:
        from app.services.staff import require

        require(actor, "manager", "change settings")
        with self.db.write() as s:
            before = {k: self.setting(k) for k in values}
            self.set_settings(s, **values)
            self.audit.record(s, actor, "settings.update", "settings", None, before, values)

    def now(self):
        return self.clock()
