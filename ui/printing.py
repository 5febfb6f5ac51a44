"""Member cards and receipt slips on paper: PDF (QPdfWriter), a system printer (QPrinter), or an
ESC/POS thermal printer (app.printing, run on a print worker thread).

    card_to_pdf(path, store_name, member_no, code, page="card")   # 91×55 mm label, or "a4"
    receipt_to_pdf(path, receipt, page="roll")                    # 80 mm roll, or "a4"
    print_card_dialog(parent, store_name, member_no, code)        # QPrintDialog → QPrinter
    print_member_card(code, member_no=..., printer=config.printer, store_name=..., on_done=...)
    print_receipt(result_or_receipt, printer=config.printer, store=ctx.store, on_done=...)

The QR is drawn module by module from the `qrcode` package (vector in a PDF, sharp on paper);
Japanese text is drawn by QPainter in a CJK font. The content of a slip comes from
app.printing.receipt (the same lines the thermal printer prints).

`print_member_card` / `print_receipt` never block the GUI thread on a device or the database:
the work runs on one print worker thread and ``on_done(error_or_None)`` is called back on the GUI
thread (errors are TsumugiError: printer_unavailable, no_cjk_font...). ``wait=True`` runs it in
the caller's thread and raises instead (tests, command line).
"""
from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable

import qrcode
import qrcode.constants
from PySide6.QtCore import QCoreApplication, QMarginsF, QObject, QRectF, QSizeF, Qt, Signal, Slot
from PySide6.QtGui import QColor, QFont, QFontDatabase, QFontMetricsF, QPageLayout, QPageSize, QPainter, QPdfWriter, \
    QPen

from app.errors import TsumugiError
from app.printing import Line, Receipt, receipt_lines
from app.printing.errors import PrinterUnavailable
from app.printing.receipt import words

log = logging.getLogger(__name__)

CARD_MM = (91.0, 55.0)  # a Japanese business card / common label size
ROLL_MM = 80.0
_PT = {"title": 14.0, "bold": 10.0, "normal": 9.5, "center": 9.5, "small": 8.0, "note": 7.5}


def tr(text: str) -> str:
    return QCoreApplication.translate("Printing", text)


# -- fonts ---------------------------------------------------------------------------------------
_family: str | None = None


def cjk_family() -> str:
    """A font family with Japanese glyphs: an installed Noto/IPA/Yu/Hiragino/Meiryo face, or the
    font file app.printing found, loaded into Qt."""
    global _family
    if _family is not None:
        return _family
    families = set(QFontDatabase.families())
    for name in ("Noto Sans CJK JP", "Noto Sans JP", "Yu Gothic UI", "Yu Gothic", "Meiryo", "Hiragino Sans",
                 "Hiragino Kaku Gothic ProN", "IPAexGothic", "IPAGothic", "TakaoPGothic", "VL Gothic", "MS Gothic"):
        if name in families:
            _family = name
            return name
    try:
        from app.printing.fonts import find_cjk_font

        path, _ = find_cjk_font()
        fid = QFontDatabase.addApplicationFont(path)
        loaded = QFontDatabase.applicationFontFamilies(fid) if fid >= 0 else []
        _family = next((f for f in loaded if "JP" in f), loaded[0] if loaded else "")
    except TsumugiError:
        _family = ""
    return _family


_LATIN = ("DejaVu Sans", "Noto Sans", "Segoe UI", "Arial", "Helvetica", "Liberation Sans")
_families: list[str] | None = None


def font_families() -> list[str]:
    """A Latin face first, then the CJK face for Japanese. Latin digits and letters from Noto
    Sans CJK lose their ToUnicode entries in Qt's PDF output (a PDF's text could not be searched
    or copied); from a Latin face they keep them."""
    global _families
    if _families is None:
        installed = set(QFontDatabase.families())
        latin = next((f for f in _LATIN if f in installed), None)
        _families = [f for f in (latin, cjk_family()) if f]
    return _families


def _font(style: str, scale: float = 1.0) -> QFont:
    f = QFont()
    if font_families():
        f.setFamilies(font_families())
    f.setPointSizeF(_PT.get(style, 9.5) * scale)
    f.setBold(style in ("title", "bold"))
    return f


