"""Request keys that sort by time (UUID version 7, RFC 9562).

A points action's idempotency key, made when the cashier starts the action, becomes the ledger
entry's id, its lot's entry id and its outbox event id: three unique indexes. A random (version 4)
key lands on a random leaf page of each: a page to read from disk and decrypt, and on a packed
index (a restored backup, a store after VACUUM) a page split. A key that starts with the time lands
next to the previous one, on the page the last action already had in memory.

A new member's id, made when the registration form (or the paper-card wizard) opens, is made the
same way: members registered one after another then sit side by side in the members indexes, and a
new store's first sync appends them instead of writing all over three random indexes
(`python -m benchmarks.sync pull --member-ids ordered`). The id carries the registration time, which
the member's created_at records anyway.

The 74 random bits keep keys unguessable enough for what they are (a replay guard, never a
credential); the time in them is the time the action started, which the entry records anyway.
"""
from __future__ import annotations

import time
import uuid


def new_key() -> uuid.UUID:
    """A fresh UUIDv7: 48 bits of Unix milliseconds, then 74 random bits (from uuid4, so a test or
    simulation that seeds uuid4 gets the same random part)."""
    ms = time.time_ns() // 1_000_000
    rand = uuid.uuid4().int  # 122 random bits; 74 of them used
    rand_a = (rand >> 64) & 0xFFF
    rand_b = rand & ((1 << 62) - 1)
    value = (ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | rand_a << 64 | 0b10 << 62 | rand_b
    return uuid.UUID(int=value)
