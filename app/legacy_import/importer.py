"""Legacy ledger import (旧台帳の取込): analyse, dry run, commit.

    job = LegacyImport(store, "members.xlsx")             # encoding detected; mapping guessed
    job.mapping = Mapping.load("mapping.json")             # or edit job.mapping.fields
    rows = job.preview(20)                                 # the first rows as they will be stored
    analysis = job.analyse()                               # issues per row/column, duplicate groups
    job.decisions["G12"] = "separate"                      # per group: merge | separate | skip
    report = job.dry_run()                                 # exactly what would change; writes nothing
    report = job.commit(manager, progress=cb, cancel=event)

The real run is one SQLite transaction (BEGIN IMMEDIATE ... COMMIT): killed midway, the database is
as it was; cancelled, it rolls back. Each applied row is kept by its stable key (hash of the file
name and the row's cells) in legacy_import_rows, so importing the same file again changes nothing.
The analysis is redone inside the write transaction, so the dry run and the commit agree unless the
database changed in between (and then the commit follows the database, not the stale dry run).

Audit: one `legacy_import.commit` row with the summary, one `member.import_matched` row per existing
member that received points; the per-row trail of new members is legacy_import_rows (row number →
member, ledger entry) with legacy_imports (file, hash, staff, time, mapping, summary) — not 100,000
more audit rows, which would cost a fifth of the import's time.

Members are made with the counter's normalisation (MemberService.clean_fields, kana_key) and
numbered from the same sequence (setting member_seq). Each new member gets its member-code card
row at once (a random serial, as MemberService._issue_card; the code is signed when shown), so
`store.members.code()` works for imported members without an extra step. Points become one
`migrate` ledger entry + lot per row (expiry from the rule set, counted from the import), legacy
card numbers become paper cards marked migrated (HQ judges once-only chain-wide from the
`ledger.migrate` outbox events, which carry the card number). Writes are bulk inserts.
"""
from __future__ import annotations

import json
import os
import struct
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from app.clock import iso
from app.errors import InvalidInput, TsumugiError
from app.legacy_import.mapping import Mapping, guess_mapping
from app.legacy_import.reader import Source, open_source
from app.legacy_import.records import Issue, Record, parse_row
from app.models import (
    AuditEntry,
    Card,
    LedgerEntry,
    LegacyImport as LegacyImportRow_,
    LegacyImportRow,
    Lot,
    LotMove,
    Member,
    Outbox,
    Setting,
    SigningKey,
)
from app.rules import expiry_for, stamps_to_points
from app.services.ledger import _request_hash
from app.services.members import luhn_digit
from app.services.staff import require
from app.text import nfkc

IMPORT_NS = uuid.UUID("0c7b0a52-52a4-4f0e-8a3f-3d6f2b7c9e15")
DECISIONS = ("merge", "separate", "skip")
CHUNK = 5000
IMPORT_CACHE_KB = 32768  # 32 MB page cache while the bulk insert runs
MAX_LISTED_ISSUES = 1000

Progress = Callable[[str, int, int], None]  # (phase: read | analyse | write, done, total)


class ImportCancelled(TsumugiError):
    code = "import_cancelled"


class ImportStopped(TsumugiError):
    """on_bad_rows == 'stop' and the file has bad rows."""
    code = "bad_rows"


def _cancelled(cancel) -> bool:
    if cancel is None:
        return False
    if isinstance(cancel, threading.Event):
        return cancel.is_set()
    return bool(cancel())


@dataclass
class Group:
    id: str                       # "G<first row number>": stable for the same file
    rows: list[int]
    existing: list[dict]          # [{"member_id", "member_no"}]
    reasons: list[str]            # phone | email | kana_birthday
    decision: str = "merge"

    def as_dict(self) -> dict:
        return {"group": self.id, "rows": self.rows, "existing": self.existing, "reasons": self.reasons,
                "decision": self.decision}


@dataclass
class _Target:
    kind: str                     # new | existing
    member_id: str
    records: list                 # list[Record], in file order
    member_no: str | None = None


