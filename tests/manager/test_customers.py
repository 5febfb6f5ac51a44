"""Customer list queries against a generated store of 3,000 members: search as you type, filters,
sorting and paging agree with the same question asked of the rows in Python."""
import csv
import uuid
from datetime import date, datetime, timedelta

import pytest

from app.clock import parse_iso
from app.errors import InvalidInput
from app.services.customers import CustomerFilter
from app.text import kana_key

from .conftest import earn


def all_ids(store, f, sort=None, chunk=97):
    return [r.id for r in store.customers.iter_rows(f, sort, chunk=chunk)]


def test_kana_prefix_search_is_hiragana_katakana_insensitive(big_store):
    store, rows = big_store
    want = {r["id"] for r in rows if r["kana_key"].startswith("ヤマダ")}
    assert want
    for typed in ("やまだ", "ヤマダ", "ﾔﾏﾀﾞ", "やまだ "):
        f = CustomerFilter(text=typed)
        got = all_ids(store, f)
        assert set(got) == want, typed
        assert len(got) == len(want)
        assert store.customers.count(f) == len(want)
    # the natural order of a kana search is the kana
    keys = [r.name_kana for r in store.customers.page(CustomerFilter(text="やま"), limit=500).rows]
    assert [kana_key(k) for k in keys] == sorted(kana_key(k) for k in keys)


def test_search_as_you_type_narrows_each_keystroke(big_store):
    store, rows = big_store
    typed = ""
    for ch in "やまぐちゆみ":
        typed += ch
        want = {r["id"] for r in rows if r["kana_key"].startswith(kana_key(typed))}
        assert set(all_ids(store, CustomerFilter(text=typed))) == want, typed


def test_phone_search_in_any_form(big_store):
    store, rows = big_store
    target = next(r for r in rows if r["phone"] and r["phone"].endswith("1234"))
    full = target["phone"]
    for typed in (full, f"{full[:3]}-{full[3:7]}-{full[7:]}", "０９０－" + "".join(
            chr(ord(c) + 0xFEE0) for c in full[3:7]) + "ー" + full[7:]):
        got = store.customers.page(CustomerFilter(text=typed), limit=10).rows
        assert [r.id for r in got] == [target["id"]], typed
    prefix = full[:8]
    want = {r["id"] for r in rows if (r["phone"] or "").startswith(prefix) or r["member_no"].startswith(prefix)}
    assert set(all_ids(store, CustomerFilter(text=prefix[:3] + "-" + prefix[3:]))) == want


def test_member_number_and_card_number_prefix(big_store):
    store, rows = big_store
    target = rows[1234]
    got = store.customers.page(CustomerFilter(text=target["member_no"]), limit=10).rows
    assert [r.id for r in got] == [target["id"]]
    got = store.customers.page(CustomerFilter(text="2900000000007"), limit=10).rows
    assert [r.id for r in got] == [rows[7]["id"]]
    want = {rows[i]["id"] for i in range(10, 20)}  # cards 2900000000010-19
    assert set(all_ids(store, CustomerFilter(text="290000000001"))) == want


def test_member_code_search(store, cashier):
    reg = store.members.register(cashier, "ヤマダハナコ", phone="090-1111-2222")
    got = store.customers.page(CustomerFilter(text=reg.code), limit=5).rows
    assert [r.id for r in got] == [reg.member.id]


@pytest.mark.parametrize("f,pred", [
    (CustomerFilter(tier="gold"), lambda r: r["tier"] == "gold"),
    (CustomerFilter(tier=""), lambda r: r["tier"] is None),
    (CustomerFilter(home_store_id="S002"), lambda r: r["home_store_id"] == "S002"),
    (CustomerFilter(consent=True), lambda r: r["consent_marketing"]),
    (CustomerFilter(consent=False, tier="silver"), lambda r: not r["consent_marketing"] and r["tier"] == "silver"),
    (CustomerFilter(never_visited=True), lambda r: r["last_visit_at"] is None),
    (CustomerFilter(text="さとう", tier="bronze"), lambda r: r["kana_key"].startswith("サトウ") and r["tier"] == "bronze"),
])
def test_filters(big_store, f, pred):
    store, rows = big_store
    want = {r["id"] for r in rows if pred(r)}
    got = all_ids(store, f)
    assert len(got) == len(set(got))
    assert set(got) == want
    assert store.customers.count(f) == len(want)


