from __future__ import annotations

import io
import json

import cv2
import numpy as np

from app.scanning.cli import decode_command
from tests.scanning._images import ean13_image, qr_image


def make_files(tmp_path):
    qr = tmp_path / "member.png"
    cv2.imwrite(str(qr), qr_image("TSG1:cli\r\n二行目"))
    ean = tmp_path / "jan.webp"
    cv2.imwrite(str(ean), ean13_image("4901234567894"))
    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), np.full((80, 80), 255, np.uint8))
    return qr, ean, blank


def test_decode_command_json(tmp_path, capsys):
    qr, ean, blank = make_files(tmp_path)
    code = decode_command([str(qr), str(ean), str(blank)], as_json=True)
    doc = json.loads(capsys.readouterr().out)
    assert code == 0
    assert doc == [
        {"path": str(qr), "format": "QR", "text": "TSG1:cli\r\n二行目", "decoder": "zxing", "fallback": None},
        {"path": str(ean), "format": "EAN13", "text": "4901234567894", "decoder": "zxing", "fallback": None},
        {"path": str(blank), "format": None, "text": None, "decoder": None, "fallback": None},
    ]


def test_decode_command_json_errors(tmp_path, capsys):
    qr, _, _ = make_files(tmp_path)
    junk = tmp_path / "junk.jpg"
    junk.write_bytes(b"nope")
    missing = tmp_path / "missing.png"
    code = decode_command([str(missing), str(qr), str(junk)], as_json=True)
    doc = json.loads(capsys.readouterr().out)
    assert code == 1
    assert [d["path"] for d in doc] == [str(missing), str(qr), str(junk)]
    assert "no such file" in doc[0]["error"] and doc[0]["text"] is None
    assert "error" not in doc[1] and doc[1]["text"] == "TSG1:cli\r\n二行目"
    assert "cannot decode" in doc[2]["error"]


def test_decode_command_text(tmp_path):
    qr, ean, blank = make_files(tmp_path)
    out, err = io.StringIO(), io.StringIO()
    code = decode_command([str(qr), str(blank), str(tmp_path / "x.png")], as_json=False, out=out, err=err)
    lines = out.getvalue().splitlines()
    assert code == 1
    assert lines[0] == f'{qr}\tQR\tzxing\t"TSG1:cli\\r\\n二行目"'
    assert lines[1].startswith(f"{blank}\t-") and "no barcode" in lines[1]
    assert "x.png: error: no such file" in err.getvalue()