# -- drawing -------------------------------------------------------------------------------------
def qr_matrix(code: str) -> list[list[bool]]:
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4, box_size=1)
    qr.add_data(code)
    qr.make(fit=True)
    return qr.get_matrix()


def draw_qr(painter: QPainter, code: str, rect: QRectF) -> None:
    """The member QR, quiet zone included, filling the largest square in ``rect``."""
    matrix = qr_matrix(code)
    n = len(matrix)
    side = min(rect.width(), rect.height())
    module = side / n
    left = rect.left() + (rect.width() - side) / 2
    top = rect.top() + (rect.height() - side) / 2
    painter.save()
    painter.setPen(Qt.PenStyle.NoPen)
    painter.fillRect(QRectF(left, top, side, side), QColor("white"))
    painter.setBrush(QColor("black"))
    for r, row in enumerate(matrix):
        c = 0
        while c < n:  # one rectangle per horizontal run: smaller PDF, no hairline gaps
            if row[c]:
                start = c
                while c < n and row[c]:
                    c += 1
                painter.drawRect(QRectF(left + start * module, top + r * module, (c - start) * module + 0.01,
                                        module + 0.01))
            else:
                c += 1
    painter.restore()


def _mm(device, mm: float) -> float:
    return mm * device.logicalDpiX() / 25.4


def draw_lines(painter: QPainter, lines: list[Line], rect: QRectF, scale: float = 1.0) -> float:
    """Draw receipt lines in ``rect`` (device units); returns the height used."""
    y = rect.top()
    device = painter.device()
    for line in lines:
        if line.style == "rule":
            pen = QPen(QColor("black"), max(1.0, _mm(device, 0.2)), Qt.PenStyle.DashLine)
            painter.setPen(pen)
            mid = y + _mm(device, 1.5)
            painter.drawLine(rect.left(), mid, rect.right(), mid)
            y += _mm(device, 3)
            continue
        font = _font(line.style, scale)
        painter.setFont(font)
        painter.setPen(QColor("black"))
        fm = QFontMetricsF(font, device)
        indent = _mm(device, 3) * line.indent
        right_w = fm.horizontalAdvance(line.right) if line.right else 0.0
        box = QRectF(rect.left() + indent, y, rect.width() - indent - (right_w + _mm(device, 2) if right_w else 0),
                     10_000)
        align = Qt.AlignmentFlag.AlignHCenter if line.style in ("title", "center", "note") else Qt.AlignmentFlag.AlignLeft
        if align == Qt.AlignmentFlag.AlignHCenter:
            box = QRectF(rect.left(), y, rect.width(), 10_000)
        flags = int(align | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWrapAnywhere)
        used = painter.boundingRect(box, flags, line.left) if line.left else QRectF(box.topLeft(), QSizeF(0, fm.height()))
        if line.left:
            painter.drawText(box, flags, line.left)
        height = max(used.height(), fm.height())
        if line.right:
            painter.drawText(QRectF(rect.left(), y + height - fm.height(), rect.width(), fm.height()),
                             int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop), line.right)
        y += height + fm.leading() + _mm(device, 0.6)
    return y - rect.top()


def paint_card(painter: QPainter, rect: QRectF, store_name: str, member_no: str, code: str, lang: str = "ja") -> None:
    """A member card in ``rect`` (device units; 91×55 mm or any card-shaped box): QR on the left,
    store name, 会員証 and the member number on the right."""
    device = painter.device()
    w = words(lang)
    pad = _mm(device, 3)
    inner = rect.adjusted(pad, pad, -pad, -pad)
    qr_side = min(inner.height(), inner.width() * 0.5)
    draw_qr(painter, code, QRectF(inner.left(), inner.top() + (inner.height() - qr_side) / 2, qr_side, qr_side))
    text = QRectF(inner.left() + qr_side + pad, inner.top(), inner.width() - qr_side - pad, inner.height())
    scale = rect.width() / _mm(device, CARD_MM[0])
    lines = [Line(store_name, style="bold"), Line(w["card"], style="small"), Line(style="rule"),
             Line(w["member_no"], style="small"), Line(member_no, style="bold"), Line(w["show"], style="note")]
    draw_lines(painter, [Line(ln.left, ln.right, "small" if ln.style == "note" else ln.style, ln.indent)
                         for ln in lines], text, scale)