def test_last_visit_range_is_store_local_days(big_store):
    store, rows = big_store
    from zoneinfo import ZoneInfo

    jst = ZoneInfo("Asia/Tokyo")
    lo, hi = date(2026, 9, 1), date(2026, 9, 30)
    want = {r["id"] for r in rows if r["last_visit_at"]
            and lo <= parse_iso(r["last_visit_at"]).astimezone(jst).date() <= hi}
    got = set(all_ids(store, CustomerFilter(last_visit_from=lo, last_visit_to=hi)))
    assert got == want and want


@pytest.mark.parametrize("column", ["member_no", "name_kana", "tier", "balance", "lifetime_spend_yen",
                                    "last_visit_at", "created_at", "home_store_id"])
@pytest.mark.parametrize("desc", [False, True])
def test_sorted_keyset_paging_visits_every_member_once_in_order(big_store, column, desc):
    store, rows = big_store
    sort = (column, "desc" if desc else "asc")
    got = list(store.customers.iter_rows(CustomerFilter(), sort, chunk=211))
    assert len(got) == len(rows) and len({r.id for r in got}) == len(rows)
    key = "kana_key" if column == "name_kana" else column
    by_id = {r["id"]: r for r in rows}
    values = [by_id[r.id][key] for r in got]
    nulls_first = [(v is not None, v) for v in values]
    expected = sorted(nulls_first, reverse=desc)
    assert nulls_first == expected
    # offset paging gives the same rows as keyset paging
    p = store.customers.page(CustomerFilter(), sort, offset=400, limit=50)
    assert [r.id for r in p.rows] == [r.id for r in got[400:450]]


def test_unknown_sort_and_segment_are_refused(big_store):
    store, _ = big_store
    with pytest.raises(InvalidInput):
        store.customers.page(CustomerFilter(), ("phone; drop table", "asc"))
    with pytest.raises(InvalidInput):
        store.customers.count(CustomerFilter(segment="nope"))


def test_profile_has_everything_the_screen_shows(store, manager, cashier, clock):
    reg = store.members.register(cashier, "ヤマダハナコ", phone="090-1234-5678", consent_marketing=True)
    mid = reg.member.id
    earn(store, cashier, mid, 5000, 40)
    e2 = earn(store, cashier, mid, 3480, 3)
    store.ledger.redeem(cashier, mid, 20, uuid.uuid4())
    store.ledger.adjust(manager, mid, 100, "お詫び", uuid.uuid4(), note="待ち時間")
    c = store.coupons.issue(manager, mid, "win-back-500")
    store.coupons.use(cashier, c.id, uuid.uuid4())
    p = store.customers.profile(mid)
    assert p.member["member_no"] == reg.member.member_no
    assert [c["kind"] for c in p.cards] == ["member_code"]
    bal = store.ledger.balance(mid)
    assert p.balance["balance"] == bal["balance"] == 50 + e2.points - 20 + 100 + 500
    assert p.balance["pending"] == bal["pending"]
    assert sum(lt["remaining"] for lt in p.lots) == bal["balance"]
    assert p.coupons[0]["state"] == "used"
    assert len(p.history) == p.entry_count == 5
    assert p.history[0]["kind"] == "coupon" and p.history[-1]["kind"] == "earn"
    assert p.history[0]["balance_after"] == bal["balance"]
    assert any(ln["kind"] == "base" for ln in p.history[-1]["breakdown"])
    assert p.history_cursor is None
    series = store.customers.chart_series(mid)
    assert series.points[-1][1] == bal["balance"]
    assert [d for d, _ in series.points] == sorted(d for d, _ in series.points)
    assert sum(m[1] for m in series.spend) == 5000 + 3480
    assert store.customers.profile(mid, series=True).spend_series == series.spend
    assert "お詫び" in next(h for h in p.history if h["kind"] == "adjust")["reason"]


