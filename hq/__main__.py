"""`python -m hq` — HQ's admin command line (works on the database directly).

    python -m hq [--database-url URL] serve [--host 127.0.0.1] [--port 8700] [--workers N]
                                            [--certfile CHAIN.pem --keyfile KEY.pem] [--forwarded-allow-ips IPS]
    python -m hq stores add NAME [--id S001]     # prints the one-time enrollment code
    python -m hq stores list | stores revoke STORE_ID
    python -m hq members merge SURVIVOR DUPLICATE | members delete MEMBER_ID | members duplicates
    python -m hq principals add NAME --role admin|auditor   # prints an API token once
    python -m hq rulesets publish FILE.json
    python -m hq epoch bump                      # every store resets its cache
    python -m hq status [--json]
"""
from __future__ import annotations

import argparse
import json
import sys


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m hq", description="Tsumugi HQ administration")
    p.add_argument("--database-url", default=None, help="default: TSUMUGI_HQ_DATABASE_URL or the embedded SQLite")
    p.add_argument("--json", action="store_true")
    sub = p.add_subparsers(dest="cmd", required=True)
    serve = sub.add_parser("serve")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8700)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--certfile", default=None, help="serve HTTPS: certificate chain (PEM); "
                       "default TSUMUGI_HQ_TLS_CERTFILE")
    serve.add_argument("--keyfile", default=None, help="its private key (PEM); default TSUMUGI_HQ_TLS_KEYFILE")
    serve.add_argument("--forwarded-allow-ips", default=None,
                       help="reverse proxies whose X-Forwarded-* headers are trusted (comma-separated); "
                            "default TSUMUGI_HQ_FORWARDED_ALLOW_IPS or 127.0.0.1")
    stores = sub.add_parser("stores").add_subparsers(dest="sub", required=True)
    sa = stores.add_parser("add")
    sa.add_argument("name")
    sa.add_argument("--id", dest="store_id")
    stores.add_parser("list")
    sr = stores.add_parser("revoke")
    sr.add_argument("store_id")
    members = sub.add_parser("members").add_subparsers(dest="sub", required=True)
    mm = members.add_parser("merge")
    mm.add_argument("survivor")
    mm.add_argument("duplicate")
    md = members.add_parser("delete")
    md.add_argument("member_id")
    members.add_parser("duplicates")
    pr = sub.add_parser("principals").add_subparsers(dest="sub", required=True)
    pa = pr.add_parser("add")
    pa.add_argument("name")
    pa.add_argument("--role", choices=["admin", "auditor"], required=True)
    rs = sub.add_parser("rulesets").add_subparsers(dest="sub", required=True)
    rp = rs.add_parser("publish")
    rp.add_argument("file")
    ep = sub.add_parser("epoch").add_subparsers(dest="sub", required=True)
    ep.add_parser("bump")
    sub.add_parser("status")
    from hq.cli_campaigns import add_parsers as add_campaign_parsers

    add_campaign_parsers(sub)  # campaigns, jobs, notify, reports
    return p


def _service(url: str | None):
    from hq.db import HQDatabase
    from hq.service import HQService
    from hq.settings import Settings

    settings = Settings()
    if url:
        settings.database_url = url
    db = HQDatabase(settings.database_url, schema=settings.schema)
    db.upgrade()
    svc = HQService(db, settings)
    svc.init()
    return svc


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    out = lambda obj, text: print(json.dumps(obj, ensure_ascii=False, indent=2) if args.json else text)  # noqa: E731
    from hq.service import HQError

    try:
        if args.cmd == "serve":
            import os

            import uvicorn

            from hq.settings import Settings

            settings = Settings()
            url = args.database_url or settings.database_url
            settings.tls_certfile = args.certfile or settings.tls_certfile
            settings.tls_keyfile = args.keyfile or settings.tls_keyfile
            settings.forwarded_allow_ips = args.forwarded_allow_ips or settings.forwarded_allow_ips
            try:
                server_opts = settings.server_options()
            except ValueError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 2
            os.environ["TSUMUGI_HQ_DATABASE_URL"] = url
            os.environ.setdefault("TSUMUGI_HQ_SCHEDULER", "1")  # hq/jobs.py: the daily jobs run inside serve
            svc = _service(url)  # migrate once, before the workers start
            svc.check_signing_key()  # enrollment needs it: say so now, not at a store's first call
            svc.db.close()
            uvicorn.run("hq.asgi:app", host=args.host, port=args.port, workers=args.workers, log_level="info",
                        **server_opts)
            return 0
        from hq import cli_campaigns

        if args.cmd in cli_campaigns.COMMANDS:
            return cli_campaigns.run(args, lambda: _service(args.database_url))
        svc = _service(args.database_url)
        if args.cmd == "stores" and args.sub == "add":
            store_id, code = svc.add_store(args.name, args.store_id)
            out({"store_id": store_id, "enrollment_code": code},
                f"Store {store_id} created. One-time enrollment code (shown once):\n{code}")
        elif args.cmd == "stores" and args.sub == "list":
            rows = svc.list_stores()
            out(rows, "\n".join(f"{r['store_id']:8} {r['status']:8} last contact {r['last_contact_at'] or '-'}  "
                                f"{r['name']}" for r in rows) or "(no stores)")
        elif args.cmd == "stores" and args.sub == "revoke":
            svc.revoke_store(args.store_id)
            out({"store_id": args.store_id, "status": "revoked"}, f"Store {args.store_id} revoked.")
        elif args.cmd == "members" and args.sub == "merge":
            res = svc.merge(args.survivor, args.duplicate)
            out(res, f"Merged {res['duplicate']} into {res['survivor']} (balance now {res['balance']}).")
        elif args.cmd == "members" and args.sub == "delete":
            svc.delete_member(args.member_id)
            out({"member_id": args.member_id, "status": "deleted"},
                f"Member {args.member_id}: personal data deleted; every store removes it at its next sync.")
        elif args.cmd == "members" and args.sub == "duplicates":
            rows = svc.duplicates()
            out(rows, "\n".join(f"{r['member_id']} ~ {r['other_id']} ({r['reason']}, {r['status']})" for r in rows)
                or "(none)")
        elif args.cmd == "principals":
            token = svc.add_principal(args.name, args.role)
            out({"name": args.name, "role": args.role, "token": token},
                f"{args.role} token for {args.name} (shown once):\n{token}")
        elif args.cmd == "rulesets":
            with open(args.file, "rb") as f:
                version = svc.publish_rule_set(json.loads(f.read()))
            out({"version": version}, f"Rule set {version} published.")
        elif args.cmd == "epoch":
            epoch = svc.bump_epoch()
            out({"epoch": epoch}, f"New epoch {epoch}: every store rebuilds its cache at its next sync.")
        elif args.cmd == "status":
            st = svc.status()
            lines = [f"epoch {st['epoch']}  changes {st['head']}  members {st['members']}  "
                     f"open conflicts {st['open_conflicts']}"]
            for r in st["stores"]:
                lines.append(f"{r['store_id']:8} {r['status']:8} last contact {r['last_contact_at'] or '-'}  "
                             f"queue {r['queue_length'] if r['queue_length'] is not None else '-'} "
                             f"(oldest {r['oldest_pending_at'] or '-'})  last error {r['last_error'] or '-'}")
            out(st, "\n".join(lines))
        return 0
    except HQError as exc:
        print(json.dumps({"error": exc.code, "message": str(exc)}) if args.json else f"error: {exc}",
              file=sys.stderr)
        return 2 if exc.status < 500 else 1


if __name__ == "__main__":
    sys.exit(main())
