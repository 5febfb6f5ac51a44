"""The CLI shape store IT staff script against (README.md documents it)."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# The CLI runs in a child process, where the test's in-memory keyring does not exist: use the
# documented, explicit key-file opt-in in the test's own folder.


def cli(tmp_path, *args, pin="1234", check=True):
    env = dict(os.environ, TSUMUGI_INSECURE_KEYFILE=str(tmp_path / "keys.json"), TSUMUGI_PIN=pin)
    env.pop("TSUMUGI_STAFF", None)
    proc = subprocess.run([sys.executable, "-m", "app", "--db", str(tmp_path / "s.sqlite"), *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def js(proc):
    return json.loads(proc.stdout)


@pytest.fixture
def shop(tmp_path):
    cli(tmp_path, "init", "--store-id", "S001", "--json")
    cli(tmp_path, "staff", "add", "--name", "店長", "--role", "manager", "--pin", "1234", "--json")
    return tmp_path


def test_the_whole_counter_by_cli(shop):
    m = js(cli(shop, "members", "add", "--name-kana", "ヤマダハナコ", "--phone", "０９０－１２３４－５６７８",
               "--staff", "1", "--json"))
    assert set(m) >= {"member_id", "member_no", "code"}
    assert js(cli(shop, "members", "find", "やまだ", "--json"))[0]["member_id"] == m["member_id"]
    assert js(cli(shop, "members", "find", "+81 90 1234 5678", "--json"))[0]["member_no"] == m["member_no"]
    key = "2f1d0c55-0e0b-4b8e-9f5e-1d7a3c1b2a90"
    e = js(cli(shop, "earn", "--code", m["code"], "--amount", "1234", "--staff", "1", "--key", key, "--json"))
    assert (e["points"], e["balance"]) == (12, 12) and e["breakdown"]
    again = js(cli(shop, "earn", "--code", m["code"], "--amount", "1234", "--staff", "1", "--key", key, "--json"))
    assert again["entry_id"] == e["entry_id"] and again["balance"] == 12 and again["replayed"]
    r = js(cli(shop, "redeem", "--code", m["member_no"], "--points", "5", "--staff", "1", "--json"))
    assert r["balance"] == 7
    v = js(cli(shop, "void", r["entry_id"], "--staff", "1", "--json"))
    assert v["balance"] == 12
    b = js(cli(shop, "balance", "--code", m["code"], "--json"))
    assert (b["balance"], b["pending"]) == (12, 12)


def test_errors_are_json_on_stderr_with_non_zero_exit(shop):
    proc = cli(shop, "balance", "--code", "TSG1AAAA", "--json", check=False)
    assert proc.returncode == 3 and proc.stdout == ""
    assert json.loads(proc.stderr)["error"] == "truncated"
    proc = cli(shop, "earn", "--code", "0000", "--amount", "100", "--staff", "1", "--json", check=False)
    assert proc.returncode == 4 and json.loads(proc.stderr)["error"] == "unknown_card"
    proc = cli(shop, "members", "add", "--name-kana", "ヤマダ", "--staff", "1", "--json", pin="9999", check=False)
    assert proc.returncode == 3 and json.loads(proc.stderr)["error"] == "wrong_pin"
    assert "Traceback" not in proc.stderr


def test_pin_is_never_an_argument(shop):
    proc = cli(shop, "earn", "--code", "x", "--amount", "1", "--staff", "1", "--pin", "1234", check=False)
    assert proc.returncode == 2 and "unrecognized arguments: --pin" in proc.stderr


def test_no_keyring_is_refused_clearly(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "TSUMUGI_INSECURE_KEYFILE"}
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    proc = subprocess.run([sys.executable, "-m", "app", "--db", str(tmp_path / "s.sqlite"), "init",
                           "--store-id", "S001", "--json"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert proc.returncode == 5
    err = json.loads(proc.stderr)
    assert err["error"] == "no_keyring" and "TSUMUGI_INSECURE_KEYFILE" in err["message"]
    assert not (tmp_path / "keys.json").exists()


def test_malformed_rule_set_names_the_field(tmp_path):
    bad = tmp_path / "rules.json"
    from app.rules import load_default_rule_set

    body = json.loads(load_default_rule_set().model_dump_json())
    body["base"]["yen_per_unit"] = -5
    bad.write_text(json.dumps(body), encoding="utf-8")
    proc = cli(tmp_path, "init", "--store-id", "S001", "--rules", str(bad), "--json", check=False)
    assert proc.returncode == 2
    assert "base.yen_per_unit" in json.loads(proc.stderr)["message"]


def test_sync_commands_are_reachable_under_python_m_app(shop):
    """sync/ adds enroll, sync and status to the store CLI by entry point; app/ never imports it."""
    assert js(cli(shop, "status", "--json"))["queue"] == 0
    cli(shop, "members", "add", "--name-kana", "サトウ", "--staff", "1", "--json")
    status = js(cli(shop, "status", "--json"))
    assert status["enrolled"] is False and status["queue"] == 1  # the new member waits in the outbox
    proc = cli(shop, "sync", "--once", "--json", check=False)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr  # not enrolled: a clear refusal
