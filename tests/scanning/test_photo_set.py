"""Score of decode_image on the shared set of 253 real barcode photos (shared/testdata/barcodes)."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from app.scanning.decoders import decode_image, load_image

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "testdata" / "barcodes"
MIN_READ = 221  # zxing-cpp 3.1.1 defaults on this set; the floor to beat

# Two labels of the manifest are not what the photos show: both photos are of the book whose
# EAN-13 is printed under the bars as 9784872348880 (valid check digit), while the manifest says
# 9780804816632 (and " 9780804816632" with a leading space). Checked by eye on the photos. For
# these, the printed number is the truth; the manifest's text is never produced by any decoder.
MISLABELLED = {
    ("ean13-2", "23.webp"): "9784872348880",
    ("ean13-2", "28.webp"): "9784872348880",
}
# Images holding more than one symbol: the other symbols may be read as well.
MULTI_SYMBOL = {
    ("qrcode-2", "16.webp"),  # "double QR": an outer QR code drawn around an inner one
}


def load_manifest() -> list[dict]:
    with open(DATA / "manifest.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def expected_text(row: dict) -> str:
    text = row["expected_text"]
    if row["folder"] == "ean13-extension-1":
        text = text[:13]  # scored on the 13-digit base code, add-on ignored
    return text


def score(decode=decode_image) -> dict:
    """Read/wrong counts, both against the manifest as written and with MISLABELLED corrected."""
    rows = load_manifest()
    read = wrong = read_strict = wrong_strict = 0
    wrong_items, missed = [], []
    for row in rows:
        key = (row["folder"], row["image"])
        texts = [r.text for r in decode(load_image(DATA / row["folder"] / row["image"]))]
        manifest_text = expected_text(row)
        truth = MISLABELLED.get(key, manifest_text)
        others = [t for t in texts if t != truth]
        if truth in texts:
            read += 1
        if others and not (key in MULTI_SYMBOL and truth in texts):
            wrong += 1
            wrong_items.append((key, truth, texts))
        if truth not in texts:
            missed.append(key)
        strict_others = [t for t in texts if t != manifest_text]
        read_strict += manifest_text in texts
        wrong_strict += bool(strict_others) and not (key in MULTI_SYMBOL and manifest_text in texts)
    return {"total": len(rows), "read": read, "wrong": wrong, "read_strict": read_strict,
            "wrong_strict": wrong_strict, "wrong_items": wrong_items, "missed": missed}


@pytest.fixture(scope="module")
def photo_score():
    if not DATA.is_dir():
        pytest.skip(f"shared barcode photo set not found at {DATA}")
    return score()


def test_manifest_is_as_documented():
    if not DATA.is_dir():
        pytest.skip(f"shared barcode photo set not found at {DATA}")
    rows = load_manifest()
    assert len(rows) == 253
    assert sum("\r\n" in r["expected_text"] for r in rows) == 23
    for key, truth in MISLABELLED.items():
        row = next(r for r in rows if (r["folder"], r["image"]) == key)
        assert row["expected_text"].strip() != truth, f"{key} has been relabelled: drop it from MISLABELLED"


def test_photo_set_score(photo_score):
    s = photo_score
    print(f"\nphoto set: read {s['read']}/{s['total']}, wrong {s['wrong']} "
          f"(against the manifest as written: read {s['read_strict']}/{s['total']}, "
          f"wrong {s['wrong_strict']}, the difference being the {len(MISLABELLED)} mislabelled photos)")
    print("missed:", ", ".join("/".join(k) for k in s["missed"]))
    assert s["wrong"] == 0, f"wrong texts: {s['wrong_items']}"
    assert s["read"] >= MIN_READ, f"read {s['read']}/{s['total']}, below the {MIN_READ} floor"
    # against the labels as written, only the mislabelled photos may differ
    assert s["wrong_strict"] <= len(MISLABELLED)
    assert s["read_strict"] >= MIN_READ
