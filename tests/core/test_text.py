import pytest

from app.text import format_phone, is_kana, kana_key, normalize_card_number, normalize_email, normalize_phone


@pytest.mark.parametrize("typed, stored", [
    ("090-1234-5678", "09012345678"),
    ("０９０－１２３４－５６７８", "09012345678"),      # full-width digits and hyphen
    ("090ー1234ー5678", "09012345678"),               # katakana prolonged sound mark
    ("090‐1234‐5678", "09012345678"),                 # U+2010 hyphen
    ("090−1234−5678", "09012345678"),                 # U+2212 minus
    ("090 1234 5678", "09012345678"),
    ("０９０　１２３４　５６７８", "09012345678"),    # ideographic spaces
    ("+81 90-1234-5678", "09012345678"),
    ("+81-3-1234-5678", "0312345678"),
    ("(03)1234-5678", "0312345678"),
    ("0081 90 1234 5678", "09012345678"),
])
def test_phone_numbers_in_any_form_meet_one_stored_form(typed, stored):
    assert normalize_phone(typed) == stored


@pytest.mark.parametrize("bad", ["1234", "090-1234-567", "abc", "", "9012345678", "090-1234-56789-0"])
def test_implausible_phone_numbers_are_refused(bad):
    assert normalize_phone(bad) is None


@pytest.mark.parametrize("typed, key", [
    ("やまだ はなこ", "ヤマダハナコ"),
    ("ヤマダ　ハナコ", "ヤマダハナコ"),
    ("ﾔﾏﾀﾞﾊﾅｺ", "ヤマダハナコ"),        # half-width kana with a separate dakuten
    ("やまだ", "ヤマダ"),
    ("ヴぁいおりん", "ヴァイオリン"),
])
def test_kana_keys_are_hiragana_katakana_and_width_insensitive(typed, key):
    assert kana_key(typed) == key


def test_kana_detection():
    assert is_kana("ヤマダ ハナコ") and is_kana("やまだ") and is_kana("ｻﾄｳ")
    assert not is_kana("山田") and not is_kana("Yamada") and not is_kana("  ")


def test_emails_and_card_numbers():
    assert normalize_email(" Hanako@Example.JP ") == "hanako@example.jp"
    assert normalize_email("ｈａｎａｋｏ＠ｅｘａｍｐｌｅ．ｊｐ") == "hanako@example.jp"
    assert normalize_email("not an address") is None
    assert normalize_card_number("１２３４－５６７８ ９０") == "1234567890"
    assert normalize_card_number("a1234b") == "A1234B"


def test_phone_display():
    assert format_phone("09012345678") == "090-1234-5678"
    assert format_phone("0312345678") == "03-1234-5678"
