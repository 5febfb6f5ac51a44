"""Printing member cards and receipt slips, Qt-free: the content (`receipt`) and ESC/POS thermal
printers (`escpos_render`). PDF and system printers live in `ui.printing` (Qt)."""
from app.printing.errors import NoJapaneseFont, PrinterUnavailable
from app.printing.escpos_render import (
    card_bytes,
    check_printer,
    parse_target,
    print_card,
    print_receipt,
    raster_images,
    receipt_bytes,
    receipt_image,
)
from app.printing.receipt import (
    BreakdownLine,
    Line,
    Receipt,
    ReceiptCoupon,
    fmt_date,
    fmt_datetime,
    fmt_points,
    fmt_yen,
    receipt_lines,
)

__all__ = [
    "BreakdownLine", "Line", "NoJapaneseFont", "PrinterUnavailable", "Receipt", "ReceiptCoupon", "card_bytes",
    "check_printer", "parse_target", "fmt_date", "fmt_datetime", "fmt_points", "fmt_yen", "print_card", "print_receipt",
    "raster_images", "receipt_bytes", "receipt_image", "receipt_lines",
]
