"""Hostile input at the counter: member codes fuzzed with hypothesis (a few thousand examples) —
only CodeRefused / NotFound / InvalidInput ever come out, and nothing unsigned is accepted.
The million-case run is benchmarks/fuzz_codes.py."""
from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import codes
from app.errors import CodeRefused, InvalidInput, NotFound
from app.services.setup import init_store
from app.store import SYSTEM, Store
from benchmarks.fuzz_codes import ALPHABET, Fuzzer


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    import keyring

    from tests.conftest import MemoryKeyring

    previous = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    store = Store.open(tmp_path_factory.mktemp("fuzz") / "s.sqlite")
    init_store(store, "S001")
    regs = [store.members.register(SYSTEM, "フズテスト") for _ in range(5)]
    with store.db.read() as s:
        keys = store.members.public_keys(s)
    fkey, fpriv, _ = codes.new_key_pair()
    genuine = {(p.key_id, p.member_id, p.serial, p.signature) for p in (codes.parse(r.code) for r in regs)}
    fz = Fuzzer(random.Random(0), [r.code for r in regs], next(iter(keys)), (fkey, fpriv),
                [r.member.id for r in regs])
    keyring.set_keyring(previous)
    yield store, keys, genuine, fz, ring._items
    store.close()


@pytest.fixture(autouse=True)
def _keys(shop, memory_keyring):
    memory_keyring._items.update(shop[4])


def _check(store, keys, genuine, text):
    try:
        p = codes.verify(text, keys)
        assert (p.key_id, p.member_id, p.serial, p.signature) in genuine, f"forgery accepted: {text!r}"
    except CodeRefused:
        pass
    try:
        m = store.members.resolve(text)
        if codes.looks_like_member_code(text):
            p = codes.parse(text)
            assert (p.key_id, p.member_id, p.serial, p.signature) in genuine, f"forgery resolved: {text!r}"
        else:
            assert m.member_no  # a member number typed: fine
    except (CodeRefused, NotFound, InvalidInput):
        pass


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1))
def test_mutated_codes(shop, seed):
    store, keys, genuine, fz, _ = shop
    fz.rng.seed(seed)
    _check(store, keys, genuine, fz.pick()[1])


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(st.text(max_size=200), st.text(alphabet=ALPHABET, max_size=200).map(lambda s: "TSG1" + s)))
def test_arbitrary_text(shop, text):
    store, keys, genuine, _, _ = shop
    _check(store, keys, genuine, text)
