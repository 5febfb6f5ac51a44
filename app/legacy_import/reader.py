"""Reading a legacy ledger file: .xlsx (openpyxl, read-only) or .csv/.tsv/.txt in UTF-8 (with or
without BOM), UTF-16 (with BOM) or CP932/Shift_JIS, detected, with a manual override.

The header is found among the first rows (the row that looks most like column names); a header
of two rows with merged cells (a group label such as 連絡先 over 電話番号 and メール, or 氏名
merged down over both rows) is folded into one name per column. In read-only mode openpyxl gives
a merged range's value in its top-left cell and None elsewhere, which is what the folding expects.
"""
from __future__ import annotations

import codecs
import csv
import hashlib
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Iterator

from app.errors import InvalidInput
from app.text import nfkc

HEADER_SCAN_ROWS = 20

ENCODING_ALIASES = {
    "utf8": "utf-8", "utf-8": "utf-8", "utf_8": "utf-8", "utf-8-sig": "utf-8-sig", "utf8-sig": "utf-8-sig",
    "utf-8-bom": "utf-8-sig", "utf16": "utf-16", "utf-16": "utf-16",
    # Excel on Windows writes CP932 (Shift_JIS plus NEC/IBM extensions such as ① and 髙): read
    # every Shift_JIS flavour as CP932, which is a superset.
    "cp932": "cp932", "ms932": "cp932", "windows-31j": "cp932", "shift_jis": "cp932", "shift-jis": "cp932",
    "sjis": "cp932", "s-jis": "cp932", "x-sjis": "cp932",
}


def normalize_encoding(name: str | None) -> str | None:
    if not name:
        return None
    key = nfkc(name).strip().lower().replace(" ", "")
    enc = ENCODING_ALIASES.get(key)
    if enc is None:
        try:
            enc = codecs.lookup(key).name
        except LookupError:
            raise InvalidInput(f"Unknown text encoding {name!r}.", code="unknown_encoding", encoding=name) from None
    return enc


def detect_encoding(data: bytes) -> str:
    """utf-8-sig (BOM), utf-16 (BOM), utf-8 (decodes strictly), else cp932 (decodes strictly)."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        data.decode("cp932")
        return "cp932"
    except UnicodeDecodeError:
        raise InvalidInput("The file is neither UTF-8 nor Shift_JIS (CP932); choose its encoding.",
                           code="unknown_encoding") from None


def cell_text(value) -> str:
    """A cell as text: '' for empty; dates as YYYY-MM-DD; integral floats without '.0'."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _is_empty(values) -> bool:
    return all(cell_text(v) == "" for v in values)


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@dataclass
class Source:
    """An opened legacy file: its columns and a way to iterate its data rows (again and again)."""
    path: Path
    kind: str  # xlsx | csv
    encoding: str | None
    headers: list[str]
    header_rows: list[int]          # 1-based row numbers of the header row(s)
    groups: list[str] = field(default_factory=list)  # merged group label over each column ('' if none)
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    delimiter: str = ","
    total_rows: int | None = None   # data rows estimate (for progress), None if unknown
    sha256: str = ""

    def rows(self) -> Iterator[tuple[int, list]]:
        """(1-based row number in the file, cell values) for every non-empty row after the header."""
        start = self.header_rows[-1]
        for row_no, values in _raw_rows(self):
            if row_no <= start or _is_empty(values):
                continue
            yield row_no, list(values)


def _raw_rows(src: Source) -> Iterator[tuple[int, tuple]]:
    if src.kind == "xlsx":
        from openpyxl import load_workbook

        wb = load_workbook(src.path, read_only=True, data_only=True)
        try:
            ws = wb[src.sheet] if src.sheet else wb.worksheets[0]
            for i, values in enumerate(ws.iter_rows(values_only=True), start=1):
                yield i, values
        finally:
            wb.close()
    else:
        with open(src.path, encoding=src.encoding, newline="") as f:
            reader = csv.reader(f, delimiter=src.delimiter)
            for i, values in enumerate(reader, start=1):
                yield i, tuple(values)


