"""First run, the keyring opt-in, the camera source, and the translations."""
from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import cv2
import keyring
import numpy as np
import pytest
from keyring.backends import fail
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget

from app.store import Store
from tests.ui.conftest import make_window, wait_idle
from ui.qr import qimage_to_bgr, qr_image

TRANSLATIONS = Path(__file__).resolve().parents[2] / "resources" / "translations"


def fill_wizard(wiz, store_id="S042", demo=False, keyfile=False):
    if demo:
        wiz.demo.setChecked(True)
    wiz.next()
    wiz.store_id.setText(store_id)
    wiz.next()
    wiz.manager_name.setText("佐藤 店長")
    wiz.pin.setText("4321")
    wiz.pin2.setText("4321")
    wiz.next()
    if keyfile:
        wiz.use_keyfile.setChecked(True)


def test_first_run_wizard_creates_the_store(qtbot, tmp_path, config):
    store = Store.open(tmp_path / "new.sqlite")
    win = make_window(qtbot, store, config)
    try:
        assert win.stack.currentWidget() is win.setup_screen
        wiz = win.start_setup()
        fill_wizard(wiz, demo=True)
        assert wiz.currentId() == 3
        assert wiz.validateCurrentPage()
        wiz.accept()
        qtbot.waitUntil(lambda: win.signin is not None, timeout=30000)
        assert store.store_id == "S042"
        actor = store.staff.authenticate(1, "4321")
        assert actor.role == "manager" and actor.name == "佐藤 店長"
        assert win.signin.staff_no.text() == "1"
        # the demo store: members with history, a coupon, a cashier, a legacy card
        found = store.members.find("やまだ")
        assert found and store.ledger.history(found[0].id)
        assert store.coupons.available(found[0].id)
        assert store.staff.authenticate(2, "1111").role == "cashier"
    finally:
        win.shutdown()
        store.close()


def test_wizard_manager_pin_must_match(qtbot, tmp_path, config):
    store = Store.open(tmp_path / "new.sqlite")
    win = make_window(qtbot, store, config)
    try:
        wiz = win.start_setup()
        wiz.next()
        wiz.next()
        wiz.manager_name.setText("店長")
        wiz.pin.setText("4321")
        wiz.pin2.setText("4322")
        wiz.next()
        assert wiz.currentId() == 2
        assert wiz.page3_msg.text() == "The two PINs differ."
    finally:
        win.shutdown()
        store.close()


def _start_offscreen(monkeypatch, tmp_path, ask, lang="en"):
    """ui.main.start as `python -m ui` runs it, in this process: a throwaway user data and config
    folder, the crash handler and log files left as the test session has them."""
    from ui import hooks
    import ui.main as um

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setattr(hooks, "install_crash_handler", lambda: None)
    monkeypatch.setattr(um, "setup_logging", lambda folder=None: None)
    return um.start(["--lang", lang], ask_no_keyring=ask)


