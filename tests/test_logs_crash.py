"""Logs carry no personal data; the crash hook logs, reports and keeps the app running."""
import logging
import sys
import threading

import pytest

from app.logs import crash_report, scrub, setup_logging, teardown_logging

PHONE = "090-1234-5678"
EMAIL = "hanako.yamada@example.jp"
KANA = "ヤマダハナコ"
NAME = "山田花子"


@pytest.fixture
def log_dir(tmp_path):
    root = logging.getLogger()
    before = list(root.handlers), root.level
    yield tmp_path / "logs"
    teardown_logging()
    root.setLevel(before[1])
    assert not getattr(logging.getLogRecordFactory(), "_tsumugi", False)


def _text(log_dir) -> str:
    for h in logging.getLogger().handlers:
        h.flush()
    return "".join(p.read_text(encoding="utf-8") for p in sorted(log_dir.glob("tsumugi.log*")))


def _assert_clean(text: str):
    for secret in (PHONE, "09012345678", "1234-5678", EMAIL, "example.jp", KANA, "ヤマダ", NAME, "山田",
                   "０９０"):
        assert secret not in text, secret


def test_scrub_rules():
    assert scrub(f"phone {PHONE} ok") == "phone [number] ok"
    assert scrub("phone ０９０－１２３４－５６７８") == "phone [number]"  # full-width, NFKC first
    assert scrub("+81 90 1234 5678") == "[number]"
    assert scrub(f"mail <{EMAIL}>") == "mail [email]"
    assert scrub(f"kana {KANA} name {NAME}") == "kana [text] name [text]"
    assert scrub("birthday 1985-04-01") == "birthday [date]"
    # ids and amounts stay readable
    kept = "member 6f1c1d43-7c55-4d0e-9d43-3e1f5d1a7a11 earned 68 pt on 3480 yen (entry 42)"
    assert scrub(kept) == kept


def test_log_file_is_scrubbed_and_rotates(log_dir):
    path = setup_logging(log_dir, max_bytes=4000, backup_count=2)
    assert path == log_dir / "tsumugi.log"
    log = logging.getLogger("app.services.members")
    log.info("registered %s phone=%s email=%s", KANA, PHONE, EMAIL)
    log.warning(f"search for {NAME} by {PHONE}")  # an f-string, so no args to catch
    logging.getLogger("sync.worker").info("member %s", "6f1c1d43-7c55-4d0e-9d43-3e1f5d1a7a11")
    try:
        raise ValueError(f"bad phone {PHONE} for {KANA} <{EMAIL}>")
    except ValueError:
        log.exception("registration failed")
    text = _text(log_dir)
    _assert_clean(text)
    assert "registered [text] phone=[number] [email]" in text  # the whole token with @ goes
    assert "6f1c1d43-7c55-4d0e-9d43-3e1f5d1a7a11" in text
    assert "ValueError: bad phone [number] for [text] [email]" in text
    assert text.splitlines()[0][:4].isdigit()  # the timestamp prefix is kept
    for i in range(200):
        log.info("filler line %d %s", i, "x" * 40)
    files = sorted(p.name for p in log_dir.glob("tsumugi.log*"))
    assert files == ["tsumugi.log", "tsumugi.log.1", "tsumugi.log.2"]


def test_default_log_dir_is_the_platform_user_log_folder(monkeypatch, tmp_path):
    from platformdirs import user_log_dir

    from app.logs import default_log_dir

    assert default_log_dir() == __import__("pathlib").Path(user_log_dir("Tsumugi", appauthor=False))


def test_crash_report_has_version_platform_traceback_and_no_personal_data():
    try:
        raise RuntimeError(f"lookup {PHONE} {EMAIL} {KANA}")
    except RuntimeError:
        report = crash_report(sys.exc_info(), version="9.9.9")
    assert "Tsumugi 9.9.9 crash report" in report
    assert "Platform: " in report and "Python " in report
    assert "Traceback (most recent call last)" in report and "RuntimeError: lookup" in report
    assert "test_logs_crash.py" in report
    _assert_clean(report)


@pytest.fixture
def installed(qapp, log_dir):
    from ui import crash

    previous = sys.excepthook, threading.excepthook
    yield crash
    crash.uninstall()
    sys.excepthook, threading.excepthook = previous


def test_crash_hook_logs_shows_a_copyable_dialog_and_keeps_running(installed, log_dir, qtbot):
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    handler = installed.install("Tsumugi", log_dir, version="1.2.3")
    assert sys.excepthook == handler.excepthook
    try:
        raise KeyError(f"{KANA} {PHONE}")
    except KeyError:
        dialog = handler.handle(sys.exc_info())
    assert dialog is handler.dialog and dialog.isVisible() and not dialog.isModal()
    qtbot.addWidget(dialog)
    assert "Tsumugi 1.2.3 crash report" in dialog.report and "KeyError" in dialog.report
    _assert_clean(dialog.report)
    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == dialog.report
    text = _text(log_dir)
    assert "Unhandled exception" in text and "KeyError" in text
    _assert_clean(text)

    # a second error while the dialog is open goes into the same dialog
    try:
        raise ZeroDivisionError("again")
    except ZeroDivisionError:
        again = handler.handle(sys.exc_info())
    assert again is dialog and dialog.count == 2 and "ZeroDivisionError" in dialog.report
    assert QApplication.instance() is not None  # still running


def test_exception_in_a_qt_slot_and_in_a_thread_reach_the_hook(installed, log_dir, qtbot):
    from PySide6.QtCore import QTimer

    shown = []
    handler = installed.install("Tsumugi", log_dir, show=shown.append)

    def slot():
        raise ValueError(f"in a slot {EMAIL}")

    # pytest-qt captures exceptions in the event loop with its own hook: step aside for this one
    sys.excepthook = handler.excepthook
    QTimer.singleShot(0, slot)
    qtbot.waitUntil(lambda: len(shown) == 1, timeout=5000)
    assert "ValueError: in a slot [email]" in shown[0]

    def worker():
        raise OSError(f"scanner gone {PHONE}")

    t = threading.Thread(target=worker, name="scanner-worker")
    t.start()
    t.join()
    qtbot.waitUntil(lambda: len(shown) == 2, timeout=5000)  # delivered on the GUI thread
    assert "Thread: scanner-worker" in shown[1] and "OSError: scanner gone [number]" in shown[1]
    for report in shown:
        _assert_clean(report)
    _assert_clean(_text(log_dir))
    assert _text(log_dir).count("Unhandled exception") == 2


@pytest.fixture
def qapp():
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication([])
