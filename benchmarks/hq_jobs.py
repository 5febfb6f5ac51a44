"""HQ jobs over a generated chain ledger on PostgreSQL: one JSON figure per job (seconds).

    python -m benchmarks.hq_jobs --members 100000 --entries 1000000 [--url postgresql://...]

Generates into a fresh schema (dropped afterwards unless --keep) with COPY: members registered
over 3 years at 50 stores, earns (80 %), redemptions, voids and coupon uses spread over the last
800 days, balances consistent with the ledger. Then runs, each once, timed: expiry (the first
run: every lot), expiry again the next day (the daily case), tiers, vip, win_back, churn — and a
rerun of win_back (idempotent: nothing issued). Target: each ≤ 60 s at 1,000,000 members /
10,000,000 entries.
"""
from __future__ import annotations

import argparse
import io
import json
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
    ids = [str(uuid.UUID(int=rnd.getrandbits(128), version=4)) for _ in range(members)]
    balance = [0] * members
    lifetime = [0] * members
    last = [None] * members
    t0 = time.perf_counter()
    per_member = entries / members
    with cur.copy("COPY ledger (id, member_id, kind, points, amount_yen, store_id, terminal_id, created_at, "
                  "booked_at, rule_set_version, reverses_id) FROM STDIN") as cp:
        n = 0
        for i, mid in enumerate(ids):
            k = max(1, int(rnd.expovariate(1 / per_member))) if i < members - 1 else max(1, entries - n)
            k = min(k, entries - n) if entries - n > 0 else 0
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
    cur.execute("ANALYZE")
    conn.commit()
    conn.close()
    log(f"  generated {members:,} members, {n:,} entries in {time.perf_counter() - t0:.0f} s")


def run(members: int = 100_000, entries: int = 1_000_000, url: str | None = None, keep: bool = False,
        log=lambda m: print(m, file=sys.stderr)) -> list[dict]:
    import os

    from sqlalchemy import create_engine, text

    from hq import jobs
    from hq.db import HQDatabase
    from hq.service import HQService
    from hq.settings import Settings

    url = url or os.environ.get("TSUMUGI_TEST_DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/test"
    schema = "bench_jobs_" + secrets.token_hex(4)
    db = HQDatabase(url, schema=schema)
    db.upgrade()
    svc = HQService(db, Settings(database_url=db.url, schema=schema))
    svc.init()
    now = datetime.now(timezone.utc).replace(microsecond=0)
    out = []
    try:
        generate(db.url, schema, members, entries, now, log)
        from hq.campaigns import current_extras

        with db.read() as s:
            rs, _ = current_extras(s, now)
        day = now.astimezone(rs.zone).date()
        plan = [("expiry", day, "expiry_first_run"), ("expiry", day + timedelta(days=1), "expiry_daily"),
                ("tiers", day, "tiers"), ("vip", day, "vip"), ("win_back", day, "win_back"),
                ("win_back", day, "win_back_rerun"), ("churn", day, "churn")]
        for job, d, name in plan:
            t = time.perf_counter()
            res = jobs.run_job(svc, job, d, now=now + timedelta(days=(d - day).days))
            secs = time.perf_counter() - t
            res.pop("expiring_next_month", None)
            summary = {k: v for k, v in res.items() if k not in ("job", "date", "run_id", "templates")}
            fig = {"name": f"hq_job_{name}", "unit": "s", "value": round(secs, 2), "target_s": TARGET_S,
                   "meets_target": secs <= TARGET_S, "members": members, "entries": entries, "summary": summary}
            print(json.dumps(fig, ensure_ascii=False, default=str), flush=True)
            log(f"  {name}: {secs:.1f} s")
            out.append(fig)
    finally:
        db.close()
        if not keep:
            eng = create_engine(db.url)
            with eng.begin() as c:
                c.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            eng.dispose()
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.hq_jobs")
    p.add_argument("--members", type=int, default=1_000_000)
    p.add_argument("--entries", type=int, default=10_000_000)
    p.add_argument("--url")
    p.add_argument("--keep", action="store_true")
    a = p.parse_args(argv)
    run(a.members, a.entries, a.url, a.keep)
    return 0


if __name__ == "__main__":
    sys.exit(main())
