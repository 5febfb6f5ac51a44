"""The parts wired into the main window: F6 paper card wizard, the manager's screens (F9/F10, the
要確認 badge, reports catch-up), and the Settings enrollment dialog's refusals. Real SQLite store,
real main window offscreen."""
from __future__ import annotations

import threading

import keyring
import pytest
from keyring.backends import fail
from PySide6.QtCore import Qt

from app.clock import iso
from app.models import Conflict
from tests.migration.files import ean13
from tests.ui.conftest import wait_idle

CARD = ean13("290000000123")


@pytest.fixture
def cashier(store, manager):
    staff = store.staff.add(manager, "レジ", "cashier", "5678")
    return store.staff.authenticate(staff.id, "5678")


def add_conflict(store, member_id, kind="card_migrated_elsewhere"):
    with store.db.write() as s:
        s.add(Conflict(kind=kind, created_at=iso(store.now()), member_id=member_id,
                       details={"points": 140, "other_store": "S002"}, status="open"))


# -- F6: paper card migration ------------------------------------------------------------------
def test_f6_opens_the_wizard_scans_go_to_it_and_the_panel_refreshes(qtbot, window, counter, member, store):
    counter.lookup(member.code)
    wait_idle(qtbot, window)
    assert counter.view.balance == 1000
    assert counter.buttons["F6"].isEnabled()
    qtbot.keyClick(counter.amount, Qt.Key.Key_F6)
    dlg = counter.migrate_dialog
    assert dlg is not None and dlg.isVisible() and dlg.page == "card"
    wait_idle(qtbot, window)
    assert dlg.member is not None and dlg.member.id == member.member.id  # the member on the panel
    # the card is scanned while the wizard is open: it goes to the wizard, not to a member look-up
    window.handle_scan(CARD, "wedge")
    qtbot.waitUntil(lambda: dlg.page == "amount", timeout=5000)
    assert counter.view.member_id == member.member.id
    dlg.amount_field.setText("14")  # (typed keys would go through the test's frozen wedge clock)
    qtbot.waitUntil(lambda: dlg.quote is not None and dlg.quote.points == 140, timeout=5000)
    dlg.next()      # amount → photo
    dlg.next()      # no photo → link (member already chosen)
    assert dlg.page == "link"
    dlg.next()
    assert dlg.page == "confirm"
    with qtbot.waitSignal(dlg.applied, timeout=5000):
        dlg.next()
    qtbot.waitUntil(lambda: counter.view.balance == 1140, timeout=5000)  # the panel was refreshed
    qtbot.keyClick(dlg, Qt.Key.Key_Return)  # done → closes
    qtbot.waitUntil(lambda: counter.migrate_dialog is None)
    # the same card scanned again with the wizard open: refused there with 移行済み
    dlg2 = counter.migrate_card()
    window.handle_scan(CARD, "wedge")
    qtbot.waitUntil(lambda: "移行済み" in dlg2.message.text(), timeout=5000)
    assert dlg2.page == "card" and store.ledger.balance(member.member.id)["balance"] == 1140
    qtbot.keyClick(dlg2, Qt.Key.Key_Escape)
    assert counter.migrate_dialog is None
    # with no wizard open, a scan is a member look-up again
    window.handle_scan(member.code, "wedge")
    wait_idle(qtbot, window)
    assert counter.view.member_id == member.member.id


def test_f6_without_a_member_on_screen(qtbot, window, counter):
    dlg = counter.migrate_card()
    wait_idle(qtbot, window)
    assert dlg.isVisible() and dlg.member is None
    dlg.reject()


# -- the manager's screens ------------------------------------------------------------------------
def test_a_cashier_never_sees_the_manager_menu(qtbot, window, store, cashier):
    window.sign_in(cashier)
    for key in ("F9", "F10"):
        assert not window.counter.buttons[key].isVisible()
    qtbot.keyClick(window.counter.amount, Qt.Key.Key_F9)
    qtbot.keyClick(window.counter.amount, Qt.Key.Key_F10)
    assert window.open_manager() is None and window.open_legacy_import() is None
    assert window.manager_window is None and window.legacy_window is None


