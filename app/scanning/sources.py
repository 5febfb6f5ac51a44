"""Qt-free frame sources for the scanner: a webcam, a video file, a folder of images.

Common interface (``FrameSource``):

- ``open() -> bool``: start; False (with ``error`` set) when the source cannot be used. Never hangs:
  the camera is opened in its own thread and given up on after ``open_timeout_s``.
- ``read_latest(timeout_s=0.0) -> numpy frame | None``: the newest frame not yet returned, or None
  when there is none (yet, or any more: see ``finished``). Frames are BGR uint8 arrays.
- ``peek() -> frame | None``: the newest frame without consuming it (for a preview).
- ``close()``: stop and release; idempotent.
- ``error: str | None``: why the source is unusable/stopped, in words for the operator.
- ``finished: bool``: no more frames will come (end of file/folder, error, or closed).

Sources are context managers and iterables (``for frame in source``: frames until finished).
"""
from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Callable, Iterator

import cv2
import numpy as np

from app.scanning.decoders import ImageLoadError, load_image

log = logging.getLogger(__name__)

__all__ = [
    "FrameSource",
    "SourceError",
    "CameraSource",
    "VideoFileSource",
    "ImageFolderSource",
    "IMAGE_SUFFIXES",
]

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp", ".tif", ".tiff", ".pgm", ".ppm"})


class SourceError(RuntimeError):
    """Raised by ``FrameSource.open_or_raise`` when a source cannot be opened."""


