"""The benchmark generator makes a database the services accept, and the core section reports
well-formed figures. Tiny sizes; no timing is asserted (speed goes in benchmarks/)."""
from __future__ import annotations

import json
import math
import pytest

from app.db import connect_raw, database_id, integrity_ok, key_secret_name
from app.services.ledger import _request_hash
from app.services.members import luhn_digit
from app.text import kana_key
from benchmarks import core, gen_store

MEMBERS, ENTRIES = 200, 2_000


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    import keyring

    previous = keyring.get_keyring()
    ring = gen_store.MemoryKeyring()
    keyring.set_keyring(ring)  # module scope: the autouse fixture is per test
    try:
        path = tmp_path_factory.mktemp("bench") / "store.db"
        g = gen_store.ensure_store(MEMBERS, ENTRIES, seed=3, path=path, log=lambda _m: None)
    finally:
        keyring.set_keyring(previous)
    g.db_key = ring.get_password("tsumugi", key_secret_name(database_id(path)))  # the database is encrypted
    return g


@pytest.fixture(autouse=True)
def _db_key(generated, memory_keyring):
    """Each test's fresh keyring gets the generated database's key (copies keep the same id)."""
    memory_keyring.set_password("tsumugi", key_secret_name(database_id(generated.path)), generated.db_key)


def one(con, sql, *args):
    return con.execute(sql, args).fetchone()[0]


def test_generated_store_keeps_every_invariant(generated):
    path = generated.path
    assert not generated.cached
    assert integrity_ok(path)
    con = connect_raw(path)
    try:
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        assert one(con, "PRAGMA journal_mode") == "wal"
        assert one(con, "SELECT count(*) FROM members") == MEMBERS
        assert one(con, "SELECT count(*) FROM ledger") == ENTRIES
        # balance == sum(ledger) == sum(lots.remaining) >= 0, for every member
        rows = con.execute("""
            SELECT m.id, m.balance,
                   (SELECT coalesce(sum(points), 0) FROM ledger l WHERE l.member_id = m.id),
                   (SELECT coalesce(sum(remaining), 0) FROM lots t WHERE t.member_id = m.id)
            FROM members m""").fetchall()
        assert len(rows) == MEMBERS
        for _id, balance, ledger_sum, lots_sum in rows:
            assert balance == ledger_sum == lots_sum >= 0
        assert sum(r[1] for r in rows) > 0
        # each entry's lot moves add up to its points, each lot's moves to what remains in it
        assert one(con, """SELECT count(*) FROM ledger l WHERE l.points !=
                           (SELECT coalesce(sum(points), 0) FROM lot_moves v WHERE v.entry_id = l.id)""") == 0
        assert one(con, """SELECT count(*) FROM lots t WHERE t.remaining !=
                           (SELECT coalesce(sum(points), 0) FROM lot_moves v WHERE v.lot_id = t.id)""") == 0
        assert one(con, "SELECT count(*) FROM lots WHERE remaining < 0 OR remaining > points") == 0
        now = generated.meta["now"]
        assert one(con, "SELECT count(*) FROM lots WHERE remaining > 0 AND expires_at < ?", now) == 0
        kinds = dict(con.execute("SELECT kind, count(*) FROM ledger GROUP BY kind").fetchall())
        assert kinds["earn"] > ENTRIES // 2 and kinds.get("redeem") and kinds.get("expire")
        # a void reverses one entry of the same member, with the opposite points
        assert one(con, """SELECT count(*) FROM ledger v JOIN ledger o ON o.id = v.reverses_id
                           WHERE v.kind = 'void' AND (o.member_id != v.member_id OR o.points != -v.points)""") == 0
        # member numbers: the services' format, member_seq the last one issued
        seq = int(json.loads(one(con, "SELECT value FROM settings WHERE key = 'member_seq'")))
        assert seq == MEMBERS
        numbers = [r[0] for r in con.execute("SELECT member_no FROM members ORDER BY created_at, rowid")]
        assert numbers == [f"001{i:07d}" + luhn_digit(f"001{i:07d}") for i in range(1, MEMBERS + 1)]
        for kana, key, phone in con.execute("SELECT name_kana, kana_key, phone FROM members"):
            assert key == kana_key(kana)
            assert phone is None or (len(phone) == 11 and phone[:3] in ("090", "080", "070") and phone.isdigit())
        # request hashes are the services' own
        for kind, mid, amount, points, rev, reason, rh in con.execute(
                "SELECT kind, member_id, amount_yen, points, reverses_id, reason, request_hash FROM ledger "
                "WHERE kind IN ('earn', 'redeem', 'void', 'adjust')"):
            want = {"earn": lambda: _request_hash("earn", mid, amount),
                    "redeem": lambda: _request_hash("redeem", mid, -points, amount),
                    "void": lambda: _request_hash("void", rev),
                    "adjust": lambda: _request_hash("adjust", mid, points, reason)}[kind]()
            assert rh == want
        # every member has one active member code card; the unsynced tail has its outbox rows
        assert one(con, """SELECT count(*) FROM members m WHERE (SELECT count(*) FROM cards c WHERE c.member_id = m.id
                           AND c.kind = 'member_code' AND c.status = 'active') != 1""") == 0
        pending = one(con, "SELECT count(*) FROM ledger WHERE sync_state = 'pending'")
        assert one(con, """SELECT count(*) FROM ledger l JOIN outbox o ON o.event_id = l.id
                           WHERE l.sync_state = 'pending'""") == pending
        assert one(con, "SELECT count(*) FROM outbox") < ENTRIES
    finally:
        con.close()


