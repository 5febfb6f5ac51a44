"""Still-image barcode decoding: zxing-cpp first, preprocessing and pyzbar as fallbacks.

Everything here is Qt-free (the app/ layer never imports Qt). Images are numpy arrays, BGR or
grayscale, as OpenCV gives them.

Policy (DESIGN.md, "Scanning"):
- zxing-cpp, restricted to the formats in use (QR, EAN-13/JAN, EAN-8, Code128, Code39,
  Codabar/NW-7), is tried first on the image as given;
- only when it read nothing are fallbacks tried, in order, stopping at the first that yields a
  valid read: other binarizers/preprocessing (see ``FALLBACKS``), then pyzbar if it can be loaded;
- every read is validated (``validate``): a read failing its format's checks is dropped, never
  returned, and 1-D reads that contradict each other over the same symbol are resolved or
  dropped (``_resolve_linear_conflicts``).
"""
from __future__ import annotations

import logging
import math
import re
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Sequence

import cv2
import numpy as np
import zxingcpp

log = logging.getLogger(__name__)

__all__ = [
    "FORMATS",
    "FALLBACKS",
    "ScanResult",
    "decode_image",
    "decode_frame",
    "LIVE_FALLBACKS",
    "decode_zxing",
    "decode_pyzbar",
    "pyzbar_available",
    "validate",
    "looks_like_member_code",
    "is_two_dimensional",
    "ean_check_digit",
    "load_image",
    "ImageLoadError",
]

#: The formats this shop desk reads, as reported in ``ScanResult.format``.
FORMATS = ("QR", "EAN13", "EAN8", "CODE128", "CODE39", "CODABAR")
TWO_D_FORMATS = frozenset({"QR"})

MEMBER_CODE_PREFIX = "TSG1"


@dataclass(frozen=True)
class ScanResult:
    """One validated read.

    ``format``: one of FORMATS. ``text``: the decoded content (Codabar with its start/stop
    characters; GS1 content raw, with GS (\\x1d) separators). ``decoder``: "zxing" or "pyzbar".
    ``fallback``: None when read from the image as given, else the name of the preprocessing
    step that produced it (see FALLBACKS). ``position``: the corner points (x, y) in the given
    image's coordinates when known; not part of equality.
    """

    format: str
    text: str
    decoder: str
    fallback: str | None = None
    position: tuple[tuple[int, int], ...] | None = field(default=None, compare=False, repr=False)

    @property
    def is_member_code(self) -> bool:
        return looks_like_member_code(self.text)

    @property
    def is_2d(self) -> bool:
        return is_two_dimensional(self.format)


def looks_like_member_code(text: str) -> bool:
    """Classification only: a Tsumugi member code starts with "TSG1" (signature checked in app/codes.py)."""
    return isinstance(text, str) and text.startswith(MEMBER_CODE_PREFIX)


def is_two_dimensional(fmt: str) -> bool:
    return fmt in TWO_D_FORMATS


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------

