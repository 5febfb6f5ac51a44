"""Column mapping (項目の対応付け): which column of the legacy file holds which member field.

Guessed from Japanese and English headers (氏名, フリガナ, 電話番号, メールアドレス, 生年月日,
カード番号, ポイント, 最終来店日, ...), editable on the mapping screen, saved as JSON for next time:

    {"format": "tsumugi-legacy-mapping", "version": 1,
     "fields": {"name": "氏名", "name_kana": "フリガナ", "phone": "電話番号", ...},
     "encoding": null, "sheet": null, "default_decision": "merge", "on_bad_rows": "skip"}

Columns are named by their header text (so a mapping survives a reordered file); an integer is
taken as a 0-based column index.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from app.errors import InvalidInput
from app.text import nfkc

FIELDS = ("name", "name_kana", "phone", "email", "birthday", "card_number", "points", "stamps",
          "last_visit", "consent_marketing")

# Normalised header (see header_key) → field. Order within a field: most specific first.
ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("氏名", "名前", "お名前", "顧客名", "会員名", "お客様名", "姓名", "氏名漢字", "name", "fullname",
             "customername", "membername"),
    "name_kana": ("フリガナ", "ふりがな", "カナ", "カナ氏名", "氏名カナ", "氏名フリガナ", "よみがな", "ヨミガナ", "読み",
                  "よみ", "セイメイ", "kana", "namekana", "furigana", "name_kana"),
    "phone": ("電話番号", "電話", "tel", "携帯", "携帯番号", "携帯電話", "携帯電話番号", "連絡先電話番号", "自宅電話",
              "phone", "telephone", "mobile", "phonenumber", "tel番号"),
    "email": ("メールアドレス", "メール", "eメール", "emailアドレス", "mail", "email", "e-mail", "emailaddress"),
    "birthday": ("生年月日", "誕生日", "birthday", "dateofbirth", "dob", "birthdate"),
    "card_number": ("カード番号", "会員カード番号", "ポイントカード番号", "カードno", "カードno.", "カードnum", "cardno",
                    "cardnumber", "card", "会員番号", "会員no", "顧客番号", "memberno", "membernumber"),
    "points": ("ポイント", "ポイント残高", "残ポイント", "保有ポイント", "現在ポイント", "現在のポイント", "残高", "pt",
               "points", "point", "balance", "pointbalance"),
    "stamps": ("スタンプ", "スタンプ数", "押印数", "stamps", "stamp"),
    "last_visit": ("最終来店日", "最終来店", "前回来店日", "最終利用日", "最終購入日", "lastvisit", "last_visit",
                   "lastvisitdate"),
    "consent_marketing": ("メールマガジン", "メールマガジン希望", "dm", "dm可", "dm送付", "dm希望", "お知らせ配信", "お知らせ配信の同意", "メルマガ", "メルマガ希望",
                          "案内可", "consent", "marketingconsent", "optin"),
}
# Headers that look like a field but are not (cumulative points are not a balance).
NOT_FIELDS = ("累計ポイント", "累計", "付与ポイント", "使用ポイント", "利用ポイント", "来店回数", "total")

_STRIP = re.compile(r"[\s_\-‐−－ー・:：()（）\[\]【】「」]")


def header_key(text: str) -> str:
    return _STRIP.sub("", nfkc(text or "").lower())


_EXACT = {header_key(a): f for f, names in ALIASES.items() for a in names}
_LOOSE = sorted(((header_key(a), f) for f, names in ALIASES.items() for a in names
                 if len(header_key(a)) >= (2 if not header_key(a).isascii() else 3)),
                key=lambda t: -len(t[0]))
_NOT = {header_key(x) for x in NOT_FIELDS}


def guess_field(header: str) -> tuple[str | None, int]:
    """(field, strength): 2 exact alias, 1 contains an alias, 0 nothing."""
    key = header_key(header)
    if not key or any(n in key for n in _NOT):
        return None, 0
    if key in _EXACT:
        return _EXACT[key], 2
    for alias, f in _LOOSE:
        if alias in key:
            return f, 1
    return None, 0


def header_score(cells: list[str]) -> int:
    """How much a row looks like column names (used to find the header row)."""
    return sum(1 for c in cells if guess_field(c)[0] is not None)


@dataclass
class Mapping:
    fields: dict[str, str | int] = field(default_factory=dict)  # field → header name or 0-based index
    encoding: str | None = None
    sheet: str | None = None
    default_decision: str = "merge"
    on_bad_rows: str = "skip"

    def to_json(self) -> dict:
        return {"format": "tsumugi-legacy-mapping", "version": 1, "fields": dict(self.fields),
                "encoding": self.encoding, "sheet": self.sheet, "default_decision": self.default_decision,
                "on_bad_rows": self.on_bad_rows}

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_json(), ensure_ascii=False, indent=2), encoding="utf-8")

    @classmethod
    def from_json(cls, data: dict) -> "Mapping":
        if not isinstance(data, dict) or not isinstance(data.get("fields"), dict):
            raise InvalidInput("This is not a Tsumugi column mapping file.", code="bad_mapping")
        unknown = [k for k in data["fields"] if k not in FIELDS]
        if unknown:
            raise InvalidInput(f"Unknown fields in the mapping: {', '.join(unknown)}.", code="bad_mapping",
                               fields=unknown)
        m = cls(fields={k: v for k, v in data["fields"].items() if v not in (None, "")},
                encoding=data.get("encoding"), sheet=data.get("sheet"),
                default_decision=data.get("default_decision", "merge"), on_bad_rows=data.get("on_bad_rows", "skip"))
        m.validate_options()
        return m

    @classmethod
    def load(cls, path: str | Path) -> "Mapping":
        try:
            return cls.from_json(json.loads(Path(path).read_text(encoding="utf-8-sig")))
        except (OSError, ValueError):
            raise InvalidInput("The mapping file cannot be read.", code="bad_mapping") from None

    def validate_options(self) -> None:
        if self.default_decision not in ("merge", "separate", "skip"):
            raise InvalidInput("The default for duplicates is merge, separate or skip.", code="bad_decision")
        if self.on_bad_rows not in ("skip", "stop"):
            raise InvalidInput("Bad rows are either skipped or stop the import.", code="bad_option")

    def columns(self, headers: list[str]) -> dict[str, int]:
        """field → column index in this file. Raises InvalidInput if a mapped column is missing."""
        out = {}
        keys = [header_key(h) for h in headers]
        for f, ref in self.fields.items():
            if isinstance(ref, int) and not isinstance(ref, bool):
                if not 0 <= ref < len(headers):
                    raise InvalidInput(f"Column {ref + 1} does not exist in this file.", code="mapping_column_missing",
                                       field=f, column=ref)
                out[f] = ref
                continue
            if ref in headers:
                out[f] = headers.index(ref)
            elif header_key(str(ref)) in keys:
                out[f] = keys.index(header_key(str(ref)))
            else:
                raise InvalidInput(f"The file has no column {ref!r} (mapped to {f}).", code="mapping_column_missing",
                                   field=f, column=ref)
        if "name_kana" not in out and "name" not in out:
            raise InvalidInput("Map at least the name kana (フリガナ) or the name column.", code="mapping_incomplete")
        return out


def guess_mapping(headers: list[str], groups: list[str] | None = None) -> Mapping:
    """The best guess from the headers: each field to the column whose header matches it best
    (exact alias before a header that contains one; leftmost on a tie). 会員番号 counts as the
    card number only when no column is clearly a card number."""
    best: dict[str, tuple[int, int, int]] = {}
    for i, h in enumerate(headers):
        f, strength = guess_field(h)
        if f is None and groups and groups[i]:
            f, strength = guess_field(groups[i] + h)
            strength = min(strength, 1)
        if f is None:
            continue
        weak = f == "card_number" and header_key(h) in {header_key(x) for x in
                                                        ("会員番号", "会員no", "顧客番号", "memberno", "membernumber")}
        rank = (strength - (1 if weak else 0), -i)
        if f not in best or rank > best[f][:2]:
            best[f] = (*rank, i)
    return Mapping(fields={f: headers[v[2]] for f, v in sorted(best.items(), key=lambda kv: FIELDS.index(kv[0]))})
