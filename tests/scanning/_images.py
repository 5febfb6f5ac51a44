"""Image generators for the scanning tests."""
from __future__ import annotations

import cv2
import numpy as np
import qrcode

# EAN-13 encoding tables (GS1 General Specifications 5.2.1.2)
_L = ["0001101", "0011001", "0010011", "0111101", "0100011", "0110001", "0101111", "0111011", "0110111", "0001011"]
_G = ["0100111", "0110011", "0011011", "0100001", "0011101", "0111001", "0000101", "0010001", "0001001", "0010111"]
_R = ["1110010", "1100110", "1101100", "1000010", "1011100", "1001110", "1010000", "1000100", "1001000", "1110100"]
_PARITY = ["LLLLLL", "LLGLGG", "LLGGLG", "LLGGGL", "LGLLGG", "LGGLLG", "LGGGLL", "LGLGLG", "LGLGGL", "LGGLGL"]


def ean13_image(digits: str, module_px: int = 3, height_px: int = 120, quiet_modules: int = 12) -> np.ndarray:
    """Draw an EAN-13 symbol for 13 digits exactly as given (the check digit is NOT corrected)."""
    assert len(digits) == 13 and digits.isdigit()
    first, left, right = int(digits[0]), digits[1:7], digits[7:]
    bits = "101"
    for d, parity in zip(left, _PARITY[first]):
        bits += (_L if parity == "L" else _G)[int(d)]
    bits += "01010"
    for d in right:
        bits += _R[int(d)]
    bits += "101"
    bits = "0" * quiet_modules + bits + "0" * quiet_modules
    row = np.array([0 if b == "1" else 255 for b in bits], np.uint8)
    img = np.repeat(np.repeat(row[None, :], height_px, axis=0), module_px, axis=1)
    return np.pad(img, ((20, 20), (0, 0)), constant_values=255)


def qr_image(text: str, box_size: int = 8, border: int = 4) -> np.ndarray:
    """A QR code as a gray uint8 array (white background)."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box_size, border=border)
    qr.add_data(text)
    qr.make(fit=True)
    pil = qr.make_image(fill_color="black", back_color="white").convert("L")
    return np.array(pil, dtype=np.uint8)


def rotate(img: np.ndarray, degrees: float) -> np.ndarray:
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    cos, sin = abs(m[0, 0]), abs(m[0, 1])
    nw, nh = int(h * sin + w * cos), int(h * cos + w * sin)
    m[0, 2] += nw / 2 - w / 2
    m[1, 2] += nh / 2 - h / 2
    return cv2.warpAffine(img, m, (nw, nh), borderValue=255)


def blur(img: np.ndarray, sigma: float) -> np.ndarray:
    return cv2.GaussianBlur(img, (0, 0), sigma)


def noisy(img: np.ndarray, sigma: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.clip(img.astype(np.float32) + rng.normal(0, sigma, img.shape), 0, 255).astype(np.uint8)


def perspective(img: np.ndarray, shrink: float = 0.15) -> np.ndarray:
    h, w = img.shape[:2]
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = np.float32([[w * shrink, h * shrink / 2], [w, 0], [w, h], [w * shrink, h - h * shrink / 2]])
    return cv2.warpPerspective(img, cv2.getPerspectiveTransform(src, dst), (w, h), borderValue=255)


def scene(code: np.ndarray, size=(720, 1280), at=(300, 560), seed: int = 1) -> np.ndarray:
    """A BGR camera-like frame (gradient, noise, some clutter) with ``code`` pasted at ``at``."""
    h, w = size
    rng = np.random.default_rng(seed)
    base = np.tile(np.linspace(90, 170, w, dtype=np.float32), (h, 1))
    frame = np.clip(base + rng.normal(0, 6, (h, w)), 0, 255).astype(np.uint8)
    frame = cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)
    cv2.rectangle(frame, (60, 80), (400, 600), (40, 60, 120), -1)
    cv2.putText(frame, "Tsumugi", (800, 650), cv2.FONT_HERSHEY_SIMPLEX, 2, (20, 20, 20), 3)
    if code is not None:
        y, x = at
        patch = code if code.ndim == 3 else cv2.cvtColor(code, cv2.COLOR_GRAY2BGR)
        ph, pw = patch.shape[:2]
        frame[y:y + ph, x:x + pw] = patch
    return frame