def open_source(path: str | Path, *, encoding: str | None = None, sheet: str | None = None,
                aliases=None) -> Source:
    """Open a legacy ledger, detect its encoding (CSV) and find its header. `encoding` overrides
    the detection (cp932, shift_jis, utf-8, utf-8-sig...)."""
    from app.legacy_import.mapping import header_score

    path = Path(path)
    if not path.is_file():
        raise InvalidInput("No such file.", code="file_missing")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        src = _open_xlsx(path, sheet)
    elif suffix in (".csv", ".tsv", ".txt"):
        src = _open_csv(path, encoding)
    elif suffix == ".xls":
        raise InvalidInput("Old .xls files cannot be read: save the sheet as .xlsx or CSV in Excel.",
                           code="xls_not_supported")
    else:
        raise InvalidInput("Choose an .xlsx or .csv file.", code="unsupported_file")
    first = []
    for row_no, values in _raw_rows(src):
        if not _is_empty(values):
            first.append((row_no, [cell_text(v) for v in values]))
        if len(first) >= HEADER_SCAN_ROWS or row_no > 200:
            break
    if not first:
        raise InvalidInput("The file has no rows.", code="empty_file")
    width = max(len(v) for _, v in first)
    first = [(n, v + [""] * (width - len(v))) for n, v in first]
    scores = [header_score(v) for _, v in first]
    best = max(range(len(first)), key=lambda i: (scores[i], -i)) if max(scores) > 0 else 0
    block = [best]
    if best + 1 < len(first) and scores[best + 1] > 0 and first[best + 1][0] == first[best][0] + 1:
        block = [best, best + 1]
    elif best > 0 and first[best - 1][0] == first[best][0] - 1 and \
            sum(1 for c in first[best - 1][1] if c) < sum(1 for c in first[best][1] if c):
        block = [best - 1, best]
    if len(block) == 2:
        parent, child = first[block[0]][1], first[block[1]][1]
        headers, groups = [], []
        group = ""
        for i in range(width):
            if parent[i]:
                group = parent[i]
            if child[i]:
                headers.append(child[i])
                groups.append(group if not parent[i] or parent[i] != child[i] else "")
            elif parent[i]:
                headers.append(parent[i])   # merged down over both header rows
                groups.append("")
            else:
                headers.append(f"{group} ({i + 1})" if group else "")
                groups.append(group)
    else:
        row = first[best][1]
        headers, groups = [], [""] * width
        last = ""
        for i, h in enumerate(row):
            if h:
                last = h
                headers.append(h)
            else:
                headers.append(f"{last} ({i + 1})" if last else "")
    headers = [h or f"column {i + 1}" for i, h in enumerate(headers)]
    seen: dict[str, int] = {}
    for i, h in enumerate(headers):       # unique names (a mapping refers to columns by name)
        if h in seen:
            seen[h] += 1
            headers[i] = f"{h} ({seen[h]})"
        else:
            seen[h] = 1
    src.headers = headers
    src.groups = groups
    src.header_rows = [first[i][0] for i in block]
    src.sha256 = file_sha256(path)
    return src


def _open_xlsx(path: Path, sheet: str | None) -> Source:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, KeyError...: not a readable workbook
        raise InvalidInput("This Excel file cannot be read (damaged, or not an .xlsx).",
                           code="unreadable_file", detail=type(exc).__name__) from None
    try:
        names = list(wb.sheetnames)
        if sheet is not None and sheet not in names:
            raise InvalidInput(f"The workbook has no sheet {sheet!r}.", code="no_such_sheet", sheet=sheet)
        ws = wb[sheet] if sheet else wb.worksheets[0]
        total = ws.max_row if isinstance(ws.max_row, int) and ws.max_row > 1 else None
        return Source(path=path, kind="xlsx", encoding=None, headers=[], header_rows=[1], sheet=sheet or names[0],
                      sheets=names, total_rows=total)
    finally:
        wb.close()


def _open_csv(path: Path, encoding: str | None) -> Source:
    data = path.read_bytes()
    enc = normalize_encoding(encoding) or detect_encoding(data)
    if enc == "utf-8" and data.startswith(codecs.BOM_UTF8):
        enc = "utf-8-sig"
    try:
        text = data.decode(enc)
    except UnicodeDecodeError:
        raise InvalidInput(f"The file cannot be read as {enc}; choose another encoding.",
                           code="wrong_encoding", encoding=enc) from None
    sample = text[:20000]
    delimiter = ","
    if path.suffix.lower() == ".tsv" or enc == "utf-16":
        delimiter = "\t"
    else:
        try:
            delimiter = csv.Sniffer().sniff(sample, delimiters=",\t;").delimiter
        except csv.Error:
            delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    total = sum(1 for _ in csv.reader(io.StringIO(text), delimiter=delimiter)) if len(data) < 50_000_000 else None
    del text, data
    return Source(path=path, kind="csv", encoding=enc, headers=[], header_rows=[1], delimiter=delimiter,
                  total_rows=total)
