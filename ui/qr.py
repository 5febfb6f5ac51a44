"""Member QR codes rendered into Qt images (with the qrcode package; no PIL round trip)."""
from __future__ import annotations

import qrcode
import qrcode.constants
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap


def qr_image(text: str, module_px: int = 8, border: int = 4) -> QImage:
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=border, box_size=1)
    qr.add_data(text)
    qr.make(fit=True)
    matrix = qr.get_matrix()  # includes the border
    n = len(matrix)
    img = QImage(n * module_px, n * module_px, QImage.Format.Format_RGB32)
    img.fill(QColor("white"))
    p = QPainter(img)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("black"))
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                p.drawRect(x * module_px, y * module_px, module_px, module_px)
    p.end()
    return img


def qr_pixmap(text: str, size_px: int = 360) -> QPixmap:
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4, box_size=1)
    qr.add_data(text)
    qr.make(fit=True)
    n = len(qr.get_matrix())
    module = max(2, size_px // n)
    return QPixmap.fromImage(qr_image(text, module_px=module))


def qimage_to_bgr(img: QImage):
    """QImage → numpy BGR uint8 (for decoding what is shown on screen)."""
    import numpy as np

    img = img.convertToFormat(QImage.Format.Format_RGB888)
    w, h = img.width(), img.height()
    buf = np.frombuffer(img.constBits(), dtype=np.uint8, count=img.bytesPerLine() * h)
    arr = buf.reshape(h, img.bytesPerLine())[:, : w * 3].reshape(h, w, 3)
    return arr[:, :, ::-1].copy()


def bgr_to_qimage(frame) -> QImage:
    h, w = frame.shape[:2]
    rgb = frame[:, :, ::-1].copy() if frame.ndim == 3 else frame
    fmt = QImage.Format.Format_RGB888 if frame.ndim == 3 else QImage.Format.Format_Grayscale8
    bpl = rgb.strides[0]
    return QImage(rgb.data, w, h, bpl, fmt).copy()
