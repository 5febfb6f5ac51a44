"""`python -m app --db PATH import FILE [--mapping M.json] [--encoding cp932] --dry-run|--commit --json`."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.migration.files import MESSY_ROWS, counts, write_csv

ROOT = Path(__file__).resolve().parents[2]


def cli(tmp_path, *args, pin="1234", check=True):
    env = dict(os.environ, TSUMUGI_INSECURE_KEYFILE=str(tmp_path / "keys.json"), TSUMUGI_PIN=pin)
    env.pop("TSUMUGI_STAFF", None)
    proc = subprocess.run([sys.executable, "-m", "app", "--db", str(tmp_path / "s.sqlite"), *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


@pytest.fixture
def shop(tmp_path, memory_keyring):
    cli(tmp_path, "init", "--store-id", "S001", "--json")
    cli(tmp_path, "staff", "add", "--name", "店長", "--role", "manager", "--pin", "1234", "--json")
    cli(tmp_path, "staff", "add", "--name", "レジ", "--role", "cashier", "--pin", "5678", "--by", "1", "--json")
    # the CLI keeps its keys (the database's among them) in the key file; the test reads the
    # encrypted database with them
    for name, value in json.loads((tmp_path / "keys.json").read_text(encoding="utf-8")).items():
        memory_keyring.set_password("tsumugi", name, value)
    return tmp_path


def test_import_dry_run_commit_again(shop):
    path = write_csv(shop / "台帳.csv", MESSY_ROWS, encoding="cp932")
    mapping = shop / "m.json"
    mapping.write_text(json.dumps({"fields": {"name": "氏名", "name_kana": "フリガナ", "phone": "電話番号",
                                              "points": "ポイント", "card_number": "カード番号"},
                                   "default_decision": "separate"}, ensure_ascii=False), encoding="utf-8")
    before = counts(shop / "s.sqlite")
    dry = json.loads(cli(shop, "import", str(path), "--encoding", "cp932", "--dry-run", "--staff", "1",
                         "--json").stdout)
    assert dry["dry_run"] and dry["encoding"] == "cp932" and dry["rows_imported"] == 4
    assert counts(shop / "s.sqlite")["members"] == before["members"]
    done = json.loads(cli(shop, "import", str(path), "--mapping", str(mapping), "--commit", "--staff", "1",
                          "--json").stdout)
    # the mapping has no birthday column: row 3's impossible date is not read; 'separate' keeps 田中 twice
    assert not done["dry_run"] and done["rows_imported"] == 5 and done["members_created"] == 5
    again = json.loads(cli(shop, "import", str(path), "--mapping", str(mapping), "--commit", "--staff", "1",
                           "--json").stdout)
    assert again["rows_imported"] == 0 and again["rows_already_imported"] == 5
    text = cli(shop, "import", str(path), "--dry-run", "--staff", "1").stdout
    assert "Would import 0 of 6 rows" in text


def test_import_refusals(shop):
    path = write_csv(shop / "l.csv", MESSY_ROWS, encoding="utf-8")
    p = cli(shop, "import", str(path), "--commit", "--staff", "2", "--json", pin="5678", check=False)
    assert p.returncode == 3 and json.loads(p.stderr)["error"] == "permission_denied"
    p = cli(shop, "import", str(path), "--commit", "--staff", "1", "--json", pin="0000", check=False)
    assert p.returncode == 3
    p = cli(shop, "import", str(shop / "missing.csv"), "--dry-run", "--staff", "1", "--json", check=False)
    assert p.returncode == 2 and json.loads(p.stderr)["error"] == "file_missing"
    p = cli(shop, "import", str(path), "--staff", "1", check=False)
    assert p.returncode == 2   # --dry-run or --commit is required