def test_profile_edits_are_audited_per_field(store, manager, cashier):
    reg = store.members.register(cashier, "ヤマダハナコ", phone="090-1234-5678")
    store.members.update(manager, reg.member.id, phone="０８０－１１１１－２２２２", name="山田 花子")
    p = store.customers.profile(reg.member.id)
    assert p.member["phone"] == "08011112222"
    assert set(p.member["field_times"]) >= {"phone", "name"}
    audit = store.audit.entries(action="member.update")
    assert audit and audit[0].after["fields"] == ["name", "phone"]
    assert "08011112222" not in str(audit[0].after)  # no personal data in the audit row


def test_export_csv_only_the_chosen_columns_and_audited(big_store, big_manager, tmp_path):
    store, rows = big_store
    manager = big_manager
    f = CustomerFilter(tier="gold", text="やま")
    n = store.customers.export_csv(manager, f, ["member_no", "tier", "balance"], tmp_path / "out.csv")
    want = [r for r in rows if r["tier"] == "gold" and r["kana_key"].startswith("ヤマ")]
    assert n == len(want)
    with open(tmp_path / "out.csv", encoding="utf-8-sig", newline="") as fh:
        data = list(csv.reader(fh))
    assert data[0] == ["member_no", "tier", "balance"]
    assert {d[0] for d in data[1:]} == {r["member_no"] for r in want}
    phones = {r["phone"] for r in want if r["phone"]}
    assert not any("ヤマ" in cell or "やま" in cell or cell in phones for row in data for cell in row)
    entry = store.audit.entries(action="customers.export")[0]
    assert entry.staff_id == manager.staff_id
    assert entry.after["rows"] == n and entry.after["personal_columns"] == []
    assert entry.after["filters"] == {"tier": "gold", "search": True}
    n2 = store.customers.export_csv(manager, f, ["member_no", "name_kana", "phone"], tmp_path / "p.csv")
    assert n2 == n
    assert store.audit.entries(action="customers.export")[0].after["personal_columns"] == ["name_kana", "phone"]
    with pytest.raises(InvalidInput):
        store.customers.export_csv(manager, f, ["password"], tmp_path / "x.csv")


def test_search_counts_leave_out_merged_and_deleted_members(store):
    """Counts of a search come from its indexes, less the members no longer active: against the
    same question asked of the rows, with some matches merged or deleted, capped and exact."""
    from sqlalchemy import update

    from app.models import Member
    from .conftest import bulk_members

    rows = bulk_members(store, 400, seed=11)
    gone = [r for i, r in enumerate(rows) if i % 7 == 0]
    with store.db.write() as s:
        for i, r in enumerate(gone):
            s.execute(update(Member).where(Member.id == r["id"]).values(status="merged" if i % 2 else "deleted"))
    live = [r for r in rows if r not in gone]
    with store.db.write() as s:  # card numbers that also match member numbers: counted once
        from app.models import Card

        for i in (1, 2, 3, 7, 300):
            s.add(Card(member_id=rows[i]["id"], kind="plastic", number=f"9000000{i:04d}", status="active",
                       created_at=rows[i]["created_at"]))
    for typed in ("や", "ヤマダ", "さとう", "090", "0900000001", "9000000", "90000000", "9000000030",
                  "2900000000", "", "ﾀﾅｶ ﾊﾅｺ"):
        f = CustomerFilter(text=typed)
        page = store.customers.page(f, limit=1000).rows
        want = {r.id for r in page}
        assert not want & {r["id"] for r in gone}, typed
        assert store.customers.count(f, cap=None) == len(want), typed
        assert store.customers.count(f) == len(want), typed
        assert store.customers.count(f, cap=20) == min(20, len(want)), typed
    assert store.customers.count(CustomerFilter()) == len(live)


