"""Crash harness: the store's work in a child process, killed with SIGKILL at random moments.

    python -m benchmarks.crash --kills 10000 [--seed 1] [--json]

The parent forks a child that runs a stream of store work against a real SQLite file: earn,
redeem, void, adjust, expire, paper-card migration, legacy CSV import, applying pages pulled
from HQ (other stores' entries; two pages to a transaction on a Database.bulk connection that
commits without fsync, as a bulk catch-up does), and draining the outbox (recording HQ's answers
to a push), plus replays of requests whose answer it never saw. After each commit returns, the
child reports it on a pipe: that is the acknowledgement the cashier (or HQ's answer, or the import
screen) would see.
At a random moment the parent kills the child with SIGKILL, then checks:
- PRAGMA integrity_check is ok;
- every acknowledged entry is present, and no entry is present twice (an acknowledged import has
  all its rows and their entries; an acknowledged pulled page has all its entries);
- for every member, balance == sum(ledger) == sum(remaining lots) >= 0;
- every paper card is migrated at most once, and a card marked migrated has its migrate entry;
- the outbox holds exactly the store's own events (one row per local ledger entry and per member
  change, none for pulled entries), and exactly those whose HQ answer was not recorded are still
  unacknowledged: every acknowledged drain's rows are acknowledged, no row is acknowledged that no
  drain answered, and a local entry is 'acked' exactly when its outbox row is.
The next child first replays the requests the previous one started but never acknowledged,
with the same idempotency keys (the cashier pressing the button again after a restart, the import
run again on the same file, the same page pulled again, HQ's same answer recorded again).

The working directory defaults to a temporary folder on disk; ``--dir /dev/shm/...`` runs it on
tmpfs. Process-crash semantics are the same there: SIGKILL ends the process, not the OS, so what
the process wrote to the page cache survives either way (only a power cut tells them apart).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sys
import tempfile
import time
import uuid
from pathlib import Path

MEMBERS = 8
IMPORT_HEADER = ["氏名", "フリガナ", "電話番号", "メールアドレス", "生年月日", "カード番号", "ポイント", "最終来店日"]


def ean13(body12: str) -> str:
    from app.services.migration import ean_check_digit

    return body12 + str(ean_check_digit(body12))


def _install_memory_keyring() -> None:
    import keyring

    from benchmarks.gen_store import MemoryKeyring

    keyring.set_keyring(MemoryKeyring())  # in memory only: no keys file


def prepare(folder: Path) -> tuple[Path, list[str]]:
    from app.services.setup import init_store
    from app.store import Actor, Store

    path = folder / "store.sqlite"
    store = Store.open(path)
    init_store(store, "S001")
    manager = Actor(staff_id=1, role="manager")
    members = [store.members.register(manager, "クラッシュテスト").member.id for _ in range(MEMBERS)]
    store.close()
    return path, members


def child(path: Path, members: list[str], replays: list[dict], seed: int, ack_fd: int, warm=None) -> None:
    """Runs until killed. Writes one JSON line per started request and per acknowledged entry.
    `warm`: the parent's Store on this file (no connection open: its pool was disposed before the
    fork), reused for its compiled SQL; otherwise the child opens the store afresh."""
    from app.clock import iso
    from app.errors import TsumugiError
    from app.legacy_import import LegacyImport
    from app.services.replica import ReplicaService
    from app.store import Actor, Store

    rng = random.Random(seed)
    if warm is not None:
        store = warm
        store.db.engine.dispose(close=False)  # never use a connection made before the fork
        store._settings_cache = None          # what this process knows comes from the file
        store.rules._cache = None
    else:
        store = Store.open(path)
    replica = ReplicaService(store)
    cashier = Actor(staff_id=2, role="cashier")
    manager = Actor(staff_id=1, role="manager")
    acked: list[str] = []
    cards: list[str] = []
    imports = path.parent / "imports"
    imports.mkdir(exist_ok=True)

    def say(obj):
        os.write(ack_fd, (json.dumps(obj) + "\n").encode())

    def do(req):
        kind, member, value, key = req["kind"], req["member"], req["value"], req["key"]
        try:
            if kind == "earn":
                res = store.ledger.earn(cashier, member, value, key)
            elif kind == "redeem":
                res = store.ledger.redeem(cashier, member, value, key)
            elif kind == "adjust":
                res = store.ledger.adjust(manager, member, value, "crash test", key)
            elif kind == "void":
                res = store.ledger.void(manager, value, key)
            elif kind == "migrate":
                res = store.migration.migrate(cashier, req["card"], member, key, points=value).entry
            elif kind == "import":
                report = LegacyImport(store, req["file"]).commit(manager)
                say({"imported": report["import_id"], "key": key})  # None: the file was imported before
                return
            elif kind == "pull":
                # as a bulk catch-up applies pages (SyncEngine.pull_all): two pages in one transaction,
                # on the bulk connection that commits without waiting for the disk
                ch, half = req["changes"], len(req["changes"]) // 2
                pages = [(ch[:half], req["cursor"]), (ch[half:], req["cursor"])] if half else [(ch, req["cursor"])]
                with store.db.bulk(64, fsync_commits=False):
                    replica.apply_pages(iter(pages))
                say({"pulled": key})
                return
            elif kind == "drain":
                replica.record_outcomes(req["results"])
                say({"drained": key})
                return
            else:
                store.ledger.expire()
                say({"done": key})  # answered: not replayed by every later child
                return
        except TsumugiError:
            say({"done": key})  # a refusal is an answer too: nothing was written
            return
        acked.append(res.entry_id)
        say({"ack": res.entry_id, "key": key})

    for req in replays:
        do(req)
    first = True
    while True:
        r = rng.random()
        member = rng.choice(members)
        key = str(uuid.uuid4())
        if r < 0.35:
            req = {"kind": "earn", "member": member, "value": rng.randint(100, 30_000)}
        elif r < 0.47:
            req = {"kind": "redeem", "member": member, "value": rng.randint(1, 200)}
        elif r < 0.53:
            req = {"kind": "adjust", "member": member, "value": rng.choice([-50, -5, 5, 50, 300])}
        elif r < 0.63 and acked:
            req = {"kind": "void", "member": member, "value": rng.choice(acked[-20:])}
        elif r < 0.73:
            # a new paper card, or (one time in five) one that was migrated before: refused
            card = rng.choice(cards) if cards and rng.random() < 0.2 else ean13(f"29{rng.randrange(10**10):010d}")
            cards.append(card)
            req = {"kind": "migrate", "member": member, "value": rng.randint(0, 400), "card": card}
        elif r < 0.78:
            file = imports / f"{key}.csv"
            with open(file, "w", encoding="cp932", newline="") as f:
                f.write(",".join(IMPORT_HEADER) + "\r\n")
                for _ in range(rng.randint(1, 3)):
                    f.write(f"移行 太郎,イコウ タロウ,090{rng.randrange(10**8):08d},,,,{rng.randint(1, 500)},\r\n")
            req = {"kind": "import", "member": None, "value": 0, "file": str(file)}
        elif r < 0.88:
            now = iso(store.now())
            changes = [{"id": 0, "kind": "ledger", "data": {
                "entry_id": str(uuid.uuid4()), "member_id": rng.choice(members), "kind": "earn",
                "points": rng.randint(1, 300), "amount_yen": 1000, "store_id": "S002", "terminal_id": "T1",
                "staff_id": None, "created_at": now}} for _ in range(rng.randint(1, 20))]
            req = {"kind": "pull", "member": None, "value": 0, "changes": changes,
                   "cursor": f"1:{rng.randrange(10**9)}"}
        elif r < 0.98:
            rows = replica.pending(rng.randint(1, 60))
            req = {"kind": "drain", "member": None, "value": 0,
                   "results": [{"event_id": x.event_id, "seq": x.seq, "outcome": "applied"} for x in rows]}
        else:
            req = {"kind": "expire", "member": member, "value": 0}
        req["key"] = key
        say({"start": req})
        if first:  # the parent starts its random countdown from here: kills land in the work
            say({"ready": True})
            first = False
        do(req)


class Seen:
    """What the parent was told: the work started and the work acknowledged, beyond entries."""

    def __init__(self):
        self.imports: set[str] = set()         # acknowledged import ids
        self.pulled: set[str] = set()          # entry ids of acknowledged pulled pages
        self.drain_started: set[str] = set()   # event ids HQ answered in a started drain
        self.drain_acked: set[str] = set()     # event ids of acknowledged drains

    def started(self, req: dict) -> None:
        if req["kind"] == "drain":
            self.drain_started.update(r["event_id"] for r in req["results"])

    def acknowledged(self, req: dict | None, msg: dict) -> None:
        if "imported" in msg and msg["imported"]:
            self.imports.add(msg["imported"])
        elif "pulled" in msg and req:
            self.pulled.update(c["data"]["entry_id"] for c in req["changes"])
        elif "drained" in msg and req:
            self.drain_acked.update(r["event_id"] for r in req["results"])


def check(path: Path, acknowledged: set[str], seen: Seen | None = None) -> list[str]:
    problems = []
    seen = seen or Seen()
    from app.db import connect_raw

    con = connect_raw(path, pragmas=False)
    try:
        if con.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            problems.append("integrity_check failed")
        ids = [r[0] for r in con.execute("SELECT id FROM ledger")]
        if len(ids) != len(set(ids)):
            problems.append("an entry is present twice")
        missing = acknowledged - set(ids)
        if missing:
            problems.append(f"{len(missing)} acknowledged entries missing")
        ledger_sums = dict(con.execute("SELECT member_id, SUM(points) FROM ledger GROUP BY member_id"))
        lot_sums = dict(con.execute("SELECT member_id, SUM(remaining) FROM lots GROUP BY member_id"))
        for mid, balance in con.execute("SELECT id, balance FROM members"):
            ledger, lots = ledger_sums.get(mid) or 0, lot_sums.get(mid) or 0
            if not balance == ledger == lots >= 0:
                problems.append(f"member balance {balance} ledger {ledger} lots {lots}")
        local = {r[0]: r[1] for r in con.execute("SELECT id, sync_state FROM ledger WHERE sync_state != 'remote'")}
        outbox_ledger = {r[0] for r in con.execute("SELECT event_id FROM outbox WHERE type LIKE 'ledger.%'")}
        if outbox_ledger != set(local):
            problems.append(f"outbox/ledger mismatch: {len(outbox_ledger ^ set(local))} events")
        missing = seen.pulled - set(ids)
        if missing:
            problems.append(f"{len(missing)} entries of acknowledged pulled pages missing")
        # HQ's answers: recorded for every acknowledged drain, for nothing no drain answered
        acked_rows = {r[0] for r in con.execute("SELECT event_id FROM outbox WHERE acked_at IS NOT NULL")}
        if seen.drain_acked - acked_rows:
            problems.append(f"{len(seen.drain_acked - acked_rows)} events of acknowledged drains still unacknowledged")
        if acked_rows - seen.drain_started:
            problems.append(f"{len(acked_rows - seen.drain_started)} events acknowledged that no drain answered")
        wrong = [i for i, st in local.items() if (st == "acked") != (i in acked_rows)]
        if wrong:
            problems.append(f"{len(wrong)} local entries whose sync state disagrees with the outbox")
        # paper cards: each migrated once, and a migrated card has its migrate entry; a voided
        # migration released its card (it may be migrated again), so only migrations still standing
        # count (one pass over the ledger; reverses_id is unique, hence indexed)
        per_card = dict(con.execute(
            "SELECT card_id, COUNT(*) FROM ledger m WHERE kind='migrate' AND card_id IS NOT NULL "
            "AND NOT EXISTS (SELECT 1 FROM ledger v WHERE v.reverses_id = m.id) GROUP BY card_id"))
        twice = sum(1 for n in per_card.values() if n > 1)
        if twice:
            problems.append(f"{twice} paper cards migrated twice")
        orphan = sum(1 for cid, status in con.execute("SELECT id, status FROM cards WHERE kind='paper'")
                     if (status == "migrated") != (cid in per_card))
        if orphan:
            problems.append(f"{orphan} paper cards whose status disagrees with their migrate entry")
        # legacy imports: an acknowledged import has all its rows, every imported row its entry
        known_imports = {r[0] for r in con.execute("SELECT id FROM legacy_imports")}
        if seen.imports - known_imports:
            problems.append(f"{len(seen.imports - known_imports)} acknowledged imports missing")
        lost = con.execute("SELECT COUNT(*) FROM legacy_import_rows r WHERE r.entry_id IS NOT NULL AND NOT EXISTS "
                           "(SELECT 1 FROM ledger l WHERE l.id = r.entry_id)").fetchone()[0]
        if lost:
            problems.append(f"{lost} imported rows without their entry")
        empty = con.execute("SELECT COUNT(*) FROM legacy_imports i WHERE NOT EXISTS "
                            "(SELECT 1 FROM legacy_import_rows r WHERE r.import_id = i.id)").fetchone()[0]
        if empty:
            problems.append(f"{empty} imports without rows")
        n_members = con.execute("SELECT COUNT(*) FROM members").fetchone()[0]
        n_upserts = con.execute("SELECT COUNT(*) FROM outbox WHERE type='member.upsert'").fetchone()[0]
        if n_upserts != n_members:
            problems.append("member events missing from the outbox")
    finally:
        con.close()
    return problems


def _warm_up(store, members: list[str], folder: Path) -> set[str]:
    """Run each kind of work once in the parent, so forked children start with warm caches
    (compiled SQL, parsed rule sets) and the random kill moments fall in steady-state work.
    Returns the event ids whose HQ answer it recorded (a drain the parent itself did)."""
    from app.store import Actor

    folder.mkdir(parents=True, exist_ok=True)
    manager = Actor(staff_id=1, role="manager")
    earned = store.ledger.earn(manager, members[0], 5000, uuid.uuid4())
    spent = store.ledger.redeem(manager, members[0], 10, uuid.uuid4())
    store.ledger.void(manager, spent.entry_id, uuid.uuid4())
    store.ledger.adjust(manager, members[0], 5, "warm-up", uuid.uuid4())
    store.ledger.expire()
    store.migration.migrate(manager, ean13("290000000000"), members[0], uuid.uuid4(), points=10)
    from app.legacy_import import LegacyImport
    from app.services.replica import ReplicaService

    csv = folder / "warm-up.csv"
    csv.write_text(",".join(IMPORT_HEADER) + "\r\n移行 太郎,イコウ タロウ,09000000000,,,,10,\r\n", encoding="cp932")
    LegacyImport(store, csv).commit(manager)
    replica = ReplicaService(store)
    replica.apply_changes([{"id": 0, "kind": "ledger", "data": {
        "entry_id": str(uuid.uuid4()), "member_id": members[1], "kind": "earn", "points": 5, "amount_yen": 100,
        "store_id": "S002", "terminal_id": "T1", "staff_id": None, "created_at": earned.created_at}}], "1:1")
    drained = [{"event_id": r.event_id, "seq": r.seq, "outcome": "applied"} for r in replica.pending(10)]
    replica.record_outcomes(drained)
    assert earned.points > 0
    return {r["event_id"] for r in drained}


def _read_until_ready(fd: int, timeout: float) -> bytes:
    import select

    data = b""
    deadline = time.monotonic() + timeout
    while b'"ready"' not in data and time.monotonic() < deadline:
        readable, _, _ = select.select([fd], [], [], 0.5)
        if readable:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                break
            data += chunk
    return data


def run(kills: int = 200, seed: int = 1, folder: Path | None = None, max_delay_ms: float = 150.0,
        cold: bool = False, progress_every: int = 0) -> dict:
    """`cold`: every child opens the store itself (compiling every statement again: most of a
    kill's time); by default children are forked from a parent holding a warmed-up Store on the
    same file with no connection open. `progress_every`: a JSON line on stderr every N kills."""
    _install_memory_keyring()
    from app.db import upgrade_to_head  # noqa: F401  (import everything before forking)
    from app.store import Store  # noqa: F401

    folder = Path(folder or tempfile.mkdtemp(prefix="tsumugi-crash-"))
    path, members = prepare(folder)
    if cold:
        warm = None
        wpath, wmembers = prepare(folder / "warm-up")
        _warm_up(Store.open(wpath), wmembers, folder / "warm-up")
        drained_by_parent: set[str] = set()
    else:
        warm = Store.open(path)
        drained_by_parent = _warm_up(warm, members, folder / "warm-up")
        warm.db.engine.dispose()  # no connection crosses a fork
    rng = random.Random(seed)
    acknowledged: set[str] = set()
    seen = Seen()
    seen.drain_started |= drained_by_parent
    seen.drain_acked |= drained_by_parent
    pending: dict[str, dict] = {}
    violations: list[dict] = []
    child_errors: list[str] = []
    kills_in_work = 0
    kinds: dict[str, int] = {}
    spent = {"start": 0.0, "work": 0.0, "check": 0.0}  # fork to first new work, work until the kill, checks
    started = time.perf_counter()
    for i in range(kills):
        read_fd, write_fd = os.pipe()
        replays = list(pending.values())
        pid = os.fork()
        if pid == 0:  # the child: never returns
            os.close(read_fd)
            try:
                child(path, members, replays, seed * 1_000_003 + i, write_fd, warm)
            except BaseException:  # report it: a child that dies by itself is a finding, not a kill
                import traceback

                os.write(write_fd, (json.dumps({"error": traceback.format_exc()}) + "\n").encode())
            finally:
                os._exit(0)
        os.close(write_fd)
        t0 = time.perf_counter()
        data = _read_until_ready(read_fd, timeout=60.0)
        if b'"ready"' in data:
            kills_in_work += 1
        delay = rng.uniform(0.0, max_delay_ms) / 1000
        spent["start"] += time.perf_counter() - t0
        spent["work"] += delay
        time.sleep(delay)  # a random moment in the work
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        while chunk := os.read(read_fd, 1 << 16):
            data += chunk
        os.close(read_fd)
        for line in data.decode(errors="replace").splitlines():
            try:
                msg = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line cut by the kill
            if "start" in msg:
                pending[msg["start"]["key"]] = msg["start"]
                seen.started(msg["start"])
                kinds[msg["start"]["kind"]] = kinds.get(msg["start"]["kind"], 0) + 1
            elif "ack" in msg:
                acknowledged.add(msg["ack"])
                pending.pop(msg["key"], None)
            elif "imported" in msg or "pulled" in msg or "drained" in msg:
                key = msg.get("key") or msg.get("pulled") or msg.get("drained")
                seen.acknowledged(pending.pop(key, None), msg)
            elif "done" in msg:
                pending.pop(msg["done"], None)
            elif "error" in msg:
                child_errors.append(msg["error"])
        t0 = time.perf_counter()
        problems = check(path, acknowledged, seen)
        spent["check"] += time.perf_counter() - t0
        if problems:
            violations.append({"kill": i, "problems": problems})
        if progress_every and (i + 1) % progress_every == 0:
            print(json.dumps({"kills": i + 1, "acknowledged_entries": len(acknowledged),
                              "violations": len(violations) + len(child_errors),
                              "seconds": round(time.perf_counter() - started, 1)}), file=sys.stderr, flush=True)
    from app.db import connect_raw

    con = connect_raw(path, pragmas=False)
    entries = con.execute("SELECT COUNT(*) FROM ledger").fetchone()[0]
    con.close()
    return {
        "name": "crash.store_sigkill", "kill_points": kills, "seed": seed, "children": "cold" if cold else "warm",
        "kills_in_work": kills_in_work,
        "acknowledged_entries": len(acknowledged), "ledger_entries": entries,
        "acknowledged_imports": len(seen.imports), "acknowledged_pulled_entries": len(seen.pulled),
        "acknowledged_drained_events": len(seen.drain_acked), "work_started": kinds,
        "folder": str(folder), "seconds_by_phase": {k: round(v, 1) for k, v in spent.items()},
        "violations": len(violations) + len(child_errors), "violation_details": violations[:5],
        "child_errors": child_errors[:3],
        "seconds": round(time.perf_counter() - started, 1),
    }


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--kills", type=int, default=10_000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--cold", action="store_true", help="every child opens the store afresh (slower)")
    p.add_argument("--progress", type=int, default=0, help="a JSON line on stderr every N kills")
    p.add_argument("--dir", type=Path, default=None,
                   help="working folder (default: a new temporary folder on disk; /dev/shm/... for tmpfs)")
    args = p.parse_args(argv)
    if args.dir is not None:
        args.dir.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="tsumugi-crash-", dir=args.dir))
    result = run(args.kills, args.seed, folder=folder, cold=args.cold, progress_every=args.progress)
    if not result["violations"]:  # kept for inspection only when something was found
        import shutil

        shutil.rmtree(folder, ignore_errors=True)
        result["folder"] = None
    print(json.dumps(result, ensure_ascii=False))
    return 1 if result["violations"] else 0


if __name__ == "__main__":
    sys.exit(main())
