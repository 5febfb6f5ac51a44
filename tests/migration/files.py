"""Real legacy ledger files written by the tests: xlsx (with merged header cells) and CSV in
UTF-8, UTF-8 with BOM and CP932, with the mess real shop files have."""
from __future__ import annotations

import csv
from app.db import connect_raw
from pathlib import Path

from app.services.migration import ean_check_digit

HEADER = ["氏名", "フリガナ", "電話番号", "メールアドレス", "生年月日", "カード番号", "ポイント", "最終来店日"]

# What a shop's Excel list looks like: full-width digits, odd hyphens, half-width kana, an empty
# row, a duplicate customer (same phone written differently), an impossible date, negative points.
MESSY_ROWS = [
    ["山田 花子", "ﾔﾏﾀﾞ ﾊﾅｺ", "０９０－１２３４－５６７８", "hanako@example.jp", "昭和55年3月1日", "４９０１２３４５６７８９４", "１，２００", "2024/1/5"],
    ["佐藤 一郎", "サトウ イチロウ", "090ー1111ー2222", "", "1990/2/30", "", "50", ""],
    ["", "", "", "", "", "", "", ""],
    ["鈴木 次郎", "スズキ ジロウ", "03‐1234‐5678", "", "1985-06-07", "", "-5", ""],
    ["田中 三郎", "たなか さぶろう", "080−2222−3333", "", "", "7000123", "30", "2024-02-01"],
    ["田中 三郎", "タナカ サブロウ", "08022223333", "tanaka@example.jp", "", "", "20", ""],
    ["高橋 ①", "タカハシ", "070-5555-6666", "", "1970/1/1", "", "100pt", ""],
]


def ean13(body12: str) -> str:
    return body12 + str(ean_check_digit(body12))


def write_csv(path: Path, rows, *, encoding: str, header=HEADER) -> Path:
    with open(path, "w", encoding=encoding, newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def write_xlsx(path: Path, rows, *, merged_header: bool = True) -> Path:
    """Two header rows with merged cells: 氏名/フリガナ/生年月日/カード番号/ポイント/最終来店日
    merged down over both rows, 連絡先 merged across 電話番号 and メールアドレス."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "会員台帳"
    if merged_header:
        ws.append(["会員台帳（旧）"])  # a title row above the table
        top = ["氏名", "フリガナ", "連絡先", None, "生年月日", "カード番号", "ポイント", "最終来店日"]
        sub = [None, None, "電話番号", "メールアドレス", None, None, None, None]
        ws.append(top)
        ws.append(sub)
        for col in "ABEFGH":
            ws.merge_cells(f"{col}2:{col}3")
        ws.merge_cells("C2:D2")
    else:
        ws.append(HEADER)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def big_rows(n: int, *, start: int = 0):
    """n distinct customers, each with a card number (valid JAN) and points."""
    for i in range(start, start + n):
        kana = "".join("アイウエオカキクケコ"[int(d)] for d in str(i))
        yield [f"会員{i}", "テスト" + kana,
               f"090{i:08d}", f"m{i}@example.jp", f"{1950 + i % 50}-{1 + i % 12:02d}-{1 + i % 28:02d}",
               ean13(f"29{i:010d}"), str(i % 3000), "2025/10/01"]


def counts(db_path) -> dict:
    con = connect_raw(db_path)
    try:
        out = {}
        for t in ("members", "cards", "ledger", "lots", "lot_moves", "outbox", "audit_log", "legacy_import_rows",
                  "legacy_imports", "settings", "conflicts"):
            out[t] = con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        out["points"] = con.execute("SELECT coalesce(sum(points), 0) FROM ledger").fetchone()[0]
        out["member_seq"] = con.execute("SELECT value FROM settings WHERE key='member_seq'").fetchone()
        return out
    finally:
        con.close()


def assert_books_balance(db_path) -> None:
    """member.balance == sum(ledger.points) == sum(lots.remaining) for every member; never < 0."""
    con = connect_raw(db_path)
    try:
        bad = con.execute("""
            SELECT m.id, m.balance,
                   (SELECT coalesce(sum(points), 0) FROM ledger l WHERE l.member_id = m.id),
                   (SELECT coalesce(sum(remaining), 0) FROM lots o WHERE o.member_id = m.id)
            FROM members m""").fetchall()
        for mid, bal, led, lots in bad:
            assert bal == led == lots, (mid, bal, led, lots)
            assert bal >= 0
    finally:
        con.close()
