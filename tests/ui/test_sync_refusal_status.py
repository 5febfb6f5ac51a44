"""The status bar says why sync is refused when the cause is HQ's certificate, not the network:
the engine's SyncState carries the code (tests/privacy/test_tls.py gets it from a real HTTPS HQ)
and the main window words it, in Japanese too."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from sync.engine import SyncState
from ui import i18n


def state(online: bool, code: str | None) -> SyncState:
    return SyncState(enrolled=True, online=online, queue=3, oldest_pending_at=None, oldest_pending_age_s=None,
                     last_sync=None, last_error=None, cursor=None, error_code=code)


def test_status_bar_names_a_refused_certificate(qtbot, window):
    window._on_sync_state(state(False, "tls_expired"))
    expired = window.sync_label.text()
    assert "Offline" in expired and "certificate has expired" in expired
    window._on_sync_state(state(False, "tls_wrong_host"))
    assert "another address" in window.sync_label.text()
    # a plain network fault or a good round: no certificate sentence
    window._on_sync_state(state(False, "offline"))
    assert "certificate" not in window.sync_label.text()
    window._on_sync_state(state(True, None))
    assert "certificate" not in window.sync_label.text()


def test_status_bar_refusal_in_japanese(qtbot, window):
    app = QApplication.instance()
    assert i18n.install(app, "ja")
    try:
        window._on_sync_state(state(False, "tls_unknown_ca"))
        text = window.sync_label.text()
        assert "オフライン" in text and "信頼する認証局" in text, text
    finally:
        i18n.install(app, "en")


def test_manager_sync_panel_words_the_code_and_keeps_the_detail(qtbot):
    from ui.manager.window import SyncHealthPanel

    panel = SyncHealthPanel()
    qtbot.addWidget(panel)
    st = state(False, "tls_expired")
    st.last_error = "2026-11-22T10:00:00+00:00 HQ's certificate has expired (or is not valid yet)"
    panel.set_state(st)
    assert panel.error.text() == "HQ's certificate has expired. Ask HQ's administrator to renew it."
    assert panel.error.toolTip() == st.last_error
    panel.set_state(state(True, None))
    assert panel.error.text() == "—"



@pytest.mark.parametrize("code, english, japanese", [
    # HQ answers but refuses a terminal whose clock is days off (400 clock_off)
    ("clock_off", "date and time are wrong", "日付・時刻が正しくない"),
    # something else answers at HQ's address (sync/client.py BadReply)
    ("bad_reply", "answer could not be read", "応答を読み取れませんでした"),
])
def test_status_bar_says_why_hq_is_reached_but_sync_fails(qtbot, window, code, english, japanese):
    """Online (HQ's address answers), yet sync fails: the status bar says why, in both languages,
    and stops saying it once a round succeeds."""
    window._on_sync_state(state(True, code))
    assert english in window.sync_label.text()
    app = QApplication.instance()
    assert i18n.install(app, "ja")
    try:
        window._on_sync_state(state(True, code))
        assert japanese in window.sync_label.text()
    finally:
        i18n.install(app, "en")
    window._on_sync_state(state(True, None))
    assert english not in window.sync_label.text()
