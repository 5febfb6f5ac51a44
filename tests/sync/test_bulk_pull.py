"""A bulk catch-up (a new store's first sync, a long absence): pages fetched ahead on a thread
and applied several to a transaction (SyncEngine.pull_all). It must end exactly where applying
page by page ends, and a network lost half-way must keep what was applied and lose nothing."""
import pytest
from sqlalchemy import select, text

import sync.engine as engine_mod
from app.models import Member
from sync.client import Offline
from tests.sync.harness import assert_converged

N_MEMBERS = 150


@pytest.fixture
def chain(hq, make_store):
    """Store A with N_MEMBERS members (a few with points) pushed to HQ: HQ's feed has ~170 changes."""
    a = make_store("S001")
    members = [a.register("ヤマ" + "".join("アイウエオカキクケコ"[int(d)] for d in f"{i:04d}"), phone=f"090{i:08d}")
               for i in range(N_MEMBERS)]
    for m in members[:20]:
        a.earn(m.id, 1200)
    a.sync()
    return a, members


def _members(h):
    with h.store.db.read() as s:
        return {m.id: (m.member_no, m.name_kana, m.kana_key, m.phone, m.status, m.balance, m.field_times)
                for m in s.scalars(select(Member))}


def _bulk(h, page=20, per_transaction=3):
    h.engine.page_size = page
    h.engine.prefetch_min = page
    h.engine.bulk_pages = per_transaction


def test_bulk_catch_up_ends_where_page_by_page_does(chain, hq, make_store, monkeypatch):
    a, members = chain
    batches = []
    take = engine_mod._PageFeed.take

    def recording_take(self, n):
        got = take(self, n)
        if got:
            batches.append(len(got))
        return got

    monkeypatch.setattr(engine_mod._PageFeed, "take", recording_take)
    b, c = make_store("S002"), make_store("S003")
    _bulk(b)
    c.engine.page_size = 20
    c.engine.prefetch_min = 10**9  # page by page, as before
    pulled_b = b.sync()["pulled"]
    assert max(batches) > 1, "no pages were fetched ahead and applied together"
    assert sum(batches) + 1 == pulled_b["pages"]  # the first page is fetched as always, the rest ahead
    pulled_c = c.sync()["pulled"]
    assert pulled_b["pages"] == pulled_c["pages"] and pulled_b["changes"] == pulled_c["changes"]
    assert pulled_b["cursor"] == pulled_c["cursor"]
    got_b, got_c = _members(b), _members(c)
    assert got_b == got_c
    assert set(got_b) >= {m.id for m in members}
    # the pulled members are in the kana trigram index (fed by triggers from the one bulk INSERT)
    with b.store.db.write() as s:
        s.execute(text("INSERT INTO search_member_kana_fts (search_member_kana_fts) VALUES ('integrity-check')"))
    found = b.store.members.find("アアイウ")  # inside ヤマアアイウ (member 12), not at its start
    assert [m.id for m in found] == [members[12].id]
    assert_converged(hq, [a, b, c])


@pytest.mark.parametrize("lost_at", [4, 5])
def test_network_lost_half_way_through_a_bulk_catch_up(chain, hq, make_store, lost_at):
    """lost_at 4: the error comes after two pages fetched ahead (a take of three gets two, then the
    error); 5: after three (the error is the next take's first item)."""
    a, members = chain
    b = make_store("S002")
    _bulk(b)
    before = b.transport.changes_requests
    b.transport.fail_changes_from = before + lost_at
    with pytest.raises(Offline):
        b.sync()
    applied = _members(b)
    assert 0 < len([m for m in members if m.id in applied]) < N_MEMBERS  # pages before the loss were kept
    assert b.engine.replica.cursor()  # with their cursor
    b.transport.fail_changes_from = None
    b.transport.offline = False
    b.sync()
    assert set(_members(b)) >= {m.id for m in members}
    assert_converged(hq, [a, b])


def test_closing_the_feed_does_not_wait_for_a_fetch_in_flight():
    """Stopping a catch-up (the app closing, an apply error) must not wait out the client's timeout
    for the page being fetched ahead: the feed stops, the fetch's answer is dropped when it comes."""
    import threading

    entered, release, finished = threading.Event(), threading.Event(), threading.Event()

    class SlowClient:
        def changes(self, cursor, limit):
            entered.set()
            release.wait(30)       # a request HQ is slow to answer
            finished.set()
            raise Offline("the connection closed")

    feed = engine_mod._PageFeed(SlowClient(), "c1", 10, 10, depth=2)
    assert entered.wait(10)
    feed.close()
    assert not finished.is_set(), "close() waited for the fetch in flight"
    release.set()
    assert finished.wait(10)
    feed._thread.join(10)
    assert not feed._thread.is_alive()     # the thread ended by itself, its answer dropped
    assert feed._q.empty()
