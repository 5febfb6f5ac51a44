"""The security log's head leaves the store: sent to HQ after each successful sync, and checked
against what HQ witnessed (hq/witness.py, app/services/security_log.py).

    python -m sync.witness --db store.sqlite [--json]     # send the head now, then compare

Exit codes: 0 the log agrees with HQ's witness, 4 it does not (rewritten or truncated: treat the
store PC as compromised), 6 HQ unreachable, 2 not enrolled / bad usage, 5 no keyring.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

log = logging.getLogger(__name__)


def send_head(store, client) -> dict:
    """Send this store's chain head to HQ. Returns HQ's answer ({"ok", "problem", "witnessed"})."""
    head = store.security.head()
    res = client._call("POST", "/v1/security/head", json={"head_id": head["id"], "head_hash": head["hash"],
                                                           "at": head["at"]})
    if not res.get("ok"):
        log.error("HQ's witness disagrees with this store's security log head (%s)", res.get("problem"))
    return res


def after_sync(engine) -> None:
    """Called by SyncEngine after a successful round: send the head when it moved since the last
    time this engine sent it. A failure is logged, never raised (the witness must not stop sync)."""
    try:
        head = engine.store.security.head()
        if getattr(engine, "_witnessed_head", None) == head["hash"]:
            return
        send_head(engine.store, engine.client)
        engine._witnessed_head = head["hash"]
    except Exception as exc:  # noqa: BLE001
        log.warning("could not send the security log head to HQ: %s", exc.__class__.__name__)


def witnessed(client) -> dict:
    return client._call("GET", "/v1/security/heads")


def check(store, client) -> list[str]:
    """Problems between this store's security log and HQ's witness ([] when they agree)."""
    data = witnessed(client)
    problems = store.security.verify_against([(h["id"], h["hash"]) for h in data.get("heads", [])])
    for p in data.get("problems", []):
        problems.append(f"HQ recorded a {p['kind']} head from this store at {p.get('received_at')} (row {p['id']})")
    return problems


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m sync.witness")
    p.add_argument("--db", type=Path, required=True)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    from app.errors import SecretStoreUnavailable
    from app.store import Store
    from sync.client import BadReply, Offline, Refused
    from sync.engine import NotEnrolled, SyncEngine

    logging.basicConfig(level=logging.WARNING)
    try:
        store = Store.open(args.db)
    except SecretStoreUnavailable as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 5
    engine = SyncEngine(store, lock=False)
    try:
        sent = send_head(store, engine.client)
        problems = check(store, engine.client)
        head = store.security.head()
        if args.json:
            print(json.dumps({"head": head, "sent": sent, "problems": problems}))
        elif problems:
            print("The security log does NOT agree with HQ's witness:\n  " + "\n  ".join(problems))
        else:
            print(f"Security log intact and witnessed by HQ (row {head['id']}, {head['hash'][:16]}…).")
        return 4 if problems else 0
    except NotEnrolled as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (Offline, BadReply) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 6
    except Refused as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 3
    finally:
        engine.close()
        store.close()


if __name__ == "__main__":
    sys.exit(main())