class FrameSource:
    """Base class: see the module docstring for the interface."""

    def __init__(self) -> None:
        self.error: str | None = None
        self._finished = False

    # -- interface ---------------------------------------------------------------------------
    def open(self) -> bool:  # pragma: no cover - overridden
        raise NotImplementedError

    def read_latest(self, timeout_s: float = 0.0) -> np.ndarray | None:  # pragma: no cover
        raise NotImplementedError

    def peek(self) -> np.ndarray | None:
        return None

    def close(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    @property
    def finished(self) -> bool:
        return self._finished

    # -- conveniences ------------------------------------------------------------------------
    def open_or_raise(self) -> "FrameSource":
        if not self.open():
            raise SourceError(self.error or f"{self!r} could not be opened")
        return self

    def frames(self, poll_s: float = 0.01) -> Iterator[np.ndarray]:
        """Yield frames until the source is finished (opens it if needed)."""
        while not self.finished:
            frame = self.read_latest(timeout_s=poll_s)
            if frame is not None:
                yield frame

    def __iter__(self) -> Iterator[np.ndarray]:
        return self.frames()

    def __enter__(self) -> "FrameSource":
        self.open()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _fail(self, message: str) -> bool:
        self.error = message
        self._finished = True
        log.warning("%s: %s", type(self).__name__, message)
        return False


# ------------------------------------------------------------------------------------------------
# Webcam
# ------------------------------------------------------------------------------------------------

class CameraSource(FrameSource):
    """An OpenCV webcam read by a capture thread that keeps only the newest frame.

    ``device``: camera index (0, 1, ...) or a device path/URL. ``width``/``height``: requested
    resolution (the driver may give another; see ``actual_size``). ``backend``: an OpenCV
    ``cv2.CAP_*`` API preference (default: OpenCV's choice). ``open_timeout_s``: how long ``open``
    waits for the driver before giving up (the opening thread is left to finish on its own).
    ``max_failed_reads``: consecutive failed grabs after which the camera is declared lost.
    """

    def __init__(self, device: int | str = 0, width: int = 1280, height: int = 720, *,
                 backend: int | None = None, open_timeout_s: float = 5.0,
                 max_failed_reads: int = 50,
                 capture_factory: Callable[..., object] | None = None) -> None:
        super().__init__()
        self.device = device
        self.width = int(width)
        self.height = int(height)
        self.backend = backend
        self.open_timeout_s = float(open_timeout_s)
        self.max_failed_reads = int(max_failed_reads)
        self._factory = capture_factory or self._default_factory
        self._cap = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._cond = threading.Condition()
        self._frame: np.ndarray | None = None
        self._seq = 0
        self._taken = 0
        self._opened = False
        self.actual_size: tuple[int, int] | None = None
        self.frames_captured = 0

    def __repr__(self) -> str:
        return f"CameraSource(device={self.device!r}, {self.width}x{self.height})"

    def _default_factory(self):
        if self.backend is None:
            return cv2.VideoCapture(self.device)
        return cv2.VideoCapture(self.device, self.backend)

    def open(self) -> bool:
        if self._opened:
            return self.error is None
        self._opened = True
        self.error = None
        self._finished = False
        result: dict[str, object] = {}
        done = threading.Event()

        def opener() -> None:
            try:
                cap = self._factory()
                if cap is None or not cap.isOpened():
                    if cap is not None:
                        cap.release()
                    result["error"] = (f"camera {self.device!r} could not be opened "
                                       "(not connected, in use by another program, or no permission)")
                else:
                    cap.set(cv2.CAP_PROP_FRAME_WIDTH, self.width)
                    cap.set(cv2.CAP_PROP_FRAME_HEIGHT, self.height)
                    try:
                        cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)
                    except cv2.error:
                        pass
                    result["cap"] = cap
            except Exception as exc:  # cv2.error, OSError from odd drivers
                result["error"] = f"camera {self.device!r} could not be opened: {exc}"
            finally:
                done.set()
                if "cap" in result and self._stop.is_set():  # open timed out / closed meanwhile
                    result.pop("cap").release()

        threading.Thread(target=opener, name=f"camera-open-{self.device}", daemon=True).start()
        if not done.wait(self.open_timeout_s):
            self._stop.set()
            return self._fail(f"camera {self.device!r} did not respond within {self.open_timeout_s:g} s")
        if "error" in result:
            return self._fail(str(result["error"]))
        self._cap = result["cap"]
        w = int(self._cap.get(cv2.CAP_PROP_FRAME_WIDTH) or 0)
        h = int(self._cap.get(cv2.CAP_PROP_FRAME_HEIGHT) or 0)
        self.actual_size = (w, h) if w and h else None
        self._thread = threading.Thread(target=self._capture_loop, name=f"camera-{self.device}",
                                        daemon=True)
        self._thread.start()
        return True

    def _capture_loop(self) -> None:
        failures = 0
        cap = self._cap
        try:
            while not self._stop.is_set():
                try:
                    ok, frame = cap.read()
                except cv2.error as exc:
                    ok, frame = False, None
                    log.debug("camera read error: %s", exc)
                if not ok or frame is None:
                    failures += 1
                    if failures >= self.max_failed_reads:
                        self._fail(f"camera {self.device!r} stopped delivering frames "
                                   "(unplugged or taken by another program?)")
                        break
                    time.sleep(0.02)
                    continue
                failures = 0
                with self._cond:
                    self._frame = frame
                    self._seq += 1
                    self.frames_captured += 1
                    self._cond.notify_all()
        finally:
            with self._cond:
                self._cond.notify_all()

    def read_latest(self, timeout_s: float = 0.0) -> np.ndarray | None:
        if not self._opened:
            self.open()
        deadline = time.monotonic() + max(0.0, timeout_s)
        with self._cond:
            while self._seq == self._taken and not self._finished:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._cond.wait(remaining)
            if self._seq == self._taken:
                return None
            self._taken = self._seq
            return self._frame

    def peek(self) -> np.ndarray | None:
        with self._cond:
            return self._frame

    def close(self) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=2.0)
        cap, self._cap = self._cap, None
        if cap is not None and (thread is None or not thread.is_alive()):
            cap.release()
        with self._cond:
            self._finished = True
            self._cond.notify_all()


# ------------------------------------------------------------------------------------------------
# Video file
# ------------------------------------------------------------------------------------------------

