"""Scanning in the GUI: the keyboard-wedge filter (application-wide), the camera bridge and the
serial scanner. Logic lives in app.scanning; this module only feeds it and bridges results onto
the GUI thread by signal."""
from __future__ import annotations

import logging
import re
import time
import weakref
from typing import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QInputMethodEvent, QKeyEvent
from PySide6.QtWidgets import QApplication

from app.scanning.wedge import Complete, Incomplete, Typed, WedgeClassifier, normalise_scan_text

log = logging.getLogger(__name__)

_PASS_KEYS = {Qt.Key.Key_Escape, Qt.Key.Key_Tab, Qt.Key.Key_Backtab}
_MEMBER_CODE_SHAPE = re.compile(r"TSG1[A-Z2-7]{100,}", re.IGNORECASE)  # what a whole member code looks like


def scan_problem(text: str) -> str | None:
    """Why a keyboard-wedge read cannot be used as it is, or None.

    "ime": an input method changed the keys — kana, or other non-ASCII after NFKC (full-width
    ASCII is folded back and is fine), or a member code that is not upper-case (a member code is
    upper-case ASCII base32). Such a burst cannot be recovered: it is refused with a message to
    switch the IME off, never searched for or registered as text."""
    t = normalise_scan_text(text).strip()
    if not t:
        return "empty"
    if not t.isascii() or not all(ch.isprintable() or ch == "\x1d" for ch in t):
        return "ime"
    if t[:4].upper() == "TSG1" and t != t.upper():
        return "ime"
    return None


def looks_like_whole_member_code(text: str) -> bool:
    return bool(_MEMBER_CODE_SHAPE.fullmatch(normalise_scan_text(text).strip()))


