"""Campaign rule sets from file to counter: validate, simulate, publish, list, show.

The authoring format (hq/CAMPAIGNS.md) is the rule-set format of ``app/rules`` (what stores get,
priced by the one engine) plus three HQ-only parts that are resolved or kept here:

* ``regions: {name: [store ids]}`` — store groups; a campaign's ``regions: [...]`` is expanded into
  its ``stores`` (the union); weather marks are per region too;
* ``jobs: {...}`` — settings of the HQ jobs (churn coupon, VIP tag, ...), see hq/jobs.py;
* JSON or YAML (YAML keeps dates as text and decimals exact, like the JSON reader).

Every error is reported with its field path and, where the file has one, its line.
"""
from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app.rules import (MemberState, Purchase, RuleSet, RuleSetError, parse_rule_set, price_purchase,
                       rule_set_for, tier_for)
from hq.models import CampaignSource, LedgerRow, MemberRow, RuleSetRow, WeatherMark

HQ_ONLY_KEYS = ("regions", "jobs")
JOB_KEYS = {
    "churn": {"coupon", "min_score", "days_without_visit"},
    "vip": {"tag"},
    "tiers": {"schedule"},
    "expiry": {"notice"},
    "rainy_day": {"condition"},
    "overstock": {"multiplier", "days", "name_ja", "name_en"},
    "win_back": set(),
}
_ID = re.compile(r"^[a-z][a-z0-9_-]*$")


class CampaignError(Exception):
    """A campaign file was refused: ``problems`` = [(field path, line or None, message)]."""

    def __init__(self, problems: list[tuple[str, int | None, str]], file_name: str = "file"):
        self.problems = problems
        self.file_name = file_name
        super().__init__(self.render())

    def render(self) -> str:
        out = []
        for path, line, msg in self.problems:
            where = f"{self.file_name}:{line}" if line else self.file_name
            out.append(f"{where}: {path or '(document)'}: {msg}")
        return "\n".join(out)


