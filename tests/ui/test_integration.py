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




# -- the manager's screens in Japanese -----------------------------------------------------------
ALLOWED_ASCII = {"RFM", "CSV", "PDF", "HQ", "pt", "Enter", "Esc", "IME", "OK", "JAN", "EAN", "CODE", "QR", "UTF",
                 "BOM", "CP", "Shift_JIS", "JIS", "Shift", "YYYY", "MM", "DD", "xlsx", "csv", "tsv", "txt", "https",
                 "http", "Tsumugi", "English", "GNOME", "Keyring", "Windows", "macOS", "Excel", "ms", "min", "dev",
                 "ttyACM", "COM", "network", "file", "tmp", "slip", "bin", "example", "jp", "hq", "Auto", "xls",
                 "NW", "Codabar", "Web", "UTF-8", "cp932", "utf", "sig", "shift_jis", "S001", "Ctrl", "ID", "No", "F1"}


def all_texts(root):
    """Everything a person can read on a screen: labels, buttons, tool tips, tab titles, combo box
    items, place-holders, window titles, group titles and table headers."""
    from PySide6.QtCore import Qt as _Qt
    from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QComboBox, QGroupBox, QLabel, QLineEdit,
                                   QTabWidget, QWidget)

    for w in [root, *root.findChildren(QWidget)]:
        if w.isWindow() and w.windowTitle():
            yield w.windowTitle()
        if isinstance(w, (QLabel, QAbstractButton)) and w.text():
            yield w.text()
        if w.toolTip():
            yield w.toolTip()
        if isinstance(w, QTabWidget):
            yield from (w.tabText(i) for i in range(w.count()))
        if isinstance(w, QComboBox):
            yield from (w.itemText(i) for i in range(w.count()))
        if isinstance(w, QLineEdit) and w.placeholderText():
            yield w.placeholderText()
        if isinstance(w, QGroupBox) and w.title():
            yield w.title()
        if isinstance(w, QAbstractItemView) and w.model() is not None:
            m = w.model()
            for c in range(m.columnCount()):
                h = m.headerData(c, _Qt.Orientation.Horizontal, _Qt.ItemDataRole.DisplayRole)
                if h:
                    yield str(h)


def english_words(text: str) -> list[str]:
    import re

    return [w for w in re.findall(r"[A-Za-z][A-Za-z_]{2,}", text) if w not in ALLOWED_ASCII]


def test_manager_screens_speak_japanese(qtbot, tmp_path, store, config, manager, member, clock):
    """Each manager screen (and the screens wired in with it) opened with lang=ja: no English source
    string and no stray English word remains."""
    import xml.etree.ElementTree as ET
    from pathlib import Path

    from PySide6.QtWidgets import QApplication

    from sync.engine import SyncState
    from tests.ui.conftest import make_window
    from ui import i18n
    from ui.manager.customers import AdjustDialog, ExportDialog

    ts = Path(__file__).resolve().parents[2] / "resources" / "translations" / "tsumugi_ja.ts"
    english = {m.find("source").text for m in ET.parse(ts).getroot().iter("message")
               if m.find("translation") is not None and m.find("translation").text != m.find("source").text}
    add_conflict(store, member.member.id)
    app = QApplication.instance()
    assert i18n.install(app, "ja")
    try:
        win = make_window(qtbot, store, config, clock, lang="ja")
        win.sign_in(manager)
        win.counter.lookup(member.code)
        wait_idle(qtbot, win)
        screens = [win]
        mw = win.open_manager()
        screens.append(mw)
        qtbot.waitUntil(lambda: mw.conflicts.model.rowCount() == 1, timeout=10000)
        mw.conflicts.view.selectRow(0)
        mw.sync.set_state(SyncState(enrolled=True, online=False, queue=3, oldest_pending_at=None,
                                    oldest_pending_age_s=None, last_sync=None, last_error=None, cursor=None))
        for i in range(mw.tabs.count()):
            mw.tabs.setCurrentIndex(i)
            wait_idle(qtbot, win)
        prof = mw.customers.open_profile(member.member.id)
        wait_idle(qtbot, win)
        qtbot.waitUntil(lambda: prof.profile is not None, timeout=10000)
        screens += [prof, AdjustDialog(store, manager, mw.runner, member.member.id, mw), ExportDialog(mw)]
        screens.append(win.open_legacy_import())
        screens.append(win.counter.migrate_card())
        wait_idle(qtbot, win)
        settings = win.open_settings()
        screens.append(settings)
        wait_idle(qtbot, win)
        texts = {t for s in screens for t in all_texts(s)}
        left = sorted(t for t in texts if t in english)
        assert left == [], left
        stray = sorted({t for t in texts if english_words(t)})
        assert stray == [], stray
        assert "店長メニュー" in win.counter.buttons["F9"].text()
        assert "旧台帳の取込" in win.counter.buttons["F10"].text()
        assert {"顧客一覧", "要確認（1）", "操作ログ", "同期の状態"} <= {mw.tabs.tabText(i) for i in range(mw.tabs.count())}
        qtbot.waitUntil(lambda: win.review_badge.isVisible(), timeout=10000)
        assert win.review_badge.text() == "要確認 1件"
        settings.reject()
        win.counter.migrate_dialog.reject()
        win.shutdown()
    finally:
        i18n.install(app, "en")