@dataclass
class Analysis:
    records: list
    issues: list                  # list[Issue]
    groups: list                  # list[Group]
    targets: list                 # list[_Target]
    summary: dict = field(default_factory=dict)

    def issues_for(self, row_no: int) -> list[Issue]:
        return [i for i in self.issues if i.row_no == row_no]


class LegacyImport:
    def __init__(self, store, path: str | Path, *, mapping: Mapping | None = None, encoding: str | None = None,
                 sheet: str | None = None):
        self.store = store
        self.path = Path(path)
        enc = encoding or (mapping.encoding if mapping else None)
        self.source: Source = open_source(self.path, encoding=enc, sheet=sheet or (mapping.sheet if mapping else None))
        self.mapping = mapping or guess_mapping(self.source.headers, self.source.groups)
        if encoding:
            self.mapping.encoding = encoding
        self.decisions: dict[str, str] = {}
        self._records: list[Record] | None = None
        self._records_sig = None

    # -- reading ---------------------------------------------------------------------------------
    @property
    def headers(self) -> list[str]:
        return self.source.headers

    @property
    def file_id(self) -> str:
        return nfkc(self.path.name).strip().lower()

    def _columns(self) -> dict[str, int]:
        self.mapping.validate_options()
        return self.mapping.columns(self.source.headers)

    def _today(self):
        rs = self.store.rules.current()
        return self.store.now().astimezone(rs.zone).date()

    def _stamps(self):
        rs = self.store.rules.current()
        return lambda n: stamps_to_points(rs, n)

    def preview(self, n: int = 20) -> list[dict]:
        """The first n data rows as they will be stored, each with its issues (file checks only)."""
        cols = self._columns()
        today, conv = self._today(), self._stamps()
        out = []
        for row_no, values in self.source.rows():
            rec = parse_row(row_no, values, cols, self.source.headers, self.file_id, today, conv)
            out.append({**rec.stored(), "issues": [i.as_dict() for i in rec.errors or []]})
            if len(out) >= n:
                break
        return out

    def read(self, progress: Progress | None = None, cancel=None) -> list[Record]:
        cols = self._columns()
        sig = (tuple(sorted(cols.items())),)
        if self._records is not None and self._records_sig == sig:
            return self._records
        today, conv = self._today(), self._stamps()
        total = self.source.total_rows or 0
        recs = []
        for n, (row_no, values) in enumerate(self.source.rows(), start=1):
            recs.append(parse_row(row_no, values, cols, self.source.headers, self.file_id, today, conv))
            if n % 2000 == 0:
                if _cancelled(cancel):
                    raise ImportCancelled("The import was cancelled; nothing was changed.")
                if progress:
                    progress("read", n, max(total, n))
        if progress:
            progress("read", len(recs), len(recs))
        self._records, self._records_sig = recs, sig
        return recs

    # -- analysis ---------------------------------------------------------------------------------
    def analyse(self, progress: Progress | None = None, cancel=None) -> Analysis:
        records = self.read(progress, cancel)
        with self.store.db.read() as s:
            return self._analyse(s, records, progress, cancel)

    def _analyse(self, s: Session, records: list[Record], progress=None, cancel=None) -> Analysis:
        headers = self.source.headers
        cols = self._columns()
        col = lambda f: headers[cols[f]] if f in cols else None  # noqa: E731
        for r in records:              # a fresh analysis: forget a previous one's DB verdicts
            r.skip = None
            if r.errors:
                r.errors = [e for e in r.errors if e.code not in ("card_already_migrated", "card_revoked",
                                                                   "duplicate_card_in_file", "bad_check_digit")] or None
        keys = [r.key for r in records]
        imported = set()
        for i in range(0, len(keys), 900):
            imported.update(s.scalars(select(LegacyImportRow.row_key).where(LegacyImportRow.row_key.in_(keys[i:i + 900]))))
        numbers = sorted({r.card_number for r in records if r.card_number})
        cards: dict[str, Card] = {}
        for i in range(0, len(numbers), 900):
            for c in s.scalars(select(Card).where(Card.kind.in_(("paper", "plastic")), Card.number.in_(numbers[i:i + 900]))):
                cards.setdefault(c.number, c)
        # JAN check digits: enforced when the file's 8/13-digit card numbers are mostly JAN (then a
        # failing one is a typo); a shop numbering its cards its own way would fail them at random.
        jan = [r for r in records if r.card_number and r.card_number.isdigit() and len(r.card_number) in (8, 13)]
        enforce_jan = bool(jan) and sum(1 for r in jan if not r.card_check_failed) * 2 >= len(jan)
        issues: list[Issue] = []
        seen_keys: set[str] = set()
        seen_cards: dict[str, int] = {}
        counts = {"already_imported": 0, "duplicate_row": 0}
        for n, r in enumerate(records, start=1):
            if r.key in imported:
                r.skip = "already_imported"
                counts["already_imported"] += 1
                continue
            if r.key in seen_keys:
                r.skip = "duplicate_row"
                counts["duplicate_row"] += 1
                issues.append(Issue(r.row_no, None, None, "duplicate_row"))
                continue
            seen_keys.add(r.key)
            if r.card_number:
                errs = list(r.errors or [])
                c = cards.get(r.card_number)
                if r.card_check_failed and enforce_jan and c is None:
                    errs.append(Issue(r.row_no, "card_number", col("card_number"), "bad_check_digit", r.card_number))
                elif r.card_number in seen_cards:
                    errs.append(Issue(r.row_no, "card_number", col("card_number"), "duplicate_card_in_file",
                                      r.card_number, {"first_row": seen_cards[r.card_number]}))
                elif c is not None and c.status == "migrated":
                    m = s.get(Member, c.member_id) if c.member_id else None
                    errs.append(Issue(r.row_no, "card_number", col("card_number"), "card_already_migrated",
                                      r.card_number, {"migrated_at": c.migrated_at, "store_id": c.migrated_store_id,
                                                      "member_no": c.migrated_member_no or (m.member_no if m else None)}))
                elif c is not None and c.status == "revoked":
                    errs.append(Issue(r.row_no, "card_number", col("card_number"), "card_revoked", r.card_number))
                seen_cards.setdefault(r.card_number, r.row_no)
                r.errors = errs or None
            issues.extend(r.errors or [])
            if n % 5000 == 0:
                if _cancelled(cancel):
                    raise ImportCancelled("The import was cancelled; nothing was changed.")
                if progress:
                    progress("analyse", n, len(records) * 2)
        valid = [r for r in records if r.ok]
        groups, targets = self._plan(s, valid)
        skipped_dup = 0
        by_row = {r.row_no: r for r in valid}
        for g in groups:
            if g.decision == "skip":
                for row in g.rows:
                    by_row[row].skip = "duplicate_skipped"
                    skipped_dup += 1
        if progress:
            progress("analyse", len(records) * 2, len(records) * 2)
        bad = sum(1 for r in records if r.errors and r.skip is None)
        applied = [r for t in targets for r in t.records]
        created = sum(1 for t in targets if t.kind == "new")
        matched = sum(1 for t in targets if t.kind == "existing")
        skipped_by = {}
        for i in issues:
            if i.severity == "error":
                skipped_by[i.code] = skipped_by.get(i.code, 0) + 1
        if counts["duplicate_row"]:
            skipped_by["duplicate_row"] = counts["duplicate_row"]
        if skipped_dup:
            skipped_by["duplicate_skipped"] = skipped_dup
        summary = {
            "file": self.path.name, "file_sha256": self.source.sha256, "kind": self.source.kind,
            "encoding": self.source.encoding, "sheet": self.source.sheet, "mapping": self.mapping.to_json()["fields"],
            "rows_total": len(records),
            "rows_imported": len(applied),
            "rows_skipped": bad + counts["duplicate_row"] + skipped_dup,
            "rows_bad": bad,
            "rows_already_imported": counts["already_imported"],
            "skipped_by_reason": skipped_by,
            "members_created": created,
            "members_matched": matched,
            # rows folded into a member made from an earlier row of the same group
            "rows_merged": sum(len(t.records) - 1 for t in targets if t.kind == "new"),
            "cards_migrated": sum(1 for r in applied if r.card_number),
            "points_migrated": sum(r.points for r in applied),
            "ledger_entries": sum(1 for r in applied if r.points > 0 or r.card_number),
            "duplicate_groups": len(groups),
            "issues": len(issues),
            "on_bad_rows": self.mapping.on_bad_rows,
            "would_stop": self.mapping.on_bad_rows == "stop" and bad > 0,
        }
        return Analysis(records, issues, groups, targets, summary)

    def _plan(self, s: Session, valid: list[Record]) -> tuple[list[Group], list[_Target]]:
        """Duplicate groups (union of rows sharing a phone, an e-mail or kana + birthday, with the
        existing members they match) and who each row goes to."""
        parent = list(range(len(valid)))

        def find(i):
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        def union(a, b):
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)

        first: dict[str, dict[str, int]] = {"phone": {}, "email": {}, "kana_birthday": {}}
        reasons: dict[int, set] = {}
        for i, r in enumerate(valid):
            for kind, k in (("phone", r.phone), ("email", r.email),
                            ("kana_birthday", f"{r.kana_key}\x1f{r.birthday}" if r.birthday else None)):
                if k is None:
                    continue
                j = first[kind].setdefault(k, i)
                if j != i:
                    union(i, j)
                    reasons.setdefault(i, set()).add(kind)
                    reasons.setdefault(j, set()).add(kind)
        # existing members
        phones = sorted({r.phone for r in valid if r.phone})
        emails = sorted({r.email for r in valid if r.email})
        kanas = sorted({r.kana_key for r in valid if r.birthday})
        live = Member.status == "active"
        by_phone: dict[str, list] = {}
        by_email: dict[str, list] = {}
        by_kb: dict[tuple, list] = {}
        cols = (Member.id, Member.member_no, Member.phone, Member.email, Member.kana_key, Member.birthday)
        for values, column, target in ((phones, Member.phone, "phone"), (emails, Member.email, "email"),
                                       (kanas, Member.kana_key, "kana")):
            for i in range(0, len(values), 900):
                for mid, no, ph, em, kk, bd in s.execute(select(*cols).where(live, column.in_(values[i:i + 900]))):
                    if target == "phone":
                        by_phone.setdefault(ph, []).append((no, mid))
                    elif target == "email":
                        by_email.setdefault(em, []).append((no, mid))
                    elif bd:
                        by_kb.setdefault((kk, bd), []).append((no, mid))
        existing: dict[int, dict[str, str]] = {}    # root → {member_id: member_no}
        ex_reasons: dict[int, set] = {}
        for i, r in enumerate(valid):
            hits = []
            if r.phone and r.phone in by_phone:
                hits += [(x, "phone") for x in by_phone[r.phone]]
            if r.email and r.email in by_email:
                hits += [(x, "email") for x in by_email[r.email]]
            if r.birthday and (r.kana_key, r.birthday) in by_kb:
                hits += [(x, "kana_birthday") for x in by_kb[(r.kana_key, r.birthday)]]
            for (no, mid), why in hits:
                existing.setdefault(i, {})[mid] = no
                ex_reasons.setdefault(i, set()).add(why)
        comps: dict[int, list[int]] = {}
        for i in range(len(valid)):
            comps.setdefault(find(i), []).append(i)
        groups: list[Group] = []
        targets: list[_Target] = []
        default = self.mapping.default_decision
        for root, members in comps.items():
            ex: dict[str, str] = {}
            why: set = set()
            for i in members:
                ex.update(existing.get(i, {}))
                why |= reasons.get(i, set()) | ex_reasons.get(i, set())
            recs = [valid[i] for i in members]
            if len(members) == 1 and not ex:
                targets.append(_Target("new", str(uuid.uuid5(IMPORT_NS, recs[0].key)), recs))
                continue
            gid = f"G{recs[0].row_no}"
            decision = self.decisions.get(gid, default)
            if decision not in DECISIONS:
                raise InvalidInput(f"Unknown decision {decision!r} for {gid}.", code="bad_decision", group=gid)
            ex_list = [{"member_id": mid, "member_no": no} for mid, no in sorted(ex.items(), key=lambda kv: kv[1])]
            groups.append(Group(gid, [r.row_no for r in recs], ex_list, sorted(why), decision))
            if decision == "skip":
                continue
            if decision == "separate":
                targets.extend(_Target("new", str(uuid.uuid5(IMPORT_NS, r.key)), [r]) for r in recs)
            elif ex_list:
                targets.append(_Target("existing", ex_list[0]["member_id"], recs, ex_list[0]["member_no"]))
            else:
                targets.append(_Target("new", str(uuid.uuid5(IMPORT_NS, recs[0].key)), recs))
        groups.sort(key=lambda g: g.rows[0])
        targets.sort(key=lambda t: t.records[0].row_no)
        return groups, targets

    # -- dry run and commit ------------------------------------------------------------------------
    def dry_run(self, progress: Progress | None = None, cancel=None) -> dict:
        """Exactly what a commit would change now; nothing is written."""
        a = self.analyse(progress, cancel)
        return self.report(a, dry_run=True)

    def report(self, a: Analysis, *, dry_run: bool, import_id: str | None = None) -> dict:
        return {**a.summary, "dry_run": dry_run, "import_id": import_id,
                "issue_list": [i.as_dict() for i in a.issues[:MAX_LISTED_ISSUES]],
                "groups": [g.as_dict() for g in a.groups[:MAX_LISTED_ISSUES]]}

    def commit(self, actor, progress: Progress | None = None, cancel=None) -> dict:
        """The real run: all of it in one transaction, or nothing."""
        require(actor, "manager", "import a legacy ledger")
        records = self.read(progress, cancel)
        now = self.store.now()
        with self.store.db.write() as s:
            a = self._analyse(s, records, progress, cancel)
            if a.summary["would_stop"]:
                raise ImportStopped(f"{a.summary['rows_bad']} rows have problems; nothing was imported.",
                                    rows_bad=a.summary["rows_bad"])
            import_id = str(uuid.uuid4())
            if a.summary["rows_imported"] == 0:
                return self.report(a, dry_run=False, import_id=None)
            self._write(s, actor, a, import_id, now, progress, cancel)
            if _cancelled(cancel):
                raise ImportCancelled("The import was cancelled; nothing was changed.")
        return self.report(a, dry_run=False, import_id=import_id)

    def _write(self, s: Session, actor, a: Analysis, import_id: str, now: datetime, progress, cancel) -> None:
        conn = s.connection()
        raw = conn.connection.driver_connection   # the same connection, inside our BEGIN IMMEDIATE
        # A bigger page cache for the bulk insert (index pages of six tables), back to the default
        # when done; the default 2 MB makes SQLite spill and re-read index pages all the time.
        old_cache = raw.execute("PRAGMA cache_size").fetchone()[0]
        raw.execute(f"PRAGMA cache_size=-{IMPORT_CACHE_KB}")
        try:
            self._write_rows(s, conn, raw, actor, a, import_id, now, progress, cancel)
        finally:
            raw.execute(f"PRAGMA cache_size={old_cache}")

    def _write_rows(self, s, conn, raw, actor, a, import_id, now, progress, cancel) -> None:
        store = self.store
        now_s = iso(now)
        store_id, terminal_id = store.store_id, store.terminal_id
        rule_set = store.rules.valid_at(now)
        expires = iso(expiry_for(rule_set, now))
        zone = rule_set.zone or ZoneInfo("Asia/Tokyo")
        staff_id = getattr(actor, "staff_id", None)
        total = len(a.targets)

        # member numbers: the same sequence and format as MemberService._next_member_no
        row = s.get(Setting, "member_seq")
        seq = int(row.value) if row else 0
        new_count = sum(1 for t in a.targets if t.kind == "new")
        s.merge(Setting(key="member_seq", value=str(seq + new_count)))
        digits = "".join(ch for ch in nfkc(store_id) if ch.isdigit())[-3:]
        prefix = digits.zfill(3) if digits else str(int.from_bytes(store_id.encode(), "big") % 1000).zfill(3)

        key = s.scalars(select(SigningKey).where(SigningKey.is_own.is_(True), SigningKey.revoked_at.is_(None))
                        .order_by(SigningKey.created_at.desc())).first()
        if key is None:
            raise InvalidInput("This store has no signing key: run 'init' first.", code="no_signing_key")
        taken = set(s.scalars(select(Card.number).where(Card.kind == "member_code")))
        card_id = (s.scalar(select(func.max(Card.id))) or 0) + 1
        lot_id = (s.scalar(select(func.max(Lot.id))) or 0) + 1
        numbers = [r.card_number for t in a.targets for r in t.records if r.card_number]
        existing_cards: dict[str, Card] = {}
        for i in range(0, len(numbers), 900):
            for c in s.scalars(select(Card).where(Card.kind.in_(("paper", "plastic")), Card.status == "active",
                                                  Card.number.in_(numbers[i:i + 900]))):
                existing_cards.setdefault(c.number, c)
        reg_fields = ["name_kana", "name", "phone", "email", "birthday", "consent_marketing"]

        buf = {k: [] for k in ("members", "cards", "ledger", "lots", "moves", "outbox", "audit", "rows", "bal")}

        def flush(force=False):
            # all buffers together, parents first (foreign keys are on)
            force = force or any(len(v) >= CHUNK for k, v in buf.items() if k != "rows")
            for name, table in (("members", Member), ("cards", Card), ("ledger", LedgerEntry), ("lots", Lot),
                                ("moves", LotMove), ("outbox", Outbox), ("audit", AuditEntry)):
                if buf[name] and (force or len(buf[name]) >= CHUNK):
                    _bulk_insert(raw, table.__table__, buf[name])
                    buf[name].clear()
            if buf["bal"] and (force or len(buf["bal"]) >= CHUNK):
                conn.execute(update(Member.__table__).where(Member.__table__.c.id == _bind("b_id"))
                             .values(balance=Member.__table__.c.balance + _bind("b_points"), updated_at=now_s),
                             buf["bal"])
                buf["bal"].clear()

        # the import's own row first (the row keys point at it)
        conn.execute(insert(LegacyImportRow_.__table__), [{
            "id": import_id, "file_name": self.path.name[:255], "file_sha256": self.source.sha256,
            "staff_id": staff_id, "created_at": now_s, "mapping": self.mapping.to_json(), "summary": {}}])

        for n, t in enumerate(a.targets, start=1):
            recs = t.records
            if t.kind == "new":
                seq += 1
                body = f"{prefix}{seq:07d}"
                t.member_no = body + luhn_digit(body)
                merged = _merge_fields(recs)
                last = max((r.last_visit for r in recs if r.last_visit), default=None)
                buf["members"].append({
                    "id": t.member_id, "member_no": t.member_no, "name": merged["name"],
                    "name_kana": merged["name_kana"], "kana_key": merged["kana_key"], "phone": merged["phone"],
                    "email": merged["email"], "line_user_id": None, "birthday": merged["birthday"], "tier": None,
                    "status": "active", "merged_into": None, "home_store_id": store_id,
                    "consent_marketing": merged["consent_marketing"],
                    "consent_at": now_s if merged["consent_marketing"] else None,
                    "field_times": {f: now_s for f in reg_fields}, "balance": sum(r.points for r in recs),
                    "lifetime_spend_yen": 0,
                    "last_visit_at": iso(datetime.combine(datetime.fromisoformat(last).date(), time(12), zone))
                    if last else None,
                    "created_at": now_s, "updated_at": now_s,
                })
                while True:
                    serial = struct.unpack(">I", os.urandom(4))[0]
                    number = f"{key.key_id}:{serial}"
                    if number not in taken:
                        taken.add(number)
                        break
                buf["cards"].append(_card(card_id, t.member_id, "member_code", number, key.key_id, "active", now_s))
                card_id += 1
                buf["outbox"].append({
                    "event_id": str(uuid.uuid5(IMPORT_NS, "member:" + t.member_id)), "type": "member.upsert",
                    "created_at": now_s, "attempts": 0, "last_error": None, "payload": {
                        "member_id": t.member_id, "member_no": t.member_no, "home_store_id": store_id,
                        "fields": {f: merged[f] for f in reg_fields}, "field_times": {f: now_s for f in reg_fields},
                        "source": "legacy_import", "import_id": import_id}})
            else:
                add = sum(r.points for r in recs)
                if add:
                    buf["bal"].append({"b_id": t.member_id, "b_points": add})
                # an existing member's profile is not changed; its audit row says who added what
                buf["audit"].append(_audit(now_s, staff_id, terminal_id, "member.import_matched", "member",
                                           t.member_id, {"import_id": import_id, "rows": [r.row_no for r in recs],
                                                         "points": add}))
            for r in recs:
                entry_id = None
                paper_id = None
                if r.card_number:
                    old = existing_cards.get(r.card_number)
                    if old is not None:
                        paper_id = old.id
                        conn.execute(update(Card.__table__).where(Card.__table__.c.id == old.id).values(
                            member_id=t.member_id, status="migrated", migrated_at=now_s,
                            migrated_store_id=store_id, migrated_member_no=t.member_no))
                    else:
                        paper_id = card_id
                        card_id += 1
                        c = _card(paper_id, t.member_id, "paper", r.card_number, None, "migrated", now_s)
                        c.update(migrated_at=now_s, migrated_store_id=store_id, migrated_member_no=t.member_no)
                        buf["cards"].append(c)
                if r.points > 0 or r.card_number:
                    entry_id = str(uuid.uuid5(IMPORT_NS, "entry:" + r.key))
                    reason = f"legacy import {self.path.name} row {r.row_no}"[:500]
                    breakdown = [{"label": "legacy ledger import", "kind": "legacy_import", "points": r.points,
                                  "row": r.row_no, "stamps": r.stamps, "factor": None, "rule_id": None}]
                    buf["ledger"].append({
                        "id": entry_id, "member_id": t.member_id, "kind": "migrate", "points": r.points,
                        "amount_yen": None, "staff_id": staff_id, "store_id": store_id, "terminal_id": terminal_id,
                        "created_at": now_s, "rule_set_version": rule_set.version, "reverses_id": None,
                        "coupon_id": None, "card_id": paper_id, "reason": reason, "breakdown": breakdown,
                        "request_hash": _request_hash("legacy_import", r.key), "sync_state": "pending",
                        "evidence_sha256": None})
                    if r.points > 0:
                        buf["lots"].append({"id": lot_id, "member_id": t.member_id, "entry_id": entry_id,
                                            "points": r.points, "remaining": r.points, "expires_at": expires})
                        buf["moves"].append({"entry_id": entry_id, "lot_id": lot_id, "points": r.points})
                        lot_id += 1
                    buf["outbox"].append({
                        "event_id": entry_id, "type": "ledger.migrate", "created_at": now_s, "attempts": 0,
                        "last_error": None, "payload": {
                            "entry_id": entry_id, "kind": "migrate", "member_id": t.member_id, "points": r.points,
                            "amount_yen": None, "staff_id": staff_id, "store_id": store_id,
                            "terminal_id": terminal_id, "created_at": now_s, "rule_set_version": rule_set.version,
                            "reverses_id": None, "coupon_id": None, "reason": reason, "card_number": r.card_number,
                            "card_kind": "paper" if r.card_number else None, "member_no": t.member_no,
                            "source": "legacy_import", "import_id": import_id}})
                buf["rows"].append({"row_key": r.key, "import_id": import_id, "row_no": r.row_no,
                                    "outcome": "created" if t.kind == "new" else "matched",
                                    "member_id": t.member_id, "entry_id": entry_id})
            if n % 1000 == 0:
                flush()
                if len(buf["rows"]) >= CHUNK:
                    _bulk_insert(raw, LegacyImportRow.__table__, buf["rows"])
                    buf["rows"].clear()
                if _cancelled(cancel):
                    raise ImportCancelled("The import was cancelled; nothing was changed.")
                if progress:
                    progress("write", n, total)
        flush(force=True)
        if buf["rows"]:
            _bulk_insert(raw, LegacyImportRow.__table__, buf["rows"])
        summary = {k: v for k, v in a.summary.items() if k != "mapping"}
        conn.execute(update(LegacyImportRow_.__table__).where(LegacyImportRow_.__table__.c.id == import_id)
                     .values(summary=summary))
        store.audit.record(s, actor, "legacy_import.commit", "legacy_import", import_id, None,
                           {k: summary[k] for k in ("file", "file_sha256", "rows_total", "rows_imported",
                                                    "rows_skipped", "members_created", "members_matched",
                                                    "points_migrated", "cards_migrated")})
        if progress:
            progress("write", total, total)


