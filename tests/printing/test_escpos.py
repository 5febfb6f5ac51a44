"""ESC/POS cards and slips: real bytes, decoded back with a real QR decoder."""
import socket
import threading
import time
import uuid

import pytest
import zxingcpp

from app.errors import TsumugiError
from app.printing import PrinterUnavailable, Receipt, ReceiptCoupon, card_bytes, print_card, print_receipt, \
    raster_images
from app.printing.escpos_render import check_printer, stack_images
from app.printing.receipt import receipt_lines

JAPANESE = ["会員証", "ポイント", "会員番号", "紡ぎ"]


def _decode(data: bytes) -> list[str]:
    page = stack_images(raster_images(data))
    return [r.text for r in zxingcpp.read_barcodes(page, formats=zxingcpp.BarcodeFormat.QRCode)]


def _no_japanese_text(data: bytes):
    for word in JAPANESE:
        for enc in ("utf-8", "shift_jis", "euc_jp"):
            assert word.encode(enc) not in data, f"{word} went out as {enc} text"


def test_card_to_file_printer_carries_the_member_qr(store, member, tmp_path):
    code = member.code
    out = tmp_path / "card.bin"
    sent = print_card({"kind": "file", "path": str(out)}, "紡ぎ 渋谷店", member.member.member_no, code)
    data = out.read_bytes()
    assert data == sent and data.startswith(b"\x1b@")
    assert _decode(data) == [code]
    # the member is found again from what was printed
    assert store.members.resolve(_decode(data)[0]).id == member.member.id
    _no_japanese_text(data)


def test_card_with_native_qr_command(member):
    data = print_card({"kind": "dummy", "qr": "native"}, "紡ぎ", member.member.member_no, member.code)
    # GS ( k, function 80 (store the data): pL pH cn=49 fn=80 m=48, then the code text
    payload = member.code.encode()
    n = len(payload) + 3
    assert b"\x1d(k" + bytes([n & 0xFF, n >> 8]) + b"1P0" + payload in data
    assert b"\x1d(k\x03\x001Q0" in data  # print the stored symbol
    _no_japanese_text(data)


def test_card_on_58mm_paper_still_decodes(member):
    data = card_bytes("紡ぎ", member.member.member_no, member.code, width_px=384)
    assert all(im.width == 384 for im in raster_images(data))
    assert _decode(data) == [member.code]


def test_receipt_after_earn_renders_japanese_as_images(store, member, cashier, tmp_path):
    result = store.ledger.earn(cashier, member.member.id, 3480, key=uuid.uuid4())
    coupon = store.coupons.issue(cashier, member.member.id, "birthday-300")
    receipt = Receipt.from_entry(store, result, coupons=[coupon], store_name="紡ぎ 渋谷店")
    assert receipt.points == 68 and receipt.balance == 68 and receipt.amount_yen == 3480
    assert [b.kind for b in receipt.breakdown] == ["base", "campaign"]

    texts = [(ln.left, ln.right) for ln in receipt_lines(receipt)]
    assert ("会員番号", member.member.member_no) in texts
    assert ("お買上金額（税込）", "¥3,480") in texts
    assert ("キャンペーン: ポイント2倍デー ×2", "+34 pt") in texts
    assert ("今回ポイント", "+68 pt") in texts
    assert ("ポイント残高", "68 pt") in texts
    assert ("お誕生日クーポン 300ポイント", "+300 pt") in texts
    assert ("2026/11/21 10:05", "端末 T01") in texts  # JST, 24-hour
    english = [(ln.left, ln.right) for ln in receipt_lines(receipt, "en")]
    assert ("Campaign: Double Points Saturday ×2", "+34 pt") in english

    out = tmp_path / "slip.bin"
    data = print_receipt({"kind": "file", "path": str(out)}, receipt)
    assert out.read_bytes() == data
    images = raster_images(data)
    assert images, "the slip is printed as raster images"
    _no_japanese_text(data)
    assert b"\x1dV" in data  # cut
    # the image has ink on many rows (lines of text), not a blank strip
    import numpy as np

    page = np.asarray(stack_images(images).convert("L"))
    inked_rows = int((page.min(axis=1) < 128).sum())
    assert inked_rows > 200
    # no personal data on the slip
    for text in ("ヤマダ", "090", "1234-5678"):
        assert all(text not in left + right for left, right in texts)


