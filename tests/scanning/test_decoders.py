from __future__ import annotations

import builtins
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from app.scanning import decoders
from app.scanning.decoders import (
    ImageLoadError,
    ScanResult,
    decode_frame,
    decode_image,
    ean_check_digit,
    load_image,
    looks_like_member_code,
    validate,
)
from tests.scanning._images import blur, ean13_image, noisy, perspective, qr_image, rotate, scene

MEMBER = "TSG1:7Q2M-K8FD-00042:v1:ZmFrZS1zaWduYXR1cmU"


def texts(results):
    return [r.text for r in results]


# -- QR ----------------------------------------------------------------------------------------

def test_generated_member_qr_is_read_by_zxing_directly():
    results = decode_image(qr_image(MEMBER))
    assert results == [ScanResult("QR", MEMBER, "zxing", None)]
    assert results[0].is_member_code and results[0].is_2d


@pytest.mark.parametrize("name, transform", [
    ("rotated 90", lambda im: rotate(im, 90)),
    ("rotated 33", lambda im: rotate(im, 33)),
    ("rotated 180", lambda im: rotate(im, 180)),
    ("blurred", lambda im: blur(im, 1.5)),
    ("noisy", lambda im: noisy(im, 40)),
    ("blurred+noisy+rotated", lambda im: noisy(blur(rotate(im, -20), 1.2), 25, seed=3)),
    ("perspective", lambda im: perspective(im, 0.2)),
    ("low contrast", lambda im: (im.astype(np.float32) * 0.25 + 110).astype(np.uint8)),
    ("inverted", lambda im: 255 - im),
    ("bgr", lambda im: cv2.cvtColor(im, cv2.COLOR_GRAY2BGR)),
])
def test_generated_member_qr_variants(name, transform):
    results = decode_image(transform(qr_image(MEMBER, box_size=6)))
    assert texts(results) == [MEMBER], name


def test_japanese_qr_text_round_trips():
    text = "TSG1 会員 ﾃｽﾄ 紡ぎ"
    assert texts(decode_image(qr_image(text))) == [text]


def test_small_qr_in_a_1280x720_frame():
    code = qr_image(MEMBER, box_size=3, border=4)  # ~150 px wide in a 1280x720 frame
    frame = scene(code)
    assert frame.shape == (720, 1280, 3)
    results = decode_image(frame)
    assert texts(results) == [MEMBER]
    (x0, y0) = results[0].position[0]
    assert 540 <= x0 <= 560 + code.shape[1] and 280 <= y0 <= 300 + code.shape[0]
    assert texts(decode_frame(frame)) == [MEMBER]  # the live profile too


def test_frame_without_code_reads_nothing():
    assert decode_image(scene(None)) == []
    rng = np.random.default_rng(5)
    assert decode_image(rng.integers(0, 256, (240, 320), dtype=np.uint8)) == []


# -- EAN-13 --------------------------------------------------------------------------------------

def test_ean_check_digit():
    assert ean_check_digit("490123456789") == 4
    assert ean_check_digit("978080481663") == 2
    assert ean_check_digit("4901234") == ean_check_digit("4901234")  # EAN-8 data
    assert ean_check_digit("9638507") == 4  # EAN-8 96385074


def test_drawn_ean13_with_good_check_digit_is_read():
    # the control for the refusal test below: the same drawing code yields a readable symbol
    assert texts(decode_image(ean13_image("4901234567894"))) == ["4901234567894"]


@pytest.mark.parametrize("bad", ["4901234567890", "4901234567895", "9780804816631"])
def test_ean13_with_bad_check_digit_is_refused(bad):
    img = ean13_image(bad)
    assert decode_image(img) == []
    assert decode_image(cv2.GaussianBlur(img, (3, 3), 0)) == []