def test_card_number_prefix_lists_members_in_card_number_order(big_store):
    store, rows = big_store
    got = store.customers.page(CustomerFilter(text="2900"), limit=30).rows
    assert [r.id for r in got] == [rows[i]["id"] for i in range(30)]  # cards 2900000000000-29
    assert store.customers.count(CustomerFilter(text="2900")) == 50


def test_history_pages_carry_the_balance_back_in_time(store, manager, cashier, clock):
    reg = store.members.register(cashier, "ヤマダハナコ")
    mid = reg.member.id
    keys = []
    for i in range(17):
        keys.append(earn(store, cashier, mid, 1000 + 100 * i, 40 - 2 * i))
    store.ledger.void(manager, keys[3].entry_id, uuid.uuid4())
    store.ledger.redeem(cashier, mid, 30, uuid.uuid4())
    p = store.customers.profile(mid, history_limit=5)
    assert p.entry_count == 19 and len(p.history) == 5 and p.history_cursor
    rows, cursor = list(p.history), p.history_cursor
    while cursor:
        page = store.customers.history_page(mid, cursor, limit=5)
        assert len(page.rows) <= 5 and page.done == (page.cursor is None)
        rows += page.rows
        cursor = page.cursor
    assert len(rows) == 19
    assert [r["seq"] for r in rows] == sorted((r["seq"] for r in rows), reverse=True)
    everything = store.customers.profile(mid, history_limit=100).history
    assert rows == everything
    balance = 0
    for r in reversed(rows):  # oldest first: the running sum of points is each entry's balance after
        balance += r["points"]
        assert r["balance_after"] == balance
    assert rows[0]["balance_after"] == store.ledger.balance(mid)["balance"]
    assert [r["voided"] for r in rows].count(True) == 1
    assert next(r for r in rows if r["voided"])["id"] == keys[3].entry_id
    first = store.customers.history_page(mid, None, limit=5)
    assert first.rows == p.history and first.cursor == p.history_cursor


def test_chart_series_cut_at_local_midnight_and_net_of_voids(store, manager, cashier, clock):
    """Balance per store-local day and spend per local month: 23:30 and 00:30 JST are two days;
    00:30 JST on 1 Nov is November although it is still 31 Oct in UTC."""
    from datetime import timezone
    from zoneinfo import ZoneInfo

    jst = ZoneInfo("Asia/Tokyo")
    reg = store.members.register(cashier, "ヤマダハナコ")
    mid = reg.member.id
    at = lambda y, mo, d, h, mi: datetime(y, mo, d, h, mi, tzinfo=jst)  # noqa: E731
    e1 = store.ledger.earn(cashier, mid, 2000, uuid.uuid4(), at=at(2026, 10, 31, 23, 30))
    e2 = store.ledger.earn(cashier, mid, 3000, uuid.uuid4(), at=at(2026, 11, 1, 0, 30))
    assert at(2026, 11, 1, 0, 30).astimezone(timezone.utc).day == 31
    e3 = store.ledger.earn(cashier, mid, 5000, uuid.uuid4(), at=at(2026, 11, 1, 9, 0))
    store.ledger.void(manager, e3.entry_id, uuid.uuid4(), at=at(2026, 11, 1, 9, 3))
    series = store.customers.chart_series(mid)
    assert series.points == [("2026-10-31", e1.points), ("2026-11-01", e1.points + e2.points)]
    assert series.spend == [("2026-10", 2000, e1.points), ("2026-11", 3000, e2.points)]


