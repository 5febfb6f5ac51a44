"""Staff, roles and PINs. Permissions are enforced here, in the services, not only in the UI."""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
from datetime import timedelta

from sqlalchemy import func, select

from app.clock import iso, parse_iso
from app.errors import AuthenticationFailed, InvalidInput, NotFound, PermissionDenied
from app.models import Staff

ROLES = ("cashier", "manager", "admin")
_RANK = {"cashier": 0, "manager": 1, "admin": 2, "system": 3}
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def require(actor, role: str, what: str) -> None:
    if actor is None or _RANK.get(actor.role, -1) < _RANK[role]:
        store = getattr(actor, "store", None)
        if store is not None:  # a security event, in its own small transaction (after the caller's)
            store.security.record_now("permission_denied", actor=actor,
                                      details={"action": what, "needed": role, "role": actor.role})
        raise PermissionDenied(f"Only a {role} may {what}.", code="permission_denied", needed=role, action=what)


def hash_pin(pin: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, dklen=32, **_SCRYPT)
    return "scrypt$%d$%d$%d$%s$%s" % (
        _SCRYPT["n"], _SCRYPT["r"], _SCRYPT["p"],
        base64.b64encode(salt).decode(), base64.b64encode(digest).decode(),
    )


def check_pin(pin: str, stored: str) -> bool:
    try:
        _, n, r, p, salt, digest = stored.split("$")
        computed = hashlib.scrypt(pin.encode(), salt=base64.b64decode(salt), dklen=32,
                                  n=int(n), r=int(r), p=int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(computed, base64.b64decode(digest))


def _validate_pin(pin: str) -> str:
    pin = (pin or "").strip()
    if not (pin.isdigit() and 4 <= len(pin) <= 8):
        raise InvalidInput("A PIN is 4 to 8 digits.", code="bad_pin_format")
    return pin


class StaffService:
    def __init__(self, store):
        self.store = store

    def count(self) -> int:
        with self.store.db.read() as s:
            return s.scalar(select(func.count()).select_from(Staff))

    def add(self, actor, name: str, role: str, pin: str) -> Staff:
        """Adds a staff member. The very first staff member of a store needs no actor but must be
        a manager or admin; after that a manager may add cashiers and an admin anyone."""
        if role not in ROLES:
            raise InvalidInput(f"Unknown role {role!r}: cashier, manager or admin.", code="bad_role")
        name = (name or "").strip()
        if not name:
            raise InvalidInput("A staff member needs a name.", code="missing_name")
        pin = _validate_pin(pin)
        with self.store.db.write() as s:
            first = s.scalar(select(func.count()).select_from(Staff)) == 0
            if first:
                if role == "cashier":
                    raise InvalidInput("The first staff member must be a manager or admin.", code="first_staff_role")
            else:
                require(actor, "admin" if role != "cashier" else "manager", f"add a {role}")
            staff = Staff(name=name, role=role, pin_hash=hash_pin(pin), created_at=iso(self.store.now()))
            s.add(staff)
            s.flush()
            self.store.audit.record(s, actor, "staff.add", "staff", staff.id, None, {"role": role})
            return staff

    def get(self, staff_id: int) -> Staff:
        with self.store.db.read() as s:
            staff = s.get(Staff, staff_id)
        if staff is None:
            raise NotFound(f"No staff member number {staff_id}.", code="unknown_staff")
        return staff

    def list(self) -> list[Staff]:
        with self.store.db.read() as s:
            return list(s.scalars(select(Staff).order_by(Staff.id)))

    def authenticate(self, staff_id: int, pin: str):
        """Returns an Actor, or raises AuthenticationFailed (wrong PIN, locked, unknown)."""
        from app.store import Actor

        now = self.store.now()
        max_attempts = int(self.store.setting("pin_max_attempts"))
        lock_minutes = int(self.store.setting("pin_lockout_minutes"))
        failure: AuthenticationFailed | None = None
        with self.store.db.write() as s:  # failures are recorded (committed) before we refuse
            staff = s.get(Staff, int(staff_id)) if str(staff_id).isdigit() else None
            sec_id = int(staff_id) if str(staff_id).isdigit() and len(str(staff_id)) < 10 else None
            if staff is None or not staff.active:
                # Same message as a wrong PIN: do not tell which staff numbers exist.
                self.store.audit.record(s, None, "staff.signin_failed", "staff", staff_id)
                self.store.security.record(s, "signin_failed", staff_id=sec_id,
                                           details={"reason": "unknown_staff" if staff is None else "inactive"})
                failure = AuthenticationFailed("Wrong staff number or PIN.", code="wrong_pin")
            elif staff.locked_until and parse_iso(staff.locked_until) > now:
                self.store.audit.record(s, None, "staff.signin_locked", "staff", staff_id)
                self.store.security.record(s, "signin_locked", staff_id=sec_id)
                failure = AuthenticationFailed(
                    "Too many wrong PINs: this staff number is locked for a while. Ask a manager.",
                    code="locked", until=staff.locked_until)
            elif not check_pin(str(pin or ""), staff.pin_hash):
                staff.failed_attempts += 1
                if staff.failed_attempts >= max_attempts:
                    staff.locked_until = iso(now + timedelta(minutes=lock_minutes))
                    staff.failed_attempts = 0
                    self.store.audit.record(s, None, "staff.locked", "staff", staff_id)
                    self.store.security.record(s, "lockout", staff_id=sec_id,
                                               details={"until": staff.locked_until, "attempts": max_attempts})
                else:
                    self.store.audit.record(s, None, "staff.signin_failed", "staff", staff_id)
                    self.store.security.record(s, "signin_failed", staff_id=sec_id,
                                               details={"reason": "wrong_pin", "attempts": staff.failed_attempts})
                failure = AuthenticationFailed("Wrong staff number or PIN.", code="wrong_pin")
            else:
                staff.failed_attempts = 0
                staff.locked_until = None
                actor = Actor(staff_id=staff.id, role=staff.role, name=staff.name, store=self.store)
                self.store.audit.record(s, actor, "staff.signin", "staff", staff_id)
        if failure is not None:
            raise failure
        return actor

    def set_pin(self, actor, staff_id: int, pin: str) -> None:
        pin = _validate_pin(pin)
        if actor.staff_id != staff_id:
            require(actor, "manager", "change another staff member's PIN")
        with self.store.db.write() as s:
            staff = s.get(Staff, staff_id)
            if staff is None:
                raise NotFound(f"No staff member number {staff_id}.", code="unknown_staff")
            staff.pin_hash = hash_pin(pin)
            staff.failed_attempts = 0
            staff.locked_until = None
            self.store.audit.record(s, actor, "staff.set_pin", "staff", staff_id)
