"""The manager's customer list (顧客一覧) and customer details (顧客詳細), Qt-free.

    f = CustomerFilter(text="やまだ", tier="gold", segment="vip")
    store.customers.count(f)                        # capped count for "12,345 members"
    page = store.customers.page(f, sort=("balance", "desc"), offset=0, limit=200)
    page = store.customers.page(f, sort, limit=200, after=page.cursor)   # keyset: next page
    p = store.customers.profile(member_id)          # details, cards, lots, coupons, newest history page
    store.customers.history_page(member_id, p.history_cursor)   # the next (older) page
    store.customers.chart_series(member_id)         # balance per local day, spend per month
    store.customers.export_csv(manager, f, ["member_no", "name_kana", "phone"], path)

Built for a million members: every query walks an index in the order it returns rows and stops at
the page size. Search as you type: kana prefix (hiragana/katakana-insensitive, through kana_key),
phone prefix (any form, full-width digits and hyphens), member number prefix, card number prefix,
a scanned member code, an e-mail. With the default order, each kind of match is read in its own
index order and the lists are concatenated (member number, card, phone); with a column sort the
matches are OR-ed and sorted by that column.
"""
from __future__ import annotations

import csv
import heapq
import json
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Iterator, NamedTuple

from sqlalchemy import and_, column, false, func, literal_column, null, or_, select, table, true, tuple_, union
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session

from app import codes
from app.clock import iso, parse_iso
from app.errors import CodeRefused, InvalidInput, NotFound
from app.models import Card, Coupon, LedgerEntry, Lot, Member, MemberSegment
from app.services.localday import local_date_sql
from app.services.staff import require
from app.text import kana_key, nfkc, normalize_card_number, normalize_email, phone_digits

SEGMENTS = ("vip", "churn_risk", "win_back")
# column id → (SQL column, nullable). Sorting uses the column's index with rowid as the tie-break.
SORTABLE = {
    "member_no": (Member.member_no, False),
    "name_kana": (Member.kana_key, False),
    "tier": (Member.tier, True),
    "balance": (Member.balance, False),
    "lifetime_spend_yen": (Member.lifetime_spend_yen, False),
    "last_visit_at": (Member.last_visit_at, True),
    "created_at": (Member.created_at, False),
    "home_store_id": (Member.home_store_id, True),
}
ROWID = literal_column("members.rowid")
COLUMNS = ("member_no", "name", "name_kana", "phone", "email", "birthday", "tier", "balance",
           "lifetime_spend_yen", "last_visit_at", "home_store_id", "consent_marketing", "created_at",
           "segments", "rfm", "churn_score")
PERSONAL_COLUMNS = frozenset({"name", "name_kana", "phone", "email", "birthday"})
COUNT_CAP = 10_000
HISTORY_PAGE = 200
LOTS_PAGE = 200


@dataclass(frozen=True)
class CustomerFilter:
    text: str = ""
    tier: str | None = None  # a tier id, or "" for members without a rank
    segment: str | None = None  # vip | churn_risk | win_back
    last_visit_from: date | None = None  # store-local dates, inclusive
    last_visit_to: date | None = None
    never_visited: bool = False
    home_store_id: str | None = None
    consent: bool | None = None

    def has_search(self) -> bool:
        return bool(nfkc(self.text).strip())


@dataclass(frozen=True)
class CustomerRow:
    rowid: int
    id: str
    member_no: str
    name: str | None
    name_kana: str
    phone: str | None
    email: str | None
    birthday: str | None
    tier: str | None
    balance: int
    lifetime_spend_yen: int
    last_visit_at: str | None
    home_store_id: str | None
    consent_marketing: bool
    created_at: str
    segments: tuple[str, ...] = ()
    rfm: str = ""
    churn_score: int | None = None

    def value(self, column: str):
        return getattr(self, column)


@dataclass(frozen=True)
class Page:
    rows: list[CustomerRow]
    offset: int
    cursor: tuple | None  # pass as `after` for the next page (None: use offset)
    done: bool  # no more rows after this page


@dataclass
class RowPage:
    """A page of a member's history (newest first, each entry with its breakdown and the balance
    after it) or of live lots (soonest expiry first)."""
    rows: list[dict]
    cursor: tuple | None  # pass to history_page / lots_page for the next page; None: no more
    done: bool


HistoryPage = RowPage