def _card_page(page: str) -> QPageLayout:
    if page == "a4":
        return QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                           QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Millimeter)
    if page == "card":
        size = QPageSize(QSizeF(*CARD_MM), QPageSize.Unit.Millimeter, "Tsumugi card 91x55",
                         QPageSize.SizeMatchPolicy.ExactMatch)
        return QPageLayout(size, QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Millimeter)
    raise ValueError(f"page must be 'a4' or 'card', not {page!r}")


def _paint_card_page(painter: QPainter, page: str, store_name, member_no, code, lang) -> None:
    device = painter.device()
    if page == "card":
        paint_card(painter, QRectF(0, 0, device.width(), device.height()), store_name, member_no, code, lang)
        return
    # A4: the card 15 mm from the top-left corner with a thin cut line around it
    rect = QRectF(_mm(device, 15), _mm(device, 15), _mm(device, CARD_MM[0]), _mm(device, CARD_MM[1]))
    painter.save()
    painter.setPen(QPen(QColor("#999999"), max(1.0, _mm(device, 0.1)), Qt.PenStyle.DotLine))
    painter.drawRect(rect)
    painter.restore()
    paint_card(painter, rect, store_name, member_no, code, lang)


def _writer(path: Path, layout: QPageLayout, title: str) -> QPdfWriter:
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = QPdfWriter(str(path))
    writer.setResolution(300)
    writer.setCreator("Tsumugi")
    writer.setTitle(title)
    writer.setPageLayout(layout)
    return writer


def _paint_on(device, paint: Callable[[QPainter], None], *, kind: str, failure: str) -> None:
    """Begin a painter on `device` (a PDF writer or a printer), paint, end; a device that will not
    start is PrinterUnavailable(io_error) with `failure` as its message."""
    painter = QPainter()
    if not painter.begin(device):
        raise PrinterUnavailable(failure, reason="io_error", kind=kind)
    try:
        paint(painter)
    finally:
        painter.end()


def _to_pdf(path: Path, layout: QPageLayout, title: str, paint: Callable[[QPainter], None]) -> Path:
    _paint_on(_writer(path, layout, title), paint, kind="pdf", failure=f"Cannot write the PDF {path}.")
    return path


def card_to_pdf(path, store_name: str, member_no: str, code: str, *, page: str = "card", lang: str = "ja") -> Path:
    """A member card as a PDF: ``page="card"`` a 91×55 mm page (label printers), ``"a4"`` the card
    on an A4 sheet with a cut line. Returns the path."""
    return _to_pdf(Path(path), _card_page(page), f"{words(lang)['card']} {member_no}",
                   lambda p: _paint_card_page(p, page, store_name, member_no, code, lang))


def _receipt_height_mm(receipt: Receipt, lang: str) -> float:
    """Measure the slip on a throwaway image to size a roll page."""
    from PySide6.QtGui import QImage

    img = QImage(int(ROLL_MM / 25.4 * 300), 12000, QImage.Format.Format_Grayscale8)
    img.setDotsPerMeterX(int(300 / 0.0254))
    img.setDotsPerMeterY(int(300 / 0.0254))
    p = QPainter(img)
    used = draw_lines(p, receipt_lines(receipt, lang), QRectF(0, 0, _mm(img, ROLL_MM - 8), 12000))
    p.end()
    return used / img.logicalDpiY() * 25.4


def _paint_receipt(painter: QPainter, receipt: Receipt, lang: str, page: str) -> None:
    device = painter.device()
    margin = _mm(device, 4 if page == "roll" else 20)
    width = _mm(device, ROLL_MM - 8)
    draw_lines(painter, receipt_lines(receipt, lang), QRectF(margin, margin, width, device.height()))