class WedgeFilter(QObject):
    """An application-level event filter: every printable key press (and Enter) goes through the
    WedgeClassifier. A complete burst is emitted as `scanned(text)`, a half burst as
    `half_burst()`, and human typing is re-sent, unchanged and in order, to the widget it was for.

    With an input method (IME) on in the focused field, the scanner's keys reach the application
    as QInputMethodEvents instead of key presses: single-character commit strings (the IME in
    direct input, full-width or not) are fed to the classifier like keys, with the time they
    arrive; a composition whose pre-edit updates came at scanner speed and was then committed (the
    scanner's Enter commits it) is taken as one whole scan, as is a commit that is a whole member
    code. NFKC folds full-width letters and digits back; kana (the IME turned romaji into kana)
    cannot be recovered: `refused("ime")` asks the cashier to switch the IME off, and nothing of
    it lands in the field.

    `clock` (ms) can be injected for tests; otherwise key event timestamps are used when the
    platform gives them, else a monotonic clock."""

    scanned = Signal(str)
    half_burst = Signal()
    refused = Signal(str)  # a reason code: "ime"
    activity = Signal()

    def __init__(self, classifier: WedgeClassifier | None = None, parent=None,
                 clock: Callable[[], float] | None = None, poll_ms: int = 20):
        super().__init__(parent)
        self.classifier = classifier or WedgeClassifier()
        self.clock = clock
        self.enabled = True
        self._held: list[tuple[weakref.ref, int | None, Qt.KeyboardModifier, str]] = []  # key None: an IME commit
        self._composing: list[float] = []  # times of the pre-edit updates of the IME composition going on
        self._reinjecting = False
        self._offset: float | None = None  # monotonic_ms - event timestamp
        self._timer = QTimer(self)
        self._timer.setInterval(poll_ms)
        self._timer.timeout.connect(self.poll)

    def configure(self, max_interval_ms: float, min_length: int, prefix: str, suffix: str) -> None:
        self.flush_now()
        self.classifier = WedgeClassifier(max_interval_ms=max_interval_ms, min_length=min_length,
                                          prefix=prefix, suffix=suffix or "\r")

    # -- time ---------------------------------------------------------------------------------
    def _now(self) -> float:
        if self.clock is not None:
            return self.clock()
        mono = time.monotonic() * 1000.0
        return mono - self._offset if self._offset is not None else mono

    def _stamp(self, event: QKeyEvent) -> float:
        if self.clock is not None:
            return self.clock()
        ts = event.timestamp()
        mono = time.monotonic() * 1000.0
        if ts:
            self._offset = mono - ts
            return float(ts)
        self._offset = None
        return mono

    # -- filter -------------------------------------------------------------------------------
    def eventFilter(self, obj, event) -> bool:
        et = event.type()
        if et in (QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin):
            self.activity.emit()
            return False
        if et == QEvent.Type.InputMethod and not self._reinjecting and self.enabled:
            return self._input_method(obj, event)
        if et != QEvent.Type.KeyPress or self._reinjecting or not self.enabled:
            return False
        self.activity.emit()
        key = event.key()
        text = event.text()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            text = "\r"
        if key in _PASS_KEYS or not text or (not text.isprintable() and text != "\r"):
            if key == Qt.Key.Key_Escape:
                self.flush_now()
            return False
        if event.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
                                | Qt.KeyboardModifier.MetaModifier):
            return False
        self.feed(obj, key, event.modifiers(), text, self._stamp(event))
        return True

    def feed(self, target, key: int | None, modifiers, text: str, ts_ms: float) -> None:
        for ch in text:  # one held entry per character, as the classifier counts them
            self._held.append((weakref.ref(target), key, modifiers, ch))
            self._handle(self.classifier.feed(ch, ts_ms))
        if self._held and not self._timer.isActive():
            self._timer.start()

    # -- the input-method path -------------------------------------------------------------------
    def _input_method(self, obj, event) -> bool:
        commit = event.commitString()
        now = self._now()
        if not commit:
            if event.preeditString():
                self._composing.append(now)
            else:
                self._composing.clear()  # the composition was cancelled or cleared
            return False
        self.activity.emit()
        composed, self._composing = self._composing, []
        if len(commit) == 1 and not composed:
            # the IME committed one key as it was typed (direct input): a key like any other
            self.feed(obj, None, Qt.KeyboardModifier.NoModifier, commit, now)
            return True
        if self._scanner_rhythm(composed + [now]) or looks_like_whole_member_code(commit):
            # a scan went through the IME's composition; its Enter was used up to commit it
            self.flush_now()
            self._clear_preedit(obj)
            self._complete(commit)
            return True
        if self.classifier.pending:  # within a burst of single-key commits
            self.feed(obj, None, Qt.KeyboardModifier.NoModifier, commit, now)
            return True
        return False  # a person's IME input (kana, a converted name): leave it to the field

    def _scanner_rhythm(self, times: list[float]) -> bool:
        if len(times) < self.classifier.min_length:
            return False
        limit = self.classifier.max_interval_ms + 1e-6
        return all(0 <= b - a <= limit for a, b in zip(times, times[1:]))

    @staticmethod
    def _clear_preedit(target) -> None:
        if target is not None:
            QApplication.sendEvent(target, QInputMethodEvent("", []))

    def _complete(self, raw: str) -> None:
        text = normalise_scan_text(raw).strip()
        if not text:
            return
        problem = scan_problem(text)
        if problem:
            log.info("refused a scan changed by the input method (%d characters)", len(text))
            self.refused.emit(problem)
        else:
            self.scanned.emit(text)

    def poll(self) -> None:
        self._handle(self.classifier.poll(self._now()))
        if not self._held:
            self._timer.stop()

    def flush_now(self) -> None:
        self._handle(self.classifier.flush())
        self._timer.stop()

    def _take(self, n: int):
        taken, self._held = self._held[:n], self._held[n:]
        return taken

    def _handle(self, events) -> None:
        for ev in events:
            if isinstance(ev, Complete):
                self._take(len(ev.raw) if ev.raw else len(ev.text))
                self._complete(ev.text)
            elif isinstance(ev, Incomplete):
                self._take(len(ev.partial))
                log.info("discarded a half scan (%d keys)", len(ev.partial))
                self.half_burst.emit()
            elif isinstance(ev, Typed):
                self._reinject(self._take(len(ev.chars)))
        # keys the classifier swallowed (the LF after a CR) are dropped from the front
        extra = len(self._held) - len(self.classifier.pending)
        if extra > 0:
            self._take(extra)

    def _reinject(self, held) -> None:
        app = QApplication.instance()
        self._reinjecting = True
        try:
            for ref, key, mods, text in held:
                target = ref() or (app.focusWidget() if app else None)
                if target is None:
                    continue
                if key is None:
                    ev = QInputMethodEvent("", [])
                    ev.setCommitString(text)
                else:
                    ev = QKeyEvent(QEvent.Type.KeyPress, key, mods, text)
                QApplication.sendEvent(target, ev)
        finally:
            self._reinjecting = False