def test_no_keyring_needs_the_explicit_key_file_opt_in(qtbot, tmp_path, monkeypatch, caplog):
    """No OS keyring and no opt-in yet: before the (encrypted) store is opened, the dialog asks;
    choosing the key file names it for this run, remembers it in settings.json and goes on to the
    wizard, whose store keys then land in that file (mode 600), flagged as weaker."""
    from ui.config import LocalConfig, user_config_dir, user_data_dir

    keyring.set_keyring(fail.Keyring())
    monkeypatch.delenv("TSUMUGI_INSECURE_KEYFILE", raising=False)
    asked = []

    def ask(path):
        asked.append(path)
        assert not (tmp_path / "data" / "tsumugi" / "store.sqlite").exists()  # asked before Store.open
        return "keyfile"

    started = _start_offscreen(monkeypatch, tmp_path, ask)
    assert started is not None
    app, win, store = started
    keyfile = tmp_path / "data" / "tsumugi" / "keys.json"
    try:
        assert user_data_dir() == tmp_path / "data" / "tsumugi"
        assert asked == [keyfile]  # never silent
        assert os.environ["TSUMUGI_INSECURE_KEYFILE"] == str(keyfile)
        settings = user_config_dir() / "settings.json"
        assert LocalConfig.load(settings).insecure_keyfile == str(keyfile)
        assert any("insecure key file" in r.getMessage() for r in caplog.records)
        wiz = win.wizard
        assert wiz is not None and wiz.keyfile_in_use
        fill_wizard(wiz)
        assert str(keyfile) in {w.text() for w in wiz.currentPage().findChildren(QLabel)}
        wiz.accept()
        qtbot.waitUntil(lambda: win.signin is not None, timeout=30000)
        assert keyfile.exists() and (keyfile.stat().st_mode & 0o077) == 0
        assert any(k.startswith("db-key:") for k in json.loads(keyfile.read_text()))
        assert win.keyfile_label.isVisibleTo(win)
        assert "Weaker key file" in win.keyfile_label.text()
    finally:
        win.shutdown()
        store.close()
    # the next start remembers the choice and does not ask again
    keyring.set_keyring(fail.Keyring())
    monkeypatch.delenv("TSUMUGI_INSECURE_KEYFILE")
    app, win, store = _start_offscreen(monkeypatch, tmp_path, lambda path: pytest.fail("asked twice"))
    try:
        assert store.initialised and win.signin is not None
        assert os.environ["TSUMUGI_INSECURE_KEYFILE"] == str(keyfile)
        qtbot.wait(50)  # start's queued warm-up and sync start run before the window is shut
        wait_idle(qtbot, win)
    finally:
        win.shutdown()
        store.close()


def test_no_keyring_and_quit_creates_nothing(qtbot, tmp_path, monkeypatch):
    import ui.main as um

    keyring.set_keyring(fail.Keyring())
    monkeypatch.delenv("TSUMUGI_INSECURE_KEYFILE", raising=False)
    assert _start_offscreen(monkeypatch, tmp_path, lambda path: "quit") is None
    assert "TSUMUGI_INSECURE_KEYFILE" not in os.environ
    made = sorted(p.name for p in tmp_path.rglob("*") if p.is_file())
    assert not any(n.startswith("store.sqlite") or n == "keys.json" for n in made), made
    assert not (tmp_path / "config" / "tsumugi" / "settings.json").exists()
    # main() (python -m ui) ends with exit code 1, the real dialog's answer injected
    monkeypatch.setattr("ui.keystore.ask_no_keyring", lambda path: "quit")
    assert um.main(["--lang", "en"]) == 1
    made = sorted(p.name for p in tmp_path.rglob("*") if p.is_file())
    assert not any(n.startswith("store.sqlite") or n == "keys.json" for n in made), made


def test_no_keyring_dialog_is_japanese_and_offers_one_choice(qtbot, tmp_path):
    from ui import i18n
    from ui.keystore import NoKeyringDialog

    english = {s for s, t in _messages("ja") if t is not None and t.text != s}
    app = QApplication.instance()
    assert i18n.install(app, "ja")
    try:
        dlg = NoKeyringDialog(tmp_path / "keys.json")
        qtbot.addWidget(dlg)
        shown = set(_visible_texts(dlg))
        assert not shown & english
        assert "鍵ファイルを使う（安全性が低い）" in shown and "終了" in shown
        assert any("GNOME Keyring" in t and "KWallet" in t for t in shown)
        assert str(tmp_path / "keys.json") in shown
        assert [b.text() for b in dlg.findChildren(QAbstractButton)] == ["終了", "鍵ファイルを使う（安全性が低い）"]
        dlg.open()
        dlg.keyfile_button.click()
        assert dlg.choice() == "keyfile"
        dlg.open()
        dlg.quit_button.click()
        assert dlg.choice() == "quit"
    finally:
        i18n.install(app, "en")