_JSON_ENCODE = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode


def _bulk_insert(raw, table, rows: list[dict]) -> None:
    """executemany straight on the sqlite3 connection: SQLAlchemy's per-row parameter processing
    costs more than SQLite's insert. JSON columns are dumped as SQLAlchemy's JSON type does."""
    from operator import itemgetter

    from sqlalchemy import JSON as _JSON

    cols = list(rows[0])
    json_idx = [i for i, c in enumerate(cols) if isinstance(table.columns[c].type, _JSON)]
    get = itemgetter(*cols)
    enc = _JSON_ENCODE
    sql = f"INSERT INTO {table.name} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
    if not json_idx:
        raw.executemany(sql, [get(r) for r in rows])
        return
    out = []
    for r in rows:
        v = list(get(r))
        for i in json_idx:
            if v[i] is not None:
                v[i] = enc(v[i])
        out.append(v)
    raw.executemany(sql, out)


def _bind(name):
    from sqlalchemy import bindparam

    return bindparam(name)


def _card(cid, member_id, kind, number, key_id, status, now_s) -> dict:
    return {"id": cid, "member_id": member_id, "kind": kind, "number": number, "key_id": key_id, "status": status,
            "created_at": now_s, "revoked_at": None, "migrated_at": None, "migrated_store_id": None,
            "migrated_member_no": None}


def _audit(at, staff_id, terminal_id, action, otype, oid, after) -> dict:
    return {"at": at, "staff_id": staff_id, "terminal_id": terminal_id, "action": action, "object_type": otype,
            "object_id": oid, "before": None, "after": after}


def _merge_fields(recs: list[Record]) -> dict:
    """A member made from several rows: each field from the first row that has it."""
    out = {}
    for f in ("name", "name_kana", "kana_key", "phone", "email", "birthday"):
        out[f] = next((getattr(r, f) for r in recs if getattr(r, f)), None)
    out["consent_marketing"] = any(r.consent_marketing for r in recs)
    return out


def run_import(store, path, *, mapping: Mapping | None = None, encoding: str | None = None, actor=None,
               dry_run: bool = True, decisions: dict | None = None, progress: Progress | None = None,
               cancel=None) -> dict:
    """One call for the CLI and scripts: dry run (default) or commit."""
    job = LegacyImport(store, path, mapping=mapping, encoding=encoding)
    job.decisions.update(decisions or {})
    if dry_run:
        return job.dry_run(progress, cancel)
    return job.commit(actor, progress, cancel)
