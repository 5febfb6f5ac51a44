"""Scanning in the GUI: the keyboard-wedge filter (application-wide), the camera bridge and the
serial scanner. Logic lives in app.scanning; this module only feeds it and bridges results onto
the GUI thread by signal."""
from __future__ import annotations

import logging
import time
import weakref
from typing import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from app.scanning.wedge import Complete, Incomplete, Typed, WedgeClassifier, normalise_scan_text

log = logging.getLogger(__name__)

_PASS_KEYS = {Qt.Key.Key_Escape, Qt.Key.Key_Tab, Qt.Key.Key_Backtab}


class WedgeFilter(QObject):
    """An application-level event filter: every printable key press (and Enter) goes through the
    WedgeClassifier. A complete burst is emitted as `scanned(text)`, a half burst as
    `half_burst()`, and human typing is re-sent, unchanged and in order, to the widget it was for.

    `clock` (ms) can be injected for tests; otherwise key event timestamps are used when the
    platform gives them, else a monotonic clock."""

    scanned = Signal(str)
    half_burst = Signal()
    activity = Signal()

    def __init__(self, classifier: WedgeClassifier | None = None, parent=None,
                 clock: Callable[[], float] | None = None, poll_ms: int = 20):
        super().__init__(parent)
        self.classifier = classifier or WedgeClassifier()
        self.clock = clock
        self.enabled = True
        self._held: list[tuple[weakref.ref, int, Qt.KeyboardModifier, str]] = []
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

    def feed(self, target, key: int, modifiers, text: str, ts_ms: float) -> None:
        self._held.append((weakref.ref(target), key, modifiers, text))
        self._handle(self.classifier.feed(text, ts_ms))
        if self._held and not self._timer.isActive():
            self._timer.start()

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
                text = normalise_scan_text(ev.text).strip()
                if text:
                    self.scanned.emit(text)
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
                press = QKeyEvent(QEvent.Type.KeyPress, key, mods, text)
                QApplication.sendEvent(target, press)
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
