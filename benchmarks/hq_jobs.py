"""HQ jobs over a generated chain ledger on PostgreSQL: one JSON figure per job (seconds).

    nice python -m benchmarks.hq_jobs [--members 1000000 --entries 10000000] [--url postgresql://...]
                                      [--only JOB ...] [--generate-only]

The generated chain is kept in its own database ``bench_jobs_cache_m<M>_e<E>_g2`` (made once, by
COPY, ledger indexes built after the load); each run copies it into the working database
``bench_jobs`` (CREATE DATABASE … TEMPLATE), upgrades that to HQ's Alembic head (new indexes are
built there, outside the timings) and times each job, first run and idempotent rerun. Never the
``test`` database. Generated with COPY: members registered
over 3 years at 50 stores, earns (80 %), redemptions, voids and coupon uses spread over the last
800 days, balances consistent with the ledger. Then runs, each once, timed: expiry (the first
run: every lot), expiry again the next day (the daily case), tiers, vip, win_back, churn — and a
rerun of each job (idempotent: nothing issued), rainy day (a stand-in provider) and
overstock (two categories). Target: each ≤ 60 s at 1,000,000 members /
10,000,000 entries.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import random
import secrets
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone

TARGET_S = 60.0


def _iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def generate(url: str, schema: str, members: int, entries: int, now: datetime, log) -> None:
    import psycopg

    rnd = random.Random(7)
    conn = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=False)
    cur = conn.cursor()
    cur.execute(f'SET search_path TO "{schema}"')
    # load without the ledger's indexes (random uuids into a 10M-row btree), build them afterwards
    indexes = [r[0] for r in cur.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'ledger' "
                                         "AND indexname <> 'ledger_pkey'").fetchall()]
    for (name,) in cur.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'ledger' "
                               "AND indexname <> 'ledger_pkey'").fetchall():
        cur.execute(f'DROP INDEX "{name}"')
    cur.execute("ALTER TABLE ledger DROP CONSTRAINT ledger_pkey")
    ids = [str(uuid.UUID(int=rnd.getrandbits(128), version=4)) for _ in range(members)]
    balance = [0] * members
    lifetime = [0] * members
    last = [None] * members
    t0 = time.perf_counter()
    per_member = entries / members
    # entries per member: exponential around the mean, then nudged one by one (members in random
    # order) until they add up to `entries` exactly — no member takes the whole remainder
    if entries < members:
        raise SystemExit("--entries must be at least --members (every member has an entry)")
    ks = [max(1, int(rnd.expovariate(1 / per_member))) for _ in range(members)]
    order = list(range(members))
    rnd.shuffle(order)
    j, diff = 0, entries - sum(ks)
    while diff:
        i = order[j % members]
        if diff > 0:
            ks[i] += 1
            diff -= 1
        elif ks[i] > 1:
            ks[i] -= 1
            diff += 1
        j += 1
    with cur.copy("COPY ledger (id, member_id, kind, points, amount_yen, store_id, terminal_id, created_at, "
                  "booked_at, rule_set_version, reverses_id) FROM STDIN") as cp:
        n = 0
        for i, mid in enumerate(ids):
            k = ks[i]
            days = sorted(rnd.uniform(0, 800) for _ in range(k))[::-1]
            store = f"S{rnd.randrange(50):03d}"
            earned = []
            for d in days:
                at = now - timedelta(days=d)
                r = rnd.random()
                eid = str(uuid.UUID(int=rnd.getrandbits(128), version=4))
                ts = _iso(at)
                if r < 0.8 or not earned:
                    yen = rnd.choice((300, 800, 1500, 2400, 3800, 5200, 9800))
                    pts = yen // 100
                    cp.write_row((eid, mid, "earn", pts, yen, store, "T1", ts, ts, "2026.1", None))
                    earned.append((eid, pts, yen))
                    balance[i] += pts
                    lifetime[i] += yen
                    last[i] = ts
                elif r < 0.93 and balance[i] >= 10:
                    pts = min(balance[i], rnd.choice((10, 50, 100)))
                    cp.write_row((eid, mid, "redeem", -pts, None, store, "T1", ts, ts, "2026.1", None))
                    balance[i] -= pts
                elif r < 0.97:
                    oid, pts, yen = earned.pop()
                    if balance[i] >= pts:
                        cp.write_row((eid, mid, "void", -pts, None, store, "T1", ts, ts, "2026.1", oid))
                        balance[i] -= pts
                        lifetime[i] -= yen
                    else:
                        cp.write_row((eid, mid, "adjust", 5, None, store, "T1", ts, ts, "2026.1", None))
                        balance[i] += 5
                else:
                    cp.write_row((eid, mid, "coupon", 100, None, store, "T1", ts, ts, "2026.1", None))
                    balance[i] += 100
                n += 1
            if i % 100000 == 0:
                log(f"  ledger: {i:,} members, {n:,} entries ({time.perf_counter() - t0:.0f} s)")
    created0 = now - timedelta(days=1100)
    with cur.copy("COPY members (id, member_no, name_kana, consent_marketing, email, tier, status, home_store_id, "
                  "field_times, balance, lifetime_spend_yen, last_visit_at, created_at, updated_at) FROM STDIN") as cp:
        for i, mid in enumerate(ids):
            consent = i % 3 == 0
            cp.write_row((mid, f"M{i:08d}", "テスト", consent, f"m{i}@example.invalid" if consent else None,
                          rnd.choice(("bronze", "silver", "gold", None)), "active", f"S{i % 50:03d}", "{}",
                          balance[i], lifetime[i], last[i], _iso(created0 + timedelta(minutes=i)), _iso(now)))
    conn.commit()
    log(f"  loaded in {time.perf_counter() - t0:.0f} s; building the ledger's indexes")
    cur.execute("SET maintenance_work_mem = '512MB'")
    cur.execute("ALTER TABLE ledger ADD CONSTRAINT ledger_pkey PRIMARY KEY (id)")
    for ddl in indexes:
        cur.execute(ddl)
    conn.commit()
    cur.execute("ANALYZE")
    conn.commit()
    conn.close()
    log(f"  generated {members:,} members, {n:,} entries in {time.perf_counter() - t0:.0f} s")


class _Weather:
    """A weather provider without the network (the rainy-day job's cost does not depend on it)."""

    def forecast(self, day, regions):
        return {r: {"rain"} for r in regions}


def _admin(url: str):
    import psycopg

    return psycopg.connect(_dsn(url, "postgres"), autocommit=True)


def _dsn(url: str, dbname: str) -> str:
    from sqlalchemy.engine import make_url

    u = make_url(url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url)
    return u.set(drivername="postgresql", database=dbname).render_as_string(hide_password=False)


def _db_exists(admin, name: str) -> bool:
    return admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None


def _drop_db(admin, name: str) -> None:
    admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                  (name,))
    admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