def test_receipt_after_redeem_and_expiring_points(store, member, cashier, clock):
    from datetime import timedelta

    store.ledger.earn(cashier, member.member.id, 10000, key=uuid.uuid4())
    clock.now += timedelta(days=350)  # the lot expires in about two weeks
    result = store.ledger.redeem(cashier, member.member.id, 50, uuid.uuid4(), bill_yen=1000)
    receipt = Receipt.from_entry(store, result)
    assert receipt.points == -50 and receipt.expiring_points == receipt.balance > 0
    texts = [(ln.left, ln.right) for ln in receipt_lines(receipt)]
    assert ("今回ポイント", "-50 pt") in texts
    assert ("値引き ¥50", "-50 pt") in texts
    assert ("失効予定（30日以内）", f"{receipt.balance:,} pt") in texts
    assert any(left == "有効期限" and right.startswith("2027/11/") for left, right in texts)
    assert raster_images(print_receipt({"kind": "dummy"}, receipt))


def test_hand_built_receipt_formats():
    from datetime import datetime, timezone

    r = Receipt(store_name="Shop", member_no="00100000017", kind="earn", points=1234, balance=12345,
                at=datetime(2026, 11, 22, 12, 5, tzinfo=timezone.utc), amount_yen=123400,
                coupons=(ReceiptCoupon("100円引き", "¥100 off", "yen_off", 100),))
    texts = [(ln.left, ln.right) for ln in receipt_lines(r)]
    assert ("2026/11/22 21:05", "") in texts
    assert ("お買上金額（税込）", "¥123,400") in texts
    assert ("ポイント残高", "12,345 pt") in texts
    assert ("100円引き", "¥100 引き") in texts


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_unplugged_network_printer_is_unavailable_quickly(member):
    target = {"kind": "network", "host": "127.0.0.1", "port": _closed_port(), "timeout": 2}
    started = time.monotonic()
    with pytest.raises(PrinterUnavailable) as err:
        print_card(target, "紡ぎ", member.member.member_no, member.code)
    assert time.monotonic() - started < 10  # a refused connection, not a hang (generous bound)
    assert isinstance(err.value, TsumugiError)
    assert err.value.code == "printer_unavailable" and err.value.params["reason"] == "refused"
    assert "127.0.0.1" in err.value.message
    with pytest.raises(PrinterUnavailable):
        check_printer(target)


def test_silent_network_printer_times_out(member):
    """A printer that accepts the connection but never reads: the send times out, no hang."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    held = []
    stop = threading.Event()

    def accept():
        conn, _ = server.accept()
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
        held.append(conn)
        stop.wait(30)

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    big = b"\x00" * (64 * 1024 * 1024)  # more than the kernel buffers take
    from app.printing.escpos_render import send
    try:
        with pytest.raises(PrinterUnavailable) as err:
            send({"kind": "network", "host": "127.0.0.1", "port": server.getsockname()[1], "timeout": 1}, big)
        assert err.value.params["reason"] == "timeout"
    finally:
        stop.set()
        for c in held:
            c.close()
        server.close()


def test_missing_device_file_and_bad_settings(tmp_path, member):
    with pytest.raises(PrinterUnavailable) as err:
        print_card({"kind": "file", "path": str(tmp_path / "no-such-dir" / "lp0")}, "紡ぎ",
                   member.member.member_no, member.code)
    assert err.value.params["reason"] == "not_found"
    with pytest.raises(PrinterUnavailable) as err:
        print_card({"kind": "bluetooth"}, "紡ぎ", member.member.member_no, member.code)
    assert err.value.params["reason"] == "bad_config"
    with pytest.raises(PrinterUnavailable) as err:
        print_card({"kind": "network"}, "紡ぎ", member.member.member_no, member.code)
    assert err.value.params["reason"] == "bad_config"


def test_usb_and_serial_say_what_is_missing(member):
    from escpos.printer import Serial, Usb

    for target, usable in (({"kind": "usb", "vendor_id": 0x04B8, "product_id": 0x0E15}, Usb.is_usable()),
                           ({"kind": "serial", "port": "/dev/ttyTSUMUGI-none"}, Serial.is_usable())):
        with pytest.raises(PrinterUnavailable) as err:
            print_card(target, "紡ぎ", member.member.member_no, member.code)
        if usable:
            assert err.value.params["reason"] in ("not_found", "io_error")
        else:
            assert err.value.params["reason"] == "driver_missing"
            assert ("pyusb" if target["kind"] == "usb" else "pyserial") in err.value.message


def test_no_cjk_font_is_a_clear_error(monkeypatch, tmp_path, member):
    from app.printing import fonts
    from app.printing.errors import NoJapaneseFont

    fonts.find_cjk_font.cache_clear()
    fonts.cjk_font.cache_clear()
    monkeypatch.setenv("TSUMUGI_CJK_FONT", str(tmp_path / "missing.ttc"))
    try:
        with pytest.raises(NoJapaneseFont) as err:
            card_bytes("紡ぎ", member.member.member_no, member.code)
        assert err.value.code == "no_cjk_font"
    finally:
        monkeypatch.delenv("TSUMUGI_CJK_FONT")
        fonts.find_cjk_font.cache_clear()
        fonts.cjk_font.cache_clear()
