"""HQ's certifying key (it signs every store's key at enrollment) is a secret: it comes from the
environment (TSUMUGI_HQ_SIGNING_KEY, a deployment's secret manager) or lives in the OS keyring.
HQ's database holds only its id and public half; without either source HQ says so clearly."""
import json
import os
import subprocess
import sys
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest
from sqlalchemy import select

from app.codes import new_key_pair
from hq.db import HQDatabase
from hq.models import Meta
from hq.service import KEYRING_SERVICE, SIGNING_KEY_ENV, HQError, HQService
from hq.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def _service(path: Path) -> HQService:
    url = f"sqlite:///{path}"
    db = HQDatabase(url)
    db.upgrade()
    return HQService(db, Settings(database_url=url))


def _meta(svc: HQService) -> dict:
    with svc.db.read() as s:
        return json.loads(s.scalars(select(Meta.value).where(Meta.key == "hq_key")).one())


def _older_hq(tmp_path: Path):
    """An HQ database as an HQ before this rule left it: the private key in its meta row."""
    svc = _service(tmp_path / "hq.sqlite")
    key = new_key_pair()
    with svc.db.write() as s:
        s.add(Meta(key="hq_key", value=json.dumps({"key_id": key[0], "public": key[2].hex(),
                                                   "private": key[1].hex()})))
    return svc, key


def _enroll_certificate(svc: HQService) -> str:
    """What enrollment signs: a store's public key, certified with HQ's private key."""
    with svc.db.read() as s:
        key_id, private, public = svc._hq_key(s)
    assert len(private) == 32 and len(public) == 32
    return key_id


def test_made_at_first_start_it_goes_to_the_keyring_not_the_database(tmp_path, monkeypatch, memory_keyring):
    monkeypatch.delenv(SIGNING_KEY_ENV, raising=False)
    svc = _service(tmp_path / "hq.sqlite")
    svc.init()
    meta = _meta(svc)
    assert meta["private"] is None
    private_hex = keyring.get_password(KEYRING_SERVICE, f"hq_signing_key:{meta['key_id']}")
    assert private_hex and len(private_hex) == 64
    assert _enroll_certificate(svc) == meta["key_id"]
    svc.db.close()
    # the secret is nowhere in HQ's files
    for p in tmp_path.iterdir():
        assert private_hex.encode() not in p.read_bytes() and bytes.fromhex(private_hex) not in p.read_bytes(), p


def test_no_keyring_and_no_environment_is_a_clear_error_not_a_file(tmp_path, monkeypatch):
    monkeypatch.delenv(SIGNING_KEY_ENV, raising=False)
    keyring.set_keyring(keyring.backends.fail.Keyring())
    svc = _service(tmp_path / "hq.sqlite")
    with pytest.raises(HQError) as exc:
        svc.init()
    assert exc.value.code == "no_keyring" and SIGNING_KEY_ENV in str(exc.value)
    with svc.db.read() as s:
        assert s.get(Meta, "hq_key") is None  # nothing half-made
    svc.db.close()


def test_the_admin_cli_says_so_without_a_trace(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != SIGNING_KEY_ENV}
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    res = subprocess.run([sys.executable, "-m", "hq", "--database-url", f"sqlite:///{tmp_path / 'hq.sqlite'}",
                          "stores", "list"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert res.returncode == 1
    assert SIGNING_KEY_ENV in res.stderr and "Traceback" not in res.stderr


def test_supplied_key_is_used_and_never_stored(tmp_path, monkeypatch, memory_keyring):
    _, private, public = new_key_pair()
    monkeypatch.setenv(SIGNING_KEY_ENV, private.hex())
    svc = _service(tmp_path / "hq.sqlite")
    svc.init()
    meta = _meta(svc)
    assert meta["private"] is None and meta["public"] == public.hex()
    assert memory_keyring._items == {}
    with svc.db.read() as s:
        assert svc._hq_key(s)[1] == private
    # another key in the environment later is not the one the stores trust: refused, clearly
    monkeypatch.setenv(SIGNING_KEY_ENV, new_key_pair()[1].hex())
    with svc.db.read() as s, pytest.raises(HQError) as exc:
        svc._hq_key(s)
    assert exc.value.code == "signing_key_mismatch"
    monkeypatch.setenv(SIGNING_KEY_ENV, "not hex")
    with svc.db.read() as s, pytest.raises(HQError) as exc:
        svc._hq_key(s)
    assert exc.value.code == "bad_signing_key"
    svc.db.close()


def test_a_key_an_older_hq_kept_in_its_database_moves_to_the_keyring(tmp_path, monkeypatch, memory_keyring):
    monkeypatch.delenv(SIGNING_KEY_ENV, raising=False)
    svc, (key_id, private, public) = _older_hq(tmp_path)
    svc.init()
    assert _meta(svc)["private"] is None
    assert keyring.get_password(KEYRING_SERVICE, f"hq_signing_key:{key_id}") == private.hex()
    with svc.db.read() as s:
        assert svc._hq_key(s) == (key_id, private, public)
    svc.db.close()


def test_without_a_keyring_an_older_hq_keeps_working_and_is_told(tmp_path, monkeypatch, caplog):
    monkeypatch.delenv(SIGNING_KEY_ENV, raising=False)
    keyring.set_keyring(keyring.backends.fail.Keyring())
    svc, (key_id, private, public) = _older_hq(tmp_path)
    svc.init()
    assert "still stored in its database" in caplog.text and private.hex() not in caplog.text
    with svc.db.read() as s:
        assert svc._hq_key(s)[1] == private
    monkeypatch.setenv(SIGNING_KEY_ENV, private.hex())  # the operator supplies it: out of the database
    svc.init()
    assert _meta(svc)["private"] is None
    with svc.db.read() as s:
        assert svc._hq_key(s)[1] == private
    svc.db.close()


def test_serve_refuses_to_start_without_its_key(tmp_path, monkeypatch, memory_keyring):
    """The key was made where an OS keyring held it; HQ started elsewhere without the environment
    says so at start instead of failing the first store that enrolls."""
    monkeypatch.delenv(SIGNING_KEY_ENV, raising=False)
    svc = _service(tmp_path / "hq.sqlite")
    svc.init()
    assert svc.check_signing_key() == _meta(svc)["key_id"]
    svc.db.close()
    env = {k: v for k, v in os.environ.items() if k != SIGNING_KEY_ENV}
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    res = subprocess.run([sys.executable, "-m", "hq", "--database-url", f"sqlite:///{tmp_path / 'hq.sqlite'}",
                          "serve", "--port", "9"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert res.returncode == 1
    assert "signing key" in res.stderr and SIGNING_KEY_ENV in res.stderr and "Traceback" not in res.stderr