class VideoFileSource(FrameSource):
    """Frames of a video file, one per ``read_latest`` call (no pacing: every frame is seen).

    ``loop``: start again at the end instead of finishing.
    """

    def __init__(self, path: str | Path, loop: bool = False) -> None:
        super().__init__()
        self.path = Path(path)
        self.loop = bool(loop)
        self._cap = None
        self._last: np.ndarray | None = None
        self._lock = threading.Lock()
        self._opened = False
        self.frames_read = 0

    def __repr__(self) -> str:
        return f"VideoFileSource({str(self.path)!r}, loop={self.loop})"

    def open(self) -> bool:
        if self._opened:
            return self.error is None
        self._opened = True
        self.error = None
        self._finished = False
        if not self.path.is_file():
            return self._fail(f"no such video file: {self.path}")
        cap = cv2.VideoCapture(str(self.path))
        if not cap.isOpened():
            cap.release()
            return self._fail(f"cannot open video file (unknown format or codec): {self.path}")
        self._cap = cap
        return True

    def read_latest(self, timeout_s: float = 0.0) -> np.ndarray | None:
        if not self._opened:
            self.open()
        with self._lock:
            if self._finished or self._cap is None:
                return None
            ok, frame = self._cap.read()
            if not ok and self.loop and self.frames_read > 0:
                self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
                ok, frame = self._cap.read()
            if not ok or frame is None:
                if self.frames_read == 0:
                    self._fail(f"video file has no readable frames: {self.path}")
                self._finished = True
                return None
            self.frames_read += 1
            self._last = frame
            return frame

    def peek(self) -> np.ndarray | None:
        return self._last

    def close(self) -> None:
        with self._lock:
            if self._cap is not None:
                self._cap.release()
                self._cap = None
            self._finished = True


# ------------------------------------------------------------------------------------------------
# Folder of images
# ------------------------------------------------------------------------------------------------

class ImageFolderSource(FrameSource):
    """The images of a folder (sorted by name), each shown for ``interval_s`` seconds.

    ``read_latest`` returns the image due at the current time if not yet returned, else None;
    with ``interval_s=0`` each call returns the next image. Unreadable files are skipped.
    ``loop``: start again after the last image. ``clock``: a monotonic clock in seconds (tests).
    """

    def __init__(self, path: str | Path, interval_s: float = 1.0, *, loop: bool = False,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.path = Path(path)
        self.interval_s = max(0.0, float(interval_s))
        self.loop = bool(loop)
        self._clock = clock
        self._files: list[Path] = []
        self._t0 = 0.0
        self._next_index = 0   # with interval 0
        self._shown = -1       # the last index returned
        self._last: np.ndarray | None = None
        self._opened = False
        self.skipped: list[str] = []

    def __repr__(self) -> str:
        return f"ImageFolderSource({str(self.path)!r}, interval_s={self.interval_s:g})"

    @property
    def files(self) -> list[Path]:
        return list(self._files)

    def open(self) -> bool:
        if self._opened:
            return self.error is None
        self._opened = True
        self.error = None
        self._finished = False
        if not self.path.is_dir():
            return self._fail(f"no such folder: {self.path}")
        self._files = sorted(p for p in self.path.iterdir()
                             if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
        if not self._files:
            return self._fail(f"no images in folder: {self.path}")
        self._t0 = self._clock()
        return True

    def _due_index(self) -> int:
        if self.interval_s == 0:
            return self._next_index
        return int((self._clock() - self._t0) // self.interval_s)

    def read_latest(self, timeout_s: float = 0.0) -> np.ndarray | None:
        if not self._opened:
            self.open()
        deadline = time.monotonic() + max(0.0, timeout_s)
        while not self._finished:
            frame = self._try_read()
            if frame is not None or self._finished or time.monotonic() >= deadline:
                return frame
            time.sleep(min(0.01, max(0.0, deadline - time.monotonic())))
        return None

    def _try_read(self) -> np.ndarray | None:
        n = len(self._files)
        while True:
            index = self._due_index()
            if index >= n and not self.loop:
                self._finished = True
                return None
            if index == self._shown:
                return None
            self._shown = index
            self._next_index = index + 1
            path = self._files[index % n]
            try:
                self._last = load_image(path)
                return self._last
            except ImageLoadError as exc:
                self.skipped.append(str(path))
                log.info("skipping %s: %s", path, exc)
                if len(self.skipped) >= n and self.loop:
                    self._fail(f"no readable images in folder: {self.path}")
                    return None
                if self.interval_s != 0:
                    return None

    def peek(self) -> np.ndarray | None:
        return self._last

    def close(self) -> None:
        self._finished = True