def receipt_to_pdf(path, receipt: Receipt, *, page: str = "roll", lang: str = "ja") -> Path:
    """A receipt slip as a PDF: ``page="roll"`` 80 mm wide (as long as the slip), or ``"a4"``."""
    path = Path(path)
    if page == "roll":
        size = QPageSize(QSizeF(ROLL_MM, _receipt_height_mm(receipt, lang) + 10), QPageSize.Unit.Millimeter,
                         "Tsumugi roll 80mm", QPageSize.SizeMatchPolicy.ExactMatch)
    elif page == "a4":
        size = QPageSize(QPageSize.PageSizeId.A4)
    else:
        raise ValueError(f"page must be 'roll' or 'a4', not {page!r}")
    layout = QPageLayout(size, QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Millimeter)
    return _to_pdf(path, layout, words(lang)["slip"], lambda p: _paint_receipt(p, receipt, lang, page))


# -- system printers -----------------------------------------------------------------------------
_PRINTER_WILL_NOT_START = "The printer could not start the job."


def _qprinter(name: str = ""):
    from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    if name:
        info = QPrinterInfo.printerInfo(name)
        if info.isNull():
            raise PrinterUnavailable(f"The printer {name!r} is not installed on this computer.",
                                     reason="not_found", kind="system")
        printer.setPrinterName(name)
    return printer


def paint_card_on(printer, store_name: str, member_no: str, code: str, *, page: str = "a4",
                  lang: str = "ja") -> None:
    """Print a member card on a configured QPrinter (or any QPagedPaintDevice)."""
    printer.setPageLayout(_card_page(page))
    _paint_on(printer, lambda p: _paint_card_page(p, page, store_name, member_no, code, lang), kind="system",
              failure=_PRINTER_WILL_NOT_START)


def paint_receipt_on(printer, receipt: Receipt, *, lang: str = "ja") -> None:
    _paint_on(printer, lambda p: _paint_receipt(p, receipt, lang, "a4"), kind="system",
              failure=_PRINTER_WILL_NOT_START)


def print_card_dialog(parent, store_name: str, member_no: str, code: str, *, page: str = "a4", lang: str = "ja",
                      modal: bool = True, on_done=None):
    """Ask which system printer (QPrintDialog), then print the card. ``modal=True`` blocks in
    exec() and returns True when printed; ``modal=False`` opens the dialog and returns it (it
    prints when accepted) — for tests and for callers that must not block. A printer error is
    returned as False / passed to ``on_done(error_or_None)``, never raised into the event loop."""
    printer = _qprinter()
    printer.setPageLayout(_card_page(page))
    return _print_dialog(parent, printer, tr("Print member card"),
                         lambda: paint_card_on(printer, store_name, member_no, code, page=page, lang=lang),
                         modal=modal, on_done=on_done)


def print_receipt_dialog(parent, receipt: Receipt, *, lang: str = "ja", modal: bool = True, on_done=None):
    """Like print_card_dialog, for a receipt slip on a system printer."""
    printer = _qprinter()
    return _print_dialog(parent, printer, tr("Print receipt"), lambda: paint_receipt_on(printer, receipt, lang=lang),
                         modal=modal, on_done=on_done)


def _print_dialog(parent, printer, title: str, paint: Callable[[], None], *, modal: bool, on_done):
    """The QPrintDialog of print_card_dialog / print_receipt_dialog: `paint()` prints once accepted."""
    from PySide6.QtPrintSupport import QPrintDialog

    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(title)

    def accepted():
        try:
            paint()
        except TsumugiError as exc:
            log.warning("printing to a system printer failed: %s", exc.code)
            dialog.error = exc
            if on_done is not None:
                on_done(exc)
            return False
        if on_done is not None:
            on_done(None)
        return True

    dialog.error = None
    if modal:
        return dialog.exec() == QPrintDialog.DialogCode.Accepted and accepted()
    dialog.accepted.connect(accepted)
    dialog._printer = printer  # keep it alive with the dialog
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.show()
    return dialog


# -- one call from the counter: any configured printer, off the GUI thread ------------------------
class PrintJob(QObject):
    """A print running on the print worker. ``done`` carries None or the TsumugiError, on the GUI thread."""
    done = Signal(object)
    _finished = Signal(object)

    def __init__(self, on_done: Callable[[BaseException | None], None] | None = None):
        super().__init__()
        self.error: BaseException | None = None
        self.finished = threading.Event()
        self._on_done = on_done
        self._finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def _complete(self, error) -> None:  # any thread
        self.error = error
        self.finished.set()
        try:
            self._finished.emit(error)
        except RuntimeError:  # the application is closing
            pass

    @Slot(object)
    def _deliver(self, error) -> None:
        _jobs.discard(self)
        if error is not None and self._on_done is None:
            log.warning("printing failed: %s (%s)", getattr(error, "code", type(error).__name__),
                        type(error).__name__)
        if self._on_done is not None:
            try:
                self._on_done(error)
            except Exception:
                log.exception("print on_done callback failed")
        self.done.emit(error)


