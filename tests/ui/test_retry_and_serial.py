"""A points action retried after a database error writes exactly one entry (the idempotency key
made when the dialog opened is replayed); a serial scanner through QtSerialPort on a real
pseudo-terminal pair brings up the member panel."""
from __future__ import annotations

import os
import sqlite3
import tty

import pytest
from sqlalchemy.exc import OperationalError

from tests.ui.conftest import make_window, wait_idle


def show(qtbot, window, counter, text):
    counter.lookup(text)
    wait_idle(qtbot, window)
    assert counter.view is not None


def locked() -> OperationalError:
    return OperationalError("BEGIN IMMEDIATE", {}, sqlite3.OperationalError("database is locked"))


@pytest.mark.parametrize("action", ["earn", "redeem"])
@pytest.mark.parametrize("when", ["before_write", "after_write"])
def test_retry_after_a_db_lock_writes_exactly_one_entry(qtbot, window, counter, member, store, monkeypatch,
                                                        action, when):
    """The first executor call fails with "database is locked" — before anything was written, or
    after the write committed and only the answer was lost. The cashier presses Enter again: the
    dialog re-submits with the same key and the ledger holds one entry."""
    real = getattr(store.ledger, action)
    keys = []

    def flaky(*args, **kwargs):
        keys.append(args[3])  # (actor, member_id, amount or points, key, ...)
        if len(keys) == 1:
            if when == "after_write":
                real(*args, **kwargs)
            raise locked()
        return real(*args, **kwargs)

    monkeypatch.setattr(store.ledger, action, flaky)
    show(qtbot, window, counter, member.code)
    if action == "earn":
        counter.amount.setText("3480")
        dlg = counter.earn()
        qtbot.waitUntil(lambda: dlg.state == "ready", timeout=10000)
    else:
        dlg = counter.redeem()
        dlg.points.setText("300")
    dlg.confirm()
    qtbot.waitUntil(lambda: dlg.state == "ready" and len(keys) == 1, timeout=10000)
    assert dlg.message.text() == "The database is busy. Press Enter to try again."
    assert dlg.isVisible() and dlg.confirm_button.isEnabled()
    dlg.confirm()  # Enter again
    qtbot.waitUntil(lambda: dlg.state == "done", timeout=10000)
    wait_idle(qtbot, window)
    assert len(keys) == 2 and keys[0] == keys[1]  # the same idempotency key both times
    assert dlg.result_value.replayed == (when == "after_write")
    entries = [e for e in store.ledger.history(member.member.id) if e.kind == action]
    assert len(entries) == 1
    assert entries[0].id == dlg.result_value.entry_id
    expected = 1000 + entries[0].points
    assert store.ledger.balance(member.member.id)["balance"] == expected
    assert dlg.result_value.balance == expected


def test_a_new_dialog_gets_a_new_key(qtbot, window, counter, member):
    show(qtbot, window, counter, member.code)
    first = counter.redeem()
    first.reject()
    second = counter.redeem()
    assert first.key != second.key
    second.reject()


# -- serial scanner on a pseudo-terminal ---------------------------------------------------------

@pytest.fixture
def pty_pair():
    pytest.importorskip("PySide6.QtSerialPort")
    master, slave = os.openpty()
    tty.setraw(slave)  # like a serial line: no echo, no CR→LF translation
    yield master, os.ttyname(slave)
    os.close(master)
    os.close(slave)


def test_serial_scanner_on_a_pty_shows_the_member(qtbot, store, config, manager, member, clock, pty_pair):
    master, path = pty_pair
    config.serial_port = path
    win = make_window(qtbot, store, config, clock)
    try:
        assert win.serial is not None and win.serial.port is not None and win.serial.port.isOpen(), \
            win.serial.port.errorString() if win.serial and win.serial.port else "no serial scanner"
        win.sign_in(manager)
        with qtbot.waitSignal(win.serial.scanned, timeout=5000) as sig:
            half = len(member.code) // 2  # a serial line delivers in pieces: the code is cut in two
            os.write(master, member.code[:half].encode())
            qtbot.wait(30)
            os.write(master, member.code[half:].encode() + b"\r")
        assert sig.args == [member.code]
        wait_idle(qtbot, win)
        qtbot.waitUntil(lambda: win.counter.view is not None, timeout=5000)
        assert win.counter.view.member_id == member.member.id
        assert win.counter.panel.name.text() == "山田 花子"
        # a second card on the same line, with a CR LF ending, replaces the first customer
        other = store.members.register(manager, "スズキイチロウ")
        with qtbot.waitSignal(win.serial.scanned, timeout=5000):
            os.write(master, other.code.encode() + b"\r\n")
        wait_idle(qtbot, win)
        qtbot.waitUntil(lambda: win.counter.view is not None and win.counter.view.member_id == other.member.id,
                        timeout=5000)
    finally:
        win.shutdown()


def test_serial_port_that_is_missing_gives_a_status(qtbot, store, config, clock, tmp_path):
    pytest.importorskip("PySide6.QtSerialPort")
    config.serial_port = str(tmp_path / "ttyNOPE")
    win = make_window(qtbot, store, config, clock)
    try:
        assert "is not available" in win.statusBar().currentMessage()
    finally:
        win.shutdown()