def ean_check_digit(digits: str) -> int:
    """The EAN/JAN (GTIN) check digit for the data digits (12 for EAN-13, 7 for EAN-8)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        total += int(ch) * (3 if i % 2 == 0 else 1)
    return (10 - total % 10) % 10


_RE_DIGITS = re.compile(r"[0-9]+")
# Code39: standard set, or full-ASCII ("extended") printable text; Code32/PZN readings are digits
# with a leading "A"/"-", which the printable rule covers.
_RE_CODE39 = re.compile(r"[\x20-\x7e]+")
# Codabar/NW-7 with its start/stop characters A-D.
_RE_CODABAR = re.compile(r"[A-D][0-9\-$:/.+]+[A-D]")
# Code128: anything but C0 controls, except GS (FNC1 separator in GS1 content).
_RE_CODE128_BAD = re.compile(r"[\x00-\x1c\x1e\x1f\x7f]")


def validate(result: ScanResult) -> ScanResult | None:
    """Return ``result`` if its text is plausible for its format, else None.

    EAN-13/EAN-8: all digits, right length, right check digit. Code39: printable ASCII.
    Codabar: start/stop A-D around the NW-7 character set. Code128: no control characters
    other than GS. QR: non-empty, no U+FFFD (a byte sequence that did not decode).
    Any format: non-blank text, a format from FORMATS, a known decoder.
    """
    if not isinstance(result, ScanResult):
        return None
    text, fmt = result.text, result.format
    if fmt not in FORMATS or result.decoder not in ("zxing", "pyzbar"):
        return None
    if not isinstance(text, str) or not text.strip() or "\ufffd" in text:
        return None
    if fmt in ("EAN13", "EAN8"):
        n = 13 if fmt == "EAN13" else 8
        if len(text) != n or not _RE_DIGITS.fullmatch(text):
            return None
        if ean_check_digit(text[:-1]) != int(text[-1]):
            return None
    elif fmt == "CODE39":
        if not _RE_CODE39.fullmatch(text):
            return None
    elif fmt == "CODABAR":
        if not _RE_CODABAR.fullmatch(text):
            return None
    elif fmt == "CODE128":
        if _RE_CODE128_BAD.search(text):
            return None
    return result


# --------------------------------------------------------------------------------------------
# zxing-cpp
# --------------------------------------------------------------------------------------------

_ZX_FORMATS = (
    zxingcpp.BarcodeFormat.QRCode,
    zxingcpp.BarcodeFormat.EAN13,
    zxingcpp.BarcodeFormat.EAN8,
    zxingcpp.BarcodeFormat.Code128,
    zxingcpp.BarcodeFormat.Code39,
    zxingcpp.BarcodeFormat.Codabar,
)


def _zx_formats():
    # zxing-cpp >= 3 takes a tuple; 2.x wants BarcodeFormats built with "|".
    try:
        zxingcpp.read_barcodes(np.zeros((8, 8), np.uint8), formats=_ZX_FORMATS)
        return _ZX_FORMATS
    except TypeError:
        fmts = _ZX_FORMATS[0]
        for f in _ZX_FORMATS[1:]:
            fmts = fmts | f
        return fmts


ZX_FORMATS = _zx_formats()


def _zx_format_name(fmt) -> str | None:
    name = getattr(fmt, "name", None) or str(fmt)
    key = name.replace(" ", "").replace("-", "").lower()
    if key.startswith("qr"):
        return "QR"
    if key in ("ean13", "isbn"):
        return "EAN13"
    if key == "ean8":
        return "EAN8"
    if key == "code128":
        return "CODE128"
    if key.startswith("code39") or key in ("code32", "pzn", "pharmazentralnummer"):
        return "CODE39"
    if key == "codabar":
        return "CODABAR"
    return None


def _quad(pos) -> tuple[tuple[int, int], ...] | None:
    try:
        pts = (pos.top_left, pos.top_right, pos.bottom_right, pos.bottom_left)
        return tuple((int(p.x), int(p.y)) for p in pts)
    except AttributeError:
        return None


def decode_zxing(image: np.ndarray, *, binarizer: str = "LocalAverage", fallback: str | None = None,
                 try_downscale: bool = True) -> list[ScanResult]:
    """zxing-cpp read restricted to FORMATS; unvalidated ScanResults (decode_image validates)."""
    kwargs = dict(
        formats=ZX_FORMATS,
        try_rotate=True,
        try_downscale=try_downscale,
        try_invert=True,
        binarizer=getattr(zxingcpp.Binarizer, binarizer),
    )
    if hasattr(zxingcpp, "TextMode"):
        # Plain: the content as encoded (GS1 with GS separators, not "(01)..." HRI). Codabar keeps
        # its start/stop characters in zxing-cpp's text.
        kwargs["text_mode"] = zxingcpp.TextMode.Plain
    barcodes = zxingcpp.read_barcodes(np.ascontiguousarray(image), **kwargs)
    out = []
    for b in barcodes:
        fmt = _zx_format_name(b.format)
        if fmt is None or (hasattr(b, "valid") and not b.valid):
            continue
        out.append(ScanResult(fmt, b.text, "zxing", fallback, _quad(b.position)))
    return out


# --------------------------------------------------------------------------------------------
# pyzbar (optional: needs the libzbar0 system library)
# --------------------------------------------------------------------------------------------

_pyzbar = None
_pyzbar_checked = False


def _load_pyzbar():
    global _pyzbar, _pyzbar_checked
    if not _pyzbar_checked:
        _pyzbar_checked = True
        try:
            from pyzbar import pyzbar as mod  # raises ImportError when libzbar is missing

            _pyzbar = mod
        except Exception as exc:  # ImportError, OSError, FileNotFoundError on some platforms
            log.info("pyzbar unavailable, fallback disabled: %s", exc)
            _pyzbar = None
    return _pyzbar


def pyzbar_available() -> bool:
    return _load_pyzbar() is not None


_PYZBAR_FORMATS = {
    "QRCODE": "QR",
    "EAN13": "EAN13",
    "EAN8": "EAN8",
    "CODE128": "CODE128",
    "CODE39": "CODE39",
    "CODABAR": "CODABAR",
}


def decode_pyzbar(image: np.ndarray, *, fallback: str | None = "pyzbar") -> list[ScanResult]:
    mod = _load_pyzbar()
    if mod is None:
        return []
    gray = _gray(image)
    symbols = [getattr(mod.ZBarSymbol, s) for s in _PYZBAR_FORMATS if hasattr(mod.ZBarSymbol, s)]
    try:
        decoded = mod.decode(gray, symbols=symbols)
    except Exception as exc:  # a broken libzbar must not take the scanner down
        log.warning("pyzbar failed: %s", exc)
        return []
    out = []
    for d in decoded:
        fmt = _PYZBAR_FORMATS.get(d.type)
        if fmt is None:
            continue
        try:
            text = d.data.decode("utf-8")  # zbar hands out UTF-8; anything else is not trusted
        except UnicodeDecodeError:
            continue
        poly = tuple((int(p.x), int(p.y)) for p in getattr(d, "polygon", ()) or ()) or None
        out.append(ScanResult(fmt, text, "pyzbar", fallback, poly))
    return out


# --------------------------------------------------------------------------------------------
# Preprocessing fallbacks
# --------------------------------------------------------------------------------------------

def _gray(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2:
        return image
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY)
    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


def _adaptive_threshold(image: np.ndarray) -> np.ndarray:
    return cv2.adaptiveThreshold(_gray(image), 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C,
                                 cv2.THRESH_BINARY, 31, 5)


def _clahe(image: np.ndarray) -> np.ndarray:
    return cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8)).apply(_gray(image))


def _centre_crop(image: np.ndarray) -> tuple[np.ndarray, int, int]:
    h, w = image.shape[:2]
    y0, x0 = h // 4, w // 4
    return image[y0:h - y0, x0:w - x0], x0, y0


def _upscale(image: np.ndarray, factor: float = 2.0) -> np.ndarray:
    return cv2.resize(image, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)


def _scaled(results: Iterable[ScanResult], scale: float, dx: int = 0, dy: int = 0) -> list[ScanResult]:
    """Map positions from a preprocessed image back to the input image."""
    out = []
    for r in results:
        pos = r.position
        if pos is not None:
            pos = tuple((int(round(x / scale)) + dx, int(round(y / scale)) + dy) for x, y in pos)
        out.append(replace(r, position=pos))
    return out


_MAX_UPSCALE_SIDE = 1024  # a whole-image 2x upscale only for images up to this size


def _fb_global_histogram(img):
    return decode_zxing(img, binarizer="GlobalHistogram", fallback="global-histogram")


def _fb_adaptive(img):
    return decode_zxing(_adaptive_threshold(img), fallback="adaptive-threshold")


def _fb_clahe(img):
    return decode_zxing(_clahe(img), fallback="clahe")


def _fb_upscale_centre(img):
    crop, x0, y0 = _centre_crop(img)
    return _scaled(decode_zxing(_upscale(crop), fallback="upscale-centre"), 2.0, x0, y0)


def _fb_upscale(img):
    if max(img.shape[:2]) > _MAX_UPSCALE_SIDE:
        return []
    return _scaled(decode_zxing(_upscale(img), binarizer="GlobalHistogram", fallback="upscale"), 2.0)


def _fb_downscale(img):
    if min(img.shape[:2]) < 160:
        return []
    small = cv2.resize(img, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    return _scaled(decode_zxing(small, binarizer="GlobalHistogram", fallback="downscale"), 0.5)


def _fb_pyzbar(img):
    return decode_pyzbar(img, fallback="pyzbar")


def _fb_pyzbar_upscale(img):
    if max(img.shape[:2]) > _MAX_UPSCALE_SIDE:
        return []
    return _scaled(decode_pyzbar(_upscale(_gray(img)), fallback="pyzbar-upscale"), 2.0)


#: Fallbacks in the order tried, each only if everything before it yielded nothing valid.
FALLBACKS: tuple[tuple[str, Callable[[np.ndarray], list[ScanResult]]], ...] = (
    ("global-histogram", _fb_global_histogram),
    ("adaptive-threshold", _fb_adaptive),
    ("clahe", _fb_clahe),
    ("upscale-centre", _fb_upscale_centre),
    ("upscale", _fb_upscale),
    ("downscale", _fb_downscale),
    ("pyzbar", _fb_pyzbar),
    ("pyzbar-upscale", _fb_pyzbar_upscale),
)

#: The cheaper fallbacks used on live camera frames (``decode_frame``): on a 1280x720 frame
#: without a code they add ~50 ms to zxing-cpp's ~15 ms, where all FALLBACKS add ~250 ms.
LIVE_FALLBACKS = ("global-histogram", "upscale-centre", "adaptive-threshold", "downscale")


# --------------------------------------------------------------------------------------------
# Conflicts between 1-D reads
# --------------------------------------------------------------------------------------------

def _geometry(pos):
    """(unit direction along the scan line, length, thickness, centre) of a 1-D read's quad."""
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = pos[:4]
    dx, dy = x1 - x0, y1 - y0
    length = math.hypot(dx, dy)
    if length == 0:
        return None
    thickness = math.hypot(x3 - x0, y3 - y0)
    cx, cy = (x0 + x1 + x2 + x3) / 4, (y0 + y1 + y2 + y3) / 4
    return (dx / length, dy / length), length, thickness, (cx, cy)


