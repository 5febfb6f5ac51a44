"""Fixtures for the counter UI: a real SQLite store in tmp_path, the real main window offscreen."""
from __future__ import annotations

import uuid

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from app.store import Store
from ui.config import LocalConfig
from ui.wizard import run_setup

MANAGER_PIN = "1234"


class FakeClock:
    """Milliseconds for the wedge filter, advanced by the test."""

    def __init__(self):
        self.ms = 1_000_000.0

    def __call__(self):
        return self.ms


@pytest.fixture
def config(tmp_path):
    cfg = LocalConfig.load(tmp_path / "settings.json")
    cfg.sound = False
    return cfg


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "store.sqlite")
    run_setup(s, {"store_id": "S001", "terminal_id": "T01", "manager_name": "店長テスト", "pin": MANAGER_PIN,
                  "lang": "en"})
    yield s
    s.close()


@pytest.fixture
def manager(store):
    return store.staff.authenticate(1, MANAGER_PIN)


@pytest.fixture
def member(store, manager):
    """A registered member with 1,000 points."""
    reg = store.members.register(manager, "ヤマダハナコ", name="山田 花子", phone="090-1234-5678")
    store.ledger.adjust(manager, reg.member.id, 1000, "welcome", uuid.uuid4())
    return reg


@pytest.fixture
def clock():
    return FakeClock()


def make_window(qtbot, store, config, clock=None, lang="en", camera_source=None):
    from ui.main_window import MainWindow

    win = MainWindow(store, config, lang, camera_source=camera_source, wedge_clock=clock)
    qtbot.addWidget(win)
    win.show()
    return win


@pytest.fixture
def window(qtbot, store, config, clock):
    win = make_window(qtbot, store, config, clock)
    yield win
    win.shutdown()


@pytest.fixture
def counter(window, manager, qtbot):
    """The counter screen, signed in as the manager."""
    window.sign_in(manager)
    return window.counter


def wait_idle(qtbot, window, timeout=10000):
    qtbot.waitUntil(lambda: window.executor.pending == 0, timeout=timeout)


def key_event(ch: str, ts: int = 0) -> QKeyEvent:
    if ch == "\r":
        ev = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier, "\r")
    else:
        ev = QKeyEvent(QEvent.Type.KeyPress, ord(ch.upper()), Qt.KeyboardModifier.NoModifier, ch)
    if ts:
        ev.setTimestamp(ts)
    return ev


def type_keys(widget, text: str, clock: FakeClock, gap_ms: float) -> None:
    """Key presses at controlled times: gap_ms ~5 is a scanner, ~150 a person."""
    for ch in text:
        clock.ms += gap_ms
        QApplication.sendEvent(widget, key_event(ch))
