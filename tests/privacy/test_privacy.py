"""APPI: disclosure export (manager only, audited) and deletion at the store (the bytes leave the
database file and its WAL, proved on the decrypted pages)."""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from app.db import database_key
from app.errors import CodeRefused, NotFound, PermissionDenied
from app.models import LedgerEntry, Outbox
from tests.privacy.conftest import SEEDED, needles
from tests.privacy.pages import plaintext_pages
from tests.sync.fixtures import hq, make_store  # noqa: F401 - HQ on loopback

ROOT = Path(__file__).resolve().parents[2]


def test_disclosure_export_json_and_csv(day, tmp_path):
    out = tmp_path / "for-the-customer"
    res = day.store.privacy.export(day.manager, day.member.id, out)
    data = json.loads(Path(res["files"]["json"]).read_text(encoding="utf-8"))
    assert data["profile"]["phone"] == SEEDED["phone"] and data["profile"]["name_kana"] == SEEDED["kana"]
    assert data["consents"]["marketing"] is True
    assert {c["kind"] for c in data["cards"]} == {"member_code", "paper"}
    assert sum(e["points"] for e in data["ledger"]) == data["profile"]["balance"]
    with open(res["files"]["ledger"], encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(data["ledger"]) and rows[0]["id"] == data["ledger"][0]["id"]
    with open(res["files"]["profile"], encoding="utf-8-sig", newline="") as f:
        assert next(csv.DictReader(f))["email"] == SEEDED["email"]
    assert [a.action for a in day.store.audit.entries(action="member.disclose")]
    ev = day.store.security.events("export.disclosure")
    assert len(ev) == 1 and ev[0].object_id == day.member.id and ev[0].staff_id == day.manager.staff_id
    assert SEEDED["phone"] not in json.dumps(ev[0].details)


def test_disclosure_is_for_managers_and_a_denial_is_recorded(day, tmp_path):
    with pytest.raises(PermissionDenied):
        day.store.privacy.export(day.cashier, day.member.id, tmp_path / "x")
    assert not (tmp_path / "x").exists()
    denied = day.store.security.events("permission_denied")
    assert any(e.staff_id == day.cashier.staff_id and "disclose" in e.details.get("action", "") for e in denied)


def test_cli_members_export(tmp_path):
    env = dict(os.environ, TSUMUGI_INSECURE_KEYFILE=str(tmp_path / "keys.json"), TSUMUGI_PIN="1234")

    def cli(*args):
        p = subprocess.run([sys.executable, "-m", "app", "--db", str(tmp_path / "s.sqlite"), *args], cwd=ROOT,
                           env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
        assert p.returncode == 0, p.stderr
        return p.stdout

    cli("init", "--store-id", "S001", "--json")
    cli("staff", "add", "--name", "店長", "--role", "manager", "--pin", "1234", "--json")
    mid = json.loads(cli("members", "add", "--name-kana", "ヤマダハナコ", "--phone", "09023456781", "--staff", "1",
                         "--json"))["member_id"]
    out = json.loads(cli("members", "export", mid, "--out", str(tmp_path / "out"), "--staff", "1", "--json"))
    data = json.loads(Path(out["files"]["json"]).read_text(encoding="utf-8"))
    assert data["profile"]["phone"] == "09023456781" and data["member_id"] == mid


def test_deletion_at_the_store_scrubs_tells_hq_and_wipes_the_pages(day):
    store, m = day.store, day.member
    path = store.db.path
    key = database_key(path).key
    before = plaintext_pages(path, key)
    seeded = needles(SEEDED)
    assert seeded["phone"] in before and seeded["kana"] in before  # the proof below can fail
    balance = store.ledger.balance(m.id)["balance"]
    entries_before = len(store.privacy.disclosure(day.manager, m.id)["ledger"])

    res = store.privacy.delete_member(day.manager, m.id, reason="本人からの削除請求")
    assert res == {"member_id": m.id, "already_deleted": False, "backups_removed": 1}
    after = plaintext_pages(path, key)  # main file + WAL, free pages included
    for what, needle in seeded.items():
        assert needle not in after, what
    with store.db.read() as s:
        from sqlalchemy import select

        from app.models import Member

        row = s.get(Member, m.id)
        assert row.status == "deleted" and row.phone is None and row.email is None and row.name_kana == ""
        assert len(s.scalars(select(LedgerEntry).where(LedgerEntry.member_id == m.id)).all()) == entries_before
        req = s.scalars(select(Outbox).where(Outbox.type == "member.delete_request")).all()
        assert [r.payload["member_id"] for r in req] == [m.id]
    assert balance > 0
    with pytest.raises((NotFound, CodeRefused)):
        store.members.get(m.id)
    assert store.members.find(SEEDED["phone_typed"]) == [] and store.members.find("やまだ") == []
    assert not store.migration.evidence_file(day.migrated.entry.entry_id).exists()  # the card photo too
    assert [e.object_id for e in store.security.events("member.delete")] == [m.id]
    assert store.privacy.delete_member(day.manager, m.id)["already_deleted"] is True
    assert store.security.verify_chain() == []
    # the other members are untouched
    assert store.members.get(day.others[0].id).phone == "09011112222"


def test_deletion_is_for_managers(day):
    with pytest.raises(PermissionDenied):
        day.store.privacy.delete_member(day.cashier, day.member.id)
    assert day.store.members.get(day.member.id).phone == SEEDED["phone"]


def test_consent_withdrawal_is_effective_at_once(day):
    store = day.store
    store.members.update(day.cashier, day.member.id, consent_marketing=False)
    assert store.members.get(day.member.id).consent_marketing is False
    with store.db.read() as s:
        from sqlalchemy import select

        rows = s.scalars(select(Outbox).where(Outbox.type == "member.upsert")).all()
    assert rows[-1].payload["fields"] == {"consent_marketing": False}  # synced like any field


# -- backups and deletion (the rule: app/db.py, docs/PRIVACY.md) ------------------------------------
def test_deletion_replaces_the_backups_made_before_it(day):
    store, m = day.store, day.member
    key = database_key(store.db.path).key
    old = day.backup
    seeded = needles(SEEDED)
    before = plaintext_pages(old, key)
    assert seeded["phone"] in before and seeded["kana"] in before  # the old backup holds her: can fail
    assert store.db.backups() == [old]

    res = store.privacy.delete_member(day.manager, m.id)
    assert res["backups_removed"] == 1 and not old.exists()
    [fresh] = store.db.backups()
    after = plaintext_pages(fresh, key)
    for what, needle in seeded.items():
        assert needle not in after, what
    assert b"09011112222" in after  # still a real backup: the other members are in it
    # every file left under the shop folder, decrypted where it is a database, is clean of her
    for p in day.folder.rglob("*"):
        if p.is_file() and p.suffix in (".bak", ".sqlite"):
            data = plaintext_pages(p, key)
            assert not any(n in data for n in seeded.values()), p


def test_backups_rotate_after_thirty_days_and_thirty_files(day, monkeypatch):
    import app.db as dbmod

    store = day.store
    folder = day.backup.parent
    stale = folder / f"{store.db.path.name}.20250101T000000000000Z.bak"
    store.db.backup(stale)  # rotation runs after each backup: the stale one goes at once
    assert not stale.exists() and day.backup.exists()
    monkeypatch.setattr(dbmod, "BACKUP_KEEP", 3)
    made = [store.db.backup() for _ in range(4)]
    assert store.db.backups() == made[-3:]  # the oldest (day.backup, made[0]) rotated out
    assert not day.backup.exists()


def test_deletion_from_hq_replaces_the_backups_too(make_store, hq):
    a = make_store("S001")
    member = a.register("ヤマダハナコ", phone="090-2345-6781", email="hanako.yamada.tsumugi@example.jp")
    a.earn(member.id, 3480)
    a.sync()
    old = a.store.db.backup()
    key = database_key(a.store.db.path).key
    assert b"09023456781" in plaintext_pages(old, key)
    hq.service.delete_member(member.id)
    a.sync()
    assert not old.exists()
    [fresh] = a.store.db.backups()
    data = plaintext_pages(fresh, key)
    assert b"09023456781" not in data and "ヤマダハナコ".encode() not in data
