"""`python -m app` — the store's command line, over the same services the counter uses.

Store IT staff script against this shape; keep it stable (README.md documents it). With --json,
exactly one JSON document goes to stdout; errors go to stderr (a JSON error object with --json)
with a non-zero exit: 2 bad usage or input, 3 refused, 4 not found, 5 keyring missing.
The staff PIN comes from TSUMUGI_PIN or a prompt, never from an argument.
"""
from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from pathlib import Path

from app.errors import (
    AuthenticationFailed,
    CodeRefused,
    InvalidInput,
    NotFound,
    PermissionDenied,
    SecretStoreUnavailable,
    TsumugiError,
)
from app.ids import new_key

EXIT = {InvalidInput: 2, NotFound: 4, SecretStoreUnavailable: 5}


def _default_db() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("Tsumugi", "Tsumugi")) / "store.sqlite"


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="print one JSON document")
    p = argparse.ArgumentParser(prog="python -m app", description="Tsumugi store command line", parents=[common])
    p.add_argument("--db", type=Path, default=None, help="store database file (default: the user data folder)")
    sub = p.add_subparsers(dest="command", required=True)

    init = sub.add_parser("init", parents=[common], help="create the store in this database")
    init.add_argument("--store-id", required=True)
    init.add_argument("--terminal-id", default="T01")
    init.add_argument("--rules", type=Path, help="rule set JSON file (default: the shipped default)")

    staff = sub.add_parser("staff", parents=[common], help="staff members").add_subparsers(dest="staff_cmd", required=True)
    sa = staff.add_parser("add", parents=[common])
    sa.add_argument("--name", required=True)
    sa.add_argument("--role", required=True, choices=["cashier", "manager", "admin"])
    sa.add_argument("--pin", help="the new staff member's PIN (or TSUMUGI_NEW_PIN, or a prompt)")
    sa.add_argument("--by", type=int, help="staff number of the manager/admin adding (PIN from TSUMUGI_PIN); "
                                             "not needed for the first staff member")
    staff.add_parser("list", parents=[common])

    members = sub.add_parser("members", parents=[common], help="members").add_subparsers(dest="members_cmd", required=True)
    ma = members.add_parser("add", parents=[common])
    ma.add_argument("--name-kana", required=True)
    ma.add_argument("--name")
    ma.add_argument("--phone")
    ma.add_argument("--email")
    ma.add_argument("--birthday")
    ma.add_argument("--consent", action="store_true", help="the member agreed to marketing messages")
    ma.add_argument("--staff", type=int, help="staff number (or TSUMUGI_STAFF); PIN from TSUMUGI_PIN")
    ma.add_argument("--key", help="idempotency key (UUID) = the new member id")
    mf = members.add_parser("find", parents=[common])
    mf.add_argument("query")
    mx = members.add_parser("export", parents=[common],
                            help="APPI disclosure: everything about one member as JSON + CSV (manager only)")
    mx.add_argument("member", help="member id (UUID) or member number")
    mx.add_argument("--out", type=Path, default=Path("."), help="folder for the files (default: here)")
    mx.add_argument("--staff", type=int, help="manager's staff number (or TSUMUGI_STAFF); PIN from TSUMUGI_PIN")

    for name in ("earn", "redeem"):
        e = sub.add_parser(name, parents=[common])
        e.add_argument("--code", required=True, help="member code, member number or legacy card number")
        if name == "earn":
            e.add_argument("--amount", required=True, help="purchase amount in yen (tax included)")
        else:
            e.add_argument("--points", required=True)
            e.add_argument("--bill", help="the bill in yen, for the rule set's cap")
        e.add_argument("--staff", type=int, required=True)
        e.add_argument("--key", help="idempotency key (UUID); the same key again changes nothing")

    v = sub.add_parser("void", parents=[common])
    v.add_argument("entry_id")
    v.add_argument("--staff", type=int, required=True)
    v.add_argument("--key")
    v.add_argument("--reason")

    b = sub.add_parser("balance", parents=[common])
    b.add_argument("--code", required=True)

    x = sub.add_parser("expire", parents=[common], help="expire lots past their date")
    x.add_argument("--staff", type=int, required=True)

    im = sub.add_parser("import", parents=[common], help="import a legacy ledger (.xlsx / .csv); manager only")
    im.add_argument("file", type=Path)
    im.add_argument("--mapping", type=Path, help="column mapping JSON (default: guessed from the headers)")
    im.add_argument("--encoding", help="CSV encoding override: cp932 (Shift_JIS), utf-8, utf-8-sig")
    im.add_argument("--decision", action="append", default=[], metavar="GROUP=merge|separate|skip",
                    help="decision for one duplicate group (repeatable); the mapping's default otherwise")
    mode = im.add_mutually_exclusive_group(required=True)
    mode.add_argument("--dry-run", action="store_true", help="report what would change; write nothing")
    mode.add_argument("--commit", action="store_true", help="import, in one transaction")
    im.add_argument("--staff", type=int, help="manager's staff number (or TSUMUGI_STAFF); PIN from TSUMUGI_PIN")

    d = sub.add_parser("decode", parents=[common], help="what barcodes each image yields")
    d.add_argument("images", nargs="+")
    return p