@dataclass
class ChartSeries:
    points: list[tuple[str, int]]  # (local day YYYY-MM-DD, balance at the end of it), in time order
    spend: list[tuple[str, int, int]]  # (local month YYYY-MM, spend yen, points earned), net of voids


@dataclass
class Profile:
    member: dict
    cards: list[dict]
    balance: dict
    lots: list[dict]  # the first page of live lots, soonest expiry first (lots_page: the rest)
    coupons: list[dict]
    history: list[dict]  # the newest page of the history (HistoryPage.rows)
    history_cursor: tuple | None = None  # for history_page: the rest, page by page
    lots_cursor: tuple | None = None  # for lots_page
    points_series: list[tuple[str, int]] = field(default_factory=list)  # ChartSeries.points (series=True)
    spend_series: list[tuple[str, int, int]] = field(default_factory=list)  # ChartSeries.spend (series=True)
    segments: dict | None = None
    entry_count: int = 0


class Branch(NamedTuple):
    """One kind of match of a search: its condition on members, the column its matches are listed
    in, for card numbers the range of numbers (listed by card number, joined to members), and for
    kana contained anywhere in the reading the FTS5 trigram phrase and the kana key (listed in
    the index's order)."""
    cond: object
    natural: object
    on_card: tuple[str, str] | None = None
    on_fts: tuple[str, str] | None = None  # (MATCH phrase, kana key)


# Members whose kana key contains a phrase: the FTS5 trigram index over search_member_kana (revision
# 0007, kept in step with members by triggers); rowid = search_member_kana.id.
_FTS_IDS = ("SELECT k.member_id FROM search_member_kana_fts f CROSS JOIN search_member_kana k ON k.id = f.rowid "
            "WHERE search_member_kana_fts MATCH {phrase}")
_FTS = table("search_member_kana_fts", column("rowid"), column("search_member_kana_fts"))
_FTS_KEYS = table("search_member_kana", column("id"), column("member_id"))


_MEMBER_COLS = (ROWID.label("rowid"), Member.id, Member.member_no, Member.name, Member.name_kana, Member.phone, Member.email,
                Member.birthday, Member.tier, Member.balance, Member.lifetime_spend_yen, Member.last_visit_at,
                Member.home_store_id, Member.consent_marketing, Member.created_at)


