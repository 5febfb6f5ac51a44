"""Core benchmarks on a generated store: the counter's earn, member search, the file size.

``run(db, ...)`` works on the database at ``db`` (it writes to it: use a copy of the cached one,
as ``python -m benchmarks`` does) and returns one dict per figure.

The generator's signing key lived in its process's in-memory keyring, so this adds a fresh store
key (as a key rotation would) and reissues the cards of the sampled members through
``MemberService.reissue``; their new member codes are what the "cashier" scans.
"""
from __future__ import annotations

import math
import os
import random
import time
from datetime import timedelta
from pathlib import Path

EARN_TARGET_MS = 5.0
SEARCH_TARGET_MS = 30.0


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return float("nan")
    k = max(0, min(len(sorted_values) - 1, math.ceil(q * len(sorted_values)) - 1))
    return sorted_values[k]


def figure(name: str, samples_ns: list[int], target_ms: float | None, **context) -> dict:
    ms = sorted(x / 1e6 for x in samples_ns)
    p50, p99 = percentile(ms, 0.50), percentile(ms, 0.99)
    out = {"name": name, "p50_ms": round(p50, 3), "p99_ms": round(p99, 3), "n": len(ms), "target_ms": target_ms,
           "unit": "ms", "max_ms": round(ms[-1], 3) if ms else None,
           "mean_ms": round(sum(ms) / len(ms), 3) if ms else None}
    if target_ms is not None and ms:
        out["meets_target"] = p99 <= target_ms
    out["loadavg_1m"] = round(os.getloadavg()[0], 2)  # a shared 2-core machine: say how busy it was
    out.update(context)
    return out


def value_figure(name: str, value, unit: str, **context) -> dict:
    return {"name": name, "p50_ms": None, "p99_ms": None, "n": 1, "target_ms": None, "unit": unit,
            "value": value, **context}


def _add_bench_key(store) -> str:
    """A new own signing key whose private half is in this process's keyring."""
    from app.clock import iso
    from app.codes import new_key_pair
    from app.models import SigningKey
    from app.secrets import set_secret
    from app.services.members import signing_secret_name

    key_id, private, public = new_key_pair()
    set_secret(signing_secret_name(key_id), private.hex())
    with store.db.write() as s:
        s.add(SigningKey(key_id=key_id, public_key=public, owner=store.store_id, is_own=True,
                         created_at=iso(store.now())))
    return key_id


def _actor(store):
    """The generated manager, signed in (the PIN was never kept: the Actor is made directly)."""
    from sqlalchemy import select

    from app.models import Staff
    from app.store import Actor

    with store.db.read() as s:
        staff = s.scalars(select(Staff).where(Staff.active.is_(True)).order_by(Staff.id)).first()
    return Actor(staff_id=staff.id, role=staff.role, name=staff.name)


def _sample_members(db_path: Path, k: int, rng: random.Random) -> list[tuple]:
    """k random active members with a member code card: (id, phone, name_kana, kana_key)."""
    from app.db import connect_raw

    con = connect_raw(db_path, readonly=True)
    try:
        top = con.execute("SELECT max(rowid) FROM members").fetchone()[0] or 0
        picked: dict[str, tuple] = {}
        tries = 0
        while len(picked) < k and tries < 50:
            tries += 1
            rowids = rng.sample(range(1, top + 1), min(top, 2 * (k - len(picked)) + 10))
            q = ",".join("?" * len(rowids))
            for row in con.execute(
                    f"SELECT m.id, m.phone, m.name_kana, m.kana_key FROM members m WHERE m.rowid IN ({q}) "
                    f"AND m.status = 'active' AND EXISTS (SELECT 1 FROM cards c WHERE c.member_id = m.id "
                    f"AND c.kind = 'member_code' AND c.status = 'active')", rowids):
                if len(picked) < k:
                    picked.setdefault(row[0], row)
        out = list(picked.values())
        rng.shuffle(out)
        return out
    finally:
        con.close()


def commit_floor(directory: Path, n: int = 300, *, encrypted: bool = True) -> list[int]:
    """The cost of one durable SQLite commit on this disk, as the store's engine makes them
    (WAL, synchronous=FULL, BEGIN IMMEDIATE, one small row): the floor under every counter write.
    encrypted=True: SQLCipher with a raw key, as the store is; False: plain SQLite, for comparison."""
    import secrets
    import sqlite3

    import sqlcipher3.dbapi2 as sqlcipher

    scratch = directory / f"commit-floor-{os.getpid()}-{int(encrypted)}.db"
    try:
        if encrypted:
            con = sqlcipher.connect(str(scratch), isolation_level=None)
            con.execute(f"PRAGMA key = \"x'{secrets.token_hex(32)}'\"")
        else:
            con = sqlite3.connect(str(scratch), isolation_level=None)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=FULL")
        con.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
        out = []
        for i in range(n):
            t0 = time.perf_counter_ns()
            con.execute("BEGIN IMMEDIATE")
            con.execute("INSERT INTO t (v) VALUES (?)", ("x" * 200,))
            con.execute("COMMIT")
            out.append(time.perf_counter_ns() - t0)
        con.close()
        return out[10:]
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{scratch}{suffix}").unlink(missing_ok=True)


