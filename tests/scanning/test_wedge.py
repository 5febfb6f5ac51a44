from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.scanning.wedge import Complete, Incomplete, Typed, WedgeClassifier, normalise_scan_text


def burst(text, start=0.0, step=5.0):
    return [(c, start + i * step) for i, c in enumerate(text)]


def typing(text, start=0.0, step=180.0):
    return [(c, start + i * step) for i, c in enumerate(text)]


def contents(events):
    out = ""
    for e in events:
        out += e.raw if isinstance(e, Complete) else e.partial if isinstance(e, Incomplete) else e.chars
    return out


# -- tables ---------------------------------------------------------------------------------------

CASES = [
    ("scanner burst with Enter", {}, burst("4901234567894\r"), [Complete("4901234567894", "4901234567894\r")]),
    ("scanner burst with LF", {}, burst("TSG1ABC\n"), [Complete("TSG1ABC", "TSG1ABC\n")]),
    ("CR LF: LF swallowed", {}, burst("TSG1ABC\r\n"), [Complete("TSG1ABC", "TSG1ABC\r")]),
    ("half burst, no terminator", {}, burst("49012345"), [Incomplete("49012345")]),
    ("slow typing passed through", {}, typing("abc"), [Typed("a"), Typed("b"), Typed("c")]),
    ("slow typing then Enter", {}, typing("ab\r"), [Typed("a"), Typed("b"), Typed("\r")]),
    ("fast but short (key rollover)", {}, burst("ab\r"), [Typed("ab\r")]),
    ("short burst, no terminator", {}, burst("abc"), [Typed("abc")]),
    ("lone Enter", {}, [("\r", 0.0)], [Typed("\r")]),
    ("Enter after a pause is not the burst's", {}, burst("4901234567894") + [("\r", 500.0)],
     [Incomplete("4901234567894"), Typed("\r")]),
    ("full-width burst normalised", {}, burst("ＴＳＧ１－００４２\r"), [Complete("TSG1-0042", "ＴＳＧ１－００４２\r")]),
    ("half-width kana folded", {}, burst("TSG1ｶﾅ99\r"), [Complete("TSG1カナ99", "TSG1ｶﾅ99\r")]),
    ("typing, then a scan", {}, typing("x") + burst("4901234567894\r", start=1000.0),
     [Typed("x"), Complete("4901234567894", "4901234567894\r")]),
    ("scan, then typing", {}, burst("4901234567894\r") + typing("ok", start=1000.0),
     [Complete("4901234567894", "4901234567894\r"), Typed("o"), Typed("k")]),
    ("two scans back to back", {}, burst("111111\r") + burst("222222\r", start=200.0),
     [Complete("111111", "111111\r"), Complete("222222", "222222\r")]),
    ("interval at the limit is a burst", {"max_interval_ms": 30}, burst("123456\r", step=30.0),
     [Complete("123456", "123456\r")]),
    ("interval over the limit is typing", {"max_interval_ms": 30}, burst("12\r", step=31.0),
     [Typed("1"), Typed("2"), Typed("\r")]),
    ("configured suffix", {"suffix": "#"}, burst("4901234567894#"), [Complete("4901234567894", "4901234567894#")]),
    ("Enter still ends with another suffix", {"suffix": "#"}, burst("4901234567894\r"),
     [Complete("4901234567894", "4901234567894\r")]),
    ("CR LF suffix", {"suffix": "\r\n"}, burst("4901234567894\r\n"), [Complete("4901234567894", "4901234567894\r\n")]),
    ("CR LF suffix, scanner sends CR only", {"suffix": "\r\n"}, burst("4901234567894\r"),
     [Complete("4901234567894", "4901234567894\r")]),
    ("prefix stripped", {"prefix": "]Q"}, burst("]QTSG1ABC\r"), [Complete("TSG1ABC", "]QTSG1ABC\r")]),
    ("prefix missing: typing", {"prefix": "]Q"}, burst("TSG1ABC\r"), [Typed("TSG1ABC\r")]),
    ("prefix counts not towards min length", {"prefix": "]Q", "min_length": 6}, burst("]Q1234\r"),
     [Typed("]Q1234\r")]),
    ("min length", {"min_length": 13}, burst("490123456789\r"), [Typed("490123456789\r")]),
]


