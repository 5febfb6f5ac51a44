"""From frames to accepted scans: the debouncer and the decode worker thread (Qt-free).

``DecodeWorker`` calls ``on_scan`` (and ``on_error``/``on_finished``) from its own thread: a Qt
UI must hand the result over to the GUI thread itself (e.g. a queued signal).
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

import numpy as np

from app.scanning.decoders import ScanResult, decode_frame, is_two_dimensional
from app.scanning.sources import FrameSource

log = logging.getLogger(__name__)

__all__ = ["ScanDebouncer", "DecodeWorker"]


@dataclass
class _Pending:
    count: int
    frame: int
    time: float


class ScanDebouncer:
    """Decides which reads from a stream of decoded frames become scans.

    - a 2-D (QR) read is accepted at once;
    - a 1-D read is accepted on its ``confirmations``-th identical decode (default 2), each seen
      within ``max_frame_gap`` frames and ``confirm_window_s`` seconds of the previous one;
    - a text accepted less than ``repeat_window_s`` ago is ignored; while the same code stays in
      view (seen again within the window) the window is extended, so a card held in front of the
      camera is accepted once. Set ``extend_on_repeat=False`` for a fixed window.

    Call ``feed(results)`` once per decoded frame, with an empty list for frames where nothing
    was read (that is how "consecutive" is counted). ``clock`` returns seconds (monotonic).
    """

    def __init__(self, *, repeat_window_s: float = 2.0, confirmations: int = 2,
                 max_frame_gap: int = 3, confirm_window_s: float = 1.0,
                 extend_on_repeat: bool = True,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if confirmations < 1:
            raise ValueError("confirmations must be >= 1")
        self.repeat_window_s = float(repeat_window_s)
        self.confirmations = int(confirmations)
        self.max_frame_gap = int(max_frame_gap)
        self.confirm_window_s = float(confirm_window_s)
        self.extend_on_repeat = bool(extend_on_repeat)
        self._clock = clock
        self._frame = 0
        self._pending: dict[tuple[str, str], _Pending] = {}
        self._accepted: dict[str, float] = {}  # text -> time last accepted/seen

    def reset(self) -> None:
        self._pending.clear()
        self._accepted.clear()

    def feed(self, results: Iterable[ScanResult]) -> list[ScanResult]:
        """Feed one frame's reads; returns those accepted now (usually none or one)."""
        now = self._clock()
        self._frame += 1
        frame = self._frame
        accepted: list[ScanResult] = []
        seen_now: set[str] = set()
        for r in results:
            if r.text in seen_now:
                continue
            seen_now.add(r.text)
            last = self._accepted.get(r.text)
            if last is not None and now - last < self.repeat_window_s:
                if self.extend_on_repeat:
                    self._accepted[r.text] = now
                continue
            if is_two_dimensional(r.format) or self.confirmations == 1:
                ok = True
            else:
                key = (r.format, r.text)
                p = self._pending.get(key)
                if (p is not None and frame - p.frame <= self.max_frame_gap
                        and now - p.time <= self.confirm_window_s):
                    p.count += 1
                    p.frame, p.time = frame, now
                else:
                    p = self._pending[key] = _Pending(1, frame, now)
                ok = p.count >= self.confirmations
            if ok:
                self._pending.pop((r.format, r.text), None)
                self._accepted[r.text] = now
                accepted.append(r)
        self._expire(frame, now)
        return accepted

    def _expire(self, frame: int, now: float) -> None:
        for key in [k for k, p in self._pending.items()
                    if frame - p.frame > self.max_frame_gap or now - p.time > self.confirm_window_s]:
            del self._pending[key]
        horizon = max(self.repeat_window_s, 0.0)
        for text in [t for t, at in self._accepted.items() if now - at >= horizon]:
            del self._accepted[text]


class DecodeWorker:
    """A thread that takes the newest frames of ``source``, decodes, debounces, reports.

    ``on_scan(ScanResult)`` is called for each accepted scan; ``on_error(message)`` once if the
    source fails (cannot be opened, camera lost); ``on_finished()`` when the thread ends for any
    reason. Callbacks run in the worker thread; exceptions they raise are logged, not fatal.

    ``decode`` defaults to ``decode_frame`` (zxing-cpp plus the cheap LIVE_FALLBACKS); pass
    ``decode_image`` for every fallback when frames are few (a folder of photos).

    ``start()`` and ``stop()`` return at once (``stop`` only asks; ``join(timeout)`` waits). The
    source is opened in the worker thread (a slow camera driver never blocks the caller) and
    closed when the worker ends, unless ``close_source=False``.
    """

    def __init__(self, source: FrameSource, on_scan: Callable[[ScanResult], None], *,
                 debouncer: ScanDebouncer | None = None,
                 decode: Callable[[np.ndarray], Sequence[ScanResult]] = decode_frame,
                 on_error: Callable[[str], None] | None = None,
                 on_finished: Callable[[], None] | None = None,
                 poll_s: float = 0.05, close_source: bool = True) -> None:
        self.source = source
        self.on_scan = on_scan
        self.on_error = on_error
        self.on_finished = on_finished
        self.debouncer = debouncer if debouncer is not None else ScanDebouncer()
        self.decode = decode
        self.poll_s = float(poll_s)
        self.close_source = close_source
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.frames_decoded = 0
        self.scans = 0
        self.last_decode_ms: float | None = None
        self.error: str | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> "DecodeWorker":
        if self._thread is not None:
            raise RuntimeError("DecodeWorker already started")
        self._thread = threading.Thread(target=self._run, name="scan-decode", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Ask the worker to end; returns at once."""
        self._stop.set()

    def join(self, timeout: float | None = None) -> bool:
        """Wait up to ``timeout`` s for the thread to end; True if it has ended."""
        if self._thread is None:
            return True
        if self._thread is not threading.current_thread():
            self._thread.join(timeout)
        return not self._thread.is_alive()

    def _call(self, fn, *args) -> None:
        if fn is None:
            return
        try:
            fn(*args)
        except Exception:
            log.exception("scan callback %r failed", fn)

    def _report_error(self, message: str) -> None:
        if self.error is None:
            self.error = message
            self._call(self.on_error, message)

    def _run(self) -> None:
        try:
            if not self.source.open():
                self._report_error(self.source.error or "the frame source could not be opened")
                return
            while not self._stop.is_set():
                frame = self.source.read_latest(timeout_s=self.poll_s)
                if frame is None:
                    if self.source.error:
                        self._report_error(self.source.error)
                        return
                    if self.source.finished:
                        return
                    continue
                t0 = time.perf_counter()
                try:
                    results = list(self.decode(frame))
                except Exception:
                    log.exception("decoding a frame failed")
                    results = []
                self.last_decode_ms = (time.perf_counter() - t0) * 1000.0
                self.frames_decoded += 1
                for r in self.debouncer.feed(results):
                    if self._stop.is_set():
                        break
                    self.scans += 1
                    self._call(self.on_scan, r)
        except Exception as exc:  # never let the thread die silently
            log.exception("decode worker failed")
            self._report_error(f"scanner stopped: {exc}")
        finally:
            if self.close_source:
                try:
                    self.source.close()
                except Exception:
                    log.exception("closing the frame source failed")
            self._call(self.on_finished)
