"""``decode`` command: decode barcode images and print what they yield (wired by app/cli.py)."""
from __future__ import annotations

import json
import sys
from typing import Sequence, TextIO

from app.scanning.decoders import ImageLoadError, decode_image, load_image

__all__ = ["decode_command", "decode_paths"]


def decode_paths(paths: Sequence[str]) -> list[dict]:
    """One dict per read (path, format, text, decoder, fallback); an image with no read gives one
    dict with those fields None; a file that cannot be read gives one dict with an "error"."""
    rows: list[dict] = []
    for path in paths:
        empty = {"path": str(path), "format": None, "text": None, "decoder": None, "fallback": None}
        try:
            image = load_image(path)
        except ImageLoadError as exc:
            rows.append({**empty, "error": str(exc)})
            continue
        try:
            results = decode_image(image)
        except Exception as exc:  # a decoder crash on one file must not hide the others
            rows.append({**empty, "error": f"decoding failed: {type(exc).__name__}: {exc}"})
            continue
        if not results:
            rows.append(empty)
        for r in results:
            rows.append({"path": str(path), "format": r.format, "text": r.text,
                         "decoder": r.decoder, "fallback": r.fallback})
    return rows


def decode_command(paths: list[str], as_json: bool, *, out: TextIO | None = None,
                   err: TextIO | None = None) -> int:
    """Print what each image yields; exit code 1 if any file could not be read/decoded, else 0.

    ``as_json``: one JSON document, a list of objects with keys path, format, text, decoder,
    fallback (None when nothing was read) and "error" for files that failed. Otherwise one
    tab-separated line per read: path, format, decoder[+fallback], text as a JSON string (so
    multi-line texts stay on one line); errors go to ``err``.
    """
    out = out if out is not None else sys.stdout
    err = err if err is not None else sys.stderr
    rows = decode_paths(paths)
    failed = any("error" in row for row in rows)
    if as_json:
        json.dump(rows, out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        for row in rows:
            if "error" in row:
                err.write(f"{row['path']}: error: {row['error']}\n")
            elif row["format"] is None:
                out.write(f"{row['path']}\t-\t-\t(no barcode found)\n")
            else:
                how = row["decoder"] + (f"+{row['fallback']}" if row["fallback"] else "")
                text = json.dumps(row["text"], ensure_ascii=False)
                out.write(f"{row['path']}\t{row['format']}\t{how}\t{text}\n")
    out.flush()
    return 1 if failed else 0
