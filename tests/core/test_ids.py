"""Time-ordered request keys (app/ids.py)."""
import time
import uuid

from app.ids import new_key
from app.services.ledger import _key


def test_keys_are_version_7_uuids_that_sort_by_the_time_they_were_made():
    first = new_key()
    time.sleep(0.003)
    later = [new_key() for _ in range(200)]
    assert {k.version for k in [first, *later]} == {7}
    assert {k.variant for k in later} == {uuid.RFC_4122}
    assert all(str(first) < str(k) for k in later)  # text order (the ledger's id column) is time order
    assert abs((later[0].int >> 80) - time.time_ns() // 1_000_000) < 5_000  # the first 48 bits: Unix ms
    assert len({k.int for k in later}) == 200
    assert _key(first) == str(first)  # the ledger takes it as any request key


def test_the_random_part_follows_uuid4_so_a_seeded_run_repeats_it(monkeypatch):
    import random

    def seeded(rng):
        return lambda: uuid.UUID(int=rng.getrandbits(128), version=4)

    monkeypatch.setattr(uuid, "uuid4", seeded(random.Random(5)))
    a = [new_key().int & ((1 << 74) - 1) for _ in range(3)]
    monkeypatch.setattr(uuid, "uuid4", seeded(random.Random(5)))
    b = [new_key().int & ((1 << 74) - 1) for _ in range(3)]
    assert a == b
