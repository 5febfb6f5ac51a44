"""A 200 from "HQ" that is not HQ's answer (a proxy's page, a garbled body, another server at the
address) is acted on in no way: the sync round fails with BadReply, whose message says where the
answer went wrong without quoting it (a page of changes holds customers' names), the worker tries
again later, and what HQ had already done is asked for again then. A redemption whose reservation
answer is unreadable goes on offline, as if no answer came. Real HQ on loopback; the answers are
replaced on their way back, after HQ acted (tests/sync/harness.py FaultyTransport.garble)."""
import logging
import uuid

import pytest

from sync.client import BadReply
from tests.sync.harness import assert_converged

NAME = "ヤマダハナコ"


def test_a_garbled_push_answer_is_not_recorded_and_the_resend_applies_once(hq, make_store, caplog):
    a = make_store("S001")
    member = a.register(NAME)
    a.earn(member.id, 1000)
    a.transport.garble["/v1/sync/push"] = b'{"results": "<html>Proxy error</html>", "expected_seq": "x"}'
    with caplog.at_level(logging.DEBUG), pytest.raises(BadReply) as err:
        a.sync()
    assert "results" in str(err.value) and "Proxy error" not in str(err.value)
    assert a.engine.last_error_code == "bad_reply"
    assert a.engine.replica.queue_stats()["queue"] > 0  # nothing was taken as answered
    a.sync()  # HQ had applied that batch: it answers the resend from its stored outcomes
    assert a.engine.last_error_code is None
    assert_converged(hq, [a])


def test_a_garbled_page_of_changes_quotes_no_customer_and_is_fetched_again(hq, make_store, caplog):
    a, b = make_store("S001"), make_store("S002")
    member = a.register(NAME)
    a.sync()
    # a change whose data is text, not fields: pydantic's own message would quote it, name and phone
    page = ('{"epoch": "e1", "changes": [{"id": 3, "kind": "member", "data": "%s 09012345678"}], '
            '"next_cursor": "e1:3", "has_more": false}' % NAME).encode()
    b.transport.garble["/v1/sync/changes"] = page
    with caplog.at_level(logging.DEBUG), pytest.raises(BadReply) as err:
        b.sync()
    for secret in (NAME, "09012345678"):
        assert secret not in str(err.value) and secret not in caplog.text
        assert secret not in (b.engine.last_error or "")
    assert "changes" in str(err.value)
    b.sync()
    assert b.store.members.get(member.id).name_kana == NAME
    assert_converged(hq, [a, b])


def test_an_unreadable_reservation_answer_redeems_offline(hq, make_store):
    a = make_store("S001")
    member = a.register(NAME)
    a.earn(member.id, 5000)
    a.sync()
    a.transport.garble["/v1/redemptions/reserve"] = b"<html>captive portal</html>"
    out = a.redeem(member.id, 10)
    assert out["mode"] == "offline"
    a.transport.garble["/v1/redemptions/reserve"] = b'{"ok": "maybe"}'
    assert a.redeem(member.id, 10)["mode"] == "offline"
    assert a.redeem(member.id, 10)["mode"] == "online"
    a.sync()
    assert_converged(hq, [a])


def test_enrolling_at_an_address_where_something_else_answers_says_so(hq, make_store):

    from sync.client import HQClient
    from sync.protocol import EnrollRequest

    h = make_store("S009", enroll=False)
    h.transport.garble["/v1/enroll"] = b'{"hello": "I am a printer"}'
    client = HQClient(hq.url, transport=h.transport)
    with pytest.raises(BadReply) as err:
        client.enroll(EnrollRequest(code="X" * 16, store_id="S009", signing_key_id=uuid.uuid4().hex[:8],
                                    signing_public_key="00" * 32))
    assert err.value.code == "bad_reply"
    client.close()


def test_sync_cli_says_bad_reply_when_something_else_answers_at_hqs_address(hq, make_store, capsys):
    """A real HTTP server on loopback that answers every request 200 with a web page: `python -m
    sync ... sync --once --json` exits 6 (retryable, as offline) with code bad_reply, no traceback."""
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from sync.__main__ import main
    from sync.engine import S_URL

    class Page(BaseHTTPRequestHandler):
        def _page(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = b"<html><body>Router login</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _page

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        a = make_store("S001")
        a.register(NAME)
        with a.store.db.write() as s:
            a.store.set_settings(s, **{S_URL: f"http://127.0.0.1:{server.server_address[1]}"})
        a.engine.close()
        a.store.close()
        capsys.readouterr()
        assert main(["--db", str(a.path), "sync", "--once", "--json"]) == 6
        out = capsys.readouterr()
        err = json.loads(out.out or out.err)
        assert err["error"] == "bad_reply" and "Traceback" not in out.err, (out.out, out.err)
    finally:
        server.shutdown()
        server.server_close()
