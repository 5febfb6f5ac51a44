"""Japanese text normalisation for identifiers: phone numbers, e-mail, card numbers, name kana.

Everything that is stored or compared as an identifier goes through NFKC first, so full-width
digits (０９０), the dashes people type (－ ー ‐ −) and half-width kana (ﾔﾏﾀﾞ) all meet the same
stored form.
"""
from __future__ import annotations

import re
import unicodedata

# Dashes and separators that appear in typed phone and card numbers (after NFKC most full-width
# forms are ASCII already; these are the ones NFKC keeps as they are).
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―−ｰー－~〜()（）.]")
_HIRAGANA_START, _HIRAGANA_END = 0x3041, 0x3096


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "")


def normalize_phone(text: str) -> str | None:
    """Digits only, national form: '+81 90-1234-5678', '０９０－１２３４－５６７８' → '09012345678'.

    Returns None when what remains is not a plausible Japanese phone number (11 digits for
    mobiles, 10 for landlines, starting with 0), so a caller can tell the user the number is wrong.
    """
    s = _SEPARATORS.sub("", nfkc(text))
    if s.startswith("+81"):
        s = "0" + s[3:].lstrip("0")
    elif s.startswith("0081"):
        s = "0" + s[4:].lstrip("0")
    if not s.isdigit() or not s.startswith("0"):
        return None
    # Mobile, IP and M2M numbers (070/080/090/050/020) and 0800 free dial have 11 digits;
    # landlines and 0120 have 10.
    eleven = s.startswith(("070", "080", "090", "050", "020", "0800"))
    if len(s) != (11 if eleven else 10):
        return None
    return s


def phone_digits(text: str) -> str:
    """Best-effort digits of a partial phone query (for search as you type)."""
    s = _SEPARATORS.sub("", nfkc(text))
    if s.startswith("+81"):
        s = "0" + s[3:].lstrip("0")
    return s if s.isdigit() else ""


def format_phone(digits: str | None) -> str:
    """Shown as 090-1234-5678 (mobile/050/0120 3-4-4 style; landlines 2-4-4 for Tokyo/Osaka)."""
    if not digits:
        return ""
    if len(digits) == 11:
        return f"{digits[:3]}-{digits[3:7]}-{digits[7:]}"
    if len(digits) == 10:
        if digits[:2] in ("03", "06"):
            return f"{digits[:2]}-{digits[2:6]}-{digits[6:]}"
        if digits.startswith("0120"):
            return f"{digits[:4]}-{digits[4:7]}-{digits[7:]}"
        return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    return digits


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalize_email(text: str) -> str | None:
    s = nfkc(text).strip().lower()
    return s if _EMAIL.match(s) else None


def normalize_card_number(text: str) -> str:
    """Card numbers: NFKC, no spaces or hyphens, upper case (Codabar start/stop letters)."""
    return _SEPARATORS.sub("", nfkc(text)).upper()


def to_katakana(text: str) -> str:
    out = []
    for ch in text:
        code = ord(ch)
        out.append(chr(code + 0x60) if _HIRAGANA_START <= code <= _HIRAGANA_END else ch)
    return "".join(out)


def kana_key(text: str) -> str:
    """Search key for name kana: NFKC (half-width ﾔﾏﾀﾞ → ヤマダ), hiragana → katakana, no spaces.

    'やまだ はなこ', 'ヤマダ　ハナコ' and 'ﾔﾏﾀﾞﾊﾅｺ' all give 'ヤマダハナコ'.
    """
    return re.sub(r"\s+", "", to_katakana(nfkc(text)))


_KANA_ONLY = re.compile(r"^[\u30a0-\u30ffー\s]+$")


def is_kana(text: str) -> bool:
    """True when the text (after NFKC and hiragana→katakana) is kana and spaces only."""
    return bool(_KANA_ONLY.match(to_katakana(nfkc(text)))) and bool(text.strip())
