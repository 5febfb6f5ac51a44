"""Member cards and receipt slips on ESC/POS thermal printers (python-escpos), Qt-free.

    target = {"kind": "network", "host": "192.168.0.50", "port": 9100, "timeout": 5}
    print_card(target, "紡ぎ 渋谷店", member_no, code)          # → the bytes sent
    print_receipt(target, Receipt.from_entry(store, result))

Targets (a settings dict; every kind accepts ``width_px`` (default 512: 80 mm paper; 384 for
58 mm), ``profile`` (a python-escpos profile name), ``qr`` ("image" (default: works on every
printer) or "native": the printer's GS ( k command), ``lang`` ("ja"/"en") and ``cut`` (True)):

- ``{"kind": "network", "host": ..., "port": 9100, "timeout": 5}``   raw TCP (JetDirect)
- ``{"kind": "usb", "vendor_id": 0x04b8, "product_id": 0x0202, "timeout": 5000}``  (needs pyusb)
- ``{"kind": "serial", "port": "/dev/ttyUSB0" | "COM3", "baudrate": 9600, "timeout": 5}``  (needs pyserial)
- ``{"kind": "file", "path": "/dev/usb/lp0" | "slip.bin"}``         a device node or a plain file
- ``{"kind": "dummy"}``                                              nothing is sent; bytes returned

Japanese is never sent in text mode (printers garble it): every line is drawn with Pillow in a
CJK font and sent as a GS v 0 raster image. A printer that is missing, unplugged, refusing or
too slow raises PrinterUnavailable (code "printer_unavailable") — never a hang: network sockets
have a timeout. Printing blocks for up to that timeout, so the UI calls these from a worker
thread, never the GUI thread.
"""
from __future__ import annotations

import logging
import socket
import struct
from typing import Any

import qrcode
from PIL import Image, ImageDraw

from app.printing.errors import PrinterUnavailable
from app.printing.fonts import cjk_font
from app.printing.receipt import Line, Receipt, card_footer_lines, card_header_lines, receipt_lines

log = logging.getLogger(__name__)

DEFAULT_WIDTH_PX = 512
KINDS = ("network", "usb", "serial", "file", "dummy")
_SIZES = {"title": 40, "bold": 28, "normal": 26, "center": 26, "small": 22, "note": 22}
_MARGIN = 8
_ESC_INIT = b"\x1b@"
_ALIGN_CENTER, _ALIGN_LEFT = b"\x1ba\x01", b"\x1ba\x00"


# -- drawing (Pillow) ---------------------------------------------------------------------------
def _wrap(text: str, font, width: int) -> list[str]:
    """Break a line to fit ``width`` pixels: at spaces for Latin text, anywhere for Japanese."""
    if not text or font.getlength(text) <= width:
        return [text]
    lines, current = [], ""
    for ch in text:
        if font.getlength(current + ch) > width and current:
            cut = current.rfind(" ") if current.isascii() and " " in current else -1
            if cut > 0:
                lines.append(current[:cut])
                current = current[cut + 1:]
            else:
                lines.append(current)
                current = ""
        current += ch
    lines.append(current)
    return lines


