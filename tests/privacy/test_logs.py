"""Every log line of the counter day, scanned for the seeded personal data: zero hits."""
from __future__ import annotations

import unicodedata

from tests.privacy.conftest import IMPORTED, SEEDED


def test_no_log_line_carries_personal_data(day):
    import logging

    for h in logging.getLogger().handlers:
        h.flush()
    lines = []
    for f in sorted(day.logs.glob("tsumugi.log*")):
        lines += f.read_text(encoding="utf-8").splitlines()
    assert len(lines) >= 2  # the day logged something (at least our own two lines)
    problems = []
    for seed in (SEEDED, IMPORTED):
        p = seed["phone"]
        forms = [p, f"{p[:3]}-{p[3:7]}-{p[7:]}", p[3:], seed["email"], seed["email"].split("@")[0],
                 seed["kana"], seed["name"]]
        for no, line in enumerate(lines):
            norm = unicodedata.normalize("NFKC", line)
            digits = "".join(ch for ch in norm if ch.isdigit())
            for form in forms:
                if form and (form in norm):
                    problems.append(f"line {no}: {form!r}")
            if p in digits.replace(" ", ""):
                problems.append(f"line {no}: phone digits")
    assert problems == [], problems