def test_generated_store_has_the_schemas_indexes(generated, tmp_path):
    from app.store import Store

    Store.open(tmp_path / "fresh.db").close()

    def indexes(path):
        con = connect_raw(path)
        try:
            return set(con.execute("SELECT name, tbl_name, sql FROM sqlite_master WHERE type IN ('index', 'trigger')"))
        finally:
            con.close()

    assert indexes(generated.path) == indexes(tmp_path / "fresh.db")


def test_generated_store_kana_search_index_is_complete(generated):
    con = connect_raw(generated.path)
    try:
        assert one(con, "SELECT count(*) FROM search_member_kana") == MEMBERS
        assert one(con, "SELECT count(*) FROM members m JOIN search_member_kana s ON s.member_id = m.id "
                        "AND s.kana_key = m.kana_key") == MEMBERS
        con.execute("INSERT INTO search_member_kana_fts (search_member_kana_fts, rank) VALUES ('integrity-check', 1)")
    finally:
        con.close()


def test_earn_points_are_the_rule_engines(generated):
    from datetime import datetime

    from app.rules import MemberState, Purchase, price_purchase
    from app.services.ledger import _lines
    from app.store import Store

    store = Store.open(generated.path)
    try:
        rule_sets = {r.version: r for r in store.rules.all()}
        assert set(rule_sets) == {"2023.1", "2026.1"}
        con = connect_raw(generated.path)
        rows = con.execute("SELECT amount_yen, points, created_at, rule_set_version, breakdown FROM ledger "
                           "WHERE kind = 'earn' ORDER BY random() LIMIT 200").fetchall()
        con.close()
        for amount, points, created_at, version, breakdown in rows:
            lines = json.loads(breakdown)
            tier = next((ln["rule_id"] for ln in lines if ln["kind"] == "tier"), None)
            at = datetime.fromisoformat(created_at.replace("Z", "+00:00"))
            rs = store.rules.valid_at(at)
            assert rs.version == version
            for guess in ([tier] if tier else [None, "bronze"]):
                pricing = price_purchase(rs, MemberState(tier=guess), Purchase(amount_yen=amount), at, "S001")
                if pricing.points == points and _lines(pricing) == lines:
                    break
            else:
                pytest.fail(f"earn of ¥{amount} at {created_at}: {points} pt, {lines}")
    finally:
        store.close()


def test_cache_is_reused_for_the_same_parameters(generated, tmp_path):
    again = gen_store.ensure_store(MEMBERS, ENTRIES, seed=3, path=generated.path, log=lambda _m: None)
    assert again.cached and again.meta["generated_at"] == generated.meta["generated_at"]


def test_core_section_reports_well_formed_figures(generated, tmp_path):
    import shutil

    work = tmp_path / "work.db"
    shutil.copyfile(generated.path, work)
    figures = core.run(work, n=30, searches=10, expiring=3, meta=dict(generated.meta, cached=False))
    names = [f["name"] for f in figures]
    for name in ("core.db_size", "core.generate", "core.counter_earn", "core.counter_earn_lot_expiring",
                 "core.find_phone_full", "core.find_phone_prefix4", "core.find_kana_prefix2", "core.find_kana_full"):
        assert name in names
    assert len(set(names)) == len(names)
    for f in figures:
        assert json.loads(json.dumps(f)) == f
        assert {"name", "p50_ms", "p99_ms", "n", "target_ms", "unit", "members", "entries"} <= set(f)
        assert (f["members"], f["entries"]) == (MEMBERS, ENTRIES)
        if f["unit"] == "ms":
            assert f["n"] > 0 and 0 <= f["p50_ms"] <= f["p99_ms"] and math.isfinite(f["p99_ms"])
        else:
            assert f["value"] > 0
    by_name = {f["name"]: f for f in figures}
    assert by_name["core.counter_earn"]["n"] == 30
    assert by_name["core.counter_earn"]["target_ms"] == 5.0
    assert by_name["core.find_phone_full"]["misses"] == 0
    assert by_name["core.find_kana_full"]["misses"] == 0
    # the earns really happened, through the services, and kept the invariants
    con = connect_raw(work)
    try:
        assert one(con, "SELECT count(*) FROM ledger") > ENTRIES
        assert one(con, """SELECT count(*) FROM members m WHERE m.balance !=
                           (SELECT coalesce(sum(points), 0) FROM ledger l WHERE l.member_id = m.id)""") == 0
    finally:
        con.close()


def test_a_generated_members_code_resolves(generated, tmp_path):
    """A member code of a generated member, issued with the store's key, resolves at the counter."""
    import shutil

    from app.store import Store

    work = tmp_path / "resolve.db"
    shutil.copyfile(generated.path, work)
    store = Store.open(work)
    try:
        core._add_bench_key(store)
        actor = core._actor(store)
        con = connect_raw(work)
        member_id, member_no = con.execute("SELECT id, member_no FROM members ORDER BY random() LIMIT 1").fetchone()
        con.close()
        code = store.members.reissue(actor, member_id)
        assert store.members.resolve(code).id == member_id
        assert store.members.resolve(member_no).id == member_id
    finally:
        store.close()