@dataclass
class CampaignFile:
    rule_set: RuleSet
    body: dict                    # the rule set as stores receive it (JSON-ready)
    extras: dict                  # regions, jobs
    source: str
    format: str
    file_name: str | None = None
    lines: dict[str, int] = field(default_factory=dict)

    def store_regions(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = defaultdict(set)
        for region, stores in (self.extras.get("regions") or {}).items():
            for st in stores:
                out[st].add(region)
        return out


# ---------------------------------------------------------------------------------------------
# Reading JSON and YAML with a place for every field
# ---------------------------------------------------------------------------------------------
def _yaml_loader():
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    # dates and times stay text (as in JSON); decimals stay exact
    Loader.yaml_implicit_resolvers = {k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
                                      for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}
    Loader.add_constructor("tag:yaml.org,2002:float",
                           lambda loader, node: Decimal(loader.construct_scalar(node).replace("_", "")))
    return Loader


def _node_lines(node, path: str = "", out: dict | None = None) -> dict[str, int]:
    import yaml

    out = {} if out is None else out
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            key = str(k.value)
            p = f"{path}.{key}" if path else key
            out[p] = k.start_mark.line + 1
            _node_lines(v, p, out)
            out[p] = k.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            _node_lines(v, f"{path}[{i}]", out)
    return out


def line_for(lines: dict[str, int], path: str) -> int | None:
    """The line of ``path`` or of its nearest parent present in the file."""
    p = path
    while True:
        if p in lines:
            return lines[p]
        if not p:
            return None
        cut = max(p.rfind("."), p.rfind("["))
        p = p[:cut] if cut > 0 else ""


def read_source(text: str, file_name: str = "file") -> tuple[Any, str, dict[str, int]]:
    """(data, format, lines). JSON when the name ends .json or the text starts with '{'."""
    text = text.lstrip("\ufeff")
    is_json = file_name.lower().endswith(".json") or text.lstrip().startswith("{")
    lines: dict[str, int] = {}
    if is_json:
        try:
            data = json.loads(text, parse_float=Decimal)
        except json.JSONDecodeError as exc:
            raise CampaignError([("", exc.lineno, f"is not valid JSON: {exc.msg} (column {exc.colno})")],
                                file_name) from None
        try:  # JSON is YAML: the composer gives every field its line
            import yaml

            lines = _node_lines(yaml.compose(text, Loader=_yaml_loader()))
        except Exception:  # noqa: BLE001 - no PyYAML, or a JSON corner YAML reads differently
            lines = {}
        return data, "json", lines
    try:
        import yaml
    except ImportError:
        raise CampaignError([("", None, "YAML needs PyYAML (pip install pyyaml); or write JSON")], file_name) from None
    loader = _yaml_loader()
    try:
        node = yaml.compose(text, Loader=loader)
        data = yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise CampaignError([("", mark.line + 1 if mark else None,
                              f"is not valid YAML: {getattr(exc, 'problem', None) or exc}")], file_name) from None
    if node is not None:
        lines = _node_lines(node)
    return data, "yaml", lines


# ---------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------
def _check_extras(data: dict) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    regions = data.get("regions")
    if regions is not None:
        if not isinstance(regions, dict):
            problems.append(("regions", "must be an object of region id → list of store ids"))
            regions = {}
        for name, stores in regions.items():
            if not _ID.match(str(name)):
                problems.append((f"regions.{name}", "must be a lower-case id (a-z, 0-9, '_' or '-')"))
            if not isinstance(stores, list) or not stores or not all(isinstance(x, str) and x for x in stores):
                problems.append((f"regions.{name}", "must be a non-empty list of store ids"))
    regions = regions if isinstance(regions, dict) else {}
    for i, c in enumerate(data.get("campaigns") or []):
        if not isinstance(c, dict) or "regions" not in c:
            continue
        rs = c["regions"]
        if isinstance(rs, str):
            rs = [rs]
        if not isinstance(rs, list):
            problems.append((f"campaigns[{i}].regions", "must be a list of region ids"))
            continue
        for j, r in enumerate(rs):
            if r not in regions:
                problems.append((f"campaigns[{i}].regions[{j}]",
                                 f"unknown region {r!r} (define it under regions:)"))
    jobs = data.get("jobs")
    if jobs is not None:
        if not isinstance(jobs, dict):
            problems.append(("jobs", "must be an object"))
        else:
            coupon_ids = {c.get("id") for c in data.get("coupons") or [] if isinstance(c, dict)}
            for name, conf in jobs.items():
                if name not in JOB_KEYS:
                    problems.append((f"jobs.{name}", f"is not a known job (one of {sorted(JOB_KEYS)})"))
                    continue
                if not isinstance(conf, dict):
                    problems.append((f"jobs.{name}", "must be an object"))
                    continue
                for k, v in conf.items():
                    if k not in JOB_KEYS[name]:
                        problems.append((f"jobs.{name}.{k}", "is not a known field"))
                if "coupon" in conf and conf["coupon"] not in coupon_ids:
                    problems.append((f"jobs.{name}.coupon", f"unknown coupon {conf['coupon']!r}"))
                if "min_score" in conf:
                    v = conf["min_score"]
                    if isinstance(v, bool) or not isinstance(v, (int, Decimal)) or not 0 <= v <= 1:
                        problems.append((f"jobs.{name}.min_score", "must be a number from 0 to 1"))
                for k in ("days_without_visit", "days"):
                    if k in conf and (isinstance(conf[k], bool) or not isinstance(conf[k], int) or conf[k] < 1):
                        problems.append((f"jobs.{name}.{k}", "must be a whole number ≥ 1"))
    return problems


def _expand(data: dict) -> dict:
    """The rule set stores get: HQ-only keys removed, campaign regions expanded into stores."""
    regions = data.get("regions") if isinstance(data.get("regions"), dict) else {}
    body = {k: v for k, v in data.items() if k not in HQ_ONLY_KEYS}
    if isinstance(body.get("campaigns"), list):
        out = []
        for c in body["campaigns"]:
            if isinstance(c, dict) and "regions" in c:
                c = dict(c)
                names = c.pop("regions")
                names = [names] if isinstance(names, str) else (names or [])
                stores = list(c.get("stores") or [])
                for r in names:
                    for st in regions.get(r, []) if isinstance(r, str) else []:
                        if st not in stores:
                            stores.append(st)
                c["stores"] = stores
            out.append(c)
        body["campaigns"] = out
    return body


def _json_ready(value: Any) -> Any:
    return json.loads(json.dumps(value, default=lambda o: str(o) if isinstance(o, (Decimal, date, datetime)) else o))


def load_campaign(text: str, file_name: str = "file", *, valid_from: datetime | None = None) -> CampaignFile:
    """Parse and validate; raise :class:`CampaignError` with every problem and its place."""
    data, fmt, lines = read_source(text, file_name)
    if not isinstance(data, dict):
        raise CampaignError([("", 1, "must be an object (a mapping of fields)")], file_name)
    problems = [(p, line_for(lines, p), m) for p, m in _check_extras(data)]
    body = _expand(data)
    if valid_from is not None:
        body["valid_from"] = valid_from.isoformat()
    rule_set = None
    try:
        rule_set = parse_rule_set(_json_safe_for_rules(body))
    except RuleSetError as exc:
        for path, msg in exc.errors:
            problems.append((path, line_for(lines, path), msg))
    if problems:
        # stable order: by line, then path
        problems.sort(key=lambda p: (p[1] or 0, p[0]))
        raise CampaignError(problems, file_name)
    assert rule_set is not None
    extras = _json_ready({k: data[k] for k in HQ_ONLY_KEYS if k in data})
    return CampaignFile(rule_set=rule_set, body=json.loads(rule_set.model_dump_json()), extras=extras,
                        source=text, format=fmt, file_name=file_name, lines=lines)


def _json_safe_for_rules(body: dict) -> dict:
    # The rules parser takes JSON values: decimals as Decimal are fine, everything else as read.
    return body


def load_campaign_file(path: str | Path, *, valid_from: datetime | None = None) -> CampaignFile:
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise CampaignError([("", None, f"cannot be read: {exc.strerror}")], str(p)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CampaignError([("", None, f"is not UTF-8 text (byte {exc.start})")], str(p)) from None
    return load_campaign(text, p.name, valid_from=valid_from)


# ---------------------------------------------------------------------------------------------
# Published versions
# ---------------------------------------------------------------------------------------------
def _iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse_iso(text_: str) -> datetime:
    dt = datetime.fromisoformat(text_.replace("Z", "+00:00"))
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def published_rule_sets(session) -> list[RuleSet]:
    rows = session.execute(select(RuleSetRow.body).order_by(RuleSetRow.valid_from, RuleSetRow.published_at)).scalars()
    return [parse_rule_set(b) for b in rows]


def publish(svc, cf: CampaignFile, *, derived_from: str | None = None) -> dict:
    """A new immutable version: the rule set goes into the change feed at once (stores hold it
    before it starts), the authoring file is kept with it. Same version + same body again: no-op;
    same version with a different body: refused (versions are immutable)."""
    from hq.service import HQError

    with svc.db.read() as s:
        existing = s.get(RuleSetRow, cf.rule_set.version)
        if existing is not None and json.dumps(existing.body, sort_keys=True) != json.dumps(cf.body, sort_keys=True):
            raise HQError(f"Version {cf.rule_set.version} is already published with different rules; versions are "
                          f"immutable: give this file a new version.", "version_exists", 409)
    version = svc.publish_rule_set(cf.body)
    now = datetime.now(timezone.utc)
    with svc.db.write() as s:
        if s.get(CampaignSource, version) is None:
            extras = dict(cf.extras)
            if derived_from:
                extras["derived_from"] = derived_from
            s.add(CampaignSource(version=version, file_name=cf.file_name, format=cf.format, source=cf.source,
                                 extras=extras, published_at=_iso(now)))
    lead_h = (cf.rule_set.valid_from - now).total_seconds() / 3600
    return {"version": version, "valid_from": cf.rule_set.valid_from.isoformat(),
            "valid_to": cf.rule_set.valid_to.isoformat() if cf.rule_set.valid_to else None,
            "already_published": existing is not None, "lead_hours": round(lead_h, 1),
            "warning": None if lead_h >= 24 or existing is not None else
            "starts within 24 h: a store offline until then prices with the previous version"}


def list_versions(svc, at: datetime | None = None) -> list[dict]:
    at = at or datetime.now(timezone.utc)
    with svc.db.read() as s:
        rows = s.execute(select(RuleSetRow.version, RuleSetRow.valid_from, RuleSetRow.valid_to,
                                RuleSetRow.published_at, RuleSetRow.body)).all()
        sources = {v: (f, e) for v, f, e in s.execute(select(CampaignSource.version, CampaignSource.file_name,
                                                              CampaignSource.extras))}
    sets = [parse_rule_set(r.body) for r in rows]
    try:
        active = rule_set_for(sets, at).version
    except RuleSetError:
        active = None
    out = []
    for r, rs in zip(rows, sets):
        if rs.version == active:
            state = "active"
        elif rs.valid_from > at:
            state = "upcoming"
        elif rs.valid_to is not None and rs.valid_to <= at:
            state = "ended"
        else:
            state = "superseded"
        src = sources.get(rs.version)
        out.append({"version": rs.version, "valid_from": rs.valid_from.isoformat(),
                    "valid_to": rs.valid_to.isoformat() if rs.valid_to else None, "state": state,
                    "published_at": r.published_at, "campaigns": [c.id for c in rs.campaigns],
                    "file": src[0] if src else None,
                    "derived_from": (src[1] or {}).get("derived_from") if src else None})
    out.sort(key=lambda d: (d["valid_from"], d["published_at"]))
    return out


def show_version(svc, version: str) -> dict:
    from hq.service import NotFoundError

    with svc.db.read() as s:
        row = s.get(RuleSetRow, version)
        if row is None:
            raise NotFoundError(f"No rule set version {version!r}.", "unknown_version")
        src = s.get(CampaignSource, version)
        return {"version": row.version, "valid_from": row.valid_from, "valid_to": row.valid_to,
                "published_at": row.published_at, "rule_set": row.body,
                "source": {"file": src.file_name, "format": src.format, "extras": src.extras,
                           "text": src.source} if src else None}


def extras_for(session, version: str) -> dict:
    src = session.get(CampaignSource, version)
    return dict(src.extras or {}) if src else {}


def current_extras(session, at: datetime) -> tuple[RuleSet, dict]:
    """The version valid at ``at`` and the HQ-only parts of its file (a derived version inherits)."""
    rs = rule_set_for(published_rule_sets(session), at)
    extras = extras_for(session, rs.version)
    seen = set()
    while "derived_from" in extras and extras["derived_from"] not in seen:
        seen.add(extras["derived_from"])
        parent = extras_for(session, extras["derived_from"])
        extras = {**parent, **{k: v for k, v in extras.items() if k != "derived_from"}}
    return rs, extras


def weather_by_store_day(session, store_regions: dict[str, set[str]], since: str) -> dict[tuple[str, str], frozenset]:
    """{(store, local day): conditions} from the weather marks of the store's regions."""
    marks: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for day, region, cond in session.execute(select(WeatherMark.day, WeatherMark.region, WeatherMark.condition)
                                             .where(WeatherMark.day >= since)):
        marks[day][region].add(cond)
    out: dict[tuple[str, str], frozenset] = {}
    for day, by_region in marks.items():
        for store, regions in store_regions.items():
            conds = set()
            for r in regions:
                conds |= by_region.get(r, set())
            if conds:
                out[(store, day)] = frozenset(conds)
    return out


# ---------------------------------------------------------------------------------------------
# Simulation: the last N days of the chain's earns under the new rules (writes nothing)
# ---------------------------------------------------------------------------------------------
def _shift_campaigns(rs: RuleSet, days: int) -> RuleSet:
    if not days:
        return rs
    body = json.loads(rs.model_dump_json())
    for c in body["campaigns"]:
        c["start"] = (date.fromisoformat(c["start"]) + timedelta(days=days)).isoformat()
        if c.get("end"):
            c["end"] = (date.fromisoformat(c["end"]) + timedelta(days=days)).isoformat()
    return parse_rule_set(body)


@dataclass
class _Earn:
    id: str
    member_id: str
    store_id: str
    created_at: str
    amount: int
    points: int


def replay_earns(session, now: datetime, days: int) -> tuple[list[_Earn], dict[str, list[tuple[str, int]]], dict]:
    """Earns of the last ``days`` (not voided), each member's earns of the 365 days before them,
    and the members (lifetime spend now, birthday, last visit)."""
    start = now - timedelta(days=days)
    hist_from = _iso(start - timedelta(days=366))
    voided = select(LedgerRow.reverses_id).where(LedgerRow.kind == "void", LedgerRow.reverses_id.is_not(None))
    earn_q = (select(LedgerRow.id, LedgerRow.member_id, LedgerRow.store_id, LedgerRow.created_at,
                     LedgerRow.amount_yen, LedgerRow.points)
              .where(LedgerRow.kind == "earn", LedgerRow.created_at >= _iso(start), LedgerRow.created_at < _iso(now),
                     LedgerRow.id.not_in(voided)).order_by(LedgerRow.created_at, LedgerRow.id))
    earns = [_Earn(i, m, st, c, int(a or 0), int(p)) for i, m, st, c, a, p in session.execute(earn_q)]
    members = sorted({e.member_id for e in earns})
    history: dict[str, list[tuple[str, int]]] = defaultdict(list)
    info: dict[str, dict] = {}
    for i in range(0, len(members), 5000):
        chunk = members[i:i + 5000]
        for mid, created, amount in session.execute(
                select(LedgerRow.member_id, LedgerRow.created_at, LedgerRow.amount_yen)
                .where(LedgerRow.member_id.in_(chunk), LedgerRow.kind == "earn", LedgerRow.created_at >= hist_from,
                       LedgerRow.id.not_in(voided)).order_by(LedgerRow.created_at)):
            history[mid].append((created, int(amount or 0)))
        for mid, lifetime, birthday, last_visit in session.execute(
                select(MemberRow.id, MemberRow.lifetime_spend_yen, MemberRow.birthday, MemberRow.last_visit_at)
                .where(MemberRow.id.in_(chunk))):
            info[mid] = {"lifetime": int(lifetime or 0), "birthday": birthday, "last_visit": last_visit}
    return earns, history, info


def member_state_at(rule_set: RuleSet, hist: list[tuple[str, int]], info: dict, t: datetime) -> MemberState:
    """What HQ's repricing (and the store) know at ``t``: spend and visits of the 365 days before
    ``t`` (not voided), lifetime spend before ``t``, last visit before ``t``, the birthday."""
    t_iso = _iso(t)
    since = _iso(t - timedelta(days=365))
    spend = visits = 0
    later = 0
    last = None
    for created, amount in hist:
        if created >= t_iso:
            later += amount
        else:
            last = created
            if created >= since:
                spend += amount
                visits += 1
    if last is None and info.get("last_visit") and info["last_visit"] < t_iso:
        last = info["last_visit"]
    tier = tier_for(rule_set, spend)
    return MemberState(tier=tier.id if tier else None, annual_spend_yen=spend,
                       lifetime_spend_yen=max(0, info.get("lifetime", 0) - later),
                       last_visit=_parse_iso(last) if last else None, visits_12m=visits,
                       birthday=date.fromisoformat(info["birthday"]) if info.get("birthday") else None)


def simulate(svc, cf: CampaignFile, *, days: int = 30, now: datetime | None = None, shift: bool = True) -> dict:
    """Replay the chain's earns of the last ``days`` days under ``cf`` as if it had been in force,
    against the versions that were in force (same member states, same weather marks). Writes
    nothing. Campaign dates are moved by (first replayed day − the file's first day) unless
    ``shift`` is False, so a campaign that starts next month is tried on the last ``days`` days."""
    now = now or datetime.now(timezone.utc)
    new = cf.rule_set
    start = now - timedelta(days=days)
    offset = 0
    if shift:
        offset = (start.astimezone(new.zone).date() - new.valid_from.astimezone(new.zone).date()).days
        offset = min(offset, 0)  # only ever moves a future file back onto the replayed days
    new_shifted = _shift_campaigns(new, offset)
    with svc.db.read() as s:
        existing = published_rule_sets(s)
        earns, history, info = replay_earns(s, now, days)
        store_regions = cf.store_regions()
        weather = weather_by_store_day(s, store_regions, (start - timedelta(days=1)).date().isoformat())
    per_store: dict[str, dict] = defaultdict(lambda: {"earns": 0, "baseline_points": 0, "new_points": 0,
                                                      "extra_points": 0, "members": set()})
    per_campaign: dict[str, int] = defaultdict(int)
    members_affected: set[str] = set()
    baseline_total = new_total = booked_total = 0
    for e in earns:
        t = _parse_iso(e.created_at)
        try:
            old_rs = rule_set_for(existing, t)
        except RuleSetError:
            old_rs = None
        hist = history.get(e.member_id, [])
        inf = info.get(e.member_id, {})
        day_local = t.astimezone(new.zone).date().isoformat()
        wx = weather.get((e.store_id, day_local), frozenset())
        purchase = Purchase(amount_yen=e.amount)
        base_pts = price_purchase(old_rs, member_state_at(old_rs, hist, inf, t), purchase, t, e.store_id,
                                  weather=wx).points if old_rs else e.points
        priced = price_purchase(new_shifted, member_state_at(new_shifted, hist, inf, t), purchase, t, e.store_id,
                                weather=wx)
        for line in priced.lines:
            if line.kind in ("campaign", "bonus") and line.rule_id:
                per_campaign[line.rule_id] += line.points
        st = per_store[e.store_id]
        st["earns"] += 1
        st["baseline_points"] += base_pts
        st["new_points"] += priced.points
        st["extra_points"] += priced.points - base_pts
        if priced.points != base_pts:
            st["members"].add(e.member_id)
            members_affected.add(e.member_id)
        baseline_total += base_pts
        new_total += priced.points
        booked_total += e.points
    stores = {k: {**v, "members_affected": len(v.pop("members"))} for k, v in sorted(per_store.items())}
    return {"version": new.version, "days": days, "from": start.isoformat(), "to": now.isoformat(),
            "campaign_shift_days": offset, "earns": len(earns), "booked_points": booked_total,
            "baseline_points": baseline_total, "new_points": new_total, "extra_points": new_total - baseline_total,
            "members_affected": len(members_affected), "campaign_points": dict(sorted(per_campaign.items())),
            "per_store": stores}


def simulation_csv(result: dict) -> str:
    lines = ["store_id,earns,baseline_points,new_points,extra_points,members_affected"]
    for sid, v in result["per_store"].items():
        lines.append(f"{sid},{v['earns']},{v['baseline_points']},{v['new_points']},{v['extra_points']},"
                     f"{v['members_affected']}")
    lines.append(f"TOTAL,{result['earns']},{result['baseline_points']},{result['new_points']},"
                 f"{result['extra_points']},{result['members_affected']}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# Derived versions (a rainy day, an overstock campaign): a copy of the version in force, changed
# ---------------------------------------------------------------------------------------------
def publish_derived(svc, base: RuleSet, body: dict, *, version: str, valid_from: datetime,
                    valid_to: datetime | None, note: str) -> dict:
    body = dict(body, version=version, valid_from=valid_from.isoformat(),
                valid_to=valid_to.isoformat() if valid_to else None,
                description=(base.description + " | " if base.description else "") + note)
    rs = parse_rule_set(body)
    cf = CampaignFile(rule_set=rs, body=json.loads(rs.model_dump_json()), extras={}, source=json.dumps(body,
                      ensure_ascii=False, default=str), format="derived", file_name=None)
    return publish(svc, cf, derived_from=base.version)
