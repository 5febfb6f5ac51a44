"""The store database is encrypted at rest (SQLCipher, raw 256-bit key in the OS keyring)."""
from __future__ import annotations

import json
import os
import sqlite3

import keyring
import pytest

from app import db as dbmod
from app.db import Database, connect_raw, database_id, database_key, file_state, key_secret_name
from app.errors import SecretStoreUnavailable
from app.services.setup import init_store
from app.store import Store


def test_a_new_store_database_is_encrypted_and_its_key_is_in_the_keyring(tmp_path, memory_keyring):
    path = tmp_path / "s.sqlite"
    store = Store.open(path)
    init_store(store, "S001")
    store.close()
    assert file_state(path) == "encrypted"
    db_id = database_id(path)
    secret = memory_keyring.get_password("tsumugi", key_secret_name(db_id))
    assert secret and len(bytes.fromhex(secret)) == 32
    assert secret.encode() not in path.read_bytes()
    with pytest.raises(sqlite3.DatabaseError):  # plain SQLite cannot read it
        con = sqlite3.connect(path)
        try:
            con.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            con.close()
    con = connect_raw(path)
    assert con.execute("PRAGMA cipher_version").fetchone()[0].startswith("4.")
    assert con.execute("SELECT json_extract(value, '$') FROM settings WHERE key = 'store_id'").fetchone()[0] == "S001"
    con.close()


def test_no_keyring_refuses_clearly_and_writes_nothing(tmp_path):
    from keyring.backends.fail import Keyring as Fail

    keyring.set_keyring(Fail())
    with pytest.raises(SecretStoreUnavailable) as e:
        Store.open(tmp_path / "s.sqlite")
    assert "keyring" in e.value.message and "TSUMUGI_INSECURE_KEYFILE" in e.value.message
    assert not (tmp_path / "s.sqlite").exists()


def test_the_explicit_key_file_opt_in_works_and_is_flagged(tmp_path, monkeypatch, caplog):
    from keyring.backends.fail import Keyring as Fail

    keyring.set_keyring(Fail())
    keys = tmp_path / "keys.json"
    monkeypatch.setenv("TSUMUGI_INSECURE_KEYFILE", str(keys))
    with caplog.at_level("WARNING"):
        store = Store.open(tmp_path / "s.sqlite")
        init_store(store, "S001")
        store.close()
    assert oct(keys.stat().st_mode & 0o777) == "0o600"
    assert key_secret_name(database_id(tmp_path / "s.sqlite")) in json.loads(keys.read_text())
    assert any("weaker" in r.getMessage() for r in caplog.records)
    assert Store.open(tmp_path / "s.sqlite").store_id == "S001"


def test_a_database_whose_key_is_gone_is_refused_not_read(tmp_path, memory_keyring):
    path = tmp_path / "s.sqlite"
    Store.open(path).close()
    memory_keyring.delete_password("tsumugi", key_secret_name(database_id(path)))
    with pytest.raises(SecretStoreUnavailable) as e:
        Store.open(path)
    assert e.value.code == "db_key_missing"


def _plaintext_copy(src, dest):
    """An unencrypted store database as one made before encryption (same schema and data)."""
    con = connect_raw(src, pragmas=False)
    con.execute("ATTACH DATABASE ? AS plain KEY ''", (str(dest),))
    con.execute("SELECT sqlcipher_export('plain')")
    con.execute("DETACH DATABASE plain")
    con.close()


def test_an_unencrypted_store_is_converted_in_place_with_an_encrypted_backup(tmp_path, memory_keyring):
    enc = tmp_path / "made.sqlite"
    store = Store.open(enc)
    init_store(store, "S001")
    store.staff.add(None, "店長", "manager", "1234")
    manager = store.staff.authenticate(1, "1234")
    mid = store.members.register(manager, "ヤマダハナコ", phone="090-2345-6781").member.id
    store.close()
    shop = tmp_path / "shop"
    shop.mkdir()
    path = shop / "store.sqlite"
    _plaintext_copy(enc, path)
    assert path.read_bytes().startswith(b"SQLite format 3\x00") and b"09023456781" in path.read_bytes()
    signing = dict(memory_keyring._items)  # the signing key stays; the old database key is not needed

    store = Store.open(path)  # converts
    assert store.members.get(mid).phone == "09023456781" and store.store_id == "S001"
    store.close()
    assert file_state(path) == "encrypted"
    backups = list((shop / "backups").iterdir())
    assert len(backups) == 1 and file_state(backups[0]) == "encrypted"
    assert database_id(backups[0]) == database_id(path)  # the same keyring entry opens it
    con = connect_raw(backups[0], pragmas=False)
    assert con.execute("SELECT phone FROM members WHERE id = ?", (mid,)).fetchone()[0] == "09023456781"
    con.close()
    for p in shop.rglob("*"):
        if p.is_file():
            assert b"09023456781" not in p.read_bytes(), p
            assert "ヤマダハナコ".encode() not in p.read_bytes(), p
    assert not [p for p in shop.iterdir() if p.name.endswith((".encrypting", "-journal"))]
    assert signing.items() <= memory_keyring._items.items()


def test_rekey_changes_the_key_and_drops_the_old_one(tmp_path, memory_keyring):
    path = tmp_path / "s.sqlite"
    store = Store.open(path)
    init_store(store, "S001")
    store.close()
    old = database_key(path)
    new = dbmod.rekey(path)
    assert new.db_id != old.db_id and new.key != old.key and database_id(path) == new.db_id
    assert memory_keyring.get_password("tsumugi", key_secret_name(old.db_id)) is None
    assert Store.open(path).store_id == "S001"


def test_store_connections_keep_the_pragmas(tmp_path):
    db = Database(tmp_path / "s.sqlite")
    with db.read() as s:
        conn = s.connection()
        assert conn.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA cipher_version").scalar().startswith("4.")
    db.close()
    assert os.path.exists(tmp_path / "s.sqlite")