def _amount(rng: random.Random) -> int:
    return int(min(200_000, max(50, rng.lognormvariate(7.3, 0.85))))


def _timed(fn, *args, **kwargs):
    t0 = time.perf_counter_ns()
    result = fn(*args, **kwargs)
    return result, time.perf_counter_ns() - t0


def run(db, n: int = 2000, searches: int = 200, expiring: int = 200, seed: int = 7, meta: dict | None = None,
        members: int | None = None, entries: int | None = None, log=None) -> list[dict]:
    """Figures for the store database at ``db``. ``meta`` is the generator's sidecar (for the
    generation time and the pristine size); members/entries are context for every figure."""
    from app.clock import parse_iso
    from app.db import connect_raw
    from app.ids import new_key
    from app.store import Store, settle_heap
    from app.text import format_phone

    log = log or (lambda msg: None)
    db = Path(db)
    meta = meta or {}
    ctx = {"members": members if members is not None else meta.get("members"),
           "entries": entries if entries is not None else meta.get("entries")}
    rng = random.Random(seed)
    figures: list[dict] = []

    size_bytes = meta.get("size_bytes") or db.stat().st_size
    figures.append(value_figure("core.db_size", round(size_bytes / 1e6, 1), "MB", **ctx))
    if meta.get("generation_s") is not None:
        figures.append(value_figure("core.generate", meta["generation_s"], "s", cached=meta.get("cached", False),
                                    in_place_runs=meta.get("in_place_runs", 0), **ctx))

    store = Store.open(db, background_checkpoint=True)  # as the app opens it
    try:
        actor = _actor(store)
        _add_bench_key(store)
        paced = min(300, max(n // 4, 1))  # the paced earns' own members (after the back-to-back ones)
        sample = _sample_members(db, n + 20 + paced, rng)

        # Reissue: the sampled members get cards signed by the key this process holds.
        log(f"core: reissuing {len(sample):,} member codes")
        codes, reissue_ns = [], []
        for mid, *_ in sample:
            code, ns = _timed(store.members.reissue, actor, mid)
            codes.append(code)
            reissue_ns.append(ns)
        figures.append(figure("core.reissue_card", reissue_ns, None, **ctx))

        con = connect_raw(db, readonly=True)
        seq0 = con.execute("SELECT coalesce(max(seq), 0) FROM ledger").fetchone()[0]

        # The counter: scan → member → earn (price, entry + lot + outbox + audit, commit).
        log(f"core: {n:,} counter earns")
        settle_heap()  # as the app does once its start-up is over (ui.main.warm_up)
        warm = 20
        total_ns, resolve_ns, earn_ns, cpu_ns, thread_ns = [], [], [], [], []
        for i, code in enumerate(codes[:n + 20]):
            amount = _amount(rng)
            c0 = time.process_time_ns()
            th0 = time.thread_time_ns()
            t0 = time.perf_counter_ns()
            member = store.members.resolve(code)
            t1 = time.perf_counter_ns()
            store.ledger.earn(actor, member.id, amount, key=new_key())  # as the counter makes them
            t2 = time.perf_counter_ns()
            th1 = time.thread_time_ns()
            c1 = time.process_time_ns()
            if member.id != sample[i][0]:
                raise AssertionError("the member code resolved to another member")
            if i >= warm:
                total_ns.append(t2 - t0)
                resolve_ns.append(t1 - t0)
                earn_ns.append(t2 - t1)
                cpu_ns.append(c1 - c0)
                thread_ns.append(th1 - th0)
        expired = con.execute("SELECT count(*) FROM ledger WHERE seq > ? AND kind = 'expire'", (seq0,)).fetchone()[0]
        cpu = figure("core.counter_earn_cpu", cpu_ns, None)
        thread_cpu = figure("core.counter_earn_thread_cpu", thread_ns, None)
        figures.append(figure("core.counter_earn", total_ns, EARN_TARGET_MS, expire_entries_written=expired,
                              cpu_p50_ms=cpu["p50_ms"], cpu_p99_ms=cpu["p99_ms"],
                              thread_cpu_p50_ms=thread_cpu["p50_ms"], thread_cpu_p99_ms=thread_cpu["p99_ms"],
                              what="members.resolve(member code) + ledger.earn(fresh key), committed; cpu_*: "
                                   "this process's CPU time for the same, all threads (the background "
                                   "checkpointer's too); thread_cpu_*: the counter thread's own (waiting for "
                                   "the disk or for a CPU on a busy machine is in neither)", **ctx))
        figures.append(figure("core.resolve_code", resolve_ns, None, **ctx))
        figures.append(figure("core.sqlite_commit_floor", commit_floor(db.parent), None,
                              what="one-row BEGIN IMMEDIATE/COMMIT, WAL, synchronous=FULL, same disk, "
                                   "SQLCipher (as the store)", **ctx))
        figures.append(figure("core.sqlite_commit_floor_plain", commit_floor(db.parent, encrypted=False), None,
                              what="the same on plain SQLite (no encryption), for comparison", **ctx))
        figures.append(figure("core.ledger_earn", earn_ns, None, **ctx))

        # The same at a pace no counter reaches (10 earns a second): back to back, above, every
        # background checkpoint (a second's worth of earns copied into the main file and fsynced)
        # lands on an earn's commit; at a counter, earns are seconds apart and the rounds fall
        # between them. Both are reported; the back-to-back one is the stress figure.
        log(f"core: {len(codes) - n - 20} counter earns 100 ms apart")
        paced_ns, paced_thread_ns = [], []
        for i, code in enumerate(codes[n + 20:], start=n + 20):
            time.sleep(0.1)
            th0 = time.thread_time_ns()
            t0 = time.perf_counter_ns()
            member = store.members.resolve(code)
            store.ledger.earn(actor, member.id, _amount(rng), key=new_key())
            t1 = time.perf_counter_ns()
            paced_thread_ns.append(time.thread_time_ns() - th0)
            paced_ns.append(t1 - t0)
            if member.id != sample[i][0]:
                raise AssertionError("the member code resolved to another member")
        paced_cpu = figure("core.counter_earn_paced_thread_cpu", paced_thread_ns, None)
        figures.append(figure("core.counter_earn_paced", paced_ns, EARN_TARGET_MS,
                              thread_cpu_p50_ms=paced_cpu["p50_ms"], thread_cpu_p99_ms=paced_cpu["p99_ms"],
                              what="core.counter_earn with 100 ms between earns (not timed): the background "
                                   "checkpoints fall between earns, as at a counter", **ctx))

        # An earn for a member whose soonest lot has just expired (the lazy expiry on the counter's
        # path): the same action a day after a lot's date, as happens without a nightly job.
        if expiring:
            log(f"core: {expiring} earns right after a lot's expiry")
            due_ns = []
            done = 0
            for mid, *_ in sample:
                row = con.execute("SELECT min(expires_at) FROM lots WHERE member_id = ? AND remaining > 0",
                                  (mid,)).fetchone()
                if not row or not row[0]:
                    continue
                at = parse_iso(row[0]) + timedelta(seconds=1)
                _, ns = _timed(store.ledger.earn, actor, mid, _amount(rng), new_key(), at=at)
                due_ns.append(ns)
                done += 1
                if done >= expiring:
                    break
            figures.append(figure("core.counter_earn_lot_expiring", due_ns, EARN_TARGET_MS,
                                  what="ledger.earn when one lot of the member is past its date", **ctx))

        # Member search at the counter.
        search_rows = sample[:searches]
        phones = [r[1] for r in search_rows if r[1]]
        kana = [r for r in search_rows if r[3]]

        def bench_find(name, queries, expect=None):
            ns, misses, sizes = [], 0, []
            store.members.find(queries[0])  # warm
            for i, q in enumerate(queries):
                found, t = _timed(store.members.find, q)
                ns.append(t)
                sizes.append(len(found))
                if expect is not None and expect[i] not in {m.id for m in found}:
                    misses += 1
            sizes.sort()
            figures.append(figure(name, ns, SEARCH_TARGET_MS, misses=misses if expect is not None else None,
                                  results_p50=percentile(sizes, 0.5), **ctx))

        log("core: member search")
        by_phone = [r for r in search_rows if r[1]]
        bench_find("core.find_phone_full", [format_phone(r[1]) for r in by_phone], [r[0] for r in by_phone])
        bench_find("core.find_phone_prefix4", [p[:4] for p in phones])
        bench_find("core.find_phone_prefix7", [f"{p[:3]}-{p[3:7]}" for p in phones])
        bench_find("core.find_kana_prefix2", [r[3][:2] for r in kana])
        bench_find("core.find_kana_prefix3", [r[3][:3] for r in kana])
        bench_find("core.find_kana_family", [r[2].split()[0] if " " in r[2] else r[3][:4] for r in kana])
        bench_find("core.find_kana_full", [r[2] for r in kana], [r[0] for r in kana])
        # Inside the reading (the given name, as typed: hiragana or katakana): the FTS5 trigram index
        # for 3 kana or more; 2 kana have no trigram (a scan of the search table when no reading
        # starts with them).
        given = [r[2].split()[1] for r in kana if len(r[2].split()) == 2]
        bench_find("core.find_kana_given", [g for g in given if len(g) >= 3] or given)
        bench_find("core.find_kana_inner2", [g[-2:] for g in given if len(g) >= 3] or given)
        con.close()
    finally:
        store.close()
    return figures


def main() -> None:  # pragma: no cover - python -m benchmarks core is the entry point
    from benchmarks.__main__ import main as bench_main

    raise SystemExit(bench_main(["core"]))


if __name__ == "__main__":  # pragma: no cover
    main()
