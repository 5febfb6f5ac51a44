"""Member cards and slips as PDF: parsed back with pypdf, rendered with QtPdf, the QR decoded."""
import re
import unicodedata
import uuid

import numpy as np
import pytest
import zxingcpp
from pypdf import PdfReader

from app.printing import Receipt, raster_images


@pytest.fixture
def qapp():
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication([])


def _render(path, page=0, dpi=200):
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtPdf import QPdfDocument

    doc = QPdfDocument(None)
    assert doc.load(str(path)) == QPdfDocument.Error.None_
    size = doc.pagePointSize(page)
    image = doc.render(page, QSize(int(size.width() / 72 * dpi), int(size.height() / 72 * dpi)))
    doc.close()
    # the page renders on a transparent background: put it on white paper
    paper = QImage(image.size(), QImage.Format.Format_Grayscale8)
    paper.fill(0xFFFFFFFF)
    painter = QPainter(paper)
    painter.drawImage(0, 0, image)
    painter.end()
    image = paper
    w, h, stride = image.width(), image.height(), image.bytesPerLine()
    arr = np.frombuffer(image.constBits(), dtype=np.uint8, count=stride * h).reshape(h, stride)[:, :w]
    return arr.copy()


def _flat(text: str) -> str:
    """Extracted PDF text compared without spaces and in NFKC (pypdf gives some kanji as their
    compatibility radicals, e.g. ⾼ for 高)."""
    return unicodedata.normalize("NFKC", re.sub(r"\s+", "", text))


def _qr_texts(arr):
    return [r.text for r in zxingcpp.read_barcodes(arr, formats=zxingcpp.BarcodeFormat.QRCode)]


@pytest.mark.parametrize("page, size_mm", [("card", (91, 55)), ("a4", (210, 297))])
def test_card_pdf_has_member_number_and_a_readable_qr(qapp, member, store, tmp_path, page, size_mm):
    from ui.printing import card_to_pdf

    no = member.member.member_no
    path = card_to_pdf(tmp_path / f"card-{page}.pdf", "紡ぎ 渋谷店", no, member.code, page=page)
    reader = PdfReader(str(path))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert round(float(box.width) / 72 * 25.4) == size_mm[0]
    assert round(float(box.height) / 72 * 25.4) == size_mm[1]
    text = reader.pages[0].extract_text()
    assert no in text.replace(" ", "")
    assert "会員" in text  # Japanese drawn as text with a CJK font
    codes = _qr_texts(_render(path))
    assert codes == [member.code]
    assert store.members.resolve(codes[0]).id == member.member.id


def test_receipt_pdf(qapp, store, member, cashier, tmp_path):
    from ui.printing import receipt_to_pdf

    result = store.ledger.earn(cashier, member.member.id, 3480, key=uuid.uuid4())
    receipt = Receipt.from_entry(store, result, store_name="紡ぎ 渋谷店")
    for page in ("roll", "a4"):
        path = receipt_to_pdf(tmp_path / f"slip-{page}.pdf", receipt, page=page)
        text = _flat(PdfReader(str(path)).pages[0].extract_text())
        for expected in (member.member.member_no, "¥3,480", "+68 pt", "ポイント残高", "2026/11/21 10:05",
                         "ポイント2倍デー"):
            assert _flat(expected) in text, (page, expected, text)
        assert "ヤマダ" not in text


def test_print_member_card_hook_to_pdf_folder_and_escpos_file(qapp, qtbot, member, tmp_path):
    from ui.printing import print_member_card

    got = []
    job = print_member_card(member.code, member_no=member.member.member_no, printer=f"pdf:{tmp_path}",
                            store_name="紡ぎ", on_done=got.append)
    qtbot.waitUntil(lambda: bool(got), timeout=20000)
    assert got == [None]
    pdfs = list(tmp_path.glob("card-*.pdf"))
    assert len(pdfs) == 1 and _qr_texts(_render(pdfs[0])) == [member.code]
    assert job.error is None

    out = tmp_path / "lp0.bin"
    got.clear()
    print_member_card(member.code, member_no=member.member.member_no, printer=f"file:{out}", store_name="紡ぎ",
                      on_done=got.append)
    qtbot.waitUntil(lambda: bool(got), timeout=20000)
    assert got == [None]
    from app.printing.escpos_render import stack_images

    assert _qr_texts(np.asarray(stack_images(raster_images(out.read_bytes())))) == [member.code]


def test_print_receipt_hook_reports_an_unplugged_printer_on_the_gui_thread(qapp, qtbot, store, member, cashier):
    import socket
    import threading

    from ui.printing import print_receipt

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    result = store.ledger.earn(cashier, member.member.id, 1000, key=uuid.uuid4())
    got = []
    main = threading.get_ident()
    print_receipt(result, printer=f"network:127.0.0.1:{port}", store=store,
                  on_done=lambda err: got.append((err, threading.get_ident())))
    qtbot.waitUntil(lambda: bool(got), timeout=20000)
    err, thread = got[0]
    assert thread == main
    assert err is not None and err.code == "printer_unavailable"


def test_card_dialog_non_modal_and_painting_on_a_qprinter(qapp, member, tmp_path):
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter

    from ui.printing import paint_card_on, print_card_dialog

    dialog = print_card_dialog(None, "紡ぎ", member.member.member_no, member.code, modal=False)
    assert isinstance(dialog, QPrintDialog) and dialog.isVisible()
    assert dialog.windowTitle() == "Print member card"
    dialog.reject()  # accepting would print to whatever the dialog offers on this machine

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    out = tmp_path / "printer.pdf"
    printer.setOutputFileName(str(out))
    paint_card_on(printer, "紡ぎ", member.member.member_no, member.code, page="a4")
    assert _qr_texts(_render(out)) == [member.code]
    assert member.member.member_no in PdfReader(str(out)).pages[0].extract_text().replace(" ", "")


def test_receipt_dialog_prints_once_accepted_and_reports_a_printer_that_will_not_start(qapp, store, member, cashier,
                                                                                          tmp_path):
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter

    from ui.printing import print_receipt_dialog

    result = store.ledger.earn(cashier, member.member.id, 3480, key=uuid.uuid4())
    receipt = Receipt.from_entry(store, result, store_name="紡ぎ 渋谷店")
    for target, expect_error in ((tmp_path / "system.pdf", False), (tmp_path / "missing" / "dir" / "x.pdf", True)):
        done = []
        dialog = print_receipt_dialog(None, receipt, modal=False, on_done=done.append)
        assert isinstance(dialog, QPrintDialog) and dialog.isVisible() and dialog.windowTitle() == "Print receipt"
        printer = dialog._printer  # the dialog's printer, pointed at a PDF file instead of a real device
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(target))
        dialog.accepted.emit(printer)  # what accepting does, without the dialog applying this machine's printer
        dialog.hide()
        if expect_error:
            assert done == [dialog.error] and dialog.error.code == "printer_unavailable" and not target.exists()
        else:
            assert done == [None] and dialog.error is None
            assert _flat(member.member.member_no) in _flat(PdfReader(str(target)).pages[0].extract_text())