def render_lines(lines: list[Line], width_px: int = DEFAULT_WIDTH_PX) -> Image.Image:
    """Lines → one black-and-white image ``width_px`` wide (mode "1", thresholded, no dithering)."""
    rows: list[tuple[str, Any]] = []  # (kind, payload)
    inner = width_px - 2 * _MARGIN
    height = _MARGIN
    for line in lines:
        if line.style == "rule":
            rows.append(("rule", height + 10))
            height += 20
            continue
        font = cjk_font(_SIZES.get(line.style, 26))
        indent = 20 * line.indent
        right_w = font.getlength(line.right) if line.right else 0
        avail = inner - indent - (right_w + 12 if right_w else 0)
        left_parts = _wrap(line.left, font, max(avail, inner // 3))
        if right_w and font.getlength(left_parts[-1]) > avail:
            left_parts.append("")  # the value goes on a line of its own
        step = int(font.size * 1.35)
        for i, part in enumerate(left_parts):
            last = i == len(left_parts) - 1
            rows.append(("text", (height, part, line.right if last else "", font, indent, line.style)))
            height += step
    height += _MARGIN
    img = Image.new("L", (width_px, height), 255)
    draw = ImageDraw.Draw(img)
    for kind, payload in rows:
        if kind == "rule":
            y = payload
            for x in range(_MARGIN, width_px - _MARGIN, 12):
                draw.line([(x, y), (min(x + 6, width_px - _MARGIN), y)], fill=0, width=2)
            continue
        y, text, right, font, indent, style = payload
        stroke = 1 if style in ("bold", "title") else 0
        if style in ("title", "center", "note"):
            x = max(_MARGIN, (width_px - font.getlength(text)) / 2)
        else:
            x = _MARGIN + indent
        draw.text((x, y), text, font=font, fill=0, stroke_width=stroke, stroke_fill=0)
        if right:
            draw.text((width_px - _MARGIN - font.getlength(right), y), right, font=font, fill=0,
                      stroke_width=stroke, stroke_fill=0)
    return img.point(lambda v: 255 if v >= 128 else 0, mode="1")


def qr_image(code: str, width_px: int = DEFAULT_WIDTH_PX, *, fraction: float = 0.7) -> Image.Image:
    """The member QR (error correction M, a 4-module quiet zone) centred on a ``width_px`` strip,
    whole pixels per module so a thermal head prints it sharp."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4, box_size=1)
    qr.add_data(code)
    qr.make(fit=True)
    matrix = qr.get_matrix()  # includes the border
    n = len(matrix)
    box = max(2, int(width_px * fraction) // n)
    size = n * box
    img = Image.new("1", (width_px, size), 1)
    left = max(0, (width_px - size) // 2)
    draw = ImageDraw.Draw(img)
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                x, y = left + c * box, r * box
                draw.rectangle([x, y, x + box - 1, y + box - 1], fill=0)
    return img


def receipt_image(receipt: Receipt, width_px: int = DEFAULT_WIDTH_PX, lang: str = "ja") -> Image.Image:
    """The whole slip as one image (for a preview on screen)."""
    return render_lines(receipt_lines(receipt, lang), width_px)


# -- ESC/POS bytes ------------------------------------------------------------------------------
def _dummy(profile: str | None):
    from escpos.printer import Dummy

    return Dummy(profile=profile) if profile else Dummy()


def raster_command(img: Image.Image, fragment_rows: int = 1024) -> bytes:
    """GS v 0 (raster bit image, normal density) for a black-on-white image, split into bands of
    ``fragment_rows`` rows (printers cap the height of one command)."""
    ink = img.convert("L").point(lambda v: 255 if v < 128 else 0, mode="1")  # 1 bit = a dot
    wb = (ink.width + 7) // 8
    if ink.width % 8:
        padded = Image.new("1", (wb * 8, ink.height), 0)
        padded.paste(ink, (0, 0))
        ink = padded
    out = []
    for top in range(0, ink.height, fragment_rows):
        band = ink.crop((0, top, ink.width, min(top + fragment_rows, ink.height)))
        out.append(b"\x1dv0\x00" + struct.pack("<HH", wb, band.height) + band.tobytes())
    return b"".join(out)


def _image(p, img: Image.Image) -> None:
    p._raw(raster_command(img))


def _finish(p, cut: bool) -> bytes:
    p._raw(b"\n" * 4)
    if cut:
        p._raw(b"\x1dV\x42\x00")  # GS V 66 0: feed to the cutter and partial-cut
    return p.output


def card_bytes(store_name: str, member_no: str, code: str, *, width_px: int = DEFAULT_WIDTH_PX,
               qr: str = "image", lang: str = "ja", note: str | None = None, profile: str | None = None,
               cut: bool = True) -> bytes:
    """ESC/POS bytes for a member card: store name, 会員証, the QR, the member number."""
    if not code:
        raise ValueError("a member card needs the member code")
    p = _dummy(profile)
    p._raw(_ESC_INIT)
    _image(p, render_lines(card_header_lines(store_name, lang), width_px))
    if qr == "native":
        # GS ( k: the printer draws the QR from the code text (model 2, EC level M, 6-dot modules).
        from escpos.constants import QR_ECLEVEL_M

        p._raw(_ALIGN_CENTER)
        p.qr(code, native=True, size=6, ec=QR_ECLEVEL_M)
        p._raw(b"\n" + _ALIGN_LEFT)
    elif qr == "image":
        _image(p, qr_image(code, width_px))
    else:
        raise ValueError(f"qr must be 'image' or 'native', not {qr!r}")
    _image(p, render_lines(card_footer_lines(member_no, lang, note), width_px))
    return _finish(p, cut)


def receipt_bytes(receipt: Receipt, *, width_px: int = DEFAULT_WIDTH_PX, lang: str = "ja",
                  profile: str | None = None, cut: bool = True) -> bytes:
    """ESC/POS bytes for a receipt slip, every line drawn as an image."""
    p = _dummy(profile)
    p._raw(_ESC_INIT)
    _image(p, receipt_image(receipt, width_px, lang))
    return _finish(p, cut)


def raster_images(data: bytes) -> list[Image.Image]:
    """The GS v 0 raster images inside ESC/POS bytes, as Pillow images (black ink on white):
    what the paper will show. For tests and on-screen previews."""
    out = []
    i = 0
    while True:
        i = data.find(b"\x1dv0", i)
        if i < 0 or i + 8 > len(data):
            return out
        wb, h = struct.unpack_from("<HH", data, i + 4)
        start = i + 8
        raw = data[start:start + wb * h]
        if len(raw) < wb * h:
            return out
        ink = Image.frombytes("1", (wb * 8, h), raw)  # 1 = dot printed
        out.append(ink.point(lambda v: 0 if v else 255, mode="L"))
        i = start + wb * h


def stack_images(images: list[Image.Image]) -> Image.Image:
    """Images one under another, as the paper comes out of the printer."""
    width = max((im.width for im in images), default=1)
    total = sum(im.height for im in images) or 1
    out = Image.new("L", (width, total), 255)
    y = 0
    for im in images:
        out.paste(im.convert("L"), (0, y))
        y += im.height
    return out


# -- printers -----------------------------------------------------------------------------------
def _unavailable(target: dict, reason: str, detail: str = "") -> PrinterUnavailable:
    where = _describe(target)
    text = {
        "not_found": f"The printer {where} was not found: is it plugged in and switched on?",
        "refused": f"The printer {where} refused the connection: is it switched on, and is the port right?",
        "timeout": f"The printer {where} did not answer in time: check the cable or network.",
        "io_error": f"Printing to {where} failed: {detail}",
        "driver_missing": f"Printing to {where} needs the {detail} package, which is not installed.",
        "bad_config": f"The printer settings are incomplete: {detail}",
    }[reason]
    return PrinterUnavailable(text, reason=reason, kind=target.get("kind"))


def _describe(target: dict) -> str:
    kind = target.get("kind")
    if kind == "network":
        return f"at {target.get('host')}:{target.get('port', 9100)}"
    if kind == "usb":
        return f"on USB {int(target.get('vendor_id') or 0):04x}:{int(target.get('product_id') or 0):04x}"
    if kind == "serial":
        return f"on {target.get('port')}"
    if kind == "file":
        return f"at {target.get('path')}"
    return str(kind)


def _int(value) -> int:
    return value if isinstance(value, int) else int(str(value), 0)


def open_printer(target: dict):
    """A connected python-escpos printer for the target; raises PrinterUnavailable."""
    from escpos import printer as escpos_printer

    kind = (target or {}).get("kind")
    if kind not in KINDS:
        raise _unavailable(target or {}, "bad_config", f"unknown printer kind {kind!r} (one of {', '.join(KINDS)})")
    try:
        if kind == "dummy":
            return escpos_printer.Dummy()
        if kind == "network":
            if not target.get("host"):
                raise _unavailable(target, "bad_config", "no host")
            p = escpos_printer.Network(str(target["host"]), port=int(target.get("port", 9100)),
                                       timeout=float(target.get("timeout", 5)))
        elif kind == "file":
            if not target.get("path"):
                raise _unavailable(target, "bad_config", "no path")
            p = escpos_printer.File(str(target["path"]))
        elif kind == "usb":
            if not escpos_printer.Usb.is_usable():
                raise _unavailable(target, "driver_missing", "pyusb")
            if not target.get("vendor_id") or not target.get("product_id"):
                raise _unavailable(target, "bad_config", "no USB vendor/product id")
            extra = {k: _int(target[k]) for k in ("in_ep", "out_ep") if k in target}
            p = escpos_printer.Usb(_int(target["vendor_id"]), _int(target["product_id"]),
                                   timeout=int(target.get("timeout", 5000)), **extra)
        else:  # serial
            if not escpos_printer.Serial.is_usable():
                raise _unavailable(target, "driver_missing", "pyserial")
            if not target.get("port"):
                raise _unavailable(target, "bad_config", "no serial port")
            p = escpos_printer.Serial(str(target["port"]), baudrate=int(target.get("baudrate", 9600)),
                                      timeout=float(target.get("timeout", 5)))
        p.open(raise_not_found=True)
        if getattr(p, "_device", None) in (None, False):
            raise _unavailable(target, "not_found")
        return p
    except PrinterUnavailable:
        raise
    except Exception as exc:  # escpos, socket, usb and serial errors all mean "not there"
        raise _map_error(target, exc) from None


def _map_error(target: dict, exc: BaseException) -> PrinterUnavailable:
    cause = exc.__cause__ or exc.__context__ or exc
    text = f"{exc} {cause}".lower()
    if isinstance(exc, (socket.timeout, TimeoutError)) or isinstance(cause, (socket.timeout, TimeoutError)) \
            or "timed out" in text:
        return _unavailable(target, "timeout")
    if isinstance(exc, ConnectionRefusedError) or isinstance(cause, ConnectionRefusedError) or "refused" in text:
        return _unavailable(target, "refused")
    from escpos.exceptions import DeviceNotFoundError

    if isinstance(exc, (DeviceNotFoundError, FileNotFoundError)):
        return _unavailable(target, "not_found")
    return _unavailable(target, "io_error", type(exc).__name__)


def send(target: dict, data: bytes) -> bytes:
    """Send ready ESC/POS bytes to the target; returns them. Raises PrinterUnavailable."""
    p = open_printer(target)
    try:
        p._raw(data)
        flush = getattr(p, "flush", None)
        if callable(flush) and target.get("kind") == "file":
            flush()
    except Exception as exc:
        raise _map_error(target, exc) from None
    finally:
        try:
            p.close()
        except Exception:  # closing a dead connection must not hide the real error
            log.debug("closing the printer failed", exc_info=True)
    log.info("printed %d bytes to a %s printer", len(data), target.get("kind"))
    return data


def check_printer(target: dict) -> None:
    """Open and close the printer (for a settings 'test connection' button). Raises PrinterUnavailable."""
    p = open_printer(target)
    try:
        p.close()
    except Exception:
        pass


def _options(target: dict) -> dict:
    return {"width_px": int(target.get("width_px", DEFAULT_WIDTH_PX)), "lang": target.get("lang", "ja"),
            "profile": target.get("profile"), "cut": bool(target.get("cut", True))}


def print_card(target: dict, store_name: str, member_no: str, code: str, *, lang: str | None = None,
               note: str | None = None, qr: str | None = None) -> bytes:
    """Print a member card: store name, 会員証, the member QR, the member number. Returns the bytes
    sent. Raises PrinterUnavailable (code printer_unavailable) or NoJapaneseFont (no_cjk_font)."""
    opts = _options(target)
    if lang:
        opts["lang"] = lang
    data = card_bytes(store_name, member_no, code, qr=qr or target.get("qr", "image"), note=note, **opts)
    return send(target, data)


def print_receipt(target: dict, receipt: Receipt, *, lang: str | None = None) -> bytes:
    """Print a receipt slip after earn/redeem/coupon/void. Returns the bytes sent."""
    opts = _options(target)
    if lang:
        opts["lang"] = lang
    return send(target, receipt_bytes(receipt, **opts))


def parse_target(spec) -> dict:
    """A printer setting → a target dict. Accepts a dict (returned as is) or the short strings the
    settings screen stores: "file:/dev/usb/lp0", "network:192.168.1.50[:9100]", "tcp://host:port",
    "usb:04b8:0202", "serial:/dev/ttyUSB0[@9600]", "serial:COM3@19200", "dummy". Other kinds
    ("pdf:...", "system[:name]") are for ui.printing and come back as {"kind": ..., "path"/"name"}."""
    if isinstance(spec, dict):
        return dict(spec)
    text = str(spec or "").strip()
    if not text:
        raise _unavailable({"kind": ""}, "bad_config", "no printer is set")
    if text.startswith("tcp://"):
        text = "network:" + text[len("tcp://"):]
    kind, _, rest = text.partition(":")
    kind = kind.lower()
    if kind == "network":
        host, _, port = rest.rpartition(":") if rest.count(":") == 1 else (rest, "", "")
        return {"kind": "network", "host": host or rest, "port": int(port) if port else 9100}
    if kind == "usb":
        vendor, _, product = rest.partition(":")
        try:
            return {"kind": "usb", "vendor_id": int(vendor, 16), "product_id": int(product, 16)}
        except ValueError:
            raise _unavailable({"kind": "usb"}, "bad_config", f"USB ids must be hex, like usb:04b8:0202, not {rest!r}") \
                from None
    if kind == "serial":
        port, _, baud = rest.partition("@")
        return {"kind": "serial", "port": port, **({"baudrate": int(baud)} if baud else {})}
    if kind in ("file", "pdf"):
        return {"kind": kind, "path": rest}
    if kind == "system":
        return {"kind": "system", "name": rest}
    if kind == "dummy":
        return {"kind": "dummy"}
    raise _unavailable({"kind": kind}, "bad_config", f"unknown printer setting {text!r}")