def test_manager_menu_badge_and_sign_out(qtbot, window, store, manager, member, cashier):
    add_conflict(store, member.member.id)
    window.sign_in(manager)
    assert window.counter.buttons["F9"].isVisible() and window.counter.buttons["F10"].isVisible()
    # the badge is counted on the DB executor after sign-in
    qtbot.waitUntil(lambda: window.review_badge.isVisible(), timeout=5000)
    assert window.review_badge.text() == "Needs review: 1"
    qtbot.keyClick(window.counter.amount, Qt.Key.Key_F9)
    w = window.manager_window
    assert w is not None and w.isVisible() and w.isWindow()
    titles = [w.tabs.tabText(i) for i in range(w.tabs.count())]
    assert titles[0] == "Customer list" and "Audit log" in titles and "Sync status" in titles
    qtbot.waitUntil(lambda: w.conflicts.model.rowCount() == 1, timeout=5000)
    w.conflicts.view.selectRow(0)
    w.conflicts.acknowledge("contacted")
    # open_conflicts_changed from the manager window clears the badge
    qtbot.waitUntil(lambda: not window.review_badge.isVisible(), timeout=5000)
    # the badge opens the manager window on 要確認
    add_conflict(store, member.member.id, "overdraft")
    window.refresh_review_count()
    qtbot.waitUntil(lambda: window.review_badge.isVisible(), timeout=5000)
    w.tabs.setCurrentIndex(0)
    window.review_badge.click()
    assert w.tabs.currentWidget() is w.conflicts
    # F10: the legacy ledger import window
    window.activateWindow()
    window.counter.buttons["F10"].click()
    assert window.legacy_window is not None and window.legacy_window.isVisible()
    # signing out closes the manager's screens: the next (cashier) sign-in does not find them open
    window.sign_out()
    assert window.manager_window is None and window.legacy_window is None
    window.sign_in(cashier)
    qtbot.waitUntil(lambda: window.review_badge.isVisible(), timeout=5000)  # a cashier sees the badge
    assert window.review_badge.toolTip() == "Please tell the store manager."
    window.review_badge.click()
    assert window.manager_window is None  # … but cannot open the screens


def test_reports_catch_up_runs_on_the_db_executor_after_a_manager_signs_in(qtbot, window, store, manager,
                                                                            cashier, monkeypatch):
    threads = []
    real = store.reports.catch_up

    def spy(*a, **kw):
        threads.append(threading.current_thread().name)
        return real(*a, **kw)

    monkeypatch.setattr(store.reports, "catch_up", spy)
    window.sign_in(cashier)
    wait_idle(qtbot, window)
    assert threads == []
    window.sign_out()
    window.sign_in(manager)
    assert threads == []  # not on the GUI thread, not while signing in
    wait_idle(qtbot, window)
    assert len(threads) == 1 and threads[0].startswith("tsumugi-db")


# -- enrollment refusals (the success path: test_sync_status.py) ---------------------------------
def _enroll(qtbot, window, url, code):
    dlg = window.open_settings()
    dlg.tabs.setCurrentWidget(dlg.hq_tab)
    dlg.hq_url.setText(url)
    dlg.hq_code.setText(code)
    dlg.enroll()
    qtbot.waitUntil(lambda: dlg.enroll_button.isEnabled(), timeout=15000)
    return dlg


def test_enrollment_says_clearly_when_hq_cannot_be_reached(qtbot, window, counter):
    from tests.sync.harness import free_port

    dlg = _enroll(qtbot, window, f"http://127.0.0.1:{free_port()}", "ABCD-EFGH")
    assert "could not be reached" in dlg.enroll_message.text()
    assert window.sync_worker is None
    dlg = _enroll(qtbot, window, "http://hq.example.jp", "ABCD-EFGH")
    assert "not an HQ address" in dlg.enroll_message.text()


def test_enrollment_without_a_keyring_is_refused_before_anything_is_sent(qtbot, window, counter):
    keyring.set_keyring(fail.Keyring())
    dlg = _enroll(qtbot, window, "http://127.0.0.1:9", "ABCD-EFGH")
    assert "no OS keyring" in dlg.enroll_message.text() and "Nothing was sent" in dlg.enroll_message.text()
    assert "Not connected to HQ" in dlg.hq_state.text()