def _prepare_cache(url: str, members: int, entries: int, log) -> str:
    """The generated chain in its own database (``bench_jobs_cache_m…_e…``), made once and kept:
    later runs copy it (CREATE DATABASE … TEMPLATE) into the working database ``bench_jobs``."""
    import psycopg

    from hq.db import HQDatabase
    from hq.service import HQService
    from hq.settings import Settings

    cache = f"bench_jobs_cache_m{members}_e{entries}_g2"  # g2: no member takes the remainder (g1 gave one 414k)
    admin = _admin(url)
    try:
        if _db_exists(admin, cache):
            with psycopg.connect(_dsn(url, cache)) as c:
                done = c.execute("SELECT to_regclass('bench_meta') IS NOT NULL").fetchone()[0] and \
                    c.execute("SELECT count(*) FROM bench_meta").fetchone()[0] == 1
            if done:
                log(f"  cached: {cache}")
                return cache
            _drop_db(admin, cache)
        admin.execute(f'CREATE DATABASE "{cache}"')
    finally:
        admin.close()
    cache_url = _dsn(url, cache)
    db = HQDatabase(cache_url)
    db.upgrade()
    HQService(db, Settings(database_url=db.url)).init()
    db.close()
    now = datetime.now(timezone.utc).replace(microsecond=0)
    generate(cache_url, "public", members, entries, now, log)
    with psycopg.connect(cache_url) as c:
        c.execute("CREATE TABLE bench_meta (now text NOT NULL, members bigint, entries bigint)")
        c.execute("INSERT INTO bench_meta VALUES (%s, %s, %s)", (_iso(now), members, entries))
    return cache


