"""Fuzz the member-code parser: generated, mutated, truncated, extended and re-signed codes.

    .venv/bin/python -m benchmarks.fuzz_codes --n 1000000 [--resolve-every 1] [--seed 1]

Each case goes through `app.codes.verify` and (every --resolve-every cases) through
`store.members.resolve` on a real, encrypted store database. Counted:
- unexpected exceptions: anything other than CodeRefused / NotFound / InvalidInput (must be 0);
- accepted forgeries: a case accepted whose signed content (key id, member id, serial, signature)
  is not one this store issued (must be 0). A mutation that only changes the spelling (lower case,
  full-width letters, spaces around) and decodes to a genuine code is accepted rightly and is
  counted as `accepted_genuine`.
Prints one JSON document.
"""
from __future__ import annotations

import argparse
import base64
import json
import os
import random
import struct
import sys
import tempfile
import time
import traceback
import uuid
from pathlib import Path

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
NOISE = ALPHABET + "abcdefghijklmnopqrstuvwxyz0189=-_ +/\n\t\x00" + "ＡＢＴＳＧ１２３ーｱア漢\u200b\ufeff\U0001f600"


def _encode_raw(body: bytes, signature: bytes) -> str:
    from app.codes import PREFIX

    return PREFIX + base64.b32encode(body + signature).decode("ascii").rstrip("=")


def _sign(private: bytes, body: bytes) -> bytes:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from app.codes import PREFIX

    return Ed25519PrivateKey.from_private_bytes(private).sign(PREFIX.encode() + body)


class Fuzzer:
    def __init__(self, rng: random.Random, genuine: list[str], own_key_id: str, foreign: tuple[str, bytes],
                 known_members: list[str]):
        self.rng = rng
        self.genuine = genuine
        self.own_key_id = own_key_id
        self.foreign_key_id, self.foreign_private = foreign
        self.members = known_members
        self.strategies = [
            ("genuine", self.genuine_code, 1),
            ("bit_flip", self.bit_flip, 6),
            ("char_sub", self.char_sub, 6),
            ("truncate", self.truncate, 3),
            ("extend", self.extend, 3),
            ("resign_foreign_as_own", self.resign_foreign_as_own, 3),
            ("resign_foreign", self.resign_foreign, 1),
            ("swap_fields", self.swap_fields, 3),
            ("random_text", self.random_text, 2),
            ("case_and_width", self.case_and_width, 1),
        ]
        self.weights = [w for *_, w in self.strategies]

    def pick(self) -> tuple[str, str]:
        name, fn, _ = self.rng.choices(self.strategies, weights=self.weights)[0]
        return name, fn()

    def _raw(self, code: str) -> bytearray:
        b32 = code[4:]
        return bytearray(base64.b32decode(b32 + "=" * (-len(b32) % 8)))

    def genuine_code(self) -> str:
        return self.rng.choice(self.genuine)

    def bit_flip(self) -> str:
        raw = self._raw(self.genuine_code())
        for _ in range(self.rng.choice((1, 1, 1, 2, 3, 8))):
            i = self.rng.randrange(len(raw))
            raw[i] ^= 1 << self.rng.randrange(8)
        return _encode_raw(bytes(raw[:24]), bytes(raw[24:]))

    def char_sub(self) -> str:
        s = list(self.genuine_code())
        for _ in range(self.rng.choice((1, 1, 2, 3))):
            i = self.rng.randrange(len(s))
            s[i] = self.rng.choice(NOISE if self.rng.random() < 0.3 else ALPHABET)
        return "".join(s)

    def truncate(self) -> str:
        s = self.genuine_code()
        return s[: self.rng.randrange(len(s))]

    def extend(self) -> str:
        s = self.genuine_code()
        extra = "".join(self.rng.choice(ALPHABET if self.rng.random() < 0.8 else NOISE)
                        for _ in range(self.rng.randint(1, 16)))
        return s + extra if self.rng.random() < 0.8 else extra + s

    def resign_foreign_as_own(self) -> str:
        """The forger's best shot: our key id, a real member, signed with a key we do not hold."""
        body = bytes.fromhex(self.own_key_id) + uuid.UUID(self.rng.choice(self.members)).bytes + \
            struct.pack(">I", self.rng.randrange(2**32))
        return _encode_raw(body, _sign(self.foreign_private, body))

    def resign_foreign(self) -> str:
        body = bytes.fromhex(self.foreign_key_id) + uuid.UUID(self.rng.choice(self.members)).bytes + \
            struct.pack(">I", self.rng.randrange(2**32))
        return _encode_raw(body, _sign(self.foreign_private, body))

    def swap_fields(self) -> str:
        """A genuine signature on another code's body (or a body with another member/serial)."""
        a, b = self._raw(self.genuine_code()), self._raw(self.genuine_code())
        body = bytearray(a[:24])
        which = self.rng.randrange(3)
        if which == 0:
            body[4:20] = uuid.UUID(self.rng.choice(self.members)).bytes
        elif which == 1:
            body[20:24] = struct.pack(">I", self.rng.randrange(2**32))
        else:
            body = bytearray(b[:24])
        return _encode_raw(bytes(body), bytes(a[24:]))

    def random_text(self) -> str:
        n = self.rng.randint(0, 200)
        pool = NOISE if self.rng.random() < 0.5 else ALPHABET
        s = "".join(self.rng.choice(pool) for _ in range(n))
        return ("TSG1" + s) if self.rng.random() < 0.7 else s

    def case_and_width(self) -> str:
        s = self.genuine_code()
        r = self.rng.random()
        if r < 0.33:
            return s.lower()
        if r < 0.66:  # full-width (NFKC folds it back)
            return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in s)
        return "  " + s + "\n"


