"""One legacy row → one normalised record and its issues (the validation report).

Normalisation is the counter's (MemberService.clean_fields, app.text): NFKC first, so full-width
digits, the dashes － ー ‐ − and half-width kana (ﾔﾏﾀﾞ) meet the stored form.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from app.errors import InvalidInput
from app.legacy_import.reader import cell_text
from app.services.members import MemberService
from app.services.migration import normalize_legacy_card
from app.text import is_kana, kana_key, nfkc

MAX_POINTS = 10_000_000
MAX_STAMPS = 100_000

# Reasons, by code (English; the UI translates by code).
REASONS = {
    "missing_kana": "No name kana (フリガナ), and the name is not written in kana.",
    "bad_kana": "Name kana must be written in kana.",
    "bad_phone": "The phone number does not look right (10 or 11 digits, starting with 0).",
    "bad_email": "The e-mail address does not look right.",
    "bad_date": "Not a real date.",
    "future_date": "The date is in the future.",
    "bad_points": "Points must be a whole number.",
    "negative_points": "Points cannot be negative.",
    "too_many_points": "Too many points for one member.",
    "bad_stamps": "Stamps must be a whole number, 0 or more.",
    "bad_card_number": "The card number does not look right.",
    "bad_check_digit": "The card number's check digit is wrong.",
    "card_already_migrated": "This card was already migrated.",
    "card_revoked": "This card was cancelled.",
    "duplicate_card_in_file": "The same card number appears on an earlier row.",
    "duplicate_row": "The same row appears earlier in the file.",
    "already_imported": "Imported before (same file, same row).",
    "duplicate_skipped": "A duplicate, skipped by the decision for its group.",
}
ERRORS = {"missing_kana", "bad_kana", "bad_phone", "bad_email", "bad_date", "future_date", "bad_points",
          "negative_points", "too_many_points", "bad_stamps", "bad_card_number", "bad_check_digit",
          "card_already_migrated", "card_revoked", "duplicate_card_in_file"}

_ERAS = {"明治": 1868, "大正": 1912, "昭和": 1926, "平成": 1989, "令和": 2019,
         "M": 1868, "T": 1912, "S": 1926, "H": 1989, "R": 2019}
_YMD = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_ERA = re.compile(r"^(明治|大正|昭和|平成|令和|[MTSHR])\s*(\d{1,2}|元)\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_EXCEL_EPOCH = date(1899, 12, 30)
_YES = {"1", "y", "yes", "true", "はい", "可", "○", "〇", "◯", "有", "あり", "希望", "する", "同意", "ok"}


def parse_date(value) -> date:
    """A legacy date: a date cell, an Excel serial number, 2023/1/5, 2023-01-05, 2023年1月5日,
    20230105, or a Japanese era (昭和55年3月1日, S55.3.1, 令和元年5月1日). Raises ValueError."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 1 <= value <= 80000 and float(value).is_integer():
            return _EXCEL_EPOCH + timedelta(days=int(value))
        raise ValueError("not a date")
    text = nfkc(str(value)).strip().upper()
    text = re.split(r"[ T]\d{1,2}:\d{2}", text)[0].strip()
    m = _YMD.match(text) or _COMPACT.match(text)
    if m:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = _ERA.match(text)
    if m:
        n = 1 if m.group(2) == "元" else int(m.group(2))
        return date(_ERAS[m.group(1)] + n - 1, int(m.group(3)), int(m.group(4)))
    if text.isdigit() and 1 <= int(text) <= 80000 and len(text) <= 5:
        return _EXCEL_EPOCH + timedelta(days=int(text))
    raise ValueError("not a date")


def parse_int(value) -> int:
    """'1,200', '１２００', '1200pt', '1200ポイント', 1200.0 → 1200. Raises ValueError."""
    if isinstance(value, bool):
        raise ValueError("bool")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise ValueError("fraction")
    text = nfkc(str(value)).strip().replace(",", "").replace(" ", "")
    text = re.sub(r"(?i)(pt|pts|points?|p|ポイント|点|個|コ)$", "", text)
    text = text.replace("−", "-").replace("ー", "-").replace("△", "-").replace("▲", "-")
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    if re.fullmatch(r"[+-]?\d+\.0+", text):
        return int(float(text))
    raise ValueError("not a whole number")


@dataclass(frozen=True)
class Issue:
    row_no: int
    field: str | None
    column: str | None
    code: str
    value: str = ""
    params: dict = field(default_factory=dict)

    @property
    def severity(self) -> str:
        return "error" if self.code in ERRORS else "warning"

    @property
    def message(self) -> str:
        return REASONS.get(self.code, self.code)

    def as_dict(self) -> dict:
        return {"row": self.row_no, "field": self.field, "column": self.column, "code": self.code,
                "severity": self.severity, "message": self.message, "value": self.value, **self.params}


