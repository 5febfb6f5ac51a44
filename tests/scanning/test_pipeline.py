from __future__ import annotations

import threading

import numpy as np
import pytest

from app.scanning.decoders import ScanResult
from app.scanning.pipeline import DecodeWorker, ScanDebouncer
from app.scanning.sources import FrameSource, ImageFolderSource
from tests.scanning._images import ean13_image, qr_image

QR = ScanResult("QR", "TSG1:abc", "zxing")
QR2 = ScanResult("QR", "TSG1:def", "zxing")
EAN = ScanResult("EAN13", "4901234567894", "zxing")
EAN_OTHER = ScanResult("EAN13", "4901234567801", "zxing")


class Clock:
    def __init__(self, t: float = 1000.0):
        self.t = t

    def __call__(self) -> float:
        return self.t

    def advance(self, dt: float) -> None:
        self.t += dt


def run(deb, clock, frames, dt=0.05):
    """Feed frames (lists of results) dt seconds apart; return what was accepted per frame."""
    out = []
    for results in frames:
        out.append(deb.feed(results))
        clock.advance(dt)
    return out


def test_qr_is_accepted_at_once():
    clock = Clock()
    deb = ScanDebouncer(clock=clock)
    assert run(deb, clock, [[QR]]) == [[QR]]


def test_1d_needs_two_identical_decodes_in_consecutive_frames():
    clock = Clock()
    deb = ScanDebouncer(clock=clock)
    assert run(deb, clock, [[EAN], [EAN]]) == [[], [EAN]]


def test_1d_with_a_gap_of_frames_within_limit_is_accepted():
    clock = Clock()
    deb = ScanDebouncer(clock=clock, max_frame_gap=3)
    assert run(deb, clock, [[EAN], [], [], [EAN]]) == [[], [], [], [EAN]]


def test_1d_too_far_apart_in_frames_is_not_accepted():
    clock = Clock()
    deb = ScanDebouncer(clock=clock, max_frame_gap=2)
    assert run(deb, clock, [[EAN], [], [], [EAN]]) == [[], [], [], []]
    # ...but counts as a new first decode
    assert run(deb, clock, [[EAN]]) == [[EAN]]


def test_1d_too_far_apart_in_time_is_not_accepted():
    clock = Clock()
    deb = ScanDebouncer(clock=clock, confirm_window_s=0.5)
    assert run(deb, clock, [[EAN], [EAN]], dt=0.8) == [[], []]


def test_1d_differing_decodes_do_not_confirm_each_other():
    clock = Clock()
    deb = ScanDebouncer(clock=clock)
    assert run(deb, clock, [[EAN], [EAN_OTHER], [EAN]]) == [[], [], [EAN]]


def test_confirmations_configurable():
    clock = Clock()
    deb = ScanDebouncer(clock=clock, confirmations=3)
    assert run(deb, clock, [[EAN], [EAN], [EAN]]) == [[], [], [EAN]]
    with pytest.raises(ValueError):
        ScanDebouncer(confirmations=0)


def test_repeat_of_same_text_is_ignored_for_the_window():
    clock = Clock()
    deb = ScanDebouncer(clock=clock, repeat_window_s=2.0)
    assert deb.feed([QR]) == [QR]
    clock.advance(1.0)
    assert deb.feed([QR]) == []
    clock.advance(0.5)
    assert deb.feed([QR2]) == [QR2]  # another code is not held back
    clock.advance(3.0)
    assert deb.feed([QR]) == [QR]


def test_code_held_in_view_is_accepted_once_with_extension():
    clock = Clock()
    deb = ScanDebouncer(clock=clock, repeat_window_s=2.0)
    accepted = run(deb, clock, [[QR]] * 100, dt=0.1)  # 10 s in view
    assert sum(len(a) for a in accepted) == 1


def test_fixed_window_accepts_again_after_window():
    clock = Clock()
    deb = ScanDebouncer(clock=clock, repeat_window_s=2.0, extend_on_repeat=False)
    accepted = run(deb, clock, [[QR]] * 50, dt=0.1)  # 5 s in view: t=0, 2.0, 4.0
    assert sum(len(a) for a in accepted) == 3


