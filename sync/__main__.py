"""`python -m sync --db PATH enroll|sync|status|conflicts` — the store's sync from the command line.

    python -m sync --db store.sqlite enroll https://hq.example.jp ABCD-EFGH-IJKL-MNOP
    python -m sync --db store.sqlite sync --once --json     # one round: push all, pull to head
    python -m sync --db store.sqlite sync                   # keep running (Ctrl+C to stop)
    python -m sync --db store.sqlite status --json          # queue, oldest age, last success/error, cursor

Exit codes: 0 ok, 2 bad usage, 3 refused by HQ, 5 no keyring, 6 offline, 7 another worker running.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS)
    p = argparse.ArgumentParser(prog="python -m sync")
    p.add_argument("--json", action="store_true")
    p.add_argument("--db", type=Path, default=None)
    sub = p.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("enroll", parents=[common])
    e.add_argument("hq_url")
    e.add_argument("code")
    sy = sub.add_parser("sync", parents=[common])
    sy.add_argument("--once", action="store_true")
    sub.add_parser("status", parents=[common])
    sub.add_parser("conflicts", parents=[common])
    args = p.parse_args(argv)

    from app.errors import SecretStoreUnavailable, TsumugiError
    from app.store import Store
    from sync.client import BadReply, Offline, RateLimited, Refused
    from sync.engine import NotEnrolled, SyncEngine, SyncLocked, SyncWorker, WorkerConfig, enroll

    def out(obj, text):
        print(json.dumps(obj, ensure_ascii=False, default=str) if args.json else text)

    def fail(code: int, error: str, message: str) -> int:
        print(json.dumps({"error": error, "message": message}) if args.json else f"error: {message}", file=sys.stderr)
        return code

    if args.db is None:
        from platformdirs import user_data_dir

        args.db = Path(user_data_dir("Tsumugi", "Tsumugi")) / "store.sqlite"
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:  # an encrypted store database needs its key from the keyring just to open
        store = Store.open(args.db)
    except SecretStoreUnavailable as exc:
        return fail(5, exc.code, exc.message)
    try:
        if args.cmd == "enroll":
            res = enroll(store, args.hq_url, args.code)
            out(res, f"Enrolled as store {res['store_id']} with {res['hq_url']}.")
            return 0
        engine = SyncEngine(store)
        if args.cmd == "status":
            st = engine.state().as_dict()
            out(st, "\n".join(f"{k}: {v}" for k, v in st.items()))
            return 0
        if args.cmd == "conflicts":
            rows = [{"id": c.id, "kind": c.kind, "member_id": c.member_id, "created_at": c.created_at,
                     "details": c.details} for c in reversed(store.conflicts.list(limit=None))]  # all, oldest first
            out(rows, "\n".join(f"#{r['id']} {r['kind']} {r['member_id'] or ''} {r['created_at']}" for r in rows)
                or "(no open conflicts)")
            return 0
        if args.once:
            try:
                res = engine.sync_once()
            finally:
                engine.close()
            st = engine.state().as_dict()
            out({"result": res, "status": st}, f"pushed {res['pushed']}, pulled {res['pulled']['changes']} change(s); "
                                                f"queue {st['queue']}")
            return 0
        worker = SyncWorker(engine, WorkerConfig())
        worker.start()
        try:
            while True:
                time.sleep(1)
        except KeyboardInterrupt:
            worker.stop()
        return 0
    except SyncLocked as exc:
        return fail(7, "sync_locked", str(exc))
    except (Offline, RateLimited) as exc:
        return fail(6, "offline", str(exc))
    except BadReply as exc:  # something else answers at HQ's address: retried like a network fault
        return fail(6, "bad_reply", str(exc))
    except Refused as exc:
        return fail(3, exc.error, exc.message)
    except NotEnrolled as exc:
        return fail(2, "not_enrolled", str(exc))
    except SecretStoreUnavailable as exc:
        return fail(5, exc.code, exc.message)
    except (TsumugiError, ValueError) as exc:
        return fail(2, getattr(exc, "code", "bad_input"), str(exc))
    finally:
        store.close()


if __name__ == "__main__":
    sys.exit(main())
