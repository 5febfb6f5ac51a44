"""Members' rights under Japan's APPI (個人情報保護法): disclosure (開示) and deletion (削除).

    data = store.privacy.disclosure(manager, member_id)          # dict: profile, cards, ledger, coupons, consents
    paths = store.privacy.export(manager, member_id, out_dir)      # JSON + CSV files, plaintext, audited
    store.privacy.delete_member(manager, member_id, reason="本人からの削除請求")

Disclosure is for a manager only, audited (audit_log) and recorded as a security event. The
files go in plaintext to the folder the manager chose: handing the data to the person is the
point. Nothing is kept in the store folder.

Deletion at the store: the person's data leaves the store database — the same scrubbing HQ's
deletions get when they arrive by sync (ReplicaService._ch_member_delete: name, kana, phone,
e-mail, LINE id, birthday emptied, consent off, status 'deleted', cards revoked, personal data in
old outbox payloads scrubbed) plus: card numbers pseudonymised (a paper card number can be
written on the customer's own card), audit rows' before/after about the member emptied. Ledger
rows stay (the day's totals must still add up) under the member's UUID, which no longer points to
anyone. An outbox event ``member.delete_request`` asks HQ to delete everywhere. Then the freed
pages are overwritten (secure_delete), the WAL is checkpointed and truncated, and the file is
VACUUMed, so the old bytes leave the database file and its WAL. Backups made before the
deletion are overwritten and removed, and one fresh backup of the scrubbed file takes their place
(app/db.py ``purge_backups_after_deletion``; the same happens when HQ's deletion arrives by sync).
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from pathlib import Path

from sqlalchemy import select, update

from app.clock import iso
from app.errors import NotFound
from app.models import AuditEntry, Card, Coupon, LedgerEntry, Member, Outbox
from app.services.staff import require

PROFILE = ("member_no", "name", "name_kana", "phone", "email", "line_user_id", "birthday", "tier", "status",
           "home_store_id", "balance", "lifetime_spend_yen", "last_visit_at", "created_at", "updated_at")
LEDGER = ("id", "created_at", "kind", "points", "amount_yen", "store_id", "terminal_id", "rule_set_version",
          "reverses_id", "coupon_id", "reason", "sync_state")
CARDS = ("kind", "number", "status", "created_at", "revoked_at", "migrated_at", "migrated_store_id")
COUPONS = ("id", "template_id", "title_ja", "title_en", "kind", "value", "issued_at", "expires_at", "used_at")


class PrivacyService:
    def __init__(self, store):
        self.store = store

    # -- disclosure -------------------------------------------------------------------------
    def _member(self, s, member_id: str) -> Member:
        m = s.get(Member, str(member_id))
        if m is None:
            m = s.scalars(select(Member).where(Member.member_no == str(member_id))).first()
        if m is None:
            raise NotFound("No such member.", code="unknown_member")
        return m

    def disclosure(self, actor, member_id: str) -> dict:
        """Everything the store holds about one member (audited)."""
        require(actor, "manager", "disclose a member's data")
        with self.store.db.write() as s:
            m = self._member(s, member_id)
            data = {
                "member_id": m.id,
                "generated_at": iso(self.store.now()),
                "store_id": self.store.store_id,
                "profile": {f: getattr(m, f) for f in PROFILE},
                "consents": {"marketing": bool(m.consent_marketing), "consent_at": m.consent_at,
                             "field_times": dict(m.field_times or {})},
                "cards": [{f: getattr(c, f) for f in CARDS}
                          for c in s.scalars(select(Card).where(Card.member_id == m.id).order_by(Card.id))],
                "ledger": [{f: getattr(e, f) for f in LEDGER}
                           for e in s.scalars(select(LedgerEntry).where(LedgerEntry.member_id == m.id)
                                              .order_by(LedgerEntry.seq))],
                "coupons": [{f: getattr(c, f) for f in COUPONS}
                            for c in s.scalars(select(Coupon).where(Coupon.member_id == m.id).order_by(Coupon.issued_at))],
            }
            counts = {k: len(data[k]) for k in ("cards", "ledger", "coupons")}
            self.store.audit.record(s, actor, "member.disclose", "member", m.id, None, counts)
            self.store.security.record(s, "export.disclosure", actor=actor, object_type="member", object_id=m.id,
                                       details=counts)
        return data

    def export(self, actor, member_id: str, out_dir: str | Path) -> dict:
        """Write the disclosure as <member no>-disclosure.json and one CSV per section
        (profile, consents, cards, ledger, coupons) in a folder the manager chose. Returns paths."""
        data = self.disclosure(actor, member_id)
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        stem = f"{data['profile']['member_no']}-disclosure"
        paths = {"json": _write(out / f"{stem}.json",
                                json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))}
        sections = {
            "profile": [data["profile"]],
            "consents": [{"marketing": data["consents"]["marketing"], "consent_at": data["consents"]["consent_at"]}],
            "cards": data["cards"], "ledger": data["ledger"], "coupons": data["coupons"],
        }
        header_of = {"profile": PROFILE, "consents": ("marketing", "consent_at"), "cards": CARDS,
                     "ledger": LEDGER, "coupons": COUPONS}
        for name, rows in sections.items():
            buf = io.StringIO()
            w = csv.DictWriter(buf, fieldnames=list(header_of[name]), extrasaction="ignore", lineterminator="\r\n")
            w.writeheader()
            w.writerows(rows)
            # UTF-8 with BOM: Excel on a Japanese Windows opens it with the kana intact
            paths[name] = _write(out / f"{stem}-{name}.csv", buf.getvalue().encode("utf-8-sig"))
        return {"member_id": data["member_id"], "files": {k: str(v) for k, v in paths.items()}}

    # -- deletion ---------------------------------------------------------------------------
    def delete_member(self, actor, member_id: str, *, reason: str | None = None) -> dict:
        """A deletion request made at this store: scrub here, tell HQ, wipe the freed pages."""
        from app.services.replica import ReplicaService

        require(actor, "manager", "delete a member's personal data")
        now = self.store.now()
        with self.store.db.write() as s:
            m = self._member(s, member_id)
            if m.status == "deleted":
                return {"member_id": m.id, "already_deleted": True}
            summary = {"deleted_members": 0, "touched_members": set()}
            evidence = list(s.scalars(select(LedgerEntry.id).where(LedgerEntry.member_id == m.id,
                                                                   LedgerEntry.evidence_sha256.is_not(None))))
            # the same scrubbing as a deletion HQ sends (one implementation)
            ReplicaService(self.store)._ch_member_delete(s, {"member_id": m.id}, now, summary)
            # card numbers can be the customer's own (paper card numbers): pseudonymise them
            for card in s.scalars(select(Card).where(Card.member_id == m.id)):
                if card.kind != "member_code":
                    card.number = "deleted:" + hashlib.sha256(f"{card.kind}:{card.number}".encode()).hexdigest()[:40]
            # audit rows about this member keep who/when/what, not the values
            s.execute(update(AuditEntry).where(AuditEntry.object_type == "member", AuditEntry.object_id == m.id)
                      .values(before=None, after=None))
            s.add(Outbox(event_id=_uuid(), type="member.delete_request",
                         payload={"member_id": m.id, "store_id": self.store.store_id, "at": iso(now)},
                         created_at=iso(now)))
            self.store.audit.record(s, actor, "member.delete", "member", m.id, None, {"reason_given": bool(reason)})
            self.store.security.record(s, "member.delete", actor=actor, object_type="member", object_id=m.id)
        # the paper cards' evidence photos are the person's data too
        for entry_id in evidence:
            self.store.migration.evidence_file(entry_id).unlink(missing_ok=True)
        self.store.db.wipe_free_pages()
        # older backups hold the person too: replaced by one made now (app/db.py, docs/PRIVACY.md)
        backups = self.store.db.purge_backups_after_deletion()
        return {"member_id": m.id, "already_deleted": False, "backups_removed": backups["removed"]}


def _uuid() -> str:
    import uuid

    return str(uuid.uuid4())


def _write(path: Path, data: bytes) -> Path:
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    return path