def test_live_lots_page_by_page_soonest_first(store, manager, cashier, clock):
    reg = store.members.register(cashier, "ヤマダハナコ")
    mid = reg.member.id
    for i in range(13):
        earn(store, cashier, mid, 1000 + 100 * i, 300 - 20 * i)
    store.ledger.redeem(cashier, mid, 15, uuid.uuid4())  # empties the soonest lot (10 pt), 5 from the next
    p = store.customers.profile(mid)
    lots = store.customers.lots_page(mid, None, limit=4)
    rows, cursor = list(lots.rows), lots.cursor
    while cursor:
        page = store.customers.lots_page(mid, cursor, limit=4)
        rows += page.rows
        cursor = page.cursor
    assert rows == p.lots and len(rows) == 12 and p.lots_cursor is None
    assert all(r["remaining"] > 0 for r in rows) and rows[0]["remaining"] == rows[0]["points"] - 5
    assert [(r["expires_at"], r["id"]) for r in rows] == sorted((r["expires_at"], r["id"]) for r in rows)
    assert sum(r["remaining"] for r in rows) == store.ledger.balance(mid)["balance"]
    assert p.balance["expiring_30d"] == store.ledger.balance(mid)["expiring_30d"]


def test_kana_contained_anywhere_from_three_characters(big_store):
    """From three kana on, a reading that contains what was typed matches too (the given name:
    the FTS5 trigram index), listed after the readings that start with it; shorter: prefix only."""
    store, rows = big_store
    for typed, key in (("はなこ", "ハナコ"), ("ﾀﾛｳ", "タロウ"), ("まだは", "マダハ")):
        inner = {r["id"] for r in rows if key in r["kana_key"]}
        prefix = {r["id"] for r in rows if r["kana_key"].startswith(key)}
        assert inner - prefix, typed
        f = CustomerFilter(text=typed)
        got = all_ids(store, f)
        assert set(got) == inner and len(got) == len(inner), typed
        assert set(got[:len(prefix)]) == prefix, typed  # readings that start with it come first
        assert store.customers.count(f, cap=None) == len(inner), typed
        assert store.customers.count(f, cap=20) == min(20, len(inner)), typed
        # with a filter and a column sort: the same members, in that order
        gold = {r["id"] for r in rows if key in r["kana_key"] and r["tier"] == "gold"}
        fg = CustomerFilter(text=typed, tier="gold")
        got = store.customers.page(fg, ("balance", "desc"), limit=1000).rows
        assert {r.id for r in got} == gold and store.customers.count(fg) == len(gold), typed
        assert [r.balance for r in got] == sorted((r.balance for r in got), reverse=True)
    short = {r["id"] for r in rows if r["kana_key"].startswith("ハナ")}
    assert set(all_ids(store, CustomerFilter(text="はな"))) == short


@pytest.mark.parametrize("walk", [False, True])
@pytest.mark.parametrize("f,sort", [
    (CustomerFilter(tier="silver"), ("last_visit_at", "desc")),
    (CustomerFilter(home_store_id="S002", consent=True), ("balance", "asc")),
    (CustomerFilter(last_visit_from=date(2026, 6, 1), tier="gold"), ("lifetime_spend_yen", "desc")),
    (CustomerFilter(last_visit_from=date(2026, 6, 1)), ("last_visit_at", "asc")),
])
def test_filtered_sorted_pages_are_the_same_whichever_index_is_walked(big_store, monkeypatch, f, sort, walk):
    """A sorted page with filters walks the sort index (filters checked row by row) when there are
    many matches, or reads the matches from a filter's index and sorts them: the same rows in the
    same order either way, page after page."""
    store, rows = big_store
    monkeypatch.setattr(type(store.customers), "_walk_sort_index", lambda self, f, limit: walk)
    got = list(store.customers.iter_rows(f, sort, chunk=97))
    everything = list(store.customers.iter_rows(CustomerFilter(), sort, chunk=500))
    ids = set(all_ids(store, f))
    assert [r.id for r in got] == [r.id for r in everything if r.id in ids]
    assert len(ids) == store.customers.count(f, cap=None)
