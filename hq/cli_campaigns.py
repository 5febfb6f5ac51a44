"""`python -m hq campaigns|jobs|notify|reports ...` (registered by hq/__main__.py).

    python -m hq campaigns validate FILE                 # every problem: file:line: field: message
    python -m hq campaigns simulate FILE [--days 30] [--no-shift] [--csv]
    python -m hq campaigns publish FILE [--from 2026-04-01T00:00:00+09:00]
    python -m hq campaigns list | show VERSION
    python -m hq jobs run [JOB] [--date 2026-04-01] [--products FILE.csv] [--target D]
    python -m hq jobs runs [JOB]
    python -m hq notify send [--limit 500]
    python -m hq reports daily|coupons --from D [--to D] [--csv] | reports sync-health [--csv]
"""
from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime

COMMANDS = ("campaigns", "jobs", "notify", "reports")
ORDER = ("expiry", "tiers", "vip", "win_back", "churn")  # `jobs run` with no JOB: the daily ones


def add_parsers(sub) -> None:
    js = dict(action="store_true", default=argparse.SUPPRESS, help="JSON output")
    c = sub.add_parser("campaigns", help="rule-set campaigns: validate, simulate, publish, list, show")
    cs = c.add_subparsers(dest="sub", required=True)
    v = cs.add_parser("validate")
    v.add_argument("file")
    v.add_argument("--json", **js)
    sm = cs.add_parser("simulate")
    sm.add_argument("file")
    sm.add_argument("--days", type=int, default=30)
    sm.add_argument("--no-shift", action="store_true", help="keep campaign dates as written")
    sm.add_argument("--csv", action="store_true")
    sm.add_argument("--json", **js)
    p = cs.add_parser("publish")
    p.add_argument("file")
    p.add_argument("--from", dest="valid_from", help="ISO date-time with offset; overrides valid_from")
    p.add_argument("--json", **js)
    ls = cs.add_parser("list")
    ls.add_argument("--json", **js)
    sh = cs.add_parser("show")
    sh.add_argument("version")
    sh.add_argument("--json", **js)

    j = sub.add_parser("jobs", help="HQ jobs (cron: python -m hq jobs run)")
    jss = j.add_subparsers(dest="sub", required=True)
    jr = jss.add_parser("run")
    jr.add_argument("job", nargs="?", help="expiry, tiers, vip, win_back, churn, rainy_day, overstock; "
                                           "none = the daily ones")
    jr.add_argument("--date", dest="day")
    jr.add_argument("--products", help="overstock: CSV with a category column")
    jr.add_argument("--target", help="rainy_day: the day to look at (default --date)")
    jr.add_argument("--json", **js)
    jl = jss.add_parser("runs")
    jl.add_argument("job", nargs="?")
    jl.add_argument("--json", **js)

    n = sub.add_parser("notify", help="send the notification outbox")
    ns = n.add_subparsers(dest="sub", required=True)
    nsend = ns.add_parser("send")
    nsend.add_argument("--limit", type=int, default=500)
    nsend.add_argument("--json", **js)

    r = sub.add_parser("reports", help="chain reports (CSV with --csv)")
    rs = r.add_subparsers(dest="sub", required=True)
    for name in ("daily", "coupons"):
        x = rs.add_parser(name)
        x.add_argument("--from", dest="day_from", required=True)
        x.add_argument("--to", dest="day_to")
        x.add_argument("--csv", action="store_true")
        x.add_argument("--json", **js)
    h = rs.add_parser("sync-health")
    h.add_argument("--csv", action="store_true")
    h.add_argument("--json", **js)


def _dt(text: str) -> datetime:
    dt = datetime.fromisoformat(text)
    if dt.tzinfo is None:
        raise SystemExit(f"error: --from needs a time zone offset, e.g. {text}+09:00")
    return dt