def _same_symbol(a: ScanResult, b: ScanResult) -> bool:
    """Whether two 1-D reads plausibly come from the same printed symbol."""
    if a.decoder != "zxing" or b.decoder != "zxing":
        return True  # pyzbar's polygon is a set of scan hits, not a band: assume the worst
    if a.position is None or b.position is None or len(a.position) < 4 or len(b.position) < 4:
        return True  # no geometry: assume the worst
    ga, gb = _geometry(a.position), _geometry(b.position)
    if ga is None or gb is None:
        return True
    (ua, la, _, ca), (ub, lb, _, cb) = ga, gb
    if abs(ua[0] * ub[0] + ua[1] * ub[1]) < math.cos(math.radians(20)):
        return False  # not parallel
    # offset of b's centre from a's centre, along a's scan direction and across it
    ox, oy = cb[0] - ca[0], cb[1] - ca[1]
    along = abs(ox * ua[0] + oy * ua[1])
    across = abs(-ox * ua[1] + oy * ua[0])
    longest = max(la, lb)
    return along < 0.5 * longest and across < 0.5 * longest


def _band_thickness(r: ScanResult) -> float:
    if r.decoder != "zxing" or not r.position or len(r.position) < 4:
        return 0.0
    g = _geometry(r.position)
    return g[2] if g else 0.0