class CameraScanner(QObject):
    """Runs a FrameSource through app.scanning.pipeline.DecodeWorker; results and errors arrive
    here on the GUI thread by queued signals. `frame_for_preview()` gives the newest frame."""

    scanned = Signal(str)
    failed = Signal(str)
    stopped = Signal()
    _scan_bridge = Signal(str)
    _error_bridge = Signal(str)
    _finished_bridge = Signal()

    def __init__(self, spec: str, parent=None, loop_file: bool = False):
        super().__init__(parent)
        self.spec = spec
        self.loop_file = loop_file
        self.source = None
        self.worker = None
        self._scan_bridge.connect(self.scanned, Qt.ConnectionType.QueuedConnection)
        self._error_bridge.connect(self.failed, Qt.ConnectionType.QueuedConnection)
        self._finished_bridge.connect(self.stopped, Qt.ConnectionType.QueuedConnection)

    @staticmethod
    def make_source(spec: str, loop_file: bool = False):
        from pathlib import Path

        from app.scanning.sources import CameraSource, ImageFolderSource, VideoFileSource

        p = Path(spec)
        if spec.isdigit():
            return CameraSource(int(spec))
        if p.is_dir():
            return ImageFolderSource(p, interval_s=0.5, loop=loop_file)
        if p.exists():
            return VideoFileSource(p, loop=loop_file)
        return CameraSource(spec)  # a device path such as /dev/video2

    def start(self) -> None:
        from app.scanning.pipeline import DecodeWorker

        self.stop()
        self.source = self.make_source(self.spec, self.loop_file)
        self.worker = DecodeWorker(self.source, on_scan=lambda r: self._scan_bridge.emit(r.text),
                                   on_error=self._error_bridge.emit, on_finished=self._finished_bridge.emit)
        self.worker.start()

    def frame_for_preview(self):
        return self.source.peek() if self.source is not None else None

    @property
    def running(self) -> bool:
        return self.worker is not None and self.worker.running

    def stop(self) -> None:
        if self.worker is not None:
            self.worker.stop()  # returns at once; the worker closes its source itself
        self.worker = None


class SerialScanner(QObject):
    """A serial / USB-COM scanner through QtSerialPort: one code per line (CR or LF)."""

    scanned = Signal(str)
    failed = Signal(str)

    def __init__(self, port_name: str, baud: int = 9600, parent=None):
        super().__init__(parent)
        self.port_name = port_name
        self.baud = baud
        self._buf = b""
        self.port = None

    def start(self) -> bool:
        try:
            from PySide6.QtSerialPort import QSerialPort
        except ImportError:
            self.failed.emit("QtSerialPort is not available")
            return False
        self.port = QSerialPort(self.port_name, self)
        self.port.setBaudRate(self.baud)
        if not self.port.open(QSerialPort.OpenModeFlag.ReadOnly):
            self.failed.emit(self.port.errorString())
            return False
        self.port.readyRead.connect(self._read)
        return True

    def _read(self) -> None:
        self._buf += bytes(self.port.readAll().data())
        while b"\r" in self._buf or b"\n" in self._buf:
            cut = min(i for i in (self._buf.find(b"\r"), self._buf.find(b"\n")) if i >= 0)
            line, self._buf = self._buf[:cut], self._buf[cut + 1:]
            text = normalise_scan_text(line.decode("utf-8", "replace")).strip()
            if text:
                self.scanned.emit(text)

    def stop(self) -> None:
        if self.port is not None and self.port.isOpen():
            self.port.close()