@dataclass(slots=True)
class Record:
    row_no: int
    key: str
    name: str | None = None
    name_kana: str | None = None
    kana_key: str | None = None
    phone: str | None = None
    email: str | None = None
    birthday: str | None = None
    card_number: str | None = None
    points: int = 0
    stamps: int | None = None
    last_visit: str | None = None       # YYYY-MM-DD
    consent_marketing: bool = False
    card_check_failed: bool = False     # 8/13 digits failing the JAN check digit
    errors: list | None = None          # list[Issue] (errors only)
    skip: str | None = None             # reason code when skipped without an error (duplicate_row...)

    @property
    def ok(self) -> bool:
        return not self.errors and self.skip is None

    def stored(self) -> dict:
        return {"row": self.row_no, "name": self.name, "name_kana": self.name_kana, "phone": self.phone,
                "email": self.email, "birthday": self.birthday, "card_number": self.card_number,
                "points": self.points, "stamps": self.stamps, "last_visit": self.last_visit,
                "consent_marketing": self.consent_marketing}


def row_key(file_id: str, values: list) -> str:
    """Stable key of a row: its file (normalised name) and its cells' text."""
    h = hashlib.sha256(file_id.encode())
    for v in values:
        h.update(b"\x1f")
        h.update(cell_text(v).encode())
    return h.hexdigest()


def parse_row(row_no: int, values: list, columns: dict[str, int], headers: list[str], file_id: str,
              today: date, stamps_to_points=None) -> Record:
    """Normalise one row; DB-dependent checks (card already migrated, duplicates) come later."""
    width = len(values)
    used = list(values)
    while used and cell_text(used[-1]) == "":
        used.pop()
    rec = Record(row_no=row_no, key=row_key(file_id, used))  # the whole row: independent of the mapping
    errs: list[Issue] = []

    def get(f):
        i = columns.get(f)
        if i is None or i >= width:
            return None
        v = values[i]
        return None if cell_text(v) == "" else v

    def bad(f, code, v, **params):
        errs.append(Issue(row_no, f, headers[columns[f]] if f in columns else None, code, cell_text(v)[:60], params))

    name = get("name")
    rec.name = nfkc(str(name)).strip() if name is not None else None
    kana = get("name_kana")
    if kana is not None:
        k = nfkc(str(kana)).strip()
        if is_kana(k):
            rec.name_kana = k
        else:
            bad("name_kana", "bad_kana", kana)
    elif rec.name and is_kana(rec.name):
        rec.name_kana = rec.name
    else:
        errs.append(Issue(row_no, "name_kana", headers[columns["name_kana"]] if "name_kana" in columns else None,
                          "missing_kana"))
    if rec.name_kana:
        rec.kana_key = kana_key(rec.name_kana)
    for f, code in (("phone", "bad_phone"), ("email", "bad_email")):
        v = get(f)
        if v is not None:
            try:
                setattr(rec, f, MemberService.clean_fields({f: cell_text(v)})[f])
            except InvalidInput:
                bad(f, code, v)
    for f in ("birthday", "last_visit"):
        v = get(f)
        if v is not None:
            try:
                d = parse_date(v)
            except (ValueError, OverflowError):
                bad(f, "bad_date", v)
                continue
            if d > today:
                bad(f, "future_date", v)
            elif d.year < 1900:
                bad(f, "bad_date", v)
            else:
                setattr(rec, f, d.isoformat())
    v = get("card_number")
    if v is not None:
        try:
            rec.card_number = normalize_legacy_card(cell_text(v))[0]
        except InvalidInput as exc:
            if exc.code == "bad_check_digit":
                # 8 or 13 digits that fail the JAN check: a typo, or the shop's own numbering.
                # The analysis decides from the whole file (see LegacyImport._analyse).
                rec.card_number = normalize_legacy_card(cell_text(v), "CODE128")[0]
                rec.card_check_failed = True
            else:
                bad("card_number", "bad_card_number", v)
    v = get("points")
    if v is not None:
        try:
            p = parse_int(v)
        except ValueError:
            bad("points", "bad_points", v)
        else:
            if p < 0:
                bad("points", "negative_points", v)
            elif p > MAX_POINTS:
                bad("points", "too_many_points", v)
            else:
                rec.points = p
    v = get("stamps")
    if v is not None:
        try:
            n = parse_int(v)
            if n < 0 or n > MAX_STAMPS:
                raise ValueError
        except ValueError:
            bad("stamps", "bad_stamps", v)
        else:
            rec.stamps = n
            if stamps_to_points is not None:
                rec.points += stamps_to_points(n)
    v = get("consent_marketing")
    if v is not None:
        rec.consent_marketing = nfkc(cell_text(v)).strip().lower() in _YES
    rec.errors = errs or None
    return rec