def _resolve_linear_conflicts(results: list[ScanResult]) -> list[ScanResult]:
    """Drop 1-D reads contradicted by another read of (seemingly) the same symbol.

    zxing-cpp reports the band of scan lines that agreed on a 1-D read; of two different texts
    over the same symbol, one backed by a band at least 3x thicker is kept, otherwise both go.
    pyzbar gives no such band (and its "quality" can favour the misread): both go.
    """
    linear = [r for r in results if not is_two_dimensional(r.format)]
    drop: set[int] = set()
    for i, a in enumerate(linear):
        for j in range(i + 1, len(linear)):
            b = linear[j]
            if a.text == b.text or not _same_symbol(a, b):
                continue
            ta, tb = _band_thickness(a), _band_thickness(b)
            if ta >= 3 * max(tb, 1.0):
                drop.add(j)
            elif tb >= 3 * max(ta, 1.0):
                drop.add(i)
            else:
                drop.update((i, j))
    keep_linear = [r for k, r in enumerate(linear) if k not in drop]
    return [r for r in results if is_two_dimensional(r.format) or r in keep_linear]


def _clean(results: Sequence[ScanResult]) -> list[ScanResult]:
    valid = [v for v in (validate(r) for r in results) if v is not None]
    valid = _resolve_linear_conflicts(valid)
    seen: set[tuple[str, str]] = set()
    out = []
    for r in valid:
        if (r.format, r.text) not in seen:
            seen.add((r.format, r.text))
            out.append(r)
    return out


# --------------------------------------------------------------------------------------------
# Public entry point
# --------------------------------------------------------------------------------------------