def _pin(env: str = "TSUMUGI_PIN", prompt: str = "PIN: ") -> str:
    pin = os.environ.get(env)
    if pin is not None:
        return pin
    if sys.stdin is not None and sys.stdin.isatty():
        return getpass.getpass(prompt)
    raise InvalidInput(f"No PIN: set {env} or run in a terminal to be asked.", code="pin_required")


def _actor(store, staff_id: int | None):
    if staff_id is None:
        env = os.environ.get("TSUMUGI_STAFF")
        if not env or not env.isdigit():
            raise InvalidInput("Who is doing this? Give --staff or set TSUMUGI_STAFF.", code="staff_required")
        staff_id = int(env)
    return store.staff.authenticate(staff_id, _pin())


def _member_json(m, store=None) -> dict:
    from app.text import format_phone

    return {"member_id": m.id, "member_no": m.member_no, "name": m.name, "name_kana": m.name_kana,
            "phone": format_phone(m.phone) or None, "email": m.email, "tier": m.tier,
            "balance": m.balance, "status": m.status}


def run(args) -> tuple[object, str]:
    """Runs a command; returns (JSON-able result, human text)."""
    if args.command == "decode":
        from app.scanning.cli import decode_command

        raise SystemExit(decode_command(args.images, args.json))

    from app.store import Store

    db_path = args.db or _default_db()
    store = Store.open(db_path)
    try:
        if args.command == "init":
            from app.services.setup import init_store

            init_store(store, args.store_id, terminal_id=args.terminal_id, rules_file=args.rules)
            r = {"store_id": store.store_id, "terminal_id": store.terminal_id, "db": str(db_path),
                 "rule_set": store.rules.current().version}
            return r, f"Store {r['store_id']} ready in {db_path} (rule set {r['rule_set']})."
        if args.command == "staff":
            if args.staff_cmd == "list":
                rows = [{"staff_id": s.id, "name": s.name, "role": s.role, "active": s.active} for s in store.staff.list()]
                return rows, "\n".join(f"{r['staff_id']:>4}  {r['role']:<8} {r['name']}" for r in rows)
            actor = None if store.staff.count() == 0 else store.staff.authenticate(
                args.by if args.by is not None else -1, _pin()) if args.by is not None else None
            pin = args.pin if args.pin is not None else _pin("TSUMUGI_NEW_PIN", "New staff PIN: ")
            staff = store.staff.add(actor, args.name, args.role, pin)
            return {"staff_id": staff.id, "name": staff.name, "role": staff.role}, \
                f"Staff number {staff.id}: {staff.name} ({staff.role})"
        if args.command == "members":
            if args.members_cmd == "find":
                rows = [_member_json(m) for m in store.members.find(args.query)]
                return rows, "\n".join(f"{r['member_no']}  {r['name_kana']}  {r['phone'] or ''}  {r['balance']} pt"
                                       for r in rows) or "No member found."
            if args.members_cmd == "export":
                r = store.privacy.export(_actor(store, args.staff), args.member, args.out)
                return r, "Written:\n" + "\n".join(f"  {p}" for p in r["files"].values())
            actor = _actor(store, args.staff)
            reg = store.members.register(actor, args.name_kana, name=args.name, phone=args.phone, email=args.email,
                                         birthday=args.birthday, consent_marketing=args.consent, member_id=args.key)
            r = {"member_id": reg.member.id, "member_no": reg.member.member_no, "code": reg.code,
                 "replayed": reg.replayed}
            return r, f"Member {r['member_no']} registered.\nMember code: {r['code']}"
        if args.command in ("earn", "redeem"):
            actor = _actor(store, args.staff)
            member = store.members.resolve(args.code)
            key = args.key or str(new_key())
            if args.command == "earn":
                res = store.ledger.earn(actor, member.id, args.amount, key)
                text = f"+{res.points} pt (balance {res.balance} pt)\n" + "\n".join(
                    "  " + line["label"] for line in res.breakdown)
            else:
                res = store.ledger.redeem(actor, member.id, args.points, key,
                                          bill_yen=args.bill if args.bill else None)
                text = f"{res.points} pt (balance {res.balance} pt)"
            return res.as_dict(), text
        if args.command == "void":
            actor = _actor(store, args.staff)
            res = store.ledger.void(actor, args.entry_id, args.key, reason=args.reason)
            return res.as_dict(), f"Voided; balance {res.balance} pt"
        if args.command == "balance":
            member = store.members.resolve(args.code)
            r = store.ledger.balance(member.id)
            return r, f"{r['balance']} pt ({r['pending']} pt not yet confirmed by HQ)"
        if args.command == "expire":
            from app.services.staff import require

            require(_actor(store, args.staff), "manager", "expire points")
            r = store.ledger.expire()
            return r, f"Expired {r['points']} pt of {r['members']} members."
        if args.command == "import":
            from app.legacy_import import Mapping, run_import
            from app.services.staff import require

            actor = _actor(store, args.staff)
            require(actor, "manager", "import a legacy ledger")
            decisions = dict(d.split("=", 1) for d in args.decision if "=" in d)
            r = run_import(store, args.file, mapping=Mapping.load(args.mapping) if args.mapping else None,
                           encoding=args.encoding, actor=actor, dry_run=args.dry_run, decisions=decisions)
            verb = "Would import" if r["dry_run"] else "Imported"
            return r, (f"{verb} {r['rows_imported']} of {r['rows_total']} rows: {r['members_created']} members "
                       f"created, {r['members_matched']} matched, {r['points_migrated']:,} pt, "
                       f"{r['rows_skipped']} rows skipped, {r['rows_already_imported']} already imported.")
        raise InvalidInput(f"Unknown command {args.command}", code="usage")
    finally:
        store.close()