def test_repeat_window_applies_to_1d_too():
    clock = Clock()
    deb = ScanDebouncer(clock=clock, repeat_window_s=2.0)
    run(deb, clock, [[EAN], [EAN]])
    assert run(deb, clock, [[EAN], [EAN], [EAN]]) == [[], [], []]
    clock.advance(5)
    assert run(deb, clock, [[EAN], [EAN]]) == [[], [EAN]]


def test_reset_forgets():
    clock = Clock()
    deb = ScanDebouncer(clock=clock)
    assert deb.feed([QR]) == [QR]
    deb.reset()
    assert deb.feed([QR]) == [QR]


# -- DecodeWorker -----------------------------------------------------------------------------

class ListSource(FrameSource):
    """Frames from a list; optionally endless (repeats the last) or failing to open."""

    def __init__(self, frames, endless=False, fail_open=None):
        super().__init__()
        self._frames = list(frames)
        self.endless = endless
        self.fail_open = fail_open
        self.closed = False
        self.i = 0

    def open(self):
        if self.fail_open:
            self.error = self.fail_open
            self._finished = True
            return False
        return True

    def read_latest(self, timeout_s=0.0):
        if self.closed:
            return None
        if self.i >= len(self._frames):
            if self.endless:
                return self._frames[-1]
            self._finished = True
            return None
        self.i += 1
        return self._frames[self.i - 1]

    def close(self):
        self.closed = True
        self._finished = True


def test_worker_reports_scans_and_finishes():
    qr = qr_image("TSG1:worker")
    ean = ean13_image("4901234567894")
    blank = np.full((100, 100), 255, np.uint8)
    got, finished = [], threading.Event()
    w = DecodeWorker(ListSource([blank, qr, qr, ean, ean, blank]), got.append,
                     on_finished=finished.set)
    w.start()
    assert finished.wait(30)
    assert w.join(5)
    assert [(r.format, r.text) for r in got] == [("QR", "TSG1:worker"), ("EAN13", "4901234567894")]
    assert w.source.closed and w.frames_decoded == 6 and w.error is None


def test_worker_stop_does_not_block_and_ends_thread():
    gate, entered = threading.Event(), threading.Event()

    def slow_decode(frame):
        entered.set()
        gate.wait(10)  # a decode in progress while stop() is called
        return []

    w = DecodeWorker(ListSource([np.zeros((8, 8), np.uint8)], endless=True), lambda r: None,
                     decode=slow_decode)
    w.start()
    assert entered.wait(10)
    w.stop()  # returns at once even though a decode is blocked
    assert w.running
    gate.set()
    assert w.join(10)
    assert not w.running and w.source.closed


def test_worker_reports_source_error():
    errors, finished = [], threading.Event()
    w = DecodeWorker(ListSource([], fail_open="camera 3 could not be opened"), lambda r: None,
                     on_error=errors.append, on_finished=finished.set)
    w.start()
    assert finished.wait(10)
    assert errors == ["camera 3 could not be opened"] and w.error == errors[0]


def test_worker_survives_failing_callback_and_decoder():
    calls = []

    def decode(frame):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("decoder crashed")
        return [QR]

    def on_scan(r):
        calls.append(r)
        raise ValueError("UI bug")

    w = DecodeWorker(ListSource([np.zeros((8, 8), np.uint8)] * 3), on_scan, decode=decode)
    w.start()
    assert w.join(10)
    assert QR in calls and w.scans == 1


def test_worker_with_image_folder(tmp_path):
    import cv2
    cv2.imwrite(str(tmp_path / "a.png"), qr_image("TSG1:folder-a"))
    cv2.imwrite(str(tmp_path / "b.png"), np.full((60, 60), 255, np.uint8))
    cv2.imwrite(str(tmp_path / "c.png"), qr_image("TSG1:folder-c"))
    got = []
    w = DecodeWorker(ImageFolderSource(tmp_path, interval_s=0), got.append)
    w.start()
    assert w.join(30)
    assert [r.text for r in got] == ["TSG1:folder-a", "TSG1:folder-c"]