def write_qr_video(path: Path, code: str, frames: int = 12) -> Path:
    qr = qimage_to_bgr(qr_image(code, module_px=6))
    frame = np.full((720, 1280, 3), 200, np.uint8)
    y, x = (720 - qr.shape[0]) // 2, (1280 - qr.shape[1]) // 2
    frame[y:y + qr.shape[0], x:x + qr.shape[1]] = qr
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, (1280, 720))
    assert writer.isOpened()
    blank = np.full((720, 1280, 3), 200, np.uint8)
    for i in range(frames):
        writer.write(blank if i < 2 else frame)
    writer.release()
    return path


def test_video_file_camera_brings_up_the_panel(qtbot, tmp_path, store, config, manager, member, clock):
    video = write_qr_video(tmp_path / "qr.avi", member.code)
    win = make_window(qtbot, store, config, clock, camera_source=str(video))
    try:
        win.sign_in(manager)
        qtbot.waitUntil(lambda: win.counter.view is not None, timeout=15000)
        assert win.counter.view.member_id == member.member.id
        assert win.camera_label.text() == "Camera on"
    finally:
        win.shutdown()


def test_missing_camera_gives_a_clear_status(qtbot, tmp_path, store, config, manager, clock):
    win = make_window(qtbot, store, config, clock, camera_source=str(tmp_path / "nope" / "missing.avi"))
    try:
        qtbot.waitUntil(lambda: win.camera_label.text() == "Camera not available", timeout=10000)
        win.sign_in(manager)
        assert win.stack.currentWidget() is win.counter
    finally:
        win.shutdown()


# -- translations -------------------------------------------------------------------------------
def _messages(lang):
    root = ET.parse(TRANSLATIONS / f"tsumugi_{lang}.ts").getroot()
    return [(m.find("source").text, m.find("translation")) for m in root.iter("message")]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_ts_files_are_complete(lang):
    msgs = _messages(lang)
    assert len(msgs) > 150
    def text(t):
        forms = t.findall("numerusform")
        return " ".join(f.text or "" for f in forms) if forms else (t.text or "")

    bad = [s for s, t in msgs if t is None or t.get("type") == "unfinished" or not text(t).strip()]
    assert bad == []


def _visible_texts(root: QWidget):
    for w in [root, *root.findChildren(QWidget)]:
        if isinstance(w, (QLabel, QAbstractButton)) and w.text():
            yield w.text()
        if w.toolTip():
            yield w.toolTip()


def test_every_visible_string_is_japanese(qtbot, tmp_path, store, config, manager, member, clock):
    """Walk each screen with lang=ja: no English source string may remain on screen."""
    from ui import i18n

    english = {s for s, t in _messages("ja") if t is not None and t.text != s}
    app = QApplication.instance()
    assert i18n.install(app, "ja")
    try:
        win = make_window(qtbot, store, config, clock, lang="ja")
        screens = [win, ]
        win.sign_in(manager)
        win.counter.lookup(member.code)
        wait_idle(qtbot, win)
        win.counter.amount.setText("1000")
        screens += [win.counter.earn()]
        qtbot.waitUntil(lambda: screens[-1].state == "ready", timeout=10000)
        screens[-1].reject()
        screens += [win.counter.redeem()]
        screens[-1].reject()
        screens += [win.open_new_member()]
        screens[-1].reject()
        screens += [win.open_settings()]
        screens[-1].reject()
        win.sign_out()
        screens += [win.signin]
        other = Store.open(tmp_path / "fresh.sqlite")
        fresh = make_window(qtbot, other, config, clock, lang="ja")
        screens += [fresh, fresh.start_setup()]
        left = sorted({t for s in screens for t in _visible_texts(s) if t in english})
        assert left == []
        assert win.counter.buttons["F1"].text() == "F1\nポイント付与"
        fresh.shutdown()
        win.shutdown()
        other.close()
    finally:
        i18n.install(app, "en")