def decode_image(image: np.ndarray, *, fallbacks: bool | Sequence[str] = True) -> list[ScanResult]:
    """Decode every supported barcode in ``image`` (numpy, BGR/BGRA or grayscale, uint8).

    ``fallbacks``: True for all of FALLBACKS, False for zxing-cpp alone, or a sequence of
    fallback names to try (in FALLBACKS order). Returns validated, de-duplicated results; an
    empty list when nothing (valid) was read.
    """
    image = _as_uint8_image(image)
    results = _clean(decode_zxing(image))
    if results or not fallbacks:
        return results
    wanted = None if fallbacks is True else set(fallbacks)
    for name, step in FALLBACKS:
        if wanted is not None and name not in wanted:
            continue
        try:
            results = _clean(step(image))
        except cv2.error as exc:  # e.g. an image too small for a filter
            log.debug("fallback %s failed: %s", name, exc)
            continue
        if results:
            return results
    return []


def decode_frame(image: np.ndarray) -> list[ScanResult]:
    """``decode_image`` with the LIVE_FALLBACKS only: for webcam frames, where the next frame
    comes soon anyway (the DecodeWorker's default)."""
    return decode_image(image, fallbacks=LIVE_FALLBACKS)


def _as_uint8_image(image) -> np.ndarray:
    if not isinstance(image, np.ndarray):
        raise TypeError(f"expected a numpy image array, got {type(image).__name__}")
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] not in (3, 4)):
        raise ValueError(f"expected a gray (H, W) or BGR (H, W, 3) image, got shape {image.shape}")
    if image.size == 0:
        raise ValueError("empty image")
    if image.dtype != np.uint8:
        if np.issubdtype(image.dtype, np.floating) and image.max(initial=0) <= 1.0:
            image = image * 255.0
        image = np.clip(image, 0, 255).astype(np.uint8)
    if image.ndim == 3 and image.shape[2] == 4:
        image = cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    return np.ascontiguousarray(image)


# --------------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------------

def _to_bgr8(img: np.ndarray) -> np.ndarray:
    if img.dtype == np.uint16:
        img = (img >> 8).astype(np.uint8)
    elif img.dtype != np.uint8:
        img = cv2.normalize(img, None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
    if img.ndim == 2:
        return cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
    if img.shape[2] == 4:
        alpha = img[:, :, 3:4].astype(np.float32) / 255.0
        bgr = img[:, :, :3].astype(np.float32)
        return (bgr * alpha + 255.0 * (1.0 - alpha)).round().astype(np.uint8)
    if img.shape[2] == 2:  # gray + alpha
        alpha = img[:, :, 1].astype(np.float32) / 255.0
        g = (img[:, :, 0].astype(np.float32) * alpha + 255.0 * (1.0 - alpha)).round().astype(np.uint8)
        return cv2.cvtColor(g, cv2.COLOR_GRAY2BGR)
    return img


class ImageLoadError(OSError):
    """An image file that is missing or cannot be decoded by OpenCV nor Pillow."""


def load_image(path: str | Path) -> np.ndarray:
    """Read an image file (png, jpg, webp, gif, bmp, tiff, ...) as a BGR uint8 array.

    OpenCV first (it does not read GIF and may lack some codecs), then Pillow (first frame of an
    animation; transparency composited on white). Raises ImageLoadError with a clear message.
    """
    p = Path(path)
    if not p.exists():
        raise ImageLoadError(f"no such file: {p}")
    if not p.is_file():
        raise ImageLoadError(f"not a file: {p}")
    try:
        data = np.fromfile(str(p), dtype=np.uint8)  # works for non-ASCII paths on Windows too
    except OSError as exc:
        raise ImageLoadError(f"cannot read {p}: {exc}") from exc
    img = None
    if data.size:
        if p.suffix.lower() in (".jpg", ".jpeg", ".jpe"):
            img = cv2.imdecode(data, cv2.IMREAD_COLOR)  # applies the EXIF orientation
        else:
            img = cv2.imdecode(data, cv2.IMREAD_UNCHANGED)  # keeps alpha, to composite on white
            if img is not None:
                img = _to_bgr8(img)
    if img is not None:
        return img
    try:
        from PIL import Image, UnidentifiedImageError
    except ImportError as exc:  # pragma: no cover - Pillow is a dependency
        raise ImageLoadError(f"cannot decode {p} as an image") from exc
    try:
        with Image.open(p) as im:
            im.seek(0)
            if im.mode in ("RGBA", "LA", "P"):
                rgba = im.convert("RGBA")
                bg = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
                bg.alpha_composite(rgba)
                rgb = bg.convert("RGB")
            else:
                rgb = im.convert("RGB")
            arr = np.asarray(rgb)
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ImageLoadError(f"cannot decode {p} as an image: {exc}") from exc
    return cv2.cvtColor(arr, cv2.COLOR_RGB2BGR)
