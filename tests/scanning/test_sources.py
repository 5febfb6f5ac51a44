from __future__ import annotations

import threading
import time

import cv2
import numpy as np
import pytest

from app.scanning.decoders import decode_image
from app.scanning.pipeline import DecodeWorker
from app.scanning.sources import CameraSource, ImageFolderSource, SourceError, VideoFileSource
from tests.scanning._images import qr_image, scene

TEXT = "TSG1:video-member-0042"


def write_video(path, n_frames=12, with_code_from=4, size=(640, 360)):
    w, h = size
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10.0, (w, h))
    assert writer.isOpened(), "MJPG/avi writer unavailable"
    code = qr_image(TEXT, box_size=4)
    for i in range(n_frames):
        frame = scene(code if i >= with_code_from else None, size=(h, w), at=(60, 200), seed=i)
        writer.write(frame)
    writer.release()


def test_video_file_source_reads_all_frames_and_finds_the_qr(tmp_path):
    path = tmp_path / "counter.avi"
    write_video(path)
    src = VideoFileSource(path)
    assert src.open() and src.error is None
    frames = list(src)
    src.close()
    assert len(frames) == 12 and frames[0].shape == (360, 640, 3)
    reads = [[r.text for r in decode_image(f)] for f in frames]
    assert reads[:4] == [[]] * 4
    assert all(r == [TEXT] for r in reads[4:])


def test_video_file_source_loops(tmp_path):
    path = tmp_path / "loop.avi"
    write_video(path, n_frames=3)
    with VideoFileSource(path, loop=True) as src:
        got = [src.read_latest() for _ in range(7)]
        assert all(f is not None for f in got) and not src.finished


def test_video_file_worker_end_to_end(tmp_path):
    path = tmp_path / "counter.avi"
    write_video(path)
    got = []
    w = DecodeWorker(VideoFileSource(path), got.append)
    w.start()
    assert w.join(60)
    assert [(r.format, r.text) for r in got] == [("QR", TEXT)]


def test_video_file_missing_or_bad(tmp_path):
    src = VideoFileSource(tmp_path / "nope.avi")
    assert src.open() is False and "no such video file" in src.error and src.finished
    assert src.read_latest() is None
    bad = tmp_path / "bad.avi"
    bad.write_bytes(b"not a video at all")
    src = VideoFileSource(bad)
    ok = src.open()
    assert src.read_latest() is None and src.finished and src.error
    with pytest.raises(SourceError):
        VideoFileSource(tmp_path / "nope.avi").open_or_raise()


def test_camera_missing_device_reports_error_without_hanging():
    result = {}

    def attempt():
        cam = CameraSource(987, 1280, 720, open_timeout_s=5)
        result["opened"] = cam.open()
        result["error"] = cam.error
        result["frame"] = cam.read_latest(timeout_s=0.2)
        result["finished"] = cam.finished
        cam.close()

    t = threading.Thread(target=attempt, daemon=True)
    t.start()
    t.join(30)  # a generous bound only so that a hang fails the test instead of blocking the suite
    assert not t.is_alive(), "CameraSource hung on a missing device"
    assert result["opened"] is False
    assert result["error"] and "987" in result["error"]
    assert result["frame"] is None and result["finished"] is True


def test_camera_driver_that_never_answers_times_out():
    release = threading.Event()

    def stuck_factory():
        release.wait(30)
        raise RuntimeError("too late")

    cam = CameraSource(0, open_timeout_s=0.2, capture_factory=stuck_factory)
    assert cam.open() is False
    assert "did not respond" in cam.error
    release.set()
    cam.close()


class FakeCapture:
    """A VideoCapture stand-in producing numbered frames, then failing (unplugged)."""

    def __init__(self, frames=1000, fail_after=None):
        self.n = 0
        self.frames = frames
        self.fail_after = fail_after
        self.released = False
        self.props = {}

    def isOpened(self):
        return True

    def set(self, prop, value):
        self.props[prop] = value
        return True

    def get(self, prop):
        return self.props.get(prop, 0)

    def read(self):
        time.sleep(0.002)
        if self.fail_after is not None and self.n >= self.fail_after:
            return False, None
        self.n += 1
        return True, np.full((4, 4, 3), self.n % 256, np.uint8)

    def release(self):
        self.released = True


def test_camera_keeps_newest_frame_only():
    cap = FakeCapture()
    cam = CameraSource(0, 640, 480, capture_factory=lambda: cap)
    assert cam.open() and cam.error is None
    assert cap.props[cv2.CAP_PROP_FRAME_WIDTH] == 640
    first = cam.read_latest(timeout_s=5)
    assert first is not None
    deadline = time.monotonic() + 5
    while cap.n < int(first[0, 0, 0]) + 5 and time.monotonic() < deadline:
        time.sleep(0.01)
    second = cam.read_latest(timeout_s=5)
    # frames in between were dropped, not queued
    assert int(second[0, 0, 0]) >= int(first[0, 0, 0]) + 5
    assert cam.peek() is not None
    cam.close()
    assert cap.released and cam.finished


def test_camera_lost_sets_error():
    cap = FakeCapture(fail_after=3)
    cam = CameraSource(0, capture_factory=lambda: cap, max_failed_reads=3)
    assert cam.open()
    deadline = time.monotonic() + 10
    while not cam.finished and time.monotonic() < deadline:
        cam.read_latest(timeout_s=0.05)
    assert cam.finished and "stopped delivering frames" in cam.error
    cam.close()


def test_image_folder_interval_with_clock(tmp_path):
    for name in ["b.png", "a.png", "c.jpg"]:
        cv2.imwrite(str(tmp_path / name), np.full((10, 10, 3), ord(name[0]), np.uint8))
    (tmp_path / "notes.txt").write_text("ignored")
    (tmp_path / "d.png").write_bytes(b"broken")
    t = [0.0]
    src = ImageFolderSource(tmp_path, interval_s=1.0, clock=lambda: t[0])
    assert src.open()
    assert [p.name for p in src.files] == ["a.png", "b.png", "c.jpg", "d.png"]
    assert src.read_latest()[0, 0, 0] == ord("a")
    assert src.read_latest() is None  # same image still due
    t[0] = 1.5
    assert src.read_latest()[0, 0, 0] == ord("b")
    t[0] = 2.2
    assert abs(int(src.read_latest()[0, 0, 0]) - ord("c")) <= 3  # jpeg
    t[0] = 3.1
    assert src.read_latest() is None and src.skipped  # d.png unreadable: skipped
    t[0] = 4.0
    assert src.read_latest() is None and src.finished and src.error is None


def test_image_folder_missing_or_empty(tmp_path):
    src = ImageFolderSource(tmp_path / "nope", 0.5)
    assert not src.open() and "no such folder" in src.error
    empty = tmp_path / "empty"
    empty.mkdir()
    src = ImageFolderSource(empty, 0.5)
    assert not src.open() and "no images" in src.error
