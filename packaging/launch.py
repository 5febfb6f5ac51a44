"""The frozen app's entry point (PyInstaller script in build.spec).

    tsumugi                 → ui.main.main(): the counter
    tsumugi --self-test     → ui.main's self-test (offscreen; exit 0 if fine)
    tsumugi --bundle-check  → checks what the bundle must carry (Qt modules, resources, migrations,
                              rules, decoders, printing) and prints one JSON line; exit 0 if fine
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def _root() -> Path:
    return Path(getattr(sys, "_MEIPASS", Path(__file__).resolve().parents[1]))


def bundle_check() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    root = _root()
    problems: list[str] = []
    figures: dict = {"root": str(root)}

    def need(path: Path, what: str):
        if not path.exists():
            problems.append(f"missing {what}: {path}")

    need(root / "resources" / "translations", "translations folder")
    if not list((root / "resources" / "translations").glob("*.qm")):
        problems.append("no compiled .qm translations")
    need(root / "resources" / "sounds" / "good.wav", "sounds")
    need(root / "migrations" / "env.py", "alembic env")
    if not list((root / "migrations" / "versions").glob("*.py")):
        problems.append("no alembic versions")
    need(root / "app" / "rules" / "default_rules.json", "default rules")
    try:
        from PySide6 import QtMultimedia, QtPdf, QtPrintSupport, QtSerialPort  # noqa: F401
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance() or QApplication([sys.argv[0]])
        # a member card through the whole chain: QR drawn by Qt into a PDF, rendered by QtPdf, decoded
        import tempfile

        import numpy as np
        import zxingcpp
        from PySide6.QtCore import QSize
        from PySide6.QtGui import QImage, QPainter
        from PySide6.QtPdf import QPdfDocument

        from app.printing import card_bytes, raster_images
        from ui.printing import card_to_pdf

        code = "TSG1BUNDLECHECK0123456789"
        with tempfile.TemporaryDirectory() as tmp:
            path = card_to_pdf(Path(tmp) / "card.pdf", "紡ぎ", "00100000017", code)
            doc = QPdfDocument(None)
            doc.load(str(path))
            img = doc.render(0, QSize(540, 330))
            paper = QImage(img.size(), QImage.Format.Format_Grayscale8)
            paper.fill(0xFFFFFFFF)
            p = QPainter(paper)
            p.drawImage(0, 0, img)
            p.end()
            doc.close()
            arr = np.frombuffer(paper.constBits(), np.uint8, paper.bytesPerLine() * paper.height())
            arr = arr.reshape(paper.height(), paper.bytesPerLine())[:, :paper.width()].copy()
            if code not in [r.text for r in zxingcpp.read_barcodes(arr)]:
                problems.append("the PDF member card's QR did not decode")
        if not raster_images(card_bytes("紡ぎ", "00100000017", code)):
            problems.append("no raster in the ESC/POS card")
        app.processEvents()
    except Exception as exc:  # report, do not crash: this is a check
        problems.append(f"{type(exc).__name__}: {exc}")
    try:
        import pyzbar.pyzbar  # noqa: F401
        figures["pyzbar"] = "ok"
    except Exception as exc:  # a fallback decoder only
        figures["pyzbar"] = f"unavailable ({type(exc).__name__})"
    print(json.dumps({"bundle_check": "failed" if problems else "ok", "problems": problems, **figures},
                     ensure_ascii=False))
    return 1 if problems else 0


def main() -> int:
    if "--bundle-check" in sys.argv[1:]:
        return bundle_check()
    from ui.main import main as ui_main

    return ui_main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