def test_validate_refuses_bad_texts_from_any_decoder(monkeypatch):
    bad = ScanResult("EAN13", "4901234567890", "pyzbar", "pyzbar")
    good = ScanResult("EAN13", "4901234567894", "pyzbar", "pyzbar")
    monkeypatch.setattr(decoders, "decode_zxing", lambda *a, **k: [])
    monkeypatch.setattr(decoders, "FALLBACKS", (("fake", lambda img: [bad]), ("fake2", lambda img: [good])))
    assert decode_image(np.full((50, 50), 255, np.uint8)) == [good]


@pytest.mark.parametrize("result, ok", [
    (ScanResult("EAN13", "4901234567894", "zxing"), True),
    (ScanResult("EAN13", "4901234567890", "zxing"), False),
    (ScanResult("EAN13", "490123456789", "zxing"), False),
    (ScanResult("EAN13", "49012345678X4", "zxing"), False),
    (ScanResult("EAN8", "96385074", "zxing"), True),
    (ScanResult("EAN8", "96385075", "zxing"), False),
    (ScanResult("CODE39", "ABC-123", "zxing"), True),
    (ScanResult("CODE39", "Extended !?*#", "zxing"), True),
    (ScanResult("CODE39", "ABC\x00", "zxing"), False),
    (ScanResult("CODE39", "日本", "zxing"), False),
    (ScanResult("CODABAR", "A1234567890A", "zxing"), True),
    (ScanResult("CODABAR", "A80125178+B", "zxing"), True),
    (ScanResult("CODABAR", "1234567890", "zxing"), False),  # no start/stop characters
    (ScanResult("CODABAR", "A12X4B", "zxing"), False),
    (ScanResult("CODE128", "Code 128", "zxing"), True),
    (ScanResult("CODE128", "0104912345678904\x1d10ABC", "zxing"), True),
    (ScanResult("CODE128", "AB\x07C", "zxing"), False),
    (ScanResult("QR", MEMBER, "zxing"), True),
    (ScanResult("QR", "\x01\x10AD:SUB:阿;;", "zxing"), True),
    (ScanResult("QR", "", "zxing"), False),
    (ScanResult("QR", "   ", "zxing"), False),
    (ScanResult("QR", "bad \ufffd bytes", "pyzbar"), False),
    (ScanResult("PDF417", "x", "zxing"), False),
    (ScanResult("QR", "x", "opencv"), False),
])
def test_validate_table(result, ok):
    assert (validate(result) is result) is ok


def test_member_code_classification():
    assert looks_like_member_code(MEMBER)
    assert looks_like_member_code("TSG1")
    assert not looks_like_member_code("tsg1:abc")
    assert not looks_like_member_code("4901234567894")
    assert not looks_like_member_code(" TSG1")


def test_scan_result_is_frozen_and_position_not_compared():
    a = ScanResult("QR", "x", "zxing", None, ((0, 0), (1, 0), (1, 1), (0, 1)))
    assert a == ScanResult("QR", "x", "zxing", None)
    with pytest.raises(Exception):
        a.text = "y"


def test_bad_inputs_raise_clearly():
    with pytest.raises(TypeError):
        decode_image("not an image")
    with pytest.raises(ValueError):
        decode_image(np.zeros((0, 0), np.uint8))
    with pytest.raises(ValueError):
        decode_image(np.zeros((4, 4, 2), np.uint8))


def test_float_and_bgra_images_are_accepted():
    img = qr_image(MEMBER)
    assert texts(decode_image(img.astype(np.float32) / 255.0)) == [MEMBER]
    assert texts(decode_image(cv2.cvtColor(img, cv2.COLOR_GRAY2BGRA))) == [MEMBER]


def test_fallbacks_can_be_disabled(monkeypatch):
    calls = []
    monkeypatch.setattr(decoders, "FALLBACKS", (("spy", lambda img: calls.append(1) or []),))
    blank = np.full((64, 64), 255, np.uint8)
    assert decode_image(blank, fallbacks=False) == [] and calls == []
    assert decode_image(blank) == [] and calls == [1]


