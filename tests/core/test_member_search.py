"""Kana search: the FTS5 trigram index (search_member_kana_fts) behind substring search, kept in
step with members by triggers whoever writes the member (register, update, sync's bulk insert,
deletion), hiragana/katakana-insensitive, and leaving nothing of a scrubbed reading behind."""
import uuid

from sqlalchemy import event, text, update

from app.models import Member


def _ids(found):
    return {m.id for m in found}


def _fts_ids(store, key):
    with store.db.read() as s:
        return set(s.execute(text(
            "SELECT k.member_id FROM search_member_kana_fts f JOIN search_member_kana k ON k.id = f.rowid "
            "WHERE search_member_kana_fts MATCH :q"), {"q": f'"{key}"'}).scalars())


def _integrity(store):
    with store.db.write() as s:
        s.execute(text("INSERT INTO search_member_kana_fts (search_member_kana_fts, rank) "
                       "VALUES ('integrity-check', 1)"))
        n_members, n_index, n_same = s.execute(text(
            "SELECT (SELECT count(*) FROM members), (SELECT count(*) FROM search_member_kana), "
            "(SELECT count(*) FROM members m JOIN search_member_kana k ON k.member_id = m.id "
            "AND k.kana_key = m.kana_key)")).one()
    assert n_members == n_index == n_same


def test_given_name_is_found_by_substring_in_any_kana(store, cashier):
    hanako = store.members.register(cashier, "ヤマダ ハナコ").member
    other = store.members.register(cashier, "たなか はなこ").member
    store.members.register(cashier, "スズキ イチロウ")
    for query in ("はなこ", "ハナコ", "ﾊﾅｺ", "ダハナ"):
        found = _ids(store.members.find(query))
        assert hanako.id in found, query
        if query != "ダハナ":
            assert other.id in found and len(found) == 2, query
    assert _fts_ids(store, "ハナコ") == {hanako.id, other.id}
    _integrity(store)


def test_prefix_matches_come_first_then_substrings(store, cashier):
    inner = store.members.register(cashier, "タナカハナコ").member
    start = store.members.register(cashier, "ハナコウジ").member
    found = store.members.find("はなこ")
    assert [m.id for m in found] == [start.id, inner.id]
    assert [m.id for m in store.members.find("はなこ", limit=1)] == [start.id]


def test_two_kana_inside_a_reading_are_still_found(store, cashier):
    m = store.members.register(cashier, "ヤマダハナコ").member
    assert _ids(store.members.find("なこ")) == {m.id}  # no trigram: the narrow scan, prefix found none


def test_the_index_follows_updates(store, cashier):
    m = store.members.register(cashier, "ヤマダハナコ").member
    store.members.update(cashier, m.id, name_kana="サトウ ミドリ")
    assert store.members.find("はなこ") == []
    assert _ids(store.members.find("みどり")) == {m.id}
    assert _fts_ids(store, "ハナコ") == set()
    _integrity(store)


def test_members_written_by_bulk_insert_are_indexed(store):
    """As sync's first pull does (Member.__table__.insert, no service): the triggers index them."""
    rows = [{"id": str(uuid.uuid4()), "member_no": f"X{i:010d}", "name_kana": kana, "kana_key": key,
             "status": "active", "consent_marketing": False, "field_times": {}, "balance": 0,
             "lifetime_spend_yen": 0, "created_at": "2026-11-17T01:00:00", "updated_at": "2026-11-17T01:00:00"}
            for i, (kana, key) in enumerate([("コバヤシミノル", "コバヤシミノル"), ("ハヤシミノリ", "ハヤシミノリ")])]
    with store.db.write() as s:
        s.execute(Member.__table__.insert(), rows)
    assert _ids(store.members.find("ヤシミノ")) == {r["id"] for r in rows}
    _integrity(store)


def test_inactive_members_are_not_found_by_substring(store, cashier):
    m = store.members.register(cashier, "ヤマダハナコ").member
    with store.db.write() as s:
        s.execute(update(Member).where(Member.id == m.id).values(status="deleted"))
    assert store.members.find("ハナコ") == []
    assert store.members.find("ナコ") == []


def test_a_scrubbed_reading_leaves_no_trigram_behind(store, cashier):
    """FTS5 'secure-delete' is on: the old reading's trigrams are removed from the index pages, not
    only masked by a delete marker (a deletion at the member's request must not leave them)."""
    m = store.members.register(cashier, "ミヤノハナコ").member
    for i in range(3):  # a few more segments, so the member's terms are not alone
        store.members.register(cashier, f"ダミー{'アイウ'[i]}")
    with store.db.write() as s:
        s.execute(update(Member).where(Member.id == m.id).values(name_kana="", kana_key=""))
    with store.db.read() as s:
        blobs = b"".join(s.execute(text("SELECT block FROM search_member_kana_fts_data")).scalars())
    for gram in ("ミヤノ", "ヤノハ", "ノハナ", "ハナコ"):
        assert gram.encode() not in blobs, gram
    _integrity(store)


def test_search_index_triggers_exist_at_head(store):
    """A later migration that re-creates the members table (batch mode) drops its triggers: it must
    create them again, or this fails."""
    with store.db.read() as s:
        names = set(s.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars())
    assert {"search_members_ai", "search_members_au", "search_members_ad", "search_member_kana_ai",
            "search_member_kana_au", "search_member_kana_ad"} <= names


def test_inner_matches_fill_only_what_the_prefix_search_left(store, cashier):
    """Readings starting with the query come first; readings containing it elsewhere fill the rest
    up to the limit, none twice, none of the first kind again (three kana: the trigram index;
    two: the narrow scan, only when nothing starts with them)."""
    starts = [store.members.register(cashier, f"ハナコ{tail}").member.id for tail in ("ア", "イ", "ウ")]
    inner = {store.members.register(cashier, f"{head}ハナコ").member.id for head in ("ヤマダ", "タナカ", "スズキ", "サトウ")}
    loaded = []

    def on_load(target, context):
        loaded.append(target.id)

    event.listen(Member, "load", on_load)
    try:
        found = [m.id for m in store.members.find("はなこ", limit=5)]
    finally:
        event.remove(Member, "load", on_load)
    assert found[:3] == starts
    assert len(found) == len(set(found)) == 5 and set(found[3:]) <= inner
    assert sorted(loaded) == sorted(found)  # no member row read only to be dropped
    found = [m.id for m in store.members.find("はなこ", limit=50)]
    assert found[:3] == starts and set(found[3:]) == inner and len(found) == 7
    assert {m.id for m in store.members.find("なこ")} == inner | set(starts)  # none starts with ナコ