PLUGIN_GROUP = "tsumugi.commands"


def _plugin_command(argv: list[str]):
    """Commands other packages add to `python -m app` (sync adds enroll, sync, status) through the
    entry-point group "tsumugi.commands", so app/ never imports them. Returns (main, argv) or None."""
    from importlib.metadata import entry_points

    rest, db = list(argv), []
    if len(rest) >= 2 and rest[0] == "--db":
        db, rest = rest[:2], rest[2:]
    elif rest and rest[0].startswith("--db="):
        db, rest = ["--db", rest[0].split("=", 1)[1]], rest[1:]
    if not rest:
        return None
    found = [ep for ep in entry_points(group=PLUGIN_GROUP) if ep.name == rest[0]]
    return (found[0].load(), db + rest) if found else None


def main(argv: list[str] | None = None) -> int:
    import logging

    argv = list(sys.argv[1:] if argv is None else argv)
    plugin = _plugin_command(argv)
    if plugin is not None:
        command, plugin_argv = plugin
        return command(plugin_argv)
    # With --json, stderr carries exactly one JSON error document: warnings (e.g. the weaker key
    # file) are not printed there.
    logging.basicConfig(level=logging.ERROR if "--json" in argv else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        result, text = run(args)
    except TsumugiError as exc:
        code = next((c for t, c in EXIT.items() if isinstance(exc, t)), 3)
        if isinstance(exc, (PermissionDenied, AuthenticationFailed, CodeRefused)):
            code = 3
        if args.json:
            print(json.dumps(exc.as_dict(), ensure_ascii=False), file=sys.stderr)
        else:
            print(f"error: {exc.message}", file=sys.stderr)
        return code
    except Exception as exc:  # rule-set errors and the like: a message, never a trace
        from app.rules import RuleSetError, RuleViolation

        if isinstance(exc, (RuleSetError, RuleViolation)):
            err = {"error": getattr(exc, "code", "rule_set_invalid"), "message": str(exc)}
            print(json.dumps(err, ensure_ascii=False) if args.json else f"error: {exc}", file=sys.stderr)
            return 2 if isinstance(exc, RuleSetError) else 3
        raise
    if args.json:
        print(json.dumps(result, ensure_ascii=False, default=str))
    else:
        print(text)
    return 0
