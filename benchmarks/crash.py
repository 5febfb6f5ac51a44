"""Crash harness: the store's work in a child process, killed with SIGKILL at random moments.

    python -m benchmarks.crash --kills 10000 [--seed 1] [--json]

The parent forks a child that runs a stream of counter work against a real SQLite file (earn,
redeem, void, adjust, expire, and replays of requests whose answer it never saw). After each
commit returns, the child reports the entry id on a pipe: that is the acknowledgement the cashier
would see. At a random moment the parent kills the child with SIGKILL, then checks:
- PRAGMA integrity_check is ok;
- every acknowledged entry is present, and no entry is present twice;
- for every member, balance == sum(ledger) == sum(remaining lots) >= 0;
- the outbox holds exactly the unacknowledged-by-HQ events: one row per ledger entry and per
  member change, none missing, none extra (nothing is acknowledged by HQ in this harness).
The next child first replays the requests the previous one started but never acknowledged,
with the same idempotency keys (the cashier pressing the button again after a restart).
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


def _install_memory_keyring() -> None:
    import keyring
    import keyring.backend

    class _Mem(keyring.backend.KeyringBackend):
        priority = 1

        def __init__(self):
            super().__init__()
            self.items = {}

        def get_password(self, s, u):
            return self.items.get((s, u))

        def set_password(self, s, u, p):
            self.items[(s, u)] = p

        def delete_password(self, s, u):
            self.items.pop((s, u), None)

    keyring.set_keyring(_Mem())


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


def child(path: Path, members: list[str], replays: list[dict], seed: int, ack_fd: int) -> None:
    """Runs until killed. Writes one JSON line per started request and per acknowledged entry."""
    from app.errors import TsumugiError
    from app.store import Actor, Store

    rng = random.Random(seed)
    store = Store.open(path)
    cashier = Actor(staff_id=2, role="cashier")
    manager = Actor(staff_id=1, role="manager")
    acked: list[str] = []

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
            else:
                store.ledger.expire()
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
        if r < 0.5:
            req = {"kind": "earn", "member": member, "value": rng.randint(100, 30_000)}
        elif r < 0.7:
            req = {"kind": "redeem", "member": member, "value": rng.randint(1, 200)}
        elif r < 0.8:
            req = {"kind": "adjust", "member": member, "value": rng.choice([-50, -5, 5, 50, 300])}
        elif r < 0.97 and acked:
            req = {"kind": "void", "member": member, "value": rng.choice(acked[-20:])}
        else:
            req = {"kind": "expire", "member": member, "value": 0}
        req["key"] = str(uuid.uuid4())
        say({"start": req})
        if first:  # the parent starts its random countdown from here: kills land in the work
            say({"ready": True})
            first = False
        do(req)


def check(path: Path, acknowledged: set[str]) -> list[str]:
    problems = []
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
        for mid, balance in con.execute("SELECT id, balance FROM members"):
            ledger = con.execute("SELECT COALESCE(SUM(points),0) FROM ledger WHERE member_id=?", (mid,)).fetchone()[0]
            lots = con.execute("SELECT COALESCE(SUM(remaining),0) FROM lots WHERE member_id=?", (mid,)).fetchone()[0]
            if not balance == ledger == lots >= 0:
                problems.append(f"member balance {balance} ledger {ledger} lots {lots}")
        outbox_ledger = {r[0] for r in con.execute("SELECT event_id FROM outbox WHERE type LIKE 'ledger.%'")}
        if outbox_ledger != set(ids):
            problems.append(f"outbox/ledger mismatch: {len(outbox_ledger ^ set(ids))} events")
        n_members = con.execute("SELECT COUNT(*) FROM members").fetchone()[0]
        n_upserts = con.execute("SELECT COUNT(*) FROM outbox WHERE type='member.upsert'").fetchone()[0]
        if n_upserts != n_members:
            problems.append("member events missing from the outbox")
    finally:
        con.close()
    return problems


def _warm_up(folder: Path) -> None:
    """Run each action once in the parent, so forked children start with warm caches (compiled
    SQL, parsed rule sets) and the random kill moments fall in steady-state work."""
    from app.store import Actor, Store

    folder.mkdir(parents=True, exist_ok=True)
    path, members = prepare(folder)
    store = Store.open(path)
    manager = Actor(staff_id=1, role="manager")
    earned = store.ledger.earn(manager, members[0], 5000, uuid.uuid4())
    spent = store.ledger.redeem(manager, members[0], 10, uuid.uuid4())
    store.ledger.void(manager, spent.entry_id, uuid.uuid4())
    store.ledger.adjust(manager, members[0], 5, "warm-up", uuid.uuid4())
    store.ledger.expire()
    assert earned.points > 0
    store.close()


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


def run(kills: int = 200, seed: int = 1, folder: Path | None = None, max_delay_ms: float = 150.0) -> dict:
    _install_memory_keyring()
    from app.db import upgrade_to_head  # noqa: F401  (import everything before forking)
    from app.store import Store  # noqa: F401

    folder = Path(folder or tempfile.mkdtemp(prefix="tsumugi-crash-"))
    _warm_up(folder / "warm-up")
    path, members = prepare(folder)
    rng = random.Random(seed)
    acknowledged: set[str] = set()
    pending: dict[str, dict] = {}
    violations: list[dict] = []
    child_errors: list[str] = []
    kills_in_work = 0
    started = time.perf_counter()
    for i in range(kills):
        read_fd, write_fd = os.pipe()
        replays = list(pending.values())
        pid = os.fork()
        if pid == 0:  # the child: never returns
            os.close(read_fd)
            try:
                child(path, members, replays, seed * 1_000_003 + i, write_fd)
            except BaseException:  # report it: a child that dies by itself is a finding, not a kill
                import traceback

                os.write(write_fd, (json.dumps({"error": traceback.format_exc()}) + "\n").encode())
            finally:
                os._exit(0)
        os.close(write_fd)
        data = _read_until_ready(read_fd, timeout=60.0)
        if b'"ready"' in data:
            kills_in_work += 1
        time.sleep(rng.uniform(0.0, max_delay_ms) / 1000)  # a random moment in the work
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
            elif "ack" in msg:
                acknowledged.add(msg["ack"])
                pending.pop(msg["key"], None)
            elif "done" in msg:
                pending.pop(msg["done"], None)
            elif "error" in msg:
                child_errors.append(msg["error"])
        problems = check(path, acknowledged)
        if problems:
            violations.append({"kill": i, "problems": problems})
    from app.db import connect_raw

    con = connect_raw(path, pragmas=False)
    entries = con.execute("SELECT COUNT(*) FROM ledger").fetchone()[0]
    con.close()
    return {
        "name": "crash.store_sigkill", "kill_points": kills, "seed": seed,
        "kills_in_work": kills_in_work,
        "acknowledged_entries": len(acknowledged), "ledger_entries": entries,
        "violations": len(violations) + len(child_errors), "violation_details": violations[:5],
        "child_errors": child_errors[:3],
        "seconds": round(time.perf_counter() - started, 1),
    }


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--kills", type=int, default=10_000)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args(argv)
    result = run(args.kills, args.seed)
    print(json.dumps(result, ensure_ascii=False))
    return 1 if result["violations"] else 0


if __name__ == "__main__":
    sys.exit(main())