def run(n: int, seed: int = 1, resolve_every: int = 1, folder: Path | None = None, log=None) -> dict:
    from benchmarks.gen_store import install_memory_keyring

    install_memory_keyring(Path(tempfile.mkdtemp()) / "keys.json")
    from app import codes
    from app.errors import CodeRefused, InvalidInput, NotFound
    from app.services.setup import init_store
    from app.store import Actor, Store

    log = log or (lambda m: None)
    folder = Path(folder or tempfile.mkdtemp(prefix="tsumugi-fuzz-"))
    store = Store.open(folder / "store.sqlite")
    init_store(store, "S001")
    actor = Actor(staff_id=None, role="system")
    genuine, members = [], []
    for i in range(20):
        reg = store.members.register(actor, "フズテスト", phone=f"0901111{i:04d}")
        members.append(reg.member.id)
        genuine.append(reg.code)
    for mid in members[:5]:  # revoked cards too: their old codes must be refused
        genuine.append(store.members.reissue(actor, mid))
    with store.db.read() as s:
        keys = store.members.public_keys(s)
    own_key_id = next(iter(keys))
    fkey_id, fpriv, _ = codes.new_key_pair()
    genuine_set = set()
    for g in genuine:
        p = codes.parse(g)
        genuine_set.add((p.key_id, p.member_id, p.serial, p.signature))

    fz = Fuzzer(random.Random(seed), genuine, own_key_id, (fkey_id, fpriv), members)
    allowed = (CodeRefused, NotFound, InvalidInput)
    counts = {"cases": 0, "resolved_cases": 0, "unexpected_exceptions": 0, "accepted_forgeries": 0,
              "accepted_genuine": 0, "refused": 0, "resolved_as_number": 0}
    per_strategy: dict[str, int] = {}
    refusal_codes: dict[str, int] = {}
    samples: list[dict] = []
    started = time.perf_counter()
    for i in range(n):
        name, text = fz.pick()
        per_strategy[name] = per_strategy.get(name, 0) + 1
        counts["cases"] += 1
        # 1. the parser/verifier alone
        try:
            p = codes.verify(text, keys)
            if (p.key_id, p.member_id, p.serial, p.signature) in genuine_set:
                counts["accepted_genuine"] += 1
            else:
                counts["accepted_forgeries"] += 1
                samples.append({"where": "verify", "strategy": name, "text": text})
        except allowed as exc:
            counts["refused"] += 1
            refusal_codes[exc.code] = refusal_codes.get(exc.code, 0) + 1
        except Exception:  # noqa: BLE001 - this is what we count
            counts["unexpected_exceptions"] += 1
            if len(samples) < 20:
                samples.append({"where": "verify", "strategy": name, "text": text, "trace": traceback.format_exc()})
        # 2. the counter's path (database included)
        if resolve_every and i % resolve_every == 0:
            counts["resolved_cases"] += 1
            try:
                member = store.members.resolve(text)
                if codes.looks_like_member_code(text):
                    p = codes.parse(text)
                    if (p.key_id, p.member_id, p.serial, p.signature) not in genuine_set:
                        counts["accepted_forgeries"] += 1
                        samples.append({"where": "resolve", "strategy": name, "text": text})
                else:
                    counts["resolved_as_number"] += 1
                    samples.append({"where": "resolve-number", "strategy": name, "text": text, "member": member.id})
            except allowed:
                pass
            except Exception:  # noqa: BLE001
                counts["unexpected_exceptions"] += 1
                if len(samples) < 20:
                    samples.append({"where": "resolve", "strategy": name, "text": text,
                                    "trace": traceback.format_exc()})
        if log and i and i % 100_000 == 0:
            log(f"fuzz_codes: {i:,} cases, {time.perf_counter() - started:,.0f} s")
    seconds = time.perf_counter() - started
    store.close()
    return {"name": "fuzz.member_codes", **counts, "seed": seed, "resolve_every": resolve_every,
            "seconds": round(seconds, 1), "cases_per_s": round(n / seconds) if seconds else None,
            "per_strategy": per_strategy, "refusal_codes": refusal_codes, "samples": samples[:10]}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=1_000_000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--resolve-every", type=int, default=1,
                   help="send every k-th case through store.members.resolve too (0: never)")
    args = p.parse_args(argv)
    result = run(args.n, args.seed, args.resolve_every, log=lambda m: print(m, file=sys.stderr, flush=True))
    print(json.dumps(result, ensure_ascii=False))
    return 1 if result["unexpected_exceptions"] or result["accepted_forgeries"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
