"""A bulk catch-up (a new store's first sync, a long absence): pages fetched ahead on a thread
and applied several to a transaction (SyncEngine.pull_all). It must end exactly where applying
page by page ends, and a network lost half-way must keep what was applied and lose nothing."""
import pytest
from sqlalchemy import select, text

import sync.engine as engine_mod
from app.models import Member
from app.services.replica import ReplicaService
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
    batches = _record_transactions(monkeypatch)
    b, c = make_store("S002"), make_store("S003")
    _bulk(b)
    c.engine.page_size = 20
    c.engine.prefetch_min = 10**9  # page by page, as before
    pulled_b = b.sync()["pulled"]
    assert max(batches) > 1, "no pages were fetched ahead and applied together"
    assert max(batches) <= 3  # bulk_pages
    assert sum(batches) == pulled_b["pages"]  # every page applied once (the first one on its own)
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



def _record_transactions(monkeypatch) -> list[int]:
    """The number of pages each bulk transaction applied, in order."""
    transactions: list[int] = []
    apply_pages = ReplicaService.apply_pages

    def recording_apply_pages(self, pages, **kw):
        summary = apply_pages(self, pages, **kw)
        transactions.append(summary["pages"])
        return summary

    monkeypatch.setattr(ReplicaService, "apply_pages", recording_apply_pages)
    return transactions

def _record_pages(monkeypatch, on_page=None):
    """Every page applied (ReplicaService._apply_page) as ('page', n) in a shared list; on_page(n)
    is called after the n-th (from 1)."""
    events = []
    apply_page = ReplicaService._apply_page

    def recording(self, *args, **kw):
        apply_page(self, *args, **kw)
        events.append(("page", sum(1 for e in events if e[0] == "page") + 1))
        if on_page is not None:
            on_page(events[-1][1])

    monkeypatch.setattr(ReplicaService, "_apply_page", recording)
    return events


@pytest.mark.parametrize("quiet_s", [0, 600])
def test_a_counter_write_waiting_ends_the_bulk_transaction_at_the_next_page(chain, hq, make_store, monkeypatch,
                                                                             quiet_s):
    """The counter registers a member while a bulk transaction is open: the catch-up commits after
    the page it is applying (it would otherwise go on to the last page), the registration goes
    first, then the catch-up goes on: in one transaction once the counter has been quiet for
    counter_quiet_s (0 here), else one page to a transaction."""
    import threading

    a, members = chain
    b = make_store("S002")
    _bulk(b, per_transaction=100)
    b.engine.bulk_seconds = 600
    b.engine.counter_quiet_s = quiet_s
    counter: list = []
    db = b.store.db

    def on_page(n):
        if n != 3:  # the first page is applied alone (fetched before the catch-up starts): 2, 3, ... are one
            return

        def register():
            counter.append(b.register("カウンタータロウ"))
            events.append(("counter", len(counter)))

        t = threading.Thread(target=register)
        t.start()
        counter.append(t)
        for _ in range(1000):  # until it waits for our transaction (BEGIN IMMEDIATE)
            if db.writers_waiting():
                return
            threading.Event().wait(0.01)
        raise AssertionError("the counter's write never began")

    events = _record_pages(monkeypatch, on_page)
    transactions = _record_transactions(monkeypatch)
    b.sync()
    counter[0].join(20)
    assert len(counter) == 2, "the counter's registration did not finish"
    pages_before = [e for e in events[:events.index(("counter", 2))] if e[0] == "page"]
    assert pages_before[-1] == ("page", 3)  # the transaction ended right after the page it was on
    assert transactions[:2] == [1, 2] and len(transactions) > 2  # then the catch-up went on
    if quiet_s:
        assert transactions[2:] == [1] * (len(transactions) - 2)
    else:
        assert len(transactions) == 3
    assert set(_members(b)) >= {m.id for m in members} | {counter[1].id}
    b.sync()
    a.sync()
    assert_converged(hq, [a, b])


def test_a_bulk_transaction_takes_no_page_after_its_time(chain, hq, make_store, monkeypatch):
    """bulk_seconds bounds how long a bulk transaction stays open (for writers the in-process count
    does not see: another process): with 0, every page is a transaction of its own."""
    a, members = chain
    b = make_store("S002")
    _bulk(b, per_transaction=100)
    b.engine.bulk_seconds = 0
    transactions = _record_transactions(monkeypatch)
    pulled = b.sync()["pulled"]
    assert transactions == [1] * pulled["pages"]
    assert set(_members(b)) >= {m.id for m in members}
    assert_converged(hq, [a, b])


def test_an_epoch_reset_met_half_way_through_a_bulk_catch_up(chain, hq, make_store, monkeypatch):
    """HQ bumps its epoch while the store is catching up: the pages fetched ahead before it are
    applied, the reset ends the transaction, the store replays HQ's snapshot and ends equal to HQ.
    The epoch moves right after HQ has answered the third page request. (It used to move after
    the third page was applied; by then the fetcher could have had every page already, and about
    one run in ten saw no reset at all.)"""
    a, members = chain
    b = make_store("S002")
    _bulk(b, per_transaction=100)
    b.engine.bulk_seconds = 600
    client = b.engine.client
    fetch = client.changes
    answered = []

    def changes(cursor, limit=2000):
        page = fetch(cursor, limit)
        answered.append(cursor)
        if len(answered) == 3:
            hq.service.bump_epoch()
        return page

    client.changes = changes
    pages = _record_pages(monkeypatch)
    pulled = b.sync()["pulled"]
    assert pulled["reset"] is True
    assert len(pages) >= 3  # the pages fetched before the reset were applied
    assert set(_members(b)) >= {m.id for m in members}
    with b.store.db.write() as s:
        s.execute(text("INSERT INTO search_member_kana_fts (search_member_kana_fts) VALUES ('integrity-check')"))
    assert_converged(hq, [a, b])


@pytest.mark.parametrize("lost", [False, True])
def test_the_garbage_collector_runs_less_often_during_a_catch_up_and_as_before_after_it(chain, make_store,
                                                                                        monkeypatch, lost):
    import gc

    a, _ = chain
    b = make_store("S002")
    _bulk(b)
    before = gc.get_threshold()
    during = []
    _record_pages(monkeypatch, lambda n: during.append(gc.get_threshold()))
    if lost:
        b.transport.fail_changes_from = b.transport.changes_requests + 4
        with pytest.raises(Offline):
            b.sync()
    else:
        b.sync()
    assert before[0] < engine_mod.BULK_GC_THRESHOLD
    assert len(during) > 1 and all(t == (engine_mod.BULK_GC_THRESHOLD, *before[1:]) for t in during)
    assert gc.get_threshold() == before


def test_overlapping_catch_ups_put_the_collector_back_when_the_last_one_ends():
    """Two stores catching up in one process, ending in either order: the thresholds stay raised
    until the last one ends, then are what they were."""
    import gc

    before = gc.get_threshold()
    a, b = engine_mod._fewer_collections(), engine_mod._fewer_collections()
    a.__enter__()
    b.__enter__()
    a.__exit__(None, None, None)
    assert gc.get_threshold()[0] == engine_mod.BULK_GC_THRESHOLD
    b.__exit__(None, None, None)
    assert gc.get_threshold() == before
