"""Legacy ledger import on real generated files: encodings, merged headers, mapping, validation,
duplicates and decisions, dry run writes nothing, commit is atomic and idempotent, cancel."""
import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from app.db import integrity_ok
from app.errors import InvalidInput, PermissionDenied
from app.legacy_import import (
    ImportCancelled,
    ImportStopped,
    LegacyImport,
    Mapping,
    detect_encoding,
    guess_mapping,
    open_source,
    parse_date,
    parse_int,
)

from tests.migration.files import (
    HEADER,
    MESSY_ROWS,
    assert_books_balance,
    big_rows,
    counts,
    ean13,
    write_csv,
    write_xlsx,
)

ROOT = Path(__file__).resolve().parents[2]


def sha(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


# -- reading ------------------------------------------------------------------------------------
@pytest.mark.parametrize("encoding,expected", [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("cp932", "cp932")])
def test_csv_encodings_detected(tmp_path, encoding, expected):
    path = write_csv(tmp_path / f"l-{encoding}.csv", MESSY_ROWS, encoding=encoding)
    src = open_source(path)
    assert src.encoding == expected
    assert src.headers == HEADER                       # no BOM glued to the first header
    rows = list(src.rows())
    assert [n for n, _ in rows] == [2, 3, 5, 6, 7, 8]  # the empty row 4 is skipped
    assert rows[0][1][1] == "ﾔﾏﾀﾞ ﾊﾅｺ"


def test_manual_encoding_override(tmp_path):
    path = write_csv(tmp_path / "l.csv", MESSY_ROWS, encoding="cp932")
    assert open_source(path, encoding="Shift_JIS").encoding == "cp932"
    with pytest.raises(InvalidInput) as e:
        open_source(path, encoding="utf-8")
    assert e.value.code == "wrong_encoding"
    with pytest.raises(InvalidInput):
        open_source(path, encoding="no-such-encoding")


def test_detect_encoding_bytes():
    assert detect_encoding("氏名".encode("cp932")) == "cp932"
    assert detect_encoding("氏名".encode("utf-8")) == "utf-8"
    assert detect_encoding(b"\xef\xbb\xbf" + "氏名".encode()) == "utf-8-sig"


def test_xlsx_with_merged_header_cells(tmp_path):
    path = write_xlsx(tmp_path / "l.xlsx", MESSY_ROWS)
    src = open_source(path)
    assert src.kind == "xlsx" and src.header_rows == [2, 3]
    assert src.headers == ["氏名", "フリガナ", "電話番号", "メールアドレス", "生年月日", "カード番号", "ポイント", "最終来店日"]
    assert src.groups[2:4] == ["連絡先", "連絡先"]
    m = guess_mapping(src.headers, src.groups)
    assert m.fields == {"name": "氏名", "name_kana": "フリガナ", "phone": "電話番号", "email": "メールアドレス",
                        "birthday": "生年月日", "card_number": "カード番号", "points": "ポイント",
                        "last_visit": "最終来店日"}
    assert [n for n, _ in src.rows()] == [4, 5, 7, 8, 9, 10]


def test_guess_mapping_english_and_variants():
    m = guess_mapping(["Customer Name", "Furigana", "TEL", "E-mail", "Date of birth", "Card No", "Points",
                       "Last visit", "累計ポイント", "メルマガ希望"])
    assert m.fields == {"name": "Customer Name", "name_kana": "Furigana", "phone": "TEL", "email": "E-mail",
                        "birthday": "Date of birth", "card_number": "Card No", "points": "Points",
                        "last_visit": "Last visit", "consent_marketing": "メルマガ希望"}
    m = guess_mapping(["会員番号", "お名前", "氏名（カナ）", "携帯電話番号", "保有ポイント"])
    assert m.fields == {"name": "お名前", "name_kana": "氏名（カナ）", "phone": "携帯電話番号",
                        "card_number": "会員番号", "points": "保有ポイント"}
    assert "card_number" not in guess_mapping(["氏名", "admin"]).fields


def test_mapping_saved_and_loaded(tmp_path):
    m = Mapping(fields={"name_kana": "フリガナ", "phone": "電話番号", "points": 6}, encoding="cp932",
                default_decision="separate", on_bad_rows="stop")
    m.save(tmp_path / "m.json")
    assert json.loads((tmp_path / "m.json").read_text(encoding="utf-8"))["fields"]["name_kana"] == "フリガナ"
    back = Mapping.load(tmp_path / "m.json")
    assert back == m
    assert back.columns(HEADER) == {"name_kana": 1, "phone": 2, "points": 6}
    with pytest.raises(InvalidInput) as e:
        Mapping(fields={"name_kana": "カナ氏名"}).columns(HEADER)
    assert e.value.code == "mapping_column_missing"
    (tmp_path / "bad.json").write_text('{"fields": {"shoe_size": "A"}}', encoding="utf-8")
    with pytest.raises(InvalidInput):
        Mapping.load(tmp_path / "bad.json")


def test_parse_dates_and_numbers():
    from datetime import date, datetime
    assert parse_date("2024/1/5") == parse_date("2024-01-05") == parse_date("２０２４年１月５日") == date(2024, 1, 5)
    assert parse_date("20240105") == parse_date(datetime(2024, 1, 5, 10, 0)) == date(2024, 1, 5)
    assert parse_date("昭和55年3月1日") == parse_date("S55.3.1") == date(1980, 3, 1)
    assert parse_date("令和元年5月1日") == date(2019, 5, 1)
    assert parse_date(45296) == date(2024, 1, 5)   # an Excel serial in a cell not formatted as a date
    assert parse_date("2024/01/05 13:45") == date(2024, 1, 5)
    for bad in ("1990/2/30", "2023-13-01", "昨日", "平成31年2月29日"):
        with pytest.raises(ValueError):
            parse_date(bad)
    assert parse_int("１，２００") == parse_int("1200pt") == parse_int("1,200ポイント") == parse_int(1200.0) == 1200
    assert parse_int("-5") == parse_int("▲5") == -5
    with pytest.raises(ValueError):
        parse_int("12.5")


# -- analysis / validation ----------------------------------------------------------------------
@pytest.fixture
def messy_csv(tmp_path):
    return write_csv(tmp_path / "legacy.csv", MESSY_ROWS, encoding="cp932")


def test_preview_shows_rows_as_stored(store, messy_csv):
    rows = LegacyImport(store, messy_csv).preview(3)
    first = rows[0]
    assert first["name_kana"] == "ヤマダ ハナコ" and first["phone"] == "09012345678"
    assert first["birthday"] == "1980-03-01" and first["points"] == 1200 and first["card_number"] == "4901234567894"
    assert first["last_visit"] == "2024-01-05" and first["issues"] == []
    assert rows[1]["issues"][0]["code"] == "bad_date" and rows[1]["issues"][0]["column"] == "生年月日"


def test_validation_report_per_row_and_column(store, cashier, tmp_path):
    # a card migrated at the counter already
    store.migration.migrate(cashier, ean13("290000000099"), store.members.register(cashier, "アベ").member.id,
                            __import__("uuid").uuid4(), points=10)
    rows = MESSY_ROWS + [
        ["阿部", "アベ", "090-7777-8888", "not-an-email", "", ean13("290000000099"), "5", ""],
        ["伊藤", "イトウ", "12345", "", "", "", "", ""],
        ["井上", "Inoue", "", "", "", "", "", ""],
        ["上田", "ウエダ", "", "", "", "4901234567894", "1", ""],         # same card as row 2
        ["上田", "ウエダ", "", "", "", "4901234567890", "1", ""],         # wrong check digit
        ["未来", "ミライ", "", "", "2999/01/01", "", "", ""],
        ["佐藤 一郎", "サトウ イチロウ", "090ー1111ー2222", "", "1990/2/30", "", "50", ""],  # exact duplicate row 3
    ]
    path = write_csv(tmp_path / "v.csv", rows, encoding="utf-8-sig")
    a = LegacyImport(store, path).analyse()
    got = {(i.row_no, i.field, i.code) for i in a.issues}
    assert got == {
        (3, "birthday", "bad_date"), (5, "points", "negative_points"),
        (9, "email", "bad_email"), (9, "card_number", "card_already_migrated"),
        (10, "phone", "bad_phone"), (11, "name_kana", "bad_kana"),
        (12, "card_number", "duplicate_card_in_file"), (13, "card_number", "bad_check_digit"),
        (14, "birthday", "future_date"), (15, None, "duplicate_row"),
    }
    migrated = next(i for i in a.issues if i.code == "card_already_migrated")
    assert migrated.params["store_id"] == "S001" and migrated.params["member_no"] and migrated.params["migrated_at"]
    assert next(i for i in a.issues if i.code == "duplicate_card_in_file").params["first_row"] == 2
    assert a.summary["rows_bad"] == 8 and a.summary["rows_skipped"] == 9


def test_duplicates_in_file_and_against_members_with_decisions(store, member, messy_csv):
    job = LegacyImport(store, messy_csv)
    a = job.analyse()
    groups = {g.id: g for g in a.groups}
    # row 2 has the same phone as an existing member; rows 6 and 7 are one customer written twice
    assert groups["G2"].existing == [{"member_id": member.id, "member_no": member.member_no}]
    assert groups["G2"].reasons == ["phone"]
    assert groups["G6"].rows == [6, 7] and groups["G6"].existing == [] and groups["G6"].decision == "merge"
    s = a.summary
    assert (s["members_created"], s["members_matched"], s["rows_merged"]) == (2, 1, 1)
    job.decisions.update({"G6": "separate", "G2": "skip"})
    s = job.dry_run()
    assert (s["members_created"], s["members_matched"], s["rows_merged"]) == (3, 0, 0)
    assert s["skipped_by_reason"]["duplicate_skipped"] == 1
    job.decisions["G6"] = "bogus"
    with pytest.raises(InvalidInput):
        job.dry_run()


def test_dry_run_writes_nothing(store, member, messy_csv, db_path):
    store.close()   # every connection closed: the file's bytes are all there is
    from app.store import Store
    before_bytes, before = sha(db_path), counts(db_path)
    st = Store.open(db_path, clock=store.clock)
    report = LegacyImport(st, messy_csv).dry_run()
    st.close()
    assert report["dry_run"] and report["rows_imported"] == 4 and report["points_migrated"] == 1350
    assert counts(db_path) == before and sha(db_path) == before_bytes


# -- commit --------------------------------------------------------------------------------------
def test_commit_then_same_file_again_changes_nothing(store, manager, member, messy_csv, db_path):
    dry = LegacyImport(store, messy_csv).dry_run()
    before = counts(db_path)
    res = LegacyImport(store, messy_csv).commit(manager)
    after = counts(db_path)
    for k in ("rows_imported", "members_created", "members_matched", "points_migrated", "cards_migrated"):
        assert res[k] == dry[k], k
    assert after["members"] - before["members"] == res["members_created"] == 2
    assert after["points"] - before["points"] == res["points_migrated"] == 1350
    assert after["legacy_import_rows"] == res["rows_imported"] == 4
    # the existing member got the first row's points and card
    assert store.ledger.balance(member.id)["balance"] == 1200
    assert store.members.resolve("4901234567894").id == member.id
    # new members: same numbering, a working member code, balance == ledger == lots
    tanaka = store.members.find("たなか")
    assert len(tanaka) == 1 and tanaka[0].balance == 50 and tanaka[0].phone == "08022223333"
    assert tanaka[0].email == "tanaka@example.jp" and tanaka[0].last_visit_at.startswith("2024-02-01")
    assert store.members.resolve(store.members.code(tanaka[0].id)).id == tanaka[0].id
    assert store.members.resolve("7000123").id == tanaka[0].id
    assert int(after["member_seq"][0]) == int(before["member_seq"][0]) + 2
    assert_books_balance(db_path)
    assert [a.action for a in store.audit.entries(action="legacy_import")] == ["legacy_import.commit"]
    # the card is migrated: the counter refuses it with when/where/whom
    from app.errors import LedgerRefused
    with pytest.raises(LedgerRefused) as e:
        store.migration.check_card("7000123")
    assert e.value.params["member_no"] == tanaka[0].member_no
    # again: zero changes
    again = LegacyImport(store, messy_csv).commit(manager)
    assert again["rows_imported"] == 0 and again["rows_already_imported"] == 4 and again["import_id"] is None
    assert counts(db_path) == after


def test_stop_on_bad_rows_and_manager_only(store, cashier, manager, messy_csv, db_path):
    before = counts(db_path)
    with pytest.raises(PermissionDenied):
        LegacyImport(store, messy_csv).commit(cashier)
    job = LegacyImport(store, messy_csv)
    job.mapping.on_bad_rows = "stop"
    assert job.dry_run()["would_stop"]
    with pytest.raises(ImportStopped):
        job.commit(manager)
    assert counts(db_path) == before


def test_cancel_rolls_back(store, manager, tmp_path, db_path):
    path = write_csv(tmp_path / "big.csv", big_rows(6000), encoding="utf-8")
    before = counts(db_path)
    cancel = threading.Event()
    seen = []

    def progress(phase, done, total):
        seen.append(phase)
        if phase == "write" and done >= 3000:
            cancel.set()
    with pytest.raises(ImportCancelled):
        LegacyImport(store, path).commit(manager, progress=progress, cancel=cancel)
    assert "write" in seen
    assert counts(db_path) == before and integrity_ok(db_path)


def test_xlsx_commit_with_merged_headers(store, manager, tmp_path, db_path):
    path = write_xlsx(tmp_path / "l.xlsx", MESSY_ROWS)
    res = LegacyImport(store, path).commit(manager)
    assert res["rows_imported"] == 4 and res["members_created"] == 3 and res["points_migrated"] == 1350
    assert LegacyImport(store, path).commit(manager)["rows_imported"] == 0
    assert_books_balance(db_path)


KILL_SCRIPT = r"""
import sys, time
sys.path.insert(0, {root!r})
import json
from benchmarks.gen_store import install_memory_keyring
ring = install_memory_keyring()
for (service, name), value in json.load(open(sys.argv[3])):  # the parent's keys (database, signing)
    ring._items[(service, name)] = value
from app.store import Store
from app.legacy_import import LegacyImport
store = Store.open(sys.argv[1])
actor = store.staff.authenticate(1, "1234")
def progress(phase, done, total):
    if phase == "write" and done >= 4000:
        print("WRITING", flush=True)
        time.sleep(60)
LegacyImport(store, sys.argv[2]).commit(actor, progress=progress)
print("COMMITTED", flush=True)
"""


def test_killed_midway_leaves_the_database_as_it_was(store, manager, tmp_path, db_path, memory_keyring):
    path = write_csv(tmp_path / "big.csv", big_rows(8000), encoding="cp932")
    store.close()
    before = counts(db_path)
    script = tmp_path / "kill_import.py"
    script.write_text(KILL_SCRIPT.format(root=str(ROOT)), encoding="utf-8")
    keys = tmp_path / "keys.json"  # the in-memory keyring's items, for the child (a test's own keyring)
    keys.write_text(json.dumps(list(memory_keyring._items.items())), encoding="utf-8")
    proc = subprocess.Popen([sys.executable, str(script), str(db_path), str(path), str(keys)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.strip() == "WRITING", proc.stderr.read()
        # thousands of rows are in the open transaction (in the WAL, uncommitted) right now
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    assert integrity_ok(db_path)
    after = counts(db_path)
    assert after.pop("audit_log") == before.pop("audit_log") + 1   # the child's sign-in, nothing more
    assert after == before
    # and the import can then run to the end
    from app.store import Store
    st = Store.open(db_path, clock=store.clock)
    try:
        res = LegacyImport(st, path).commit(st.staff.authenticate(1, "1234"))
        assert res["rows_imported"] == 8000
    finally:
        st.close()


@pytest.mark.slow
def test_hundred_thousand_rows(store, manager, tmp_path, db_path):
    """100,000 rows in one file (cp932): dry run == commit, then zero changes. Time and memory
    are measured by benchmarks/legacy_import.py, not asserted here."""
    path = write_csv(tmp_path / "100k.csv", big_rows(100_000), encoding="cp932")
    job = LegacyImport(store, path)              # the screen's flow: the file is read once
    dry = job.dry_run()
    assert dry["rows_imported"] == 100_000 and dry["members_created"] == 100_000
    res = job.commit(manager)
    assert res["members_created"] == 100_000 and res["points_migrated"] == dry["points_migrated"]
    c = counts(db_path)
    assert c["legacy_import_rows"] == 100_000 and c["members"] == 100_000
    again = LegacyImport(store, path).dry_run()
    assert again["rows_imported"] == 0 and again["rows_already_imported"] == 100_000


def test_shop_numbering_that_is_not_jan_is_not_refused(store, manager, cashier, tmp_path):
    """Cards numbered 8 digits the shop's own way: most fail the JAN check, so the file is not
    JAN and none is refused; the counter then accepts those known numbers too."""
    rows = [[f"客{i}", "キャク", f"090{i:08d}", "", "", f"{10000000 + i * 7}", "10", ""] for i in range(1, 9)]
    path = write_csv(tmp_path / "own.csv", rows, encoding="utf-8")
    res = LegacyImport(store, path).commit(manager)
    assert res["rows_imported"] == 8 and "bad_check_digit" not in res["skipped_by_reason"]
    from app.errors import LedgerRefused
    with pytest.raises(LedgerRefused) as e:           # known → 移行済み, not "wrong check digit"
        store.migration.check_card("10000028")
    assert e.value.code == "already_migrated"
    with pytest.raises(InvalidInput) as e:            # unknown and failing the JAN check → typo
        store.migration.check_card("10000003")
    assert e.value.code == "bad_check_digit"