class CustomerService:
    def __init__(self, store):
        self.store = store

    # -- filters ----------------------------------------------------------------------------
    def _zone(self):
        try:
            return self.store.rules.current().zone
        except Exception:  # no rule set yet: Japan
            from app.rules.model import zone_for
            return zone_for("Asia/Tokyo")

    def _local_midnight_utc(self, d: date) -> str:
        return iso(datetime.combine(d, time(0), tzinfo=self._zone()))

    def _conditions(self, f: CustomerFilter, *, walk: object = None) -> list:
        """The filters as conditions on members. walk: the column a sorted page walks (its index);
        the other indexed columns are then written +column, so SQLite walks the sort index and
        checks them row by row instead of reading every match from their index and sorting them."""
        def c(column):
            if walk is None or column is walk:
                return column
            return literal_column(f"+members.{column.key}")

        conds = [Member.status == "active"]
        if f.tier is not None:
            conds.append(Member.tier.is_(None) if f.tier == "" else c(Member.tier) == f.tier)
        if f.segment:
            if f.segment not in SEGMENTS:
                raise InvalidInput(f"Unknown segment {f.segment!r}.", code="unknown_segment")
            # looked up member by member as the list walks its index (a page needs a few hundred);
            # a segment's count without other filters is taken from member_segments (_count_segment)
            # (VIP: the probe answered by ix_member_segments_vip alone, without the segment row)
            hint = " INDEXED BY ix_member_segments_vip" if f.segment == "vip" else ""
            conds.append(sql_text(f"EXISTS (SELECT 1 FROM member_segments{hint} WHERE member_segments.member_id = "
                                  f"members.id AND member_segments.{f.segment} = 1)"))
        if f.never_visited:
            conds.append(Member.last_visit_at.is_(None))
        if f.last_visit_from:
            conds.append(c(Member.last_visit_at) >= self._local_midnight_utc(f.last_visit_from))
        if f.last_visit_to:
            conds.append(c(Member.last_visit_at) < self._local_midnight_utc(f.last_visit_to + timedelta(days=1)))
        if f.home_store_id:
            conds.append(c(Member.home_store_id) == f.home_store_id)
        if f.consent is not None:
            conds.append(Member.consent_marketing.is_(bool(f.consent)))
        return conds

    def _branches(self, text: str) -> list[Branch]:
        """Search text → [Branch(condition, natural order column, card conditions)], in the order
        results are shown."""
        raw = nfkc(text or "").strip()
        if not raw:
            return [Branch(true(), None)]
        if codes.looks_like_member_code(raw):
            try:
                member = self.store.members.verify_code(raw)
            except (CodeRefused, NotFound):
                return [Branch(false(), None)]
            return [Branch(Member.id == member.id, Member.member_no)]
        digits = phone_digits(raw)
        if digits:
            number = normalize_card_number(raw)
            out = [Branch(Member.member_no.between(number, number + "\uffff"), Member.member_no)]
            # the kinds as written in ix_cards_old_number's WHERE (a bound parameter would not match it)
            cards = select(Card.member_id).where(sql_text("cards.kind IN ('paper', 'plastic')"),
                                                 Card.number.between(number, number + "\uffff"))
            out.append(Branch(Member.id.in_(cards), Card.number, (number, number + "\uffff")))
            if digits.startswith("0"):
                out.append(Branch(Member.phone.between(digits, digits + "\uffff"), Member.phone))
            return out
        email = normalize_email(raw)
        if email:
            return [Branch(Member.email == email, Member.member_no)]
        if "@" in raw:
            low = raw.lower()
            return [Branch(Member.email.between(low, low + "\uffff"), Member.email)]
        key = kana_key(raw)
        prefix = Branch(Member.kana_key.between(key, key + "\uffff"), Member.kana_key)
        if len(key) < 3:  # no trigram to look up: readings that start with it
            return [prefix]
        # Readings that start with it first (kana order), then those that contain it elsewhere (the
        # given name, a second family name) from the trigram index, which holds both.
        phrase = '"' + key.replace('"', '""') + '"'
        contains = sql_text("members.id IN (" + _FTS_IDS.format(phrase=":fts_phrase") + ")").bindparams(
            fts_phrase=phrase)
        return [prefix, Branch(contains, None, on_fts=(phrase, key))]

    @staticmethod
    def _sort(sort) -> tuple[str, bool] | None:
        if not sort:
            return None
        column, direction = sort if isinstance(sort, (tuple, list)) else (sort, "asc")
        if column not in SORTABLE:
            raise InvalidInput(f"Cannot sort by {column!r}.", code="bad_sort")
        return column, str(direction).lower().startswith("desc")

    # -- queries ----------------------------------------------------------------------------
    def count(self, f: CustomerFilter | None = None, *, cap: int | None = COUNT_CAP) -> int:
        """How many members match (at most `cap`, so a broad search stays quick; None: exact).
        A search without other filters is counted from its indexes alone (every member's row would
        be read only to check that it is active): matches of each kind of search, united by rowid,
        less the few merged or deleted members among them (ix_members_not_active)."""
        f = f or CustomerFilter()
        conds = self._conditions(f)
        branches = self._branches(f.text)
        search = or_(*[b.cond for b in branches]) if len(branches) > 1 else branches[0].cond
        with self.store.db.read() as s:
            fts = next((b for b in branches if b.on_fts), None)
            if len(conds) == 1 and fts is not None:  # kana contained anywhere (a prefix is contained too)
                return self._count_fts(s, *fts.on_fts, cap)
            if len(conds) == 1:  # the search alone (conds[0] is the active-status condition)
                return self._count_search(s, branches, search, cap)
            if len(conds) == 2 and f.segment and not f.has_search():  # a segment alone
                return self._count_segment(s, f.segment, cap)
            used = {k for k, v in f.__dict__.items() if k != "text" and v not in (None, False)}
            if not f.has_search() and used and (used in ({"tier"}, {"home_store_id"}, {"never_visited"})
                                                or used <= {"last_visit_from", "last_visit_to"}):
                # one column with its own index (tier, home store, last visit): counted from it
                return self._count_search(s, [Branch(and_(*conds[1:]), None)], and_(*conds[1:]), cap)
            inner = select(Member.id).where(*conds, search)
            if cap:
                inner = inner.limit(cap)
            return int(s.scalar(select(func.count()).select_from(inner.subquery())))

    @staticmethod
    def _count_fts(s: Session, phrase: str, key: str, cap: int | None) -> int:
        """Members whose kana key contains `key`, from the trigram index alone (no member row per
        match), less the few merged or deleted members whose key contains it."""
        conn = s.connection()
        k = conn.exec_driver_sql(
            "SELECT count(*) FROM members INDEXED BY ix_members_not_active WHERE status <> 'active' "
            "AND instr(kana_key, ?) > 0", (key,)).scalar()
        limit = f" LIMIT {int(cap) + int(k)}" if cap else ""
        n = conn.exec_driver_sql(
            "SELECT count(*) FROM (SELECT 1 FROM search_member_kana_fts WHERE search_member_kana_fts MATCH ?"
            f"{limit})", (phrase,)).scalar()
        if cap and n >= cap + k:
            return cap
        return n - k if not cap else min(cap, n - k)

    @staticmethod
    def _count_search(s: Session, branches, search, cap: int | None) -> int:
        """Matches of each branch from its index (rowids), united, less the inactive among them."""
        not_active = [r for (r,) in s.execute(sql_text(
            "SELECT rowid FROM members INDEXED BY ix_members_not_active WHERE status <> 'active'"))]
        k = 0
        if not_active:
            k = int(s.scalar(select(func.count()).select_from(Member).where(ROWID.in_(not_active), search)))
        limit = None if not cap else cap + k
        if limit:
            # A kind of match that alone reaches the cap: so does their union (a count from one
            # index each, stopping at the cap, before uniting thousands of rowids).
            for b in branches:
                if b.on_card:
                    q = (select(Card.member_id).where(sql_text("cards.kind IN ('paper', 'plastic')"),
                                                      Card.number.between(*b.on_card), Card.member_id.is_not(None))
                         .distinct())
                else:
                    q = select(ROWID).select_from(Member).where(b.cond)
                if int(s.scalar(select(func.count()).select_from(q.limit(limit).subquery()))) >= limit:
                    return cap
        parts = []
        for b in branches:
            if b.on_card:
                continue
            q = select(ROWID.label("r")).select_from(Member).where(b.cond)
            if limit:
                q = q.limit(limit)
            parts.append(select(literal_column("r")).select_from(q.subquery()))
        matched = union(*parts).subquery() if len(parts) > 1 else parts[0].subquery()
        card = next((b for b in branches if b.on_card), None)
        if card is None:
            n = int(s.scalar(select(func.count()).select_from(matched)))
        else:
            # Card numbers: their members' ids from ix_cards_old_number alone (no lookup per card);
            # members matched both ways are counted once (looked up on the smaller side).
            rows = set(s.scalars(select(literal_column("r")).select_from(matched)))
            cards = (select(Card.member_id).where(sql_text("cards.kind IN ('paper', 'plastic')"),
                                                  Card.number.between(*card.on_card), Card.member_id.is_not(None))
                     .distinct())
            if limit:
                cards = cards.limit(limit)
            ids = set(s.scalars(cards))
            both = 0
            if rows and ids:
                if len(rows) <= len(ids):
                    both = sum(1 for i in s.scalars(select(Member.id).where(ROWID.in_(rows))) if i in ids)
                else:
                    both = sum(1 for r in s.scalars(select(ROWID).where(Member.id.in_(ids))) if r in rows)
            n = len(rows) + len(ids) - both
            if limit and (len(rows) >= limit or len(ids) >= limit):
                return cap
        if limit and n >= limit:
            return cap
        return n - k if not cap else min(cap, n - k)

    @staticmethod
    def _count_segment(s: Session, segment: str, cap: int | None) -> int:
        """Members of a segment from member_segments alone (VIP through ix_member_segments_vip): its
        rows are the members active at the last refresh, less those merged or deleted since."""
        conn = s.connection()
        k = conn.exec_driver_sql(
            f"SELECT count(*) FROM member_segments WHERE {segment} = 1 AND member_id IN "
            "(SELECT id FROM members INDEXED BY ix_members_not_active WHERE status <> 'active')").scalar()
        limit = f" LIMIT {int(cap) + int(k)}" if cap else ""
        n = conn.exec_driver_sql(
            f"SELECT count(*) FROM (SELECT 1 FROM member_segments WHERE {segment} = 1{limit})").scalar()
        if cap and n >= cap + k:
            return cap
        return n - k if not cap else min(cap, n - k)

    def page(self, f: CustomerFilter | None = None, sort=None, offset: int = 0, limit: int = 200, *,
             after: tuple | None = None) -> Page:
        f = f or CustomerFilter()
        limit = max(1, min(int(limit), 5000))
        offset = max(0, int(offset))
        conds = self._conditions(f)
        branches = self._branches(f.text)
        order = self._sort(sort)
        if order is not None and not f.has_search() and len(conds) > 1 and self._walk_sort_index(f, limit):
            conds = self._conditions(f, walk=SORTABLE[order[0]][0])
        with self.store.db.read() as s:
            if order is None and len(branches) > 1:
                # Each kind of match in its own index order, concatenated (no keyset).
                seen: dict[str, tuple] = {}
                want = offset + limit + 1
                for cond, natural, on_card, on_fts in branches:
                    if on_card:  # card numbers in order (per kind, by its unique index), with their members
                        found = heapq.merge(*(s.execute(
                            select(*_MEMBER_COLS, Card.number.label("_card"))
                            .join_from(Card, Member, Member.id == Card.member_id)
                            .where(Card.kind == kind, Card.number.between(*on_card), *conds)
                            .order_by(Card.number).limit(want)).all() for kind in ("paper", "plastic")),
                            key=lambda r: r._card)
                    elif on_fts:  # in the trigram index's order (no sort of every match)
                        found = s.execute(select(*_MEMBER_COLS).select_from(
                            _FTS.join(_FTS_KEYS, _FTS_KEYS.c.id == _FTS.c.rowid)
                            .join(Member, Member.id == _FTS_KEYS.c.member_id))
                            .where(_FTS.c.search_member_kana_fts.op("MATCH")(on_fts[0]), *conds).limit(want))
                    else:
                        found = s.execute(select(*_MEMBER_COLS).where(*conds, cond).order_by(natural, ROWID)
                                          .limit(want))
                    for row in found:
                        seen.setdefault(row.id, row)
                    if len(seen) >= want:
                        break
                rows = list(seen.values())[offset:offset + limit + 1]
                done = len(rows) <= limit
                rows = rows[:limit]
                return Page(self._rows(s, rows), offset, None, done)
            cond, natural = (branches[0].cond, branches[0].natural) if len(branches) == 1 else (
                or_(*[b.cond for b in branches]), None)
            if order is None:
                col, nullable, desc = (natural, False, False) if natural is not None else (Member.member_no, False,
                                                                                           False)
                if natural is Member.phone:
                    nullable = True
            else:
                col, nullable = SORTABLE[order[0]]
                desc = order[1]
            q = select(*_MEMBER_COLS, col.label("_sortkey")).where(*conds, cond)
            if after is not None:
                q = q.where(_after(col, nullable, desc, after))
            else:
                q = q.offset(offset)
            q = q.order_by(col.desc(), ROWID.desc()) if desc else q.order_by(col, ROWID)
            rows = list(s.execute(q.limit(limit + 1)))
            done = len(rows) <= limit
            rows = rows[:limit]
            cursor = (rows[-1]._sortkey, rows[-1].rowid) if rows else after
            return Page(self._rows(s, rows), offset, cursor, done)

    def _walk_sort_index(self, f: CustomerFilter, limit: int) -> bool:
        """A sorted page with filters: walk the sort column's index, checking the filters member by
        member (about limit × members / matches rows read), rather than read every match from a
        filter's index and sort them (matches rows), when that reads fewer rows. Matches from the
        capped count (indexes only); members from the largest rowid."""
        matches = self.count(f)
        if matches >= COUNT_CAP:
            return True
        with self.store.db.read() as s:
            members = s.connection().exec_driver_sql("SELECT max(rowid) FROM members").scalar() or 0
        return matches * matches > (limit + 1) * members

    def _rows(self, s: Session, rows) -> list[CustomerRow]:
        ids = [r.id for r in rows]
        segs = {}
        if ids:
            for seg in s.execute(select(MemberSegment.member_id, MemberSegment.segments, MemberSegment.rfm_r,
                                        MemberSegment.rfm_f, MemberSegment.rfm_m, MemberSegment.visits_12m)
                                 .where(MemberSegment.member_id.in_(ids))):
                segs[seg.member_id] = seg
        rule_set = None
        if segs:
            try:
                rule_set = self.store.rules.valid_at(self.store.now())
            except Exception:  # no rule set yet: no churn scores
                rule_set = None
        out = []
        for r in rows:
            seg = segs.get(r.id)
            churn = None
            if seg is not None and rule_set is not None:
                churn = self.store.segments.read_time(r.last_visit_at, seg.visits_12m, rule_set=rule_set)[1]
            out.append(CustomerRow(
                rowid=r.rowid, id=r.id, member_no=r.member_no, name=r.name, name_kana=r.name_kana, phone=r.phone,
                email=r.email, birthday=r.birthday, tier=r.tier, balance=r.balance,
                lifetime_spend_yen=r.lifetime_spend_yen, last_visit_at=r.last_visit_at,
                home_store_id=r.home_store_id, consent_marketing=bool(r.consent_marketing), created_at=r.created_at,
                segments=tuple(seg.segments or ()) if seg else (),
                rfm=f"{seg.rfm_r}{seg.rfm_f}{seg.rfm_m}" if seg and seg.rfm_r else "",
                churn_score=churn,
            ))
        return out

    def iter_rows(self, f: CustomerFilter | None = None, sort=None, chunk: int = 2000) -> Iterator[CustomerRow]:
        """Every matching row, page by page (keyset where possible)."""
        offset, after = 0, None
        while True:
            p = self.page(f, sort, offset=offset, limit=chunk, after=after)
            yield from p.rows
            if p.done or not p.rows:
                return
            offset += len(p.rows)
            after = p.cursor

    def filter_options(self) -> dict:
        """Values for the filter boxes: tiers (with counts), home stores, segment counts."""
        with self.store.db.read() as s:
            tiers = dict(s.execute(select(Member.tier, func.count()).where(Member.status == "active")
                                   .group_by(Member.tier)).all())
            stores = [r for (r,) in s.execute(select(Member.home_store_id).where(Member.home_store_id.is_not(None))
                                                .distinct().order_by(Member.home_store_id).limit(200))]
        return {"tiers": tiers, "home_stores": stores, "segments": self.store.segments.counts()}

    # -- profile ----------------------------------------------------------------------------
    def profile(self, member_id: str, *, history_limit: int = HISTORY_PAGE, series: bool = False) -> Profile:
        """What the customer details screen shows first, in one read transaction, each part by
        one indexed query: details, cards, balance with pending (ix_ledger_member_pending), live
        lots (ix_lots_member_live), coupons, segments and the newest `history_limit` entries
        (partial indexes are matched by their WHERE written as literals, not bound parameters).
        The rest of the history comes page by page (history_page); the chart's series come from
        chart_series (or here with series=True)."""
        now = self.store.now()
        with self.store.db.read() as s:
            m = self.store.members._get_active(s, member_id)
            member = {c: getattr(m, c) for c in (
                "id", "member_no", "name", "name_kana", "phone", "email", "line_user_id", "birthday", "tier",
                "status", "home_store_id", "consent_marketing", "consent_at", "balance", "lifetime_spend_yen",
                "last_visit_at", "created_at", "updated_at")}
            member["field_times"] = dict(m.field_times or {})
            cards = [dict(id=c.id, kind=c.kind, number=c.number, status=c.status, created_at=c.created_at,
                          revoked_at=c.revoked_at, migrated_at=c.migrated_at, migrated_store_id=c.migrated_store_id)
                     for c in s.scalars(select(Card).where(Card.member_id == m.id).order_by(Card.id))]
            lots = self._lots(s, m.id, None, LOTS_PAGE)
            soon = iso(now + timedelta(days=31))
            expiring = s.scalar(select(func.coalesce(func.sum(Lot.remaining), 0)).where(
                Lot.member_id == m.id, sql_text("lots.remaining > 0"), Lot.expires_at <= soon))
            coupons = []
            for c in s.scalars(select(Coupon).where(Coupon.member_id == m.id).order_by(Coupon.issued_at.desc())):
                state = "used" if c.used_at else ("expired" if parse_iso(c.expires_at) <= now else "available")
                coupons.append(dict(id=c.id, title_ja=c.title_ja, title_en=c.title_en, kind=c.kind, value=c.value,
                                    issued_at=c.issued_at, expires_at=c.expires_at, used_at=c.used_at, state=state))
            pending = s.scalar(select(func.coalesce(func.sum(LedgerEntry.points), 0))
                               .where(LedgerEntry.member_id == m.id, sql_text("ledger.sync_state = 'pending'")))
            count = s.scalar(select(func.count()).select_from(LedgerEntry).where(LedgerEntry.member_id == m.id))
            first = self._history(s, m.id, None, m.balance, history_limit)
            seg = s.get(MemberSegment, m.id)
            segments = None
            if seg is not None:
                days, churn = self.store.segments.read_time(m.last_visit_at, seg.visits_12m)
                segments = dict(
                    rfm_r=seg.rfm_r, rfm_f=seg.rfm_f, rfm_m=seg.rfm_m, churn_score=churn, days_since_visit=days,
                    visits_12m=seg.visits_12m, spend_12m_yen=seg.spend_12m_yen, segments=list(seg.segments or ()),
                    computed_at=seg.computed_at)
            chart = self._chart_series(s, m) if series else None
        balance = {"balance": m.balance, "pending": pending, "confirmed": m.balance - pending,
                   "expiring_30d": int(expiring), "tier": m.tier}
        return Profile(member=member, cards=cards, balance=balance, lots=lots.rows, coupons=coupons,
                       history=first.rows, history_cursor=first.cursor, lots_cursor=lots.cursor, segments=segments, entry_count=int(count),
                       points_series=chart.points if chart else [], spend_series=chart.spend if chart else [])

    def history_page(self, member_id: str, cursor: tuple | None = None, limit: int = HISTORY_PAGE) -> RowPage:
        """The member's entries older than `cursor` (from Profile.history_cursor or the previous
        page), newest first: one keyset query on ix_ledger_member_seq."""
        with self.store.db.read() as s:
            if cursor is None:
                m = self.store.members._get_active(s, member_id)
                return self._history(s, m.id, None, m.balance, limit)
            return self._history(s, member_id, int(cursor[0]), int(cursor[1]), limit)

    @staticmethod
    def _history(s: Session, member_id: str, before_seq: int | None, balance: int, limit: int) -> RowPage:
        """`balance` is the balance after the newest entry asked for (the member's balance for the
        first page: balance == sum of the ledger); walking back, each entry's balance after is the
        one before the entry that follows it."""
        limit = max(1, min(int(limit), 5000))
        q = (select(LedgerEntry.seq, LedgerEntry.id, LedgerEntry.kind, LedgerEntry.points, LedgerEntry.amount_yen,
                    LedgerEntry.staff_id, LedgerEntry.store_id, LedgerEntry.terminal_id, LedgerEntry.created_at,
                    LedgerEntry.rule_set_version, LedgerEntry.reverses_id, LedgerEntry.reason, LedgerEntry.breakdown,
                    LedgerEntry.sync_state, LedgerEntry.coupon_id)
             .where(LedgerEntry.member_id == member_id))
        if before_seq is not None:
            q = q.where(LedgerEntry.seq < before_seq)
        entries = s.execute(q.order_by(LedgerEntry.seq.desc()).limit(limit + 1)).all()
        more = len(entries) > limit
        entries = entries[:limit]
        ids = [e.id for e in entries]
        voided = set(s.scalars(select(LedgerEntry.reverses_id).where(LedgerEntry.reverses_id.in_(ids)))) if ids \
            else set()
        rows = []
        for e in entries:
            rows.append(dict(seq=e.seq, id=e.id, kind=e.kind, points=e.points, amount_yen=e.amount_yen,
                             staff_id=e.staff_id, store_id=e.store_id, terminal_id=e.terminal_id,
                             created_at=e.created_at, rule_set_version=e.rule_set_version, reverses_id=e.reverses_id,
                             reason=e.reason, breakdown=e.breakdown or [], sync_state=e.sync_state,
                             coupon_id=e.coupon_id, voided=e.id in voided, balance_after=balance))
            balance -= e.points
        cursor = (entries[-1].seq, balance) if more else None
        return RowPage(rows, cursor, not more)

    def lots_page(self, member_id: str, cursor: tuple | None = None, limit: int = LOTS_PAGE) -> RowPage:
        """The member's live lots after `cursor` (Profile.lots_cursor or the previous page), soonest
        expiry first: one keyset query on ix_lots_member_live."""
        with self.store.db.read() as s:
            return self._lots(s, member_id, cursor, limit)

    @staticmethod
    def _lots(s: Session, member_id: str, after: tuple | None, limit: int) -> RowPage:
        limit = max(1, min(int(limit), 5000))
        q = (select(Lot.id, Lot.entry_id, Lot.points, Lot.remaining, Lot.expires_at)
             .where(Lot.member_id == member_id, sql_text("lots.remaining > 0")))
        if after is not None:
            q = q.where(tuple_(Lot.expires_at, Lot.id) > tuple_(after[0], after[1]))
        found = s.execute(q.order_by(Lot.expires_at, Lot.id).limit(limit + 1)).all()
        more = len(found) > limit
        found = found[:limit]
        rows = [dict(id=lt.id, entry_id=lt.entry_id, points=lt.points, remaining=lt.remaining,
                     expires_at=lt.expires_at) for lt in found]
        return RowPage(rows, (found[-1].expires_at, found[-1].id) if more else None, not more)

    def chart_series(self, member_id: str) -> ChartSeries:
        """The chart of the profile: balance at the end of each store-local day with entries, and
        spend and points earned per local month (a voided purchase taken off in its void's month),
        grouped in SQL."""
        with self.store.db.read() as s:
            m = self.store.members._get_active(s, member_id)
            return self._chart_series(s, m)

    def _chart_series(self, s: Session, m: Member) -> ChartSeries:
        now = self.store.now()
        start = min(parse_iso(m.created_at), now) - timedelta(days=1)
        day = local_date_sql("l.created_at", self._zone(), start, now + timedelta(days=1))
        rows = s.connection().exec_driver_sql(
            f"SELECT {day} AS day, sum(l.points),"
            " sum(CASE WHEN l.kind = 'earn' THEN coalesce(l.amount_yen, 0)"
            "          WHEN o.kind = 'earn' THEN -coalesce(o.amount_yen, 0) ELSE 0 END),"
            " sum(CASE WHEN l.kind = 'earn' OR o.kind = 'earn' THEN l.points ELSE 0 END)"
            " FROM ledger l LEFT JOIN ledger o ON l.kind = 'void' AND o.id = l.reverses_id"
            " WHERE l.member_id = ? GROUP BY day ORDER BY day", (m.id,)).all()
        points, months, running = [], {}, 0
        for d, pts, spend, earned in rows:
            running += pts
            points.append((d, running))
            bucket = months.setdefault(d[:7], [0, 0])
            bucket[0] += spend
            bucket[1] += earned
        return ChartSeries(points, [(k, v[0], v[1]) for k, v in sorted(months.items())])

    # -- export -----------------------------------------------------------------------------
    def export_csv(self, actor, f: CustomerFilter | None, columns: list[str], path: str | Path, *,
                   sort=None) -> int:
        """Write the current list to CSV (UTF-8 with BOM, so Excel opens Japanese correctly).
        Manager only, audited. Personal data columns are written only when named in `columns`."""
        require(actor, "manager", "export the customer list")
        f = f or CustomerFilter()
        columns = list(columns or ())
        unknown = [c for c in columns if c not in COLUMNS]
        if not columns or unknown:
            raise InvalidInput(f"Unknown export columns: {unknown or columns}.", code="bad_columns")
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        n = 0
        tmp = path.with_name(path.name + ".part")
        with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(columns)
            for row in self.iter_rows(f, sort):
                w.writerow([_csv_value(row, c) for c in columns])
                n += 1
        tmp.replace(path)
        with self.store.db.write() as s:
            self.store.audit.record(s, actor, "customers.export", "members", None, None, {
                "columns": columns, "personal_columns": sorted(PERSONAL_COLUMNS.intersection(columns)),
                "rows": n, "filters": _filter_summary(f), "file": path.name})
            self.store.security.record(s, "export.customers", actor=actor, object_type="members", details={
                "rows": n, "personal_columns": sorted(PERSONAL_COLUMNS.intersection(columns))})
        return n


def _csv_value(row: CustomerRow, column: str):
    v = getattr(row, column)
    if column == "segments":
        return " ".join(v)
    if column == "consent_marketing":
        return 1 if v else 0
    return "" if v is None else v


def _filter_summary(f: CustomerFilter) -> dict:
    """What the audit keeps of the filters: no search text (it may be a phone number or a name)."""
    out = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in f.__dict__.items()
           if k != "text" and v not in (None, False)}
    out["search"] = f.has_search()
    return out


def _after(col, nullable: bool, desc: bool, after: tuple):
    """Keyset condition: rows strictly after (value, rowid) in the order (col, rowid) asc/desc.
    SQLite sorts NULL first ascending and last descending."""
    value, rowid = after
    if not desc:
        if value is None:
            return or_(and_(col.is_(None), ROWID > rowid), col.is_not(None)) if nullable else ROWID > rowid
        return tuple_(col, ROWID) > tuple_(value, rowid)
    if value is None:
        return and_(col.is_(None), ROWID < rowid)
    cond = tuple_(col, ROWID) < tuple_(value, rowid)
    return or_(cond, col.is_(None)) if nullable else cond