def run(args, service_factory) -> int:
    from hq import campaigns, jobs, notify, reports

    as_json = getattr(args, "json", False)

    def out(obj, text):
        print(json.dumps(obj, ensure_ascii=False, indent=2, default=str) if as_json else text)

    if args.cmd == "campaigns" and args.sub == "validate":
        try:
            cf = campaigns.load_campaign_file(args.file)
        except campaigns.CampaignError as exc:
            if as_json:
                print(json.dumps({"ok": False, "problems": [{"field": p, "line": ln, "message": m}
                                                             for p, ln, m in exc.problems]}, ensure_ascii=False))
            else:
                print(exc.render(), file=sys.stderr)
                print(f"{len(exc.problems)} problem(s)", file=sys.stderr)
            return 1
        out({"ok": True, "version": cf.rule_set.version},
            f"{args.file}: OK — version {cf.rule_set.version}, valid from {cf.rule_set.valid_from.isoformat()}, "
            f"{len(cf.rule_set.campaigns)} campaign(s), {len(cf.rule_set.coupons)} coupon(s)")
        return 0
    try:
        if args.cmd == "campaigns":
            if args.sub in ("simulate", "publish"):
                try:
                    vf = _dt(args.valid_from) if getattr(args, "valid_from", None) else None
                    cf = campaigns.load_campaign_file(args.file, valid_from=vf)
                except campaigns.CampaignError as exc:
                    print(exc.render(), file=sys.stderr)
                    return 1
            svc = service_factory()
            if args.sub == "simulate":
                res = campaigns.simulate(svc, cf, days=args.days, shift=not args.no_shift)
                if args.csv:
                    sys.stdout.write(campaigns.simulation_csv(res))
                    return 0
                lines = [f"Simulated {res['version']} over {res['days']} days ({res['earns']} earns"
                         f"{', campaign dates moved %+d days' % res['campaign_shift_days'] if res['campaign_shift_days'] else ''}):",
                         f"  points issued then {res['baseline_points']:,} → under the new rules {res['new_points']:,}"
                         f"  (extra {res['extra_points']:+,}), members affected {res['members_affected']:,}"]
                for sid, v in res["per_store"].items():
                    lines.append(f"  {sid:8} earns {v['earns']:>7,}  extra {v['extra_points']:>+9,} pt  "
                                 f"members {v['members_affected']:,}")
                out(res, "\n".join(lines))
            elif args.sub == "publish":
                res = campaigns.publish(svc, cf)
                out(res, (f"Version {res['version']} was already published (unchanged)." if res["already_published"]
                          else f"Published {res['version']}: valid from {res['valid_from']}"
                               f"{' to ' + res['valid_to'] if res['valid_to'] else ''}; stores receive it at their "
                               f"next sync.") + (f"\nwarning: {res['warning']}" if res["warning"] else ""))
            elif args.sub == "list":
                rows = campaigns.list_versions(svc)
                out(rows, "\n".join(f"{r['version']:28} {r['state']:10} from {r['valid_from']}"
                                    f"{' to ' + r['valid_to'] if r['valid_to'] else ''}  "
                                    f"campaigns: {', '.join(r['campaigns']) or '-'}" for r in rows))
            elif args.sub == "show":
                res = campaigns.show_version(svc, args.version)
                out(res, json.dumps(res["rule_set"], ensure_ascii=False, indent=2)
                    + (f"\n# from {res['source']['file']} ({res['source']['format']}); HQ-only: "
                       f"{json.dumps(res['source']['extras'], ensure_ascii=False)}" if res["source"] else ""))
            return 0
        svc = service_factory()
        if args.cmd == "jobs" and args.sub == "run":
            day = date.fromisoformat(args.day) if args.day else None
            names = [args.job] if args.job else list(ORDER)
            results = []
            for name in names:
                opts = {}
                if name == "overstock":
                    opts["products"] = args.products
                if name == "rainy_day" and args.target:
                    opts["target"] = date.fromisoformat(args.target)
                results.append(jobs.run_job(svc, name, day, trigger="cli", **opts))
            out(results, "\n".join(f"{r['job']:10} {r['date']} {r['status']}: "
                                   + ", ".join(f"{k} {v}" for k, v in r.items()
                                               if k not in ("job", "date", "status", "run_id", "expiring_next_month",
                                                            "templates"))
                                   for r in results))
        elif args.cmd == "jobs" and args.sub == "runs":
            rows = jobs.runs(svc, args.job)
            out(rows, "\n".join(f"#{r['run_id']:<5} {r['job']:10} {r['date']} {r['trigger']:9} {r['status']:7} "
                                f"{json.dumps({k: v for k, v in r['summary'].items() if k != 'expiring_next_month'}, ensure_ascii=False)}"
                                for r in rows) or "(no runs)")
        elif args.cmd == "notify":
            res = notify.deliver_pending(svc, limit=args.limit)
            out(res, ", ".join(f"{k} {v}" for k, v in res.items()))
        elif args.cmd == "reports":
            if args.sub == "sync-health":
                rows = reports.sync_health(svc)
            else:
                d1 = date.fromisoformat(args.day_from)
                d2 = date.fromisoformat(args.day_to) if args.day_to else None
                res = reports.daily(svc, d1, d2) if args.sub == "daily" else reports.coupon_funnel(svc, d1, d2)
                rows = res if args.sub == "daily" else res["rows"]
            if args.csv:
                sys.stdout.write(reports.to_csv(rows))
            else:
                print(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        return 0
    except jobs.JobError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
