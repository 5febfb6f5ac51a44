"""Coverage-guided fuzzing of the member-code parser with atheris (libFuzzer), if installed.

    .venv/bin/pip install atheris
    .venv/bin/python benchmarks/fuzz_codes_atheris.py -runs=1000000 -seed=1

Any exception other than CodeRefused, or an accepted code this process did not sign, aborts the
run with the input saved by libFuzzer. Parser only (no database): the resolve path is covered by
benchmarks/fuzz_codes.py.
"""
import sys

import atheris

with atheris.instrument_imports():
    from app import codes
    from app.errors import CodeRefused

KEY_ID, PRIVATE, PUBLIC = codes.new_key_pair()
KEYS = {KEY_ID: (PUBLIC, False)}
SEEDS = [codes.encode(PRIVATE, KEY_ID, "6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f", n) for n in range(4)]
GENUINE = {codes.parse(s).signature for s in SEEDS}


def test_one(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    mode = fdp.ConsumeIntInRange(0, 2)
    if mode == 0:
        text = fdp.ConsumeUnicodeNoSurrogates(300)
    elif mode == 1:
        text = "TSG1" + fdp.ConsumeUnicodeNoSurrogates(300)
    else:  # a genuine code with bytes of the input spliced in
        base = SEEDS[fdp.ConsumeIntInRange(0, len(SEEDS) - 1)]
        at = fdp.ConsumeIntInRange(0, len(base))
        text = base[:at] + fdp.ConsumeUnicodeNoSurrogates(8) + base[at + fdp.ConsumeIntInRange(0, 8):]
    try:
        parsed = codes.verify(text, KEYS)
    except CodeRefused:
        return
    if parsed.signature not in GENUINE:
        raise AssertionError(f"forgery accepted: {text!r}")


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one)
    atheris.Fuzz()
