"""The status bar against a real HQ: uvicorn serving hq on a loopback port (tests/sync's fixture),
the store enrolled through the Settings dialog, the sync worker started by the main window and its
state bridged to the GUI thread. Earn → the queue drains to 0 and オンライン; HQ stopped → オフライン
with the queue rising; a redemption offline is capped and says so."""
from __future__ import annotations

import pytest

from tests.sync.fixtures import hq  # noqa: F401 - the fixture: HQ on loopback (SQLite; PostgreSQL in CI)
from tests.ui.conftest import wait_idle


def earn(qtbot, window, counter, yen: int):
    counter.amount.setText(str(yen))
    dlg = counter.earn()
    qtbot.waitUntil(lambda: dlg.state == "ready", timeout=10000)
    dlg.confirm()
    qtbot.waitUntil(lambda: dlg.state == "done", timeout=10000)
    dlg.accept()
    wait_idle(qtbot, window)


def redeem(qtbot, window, counter, points: int):
    dlg = counter.redeem()
    dlg.points.setText(str(points))
    dlg.confirm()
    qtbot.waitUntil(lambda: dlg.state != "busy", timeout=15000)
    return dlg


@pytest.fixture
def enrolled(qtbot, hq, window, counter, store):  # noqa: F811
    _, code = hq.service.add_store("S001", "S001")
    dlg = window.open_settings()
    dlg.tabs.setCurrentWidget(dlg.hq_tab)
    dlg.hq_url.setText(hq.url)
    dlg.hq_code.setText(code)
    dlg.enroll()
    qtbot.waitUntil(lambda: window.sync_worker is not None, timeout=15000)
    assert "Connected" in dlg.enroll_message.text() and hq.url in dlg.hq_state.text()
    dlg.reject()
    return hq


def test_status_bar_follows_a_real_hq(qtbot, enrolled, window, counter, member, store):
    hq = enrolled
    label = window.sync_label
    counter.lookup(member.code)
    wait_idle(qtbot, window)
    earn(qtbot, window, counter, 3480)
    # the worker pushes at once (woken after the earn): everything acknowledged, online
    qtbot.waitUntil(lambda: label.text().startswith("Online · unsent 0 · last sync"), timeout=20000)
    assert window.sync_state.queue == 0 and window.sync_state.online
    # online-first redemption: HQ reserves the points
    dlg = redeem(qtbot, window, counter, 100)
    assert dlg.state == "done" and dlg.mode == "online" and "Offline" not in dlg.message.text()
    dlg.accept()
    qtbot.waitUntil(lambda: label.text().startswith("Online · unsent 0"), timeout=20000)

    # HQ goes away: オフライン, and the queue rises with the next earn
    hq.stop()
    earn(qtbot, window, counter, 1000)
    qtbot.waitUntil(lambda: label.text().startswith("Offline · unsent ") and window.sync_state.queue >= 1,
                    timeout=20000)
    assert not window.sync_state.online
    first = window.sync_state.queue
    earn(qtbot, window, counter, 500)
    qtbot.waitUntil(lambda: window.sync_state.queue > first, timeout=20000)
    assert label.text().startswith(f"Offline · unsent {window.sync_state.queue}")
    assert "last sync" in label.text()  # the last good sync stays shown
    # a redemption offline is allowed up to the cap, and the screen says so
    dlg = redeem(qtbot, window, counter, 100)
    assert dlg.state == "done" and dlg.mode == "offline"
    assert "Offline: capped at 3,000 pt a day" in dlg.message.text()
    dlg.accept()
    wait_idle(qtbot, window)
    # more than the last known balance: refused, with the cap shown
    dlg = redeem(qtbot, window, counter, 5000)
    assert dlg.state == "ready" and "Offline: capped at" in dlg.message.text()
    dlg.reject()

    # HQ back: the queue drains to 0
    hq.start()
    window.sync_worker.wake()
    qtbot.waitUntil(lambda: label.text().startswith("Online · unsent 0"), timeout=30000)


def test_status_bar_in_japanese(qtbot, enrolled, window, counter):
    from PySide6.QtWidgets import QApplication

    from ui import i18n

    app = QApplication.instance()
    assert i18n.install(app, "ja")
    try:
        window.set_sync_state(True, 0, "2026/11/22 21:05")
        assert window.sync_label.text() == "オンライン・未送信 0件 · 最終同期 2026/11/22 21:05"
        window.set_sync_state(False, 3, None)
        assert window.sync_label.text() == "オフライン・未送信 3件"
    finally:
        i18n.install(app, "en")