@pytest.mark.parametrize("name, kwargs, keys, expected", CASES, ids=[c[0] for c in CASES])
def test_wedge_table(name, kwargs, keys, expected):
    assert WedgeClassifier(**kwargs).feed_all(keys) == expected


def test_events_are_held_until_poll():
    w = WedgeClassifier()
    assert w.feed("a", 0.0) == []
    assert w.pending == "a"
    assert w.poll(20.0) == []  # could still be the start of a burst
    assert w.poll(31.0) == [Typed("a")]
    assert w.pending == ""
    for c, t in burst("12345678", start=100.0):
        assert w.feed(c, t) == []
    assert w.poll(100.0 + 7 * 5 + 100) == [Incomplete("12345678")]


def test_multi_char_key_and_empty_key():
    w = WedgeClassifier()
    assert w.feed("", 0.0) == []
    assert w.feed("490123456", 0.0) == []
    assert w.feed("7894\r", 1.0) == [Complete("4901234567894", "4901234567894\r")]


def test_bad_config():
    with pytest.raises(ValueError):
        WedgeClassifier(max_interval_ms=0)
    with pytest.raises(ValueError):
        WedgeClassifier(min_length=0)


def test_normalise():
    assert normalise_scan_text("ＡＢＣ　１２３") == "ABC 123"
    assert normalise_scan_text("A\x00B\x1dC") == "AB\x1dC"


# -- properties -------------------------------------------------------------------------------------

PAYLOAD = st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=6, max_size=40)
GAPS_FAST = st.floats(min_value=0.0, max_value=30.0, allow_nan=False)
GAPS_SLOW = st.floats(min_value=30.001, max_value=2000.0, allow_nan=False)
ANY_KEY = st.sampled_from(list("abcXYZ0129-") + ["\r", "Ａ", "ｱ"])


@settings(max_examples=200, deadline=None)
@given(payload=PAYLOAD, gaps=st.lists(GAPS_FAST, min_size=60, max_size=60))
def test_any_fast_burst_with_enter_is_one_complete_scan(payload, gaps):
    t, keys = 0.0, []
    for i, c in enumerate(payload + "\r"):
        keys.append((c, t))
        t += gaps[i]
    assert WedgeClassifier().feed_all(keys) == [Complete(payload, payload + "\r")]


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=ANY_KEY, max_size=30), gaps=st.lists(GAPS_SLOW, min_size=30, max_size=30))
def test_slow_typing_is_always_passed_through_unchanged(text, gaps):
    t, keys = 0.0, []
    for i, c in enumerate(text):
        keys.append((c, t))
        t += gaps[i]
    events = WedgeClassifier().feed_all(keys)
    assert all(isinstance(e, Typed) for e in events)
    assert "".join(e.chars for e in events) == text


@settings(max_examples=300, deadline=None)
@given(keys=st.lists(st.tuples(ANY_KEY, st.floats(min_value=0.0, max_value=100.0, allow_nan=False)), max_size=60),
       min_length=st.integers(min_value=1, max_value=10))
def test_no_key_is_lost_or_invented(keys, min_length):
    t, timed = 0.0, []
    for c, gap in keys:
        t += gap
        timed.append((c, t))
    events = WedgeClassifier(min_length=min_length).feed_all(timed)
    assert contents(events) == "".join(c for c, _ in keys)
    for e in events:
        if isinstance(e, Complete):
            assert len(e.raw) - 1 >= min_length and e.raw.endswith("\r")
        if isinstance(e, Incomplete):
            assert "\r" not in e.partial and len(e.partial) >= min_length
