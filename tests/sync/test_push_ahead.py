"""A long queue goes to HQ one batch ahead (SyncEngine.push_all with ``pipeline``): batch N+1 is
sent once N is answered, while N's outcomes are recorded. Real HQ over loopback, real stores."""
from __future__ import annotations

import threading

import httpx
import pytest
from sqlalchemy import func, select

from app.models import Outbox
from hq.models import LedgerRow
from sync.client import Offline
from tests.sync.harness import assert_converged


def _queue(a, n):
    m = a.register("ナカムラ")
    a.sync()
    for i in range(n):
        a.earn(m.id, 1000 + i)
    a.engine.batch_size = 5
    return m


def _watch(a):
    """Order of 'push' (a push request leaving) and 'record' (the store starting to record an
    answer). Recording the first answer waits (up to 5 s) for the second push to leave: with the
    batches one ahead it has left already; one after the other, it leaves only after."""
    order: list[str] = []
    second_push = threading.Event()
    send = a.transport.handle_request
    record = a.engine.replica.record_outcomes

    def spy(request):
        if request.url.path == "/v1/sync/push":
            order.append("push")
            if order.count("push") == 2:
                second_push.set()
        return send(request)

    def recording(results):
        if "record" not in order:
            second_push.wait(5)
        order.append("record")
        return record(results)

    a.transport.handle_request = spy
    a.engine.replica.record_outcomes = recording
    return order


def _hq_entries(hq):
    with hq.service.db.read() as s:
        return s.scalar(select(func.count()).select_from(LedgerRow))


def test_the_next_batch_leaves_before_the_answer_is_recorded_and_each_event_is_applied_once(hq, make_store):
    a = make_store("S001")
    _queue(a, 23)  # 5 batches: 5, 5, 5, 5, 3
    order = _watch(a)
    a.sync()
    assert order[:3] == ["push", "push", "record"]
    assert order.count("push") == 5 and order.count("record") == 5
    assert a.engine.state().queue == 0
    assert _hq_entries(hq) == 23
    assert_converged(hq, [a])


def test_one_after_the_other_without_pipeline(hq, make_store):
    a = make_store("S001")
    _queue(a, 12)
    a.engine.pipeline = False
    order = _watch(a)
    a.sync()
    assert order[:3] == ["push", "record", "push"]
    assert_converged(hq, [a])


@pytest.mark.parametrize("lost", [2, 3], ids=["second-answer-lost", "third-answer-lost"])
def test_an_answer_lost_while_the_next_batch_is_ahead(hq, make_store, lost):
    """HQ commits a batch sent ahead and its answer is lost: the push stops with the network
    error, the batch after it is not sent, and the next sync's resend gets HQ's stored outcomes
    (nothing applied twice)."""
    a = make_store("S001")
    _queue(a, 23)
    send = a.transport.handle_request
    pushes = []

    def lose(request):
        response = send(request)
        if request.url.path == "/v1/sync/push":
            pushes.append(request)
            if len(pushes) == lost:
                response.read()
                response.close()
                raise httpx.ReadError("response lost (injected)", request=request)
        return response

    a.transport.handle_request = lose
    with pytest.raises(Offline):
        a.sync()
    assert len(pushes) == lost  # nothing sent after the lost answer
    assert _hq_entries(hq) == 5 * lost  # HQ did commit the batch whose answer was lost
    assert a.engine.state().queue == 23 - 5 * (lost - 1)  # ...which the store still holds unanswered
    a.transport.handle_request = send
    a.sync()
    assert a.engine.state().queue == 0
    assert _hq_entries(hq) == 23
    with a.store.db.read() as s:
        outcomes = set(s.scalars(select(Outbox.outcome)))
    assert outcomes == {"applied"}
    assert_converged(hq, [a])


def test_the_network_going_down_under_a_batch_sent_ahead(hq, make_store):
    a = make_store("S001")
    _queue(a, 23)
    a.transport.fail_push_from = 3 + a.transport.pushes  # the third push of this sync never arrives
    with pytest.raises(Offline):
        a.sync()
    assert _hq_entries(hq) == 10
    assert a.engine.state().queue == 13
    a.transport.fail_push_from = None
    a.transport.offline = False
    a.sync()
    assert _hq_entries(hq) == 23
    assert_converged(hq, [a])