def run(members: int = 1_000_000, entries: int = 10_000_000, url: str | None = None, work: str = "bench_jobs",
        only: list[str] | None = None, log=lambda m: print(m, file=sys.stderr)) -> list[dict]:
    import psycopg

    from hq import jobs
    from hq.campaigns import current_extras, load_campaign, publish
    from hq.db import HQDatabase
    from hq.service import HQService
    from hq.settings import Settings

    url = url or "postgresql://postgres@127.0.0.1:5432/postgres"
    cache = _prepare_cache(url, members, entries, log)
    admin = _admin(url)
    t = time.perf_counter()
    _drop_db(admin, work)
    admin.execute(f'CREATE DATABASE "{work}" TEMPLATE "{cache}"')
    admin.close()
    log(f"  {work} copied from {cache} in {time.perf_counter() - t:.0f} s")
    work_url = _dsn(url, work)
    with psycopg.connect(work_url) as c:
        now = datetime.fromisoformat(c.execute("SELECT now FROM bench_meta").fetchone()[0].replace("Z", "+00:00"))
        # what the figures depend on most (hq/README.md, "The PostgreSQL server")
        server = {k: c.execute(f"SHOW {k}").fetchone()[0] for k in ("server_version", "shared_buffers",
                                                                     "max_wal_size", "work_mem")}
        small = c.execute("SELECT (SELECT setting::bigint * 8192 FROM pg_settings WHERE name = 'shared_buffers') "
                          "< 1024 ^ 3, (SELECT setting::bigint FROM pg_settings WHERE name = 'max_wal_size') "
                          "< 4096").fetchone()
    if any(small):
        log(f"  note: shared_buffers {server['shared_buffers']}, max_wal_size {server['max_wal_size']}: smaller "
            "than hq/README.md ('The PostgreSQL server') asks for at this size; the write-heavy jobs (expiry's "
            "first run) will be slower than the figures in hq/CAMPAIGNS.md")
    t = time.perf_counter()
    db = HQDatabase(work_url)
    db.upgrade()  # revisions newer than the cache (e.g. indexes) are applied here, outside the timings
    log(f"  upgraded to head in {time.perf_counter() - t:.0f} s")
    svc = HQService(db, Settings(database_url=db.url))
    out = []
    try:
        with db.read() as s:
            rs, _ = current_extras(s, now)
        day = now.astimezone(rs.zone).date()
        # for the rainy-day job: a version with regions and a weather campaign, published just before it
        src = (f'{{"version": "bench-wx", "regions": {{"kanto": ["S000", "S001"], "kansai": ["S002"]}},'
               f' "campaigns": [{{"id": "rainy", "name_ja": "雨の日", "name_en": "Rainy day", "weather": ["rain"],'
               f' "multiplier": "2", "regions": ["kanto", "kansai"], "start": "{day - timedelta(days=1)}",'
               f' "end": "{day + timedelta(days=30)}"}}]}}')
        products = [{"sku": "1", "category": "drinks"}, {"sku": "2", "category": "snacks"}]
        plan = [("expiry", day, "expiry_first_run", {}), ("expiry", day, "expiry_rerun", {}),
                ("expiry", day + timedelta(days=1), "expiry_daily", {}),
                ("tiers", day, "tiers", {}), ("tiers", day, "tiers_rerun", {}),
                ("vip", day, "vip", {}), ("vip", day, "vip_rerun", {}),
                ("win_back", day, "win_back", {}), ("win_back", day, "win_back_rerun", {}),
                ("churn", day, "churn", {}), ("churn", day, "churn_rerun", {}),
                ("rainy_day", day, "rainy_day", {"provider": _Weather()}),
                ("rainy_day", day, "rainy_day_rerun", {"provider": _Weather()}),
                ("overstock", day, "overstock", {"products": products}),
                ("overstock", day, "overstock_rerun", {"products": products})]
        for job, d, name, opts in plan:
            if only and job not in only:
                continue
            if name == "rainy_day":
                publish(svc, load_campaign(src, "bench.json", valid_from=now - timedelta(days=1)))
            t = time.perf_counter()
            res = jobs.run_job(svc, job, d, now=now + timedelta(days=(d - day).days), **opts)
            secs = time.perf_counter() - t
            res.pop("expiring_next_month", None)
            summary = {k: v for k, v in res.items() if k not in ("job", "date", "run_id", "templates")}
            fig = {"name": f"hq_job_{name}", "unit": "s", "value": round(secs, 2), "target_s": TARGET_S,
                   "meets_target": secs <= TARGET_S, "members": members, "entries": entries,
                   "loadavg": os.getloadavg()[0], "server": server, "summary": summary}
            print(json.dumps(fig, ensure_ascii=False, default=str), flush=True)
            log(f"  {name}: {secs:.1f} s")
            out.append(fig)
    finally:
        db.close()
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.hq_jobs")
    p.add_argument("--members", type=int, default=1_000_000)
    p.add_argument("--entries", type=int, default=10_000_000)
    p.add_argument("--url", help="a PostgreSQL server (any database on it; default 127.0.0.1:5432 as postgres)")
    p.add_argument("--work", default="bench_jobs", help="the working database (re-made from the cache each run)")
    p.add_argument("--only", action="append", help="run only this job (repeatable)")
    p.add_argument("--generate-only", action="store_true")
    a = p.parse_args(argv)
    if a.generate_only:
        _prepare_cache(a.url or "postgresql://postgres@127.0.0.1:5432/postgres", a.members, a.entries,
                       lambda m: print(m, file=sys.stderr))
        return 0
    run(a.members, a.entries, a.url, a.work, a.only)
    return 0


if __name__ == "__main__":
    sys.exit(main())