def test_pyzbar_missing_is_treated_as_absent(monkeypatch):
    real_import = builtins.__import__

    def no_pyzbar(name, *args, **kwargs):
        if name.startswith("pyzbar"):
            raise ImportError("Unable to find zbar shared library")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pyzbar)
    for mod in [m for m in sys.modules if m.startswith("pyzbar")]:
        monkeypatch.delitem(sys.modules, mod)
    monkeypatch.setattr(decoders, "_pyzbar", None)
    monkeypatch.setattr(decoders, "_pyzbar_checked", False)
    assert decoders.pyzbar_available() is False
    assert decoders.decode_pyzbar(qr_image(MEMBER)) == []
    assert decode_image(np.full((64, 64), 255, np.uint8)) == []
    assert texts(decode_image(qr_image(MEMBER))) == [MEMBER]


def test_pyzbar_fallback_reads_when_available():
    if not decoders.pyzbar_available():
        pytest.skip("libzbar not installed")
    results = decoders.decode_pyzbar(ean13_image("4901234567894"))
    assert [(r.format, r.text, r.decoder) for r in results] == [("EAN13", "4901234567894", "pyzbar")]


def test_conflicting_1d_reads_over_one_symbol_are_resolved():
    band = lambda x0, x1: ((x1, 400), (x1, 60), (x0, 60), (x0, 400))  # vertical scan, band x0..x1
    thin = ScanResult("EAN13", "7034759003930", "zxing", None, band(67, 70))
    thick = ScanResult("EAN13", "5030159003930", "zxing", None, band(102, 219))
    assert decoders._resolve_linear_conflicts([thin, thick]) == [thick]
    similar = ScanResult("EAN13", "5030159003930", "zxing", None, band(80, 86))  # < 3x thicker
    assert decoders._resolve_linear_conflicts([thin, similar]) == []
    far = ScanResult("EAN13", "4901234567894", "zxing", None, ((1900, 400), (1900, 60), (1890, 60), (1890, 400)))
    assert decoders._resolve_linear_conflicts([thin, far]) == [thin, far]
    p1 = ScanResult("EAN13", "9780441014989", "pyzbar", "pyzbar")
    p2 = ScanResult("EAN13", "8882412014989", "pyzbar", "pyzbar")
    assert decoders._resolve_linear_conflicts([p1, p2]) == []


# -- files -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("suffix", [".png", ".jpg", ".webp", ".gif", ".bmp", ".tiff"])
def test_load_image_formats(tmp_path, suffix):
    img = qr_image(MEMBER)
    path = tmp_path / f"code{suffix}"
    Image.fromarray(img).convert("RGB").save(path, quality=95) if suffix in (".jpg", ".webp") \
        else Image.fromarray(img).save(path)
    loaded = load_image(path)
    assert loaded.ndim == 3 and loaded.shape[:2] == img.shape
    assert texts(decode_image(loaded)) == [MEMBER]


def test_load_image_transparent_png_on_white(tmp_path):
    img = qr_image(MEMBER)
    rgba = np.zeros(img.shape + (4,), np.uint8)
    rgba[..., 3] = 255 - img  # black modules opaque, background transparent
    path = tmp_path / "alpha.png"
    Image.fromarray(rgba, "RGBA").save(path)
    assert texts(decode_image(load_image(path))) == [MEMBER]


def test_load_image_errors(tmp_path):
    with pytest.raises(ImageLoadError, match="no such file"):
        load_image(tmp_path / "missing.png")
    with pytest.raises(ImageLoadError, match="not a file"):
        load_image(tmp_path)
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"this is not a png")
    with pytest.raises(ImageLoadError, match="cannot decode"):
        load_image(junk)
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    with pytest.raises(ImageLoadError):
        load_image(empty)


def test_load_image_non_ascii_path(tmp_path):
    path = tmp_path / "会員カード.png"
    Image.fromarray(qr_image(MEMBER)).save(path)
    assert texts(decode_image(load_image(path))) == [MEMBER]