_pool: ThreadPoolExecutor | None = None
_jobs: set[PrintJob] = set()


def _worker() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tsumugi-print")
    return _pool


def _run(work: Callable[[], None], on_done, wait: bool) -> PrintJob | None:
    if wait:
        work()
        return None
    job = PrintJob(on_done)
    _jobs.add(job)

    def run():
        try:
            work()
        except TsumugiError as exc:
            job._complete(exc)
        except Exception as exc:  # a printer problem never stops the counter
            log.exception("printing failed")
            job._complete(PrinterUnavailable(f"Printing failed: {type(exc).__name__}", reason="io_error"))
        else:
            job._complete(None)

    _worker().submit(run)
    return job


def _run_here(work: Callable[[], None], on_done, wait: bool) -> PrintJob | None:
    """Like _run, on this (the GUI) thread: QPrinter stays on the GUI thread; spooling to the OS
    queue is quick. The PrintJob still reports through on_done, after this call returns."""
    if wait:
        work()
        return None
    job = PrintJob(on_done)
    _jobs.add(job)
    try:
        work()
        job._complete(None)
    except TsumugiError as exc:
        job._complete(exc)
    return job


def _pdf_path(target: dict, stem: str) -> Path:
    path = Path(target.get("path") or ".")
    if path.suffix.lower() != ".pdf":  # a folder: one file per print
        from datetime import datetime

        path = path / f"{stem}-{datetime.now():%Y%m%d-%H%M%S-%f}.pdf"
    return path


def print_member_card(code: str, *, member_no: str, printer, store_name: str = "", lang: str = "ja",
                      page: str | None = None, on_done=None, wait: bool = False) -> PrintJob | None:
    """Print a member card on the configured printer (the settings string or a target dict):
    ESC/POS kinds (file:, network:, usb:, serial:, dummy), "pdf:<file or folder>" or
    "system[:name]". Returns a PrintJob (``on_done(error_or_None)`` on the GUI thread)."""
    from app.printing import escpos_render
    from app.printing.escpos_render import parse_target

    target = parse_target(printer)
    kind = target["kind"]
    if kind == "system":
        return _run_here(lambda: paint_card_on(_qprinter(target.get("name", "")), store_name, member_no, code,
                                               page=page or "a4", lang=lang), on_done, wait)
    if kind == "pdf":
        return _run(lambda: card_to_pdf(_pdf_path(target, f"card-{member_no}"), store_name, member_no, code,
                                        page=page or "card", lang=lang), on_done, wait)
    return _run(lambda: escpos_render.print_card(target, store_name, member_no, code, lang=lang), on_done, wait)


def print_receipt(result, *, printer, store=None, lang: str = "ja", coupons=(), store_name: str | None = None,
                  on_done=None, wait: bool = False) -> PrintJob | None:
    """Print the slip for an EntryResult (pass ``store`` so the member number, balance and expiring
    points can be read — on the print worker, not the GUI thread) or a ready Receipt."""
    from app.printing import escpos_render
    from app.printing.escpos_render import parse_target

    target = parse_target(printer)

    def receipt() -> Receipt:
        if isinstance(result, Receipt):
            return result
        if store is None:
            raise PrinterUnavailable("A receipt needs the store to read the member's balance.",
                                     reason="bad_config")
        return Receipt.from_entry(store, result, coupons=coupons, store_name=store_name)

    kind = target["kind"]
    if kind == "system":
        return _run_here(lambda: paint_receipt_on(_qprinter(target.get("name", "")), receipt(), lang=lang),
                         on_done, wait)
    if kind == "pdf":
        return _run(lambda: receipt_to_pdf(_pdf_path(target, "receipt"), receipt(), lang=lang), on_done, wait)
    return _run(lambda: escpos_render.print_receipt(target, receipt(), lang=lang), on_done, wait)
