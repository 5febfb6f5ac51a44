"""The store's local database (SQLite): SQLAlchemy 2.0 models.

Times are UTC ISO-8601 text (see app.clock.iso) so that text order is time order on SQLite.
Points and yen are integers. Ledger rows are append-only: a correction is a new entry.
"""
from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    JSON,
    select,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, column_property, mapped_column


class Base(DeclarativeBase):
    pass


class Setting(Base):
    """Store-wide key/value settings: store id, terminal id, void window, language..."""
    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, nullable=False)


class Member(Base):
    __tablename__ = "members"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # UUID, made by whoever registers
    member_no: Mapped[str] = mapped_column(String(20), unique=True, nullable=False)
    name: Mapped[str | None] = mapped_column(String(100))
    name_kana: Mapped[str] = mapped_column(String(100), nullable=False)
    kana_key: Mapped[str] = mapped_column(String(100), nullable=False, index=True)
    phone: Mapped[str | None] = mapped_column(String(20), index=True)  # digits only, national form
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    line_user_id: Mapped[str | None] = mapped_column(String(64))
    birthday: Mapped[str | None] = mapped_column(String(10))  # YYYY-MM-DD
    tier: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="active")
    merged_into: Mapped[str | None] = mapped_column(String(36))
    home_store_id: Mapped[str | None] = mapped_column(String(32))
    consent_marketing: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    consent_at: Mapped[str | None] = mapped_column(String(32))
    field_times: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    balance: Mapped[int] = mapped_column(Integer, nullable=False, default=0)  # = sum of ledger points
    lifetime_spend_yen: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_visit_at: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[str] = mapped_column(String(32), nullable=False)
    updated_at: Mapped[str] = mapped_column(String(32), nullable=False)
    __table_args__ = (
        CheckConstraint("status IN ('active', 'merged', 'deleted')", name="ck_members_status"),
        CheckConstraint("balance >= 0", name="ck_members_balance"),
    )


class Card(Base):
    """Anything that identifies a member at the counter: signed member codes (by serial),
    legacy paper point cards and old plastic cards (by number)."""
    __tablename__ = "cards"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    member_id: Mapped[str | None] = mapped_column(ForeignKey("members.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # member_code | paper | plastic
    number: Mapped[str] = mapped_column(String(64), nullable=False)  # serial for member codes
    key_id: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="active")
    created_at: Mapped[str] = mapped_column(String(32), nullable=False)
    revoked_at: Mapped[str | None] = mapped_column(String(32))
    migrated_at: Mapped[str | None] = mapped_column(String(32))
    migrated_store_id: Mapped[str | None] = mapped_column(String(32))
    # To whom it was migrated, as a member number: the member may live only at another store
    # (HQ sent the card, or HQ said another store won the migration).
    migrated_member_no: Mapped[str | None] = mapped_column(String(20))
    __table_args__ = (
        UniqueConstraint("kind", "number", name="uq_cards_kind_number"),
        CheckConstraint("status IN ('active', 'revoked', 'migrated')", name="ck_cards_status"),
    )


class LedgerEntry(Base):
    """Append-only. The id is the request's idempotency key, forever."""
    __tablename__ = "ledger"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), unique=True, nullable=False)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id"), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    points: Mapped[int] = mapped_column(Integer, nullable=False)  # signed change of the balance
    amount_yen: Mapped[int | None] = mapped_column(Integer)
    staff_id: Mapped[int | None] = mapped_column(Integer)
    store_id: Mapped[str] = mapped_column(String(32), nullable=False)
    terminal_id: Mapped[str] = mapped_column(String(32), nullable=False)
    created_at: Mapped[str] = mapped_column(String(32), nullable=False)
    rule_set_version: Mapped[str | None] = mapped_column(String(64))
    reverses_id: Mapped[str | None] = mapped_column(ForeignKey("ledger.id"), unique=True)
    coupon_id: Mapped[str | None] = mapped_column(String(36))
    card_id: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(Text)
    breakdown: Mapped[list | None] = mapped_column(JSON)
    request_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    sync_state: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")
    # SHA-256 of the evidence photo of a migrated paper card (the photo stays in the store's
    # evidence folder next to the database).
    evidence_sha256: Mapped[str | None] = mapped_column(String(64))
    __table_args__ = (
        CheckConstraint(
            "kind IN ('earn', 'redeem', 'adjust', 'void', 'expire', 'migrate', 'coupon')",
            name="ck_ledger_kind",
        ),
        CheckConstraint("sync_state IN ('pending', 'acked', 'remote')", name="ck_ledger_sync_state"),
        Index("ix_ledger_member_seq", "member_id", "seq"),
        # covering (revision 0011): a span of days' entries read from the index alone
        Index("ix_ledger_created", "created_at", "kind", "points", "amount_yen", "coupon_id", "member_id"),
    )


class Lot(Base):
    """Points earned together, with one expiry date. Spending takes from the soonest expiry."""
    __tablename__ = "lots"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id"), nullable=False)
    entry_id: Mapped[str] = mapped_column(ForeignKey("ledger.id"), nullable=False, unique=True)
    points: Mapped[int] = mapped_column(Integer, nullable=False)
    remaining: Mapped[int] = mapped_column(Integer, nullable=False)
    expires_at: Mapped[str] = mapped_column(String(32), nullable=False)
    __table_args__ = (
        CheckConstraint("remaining >= 0 AND remaining <= points", name="ck_lots_remaining"),
        Index("ix_lots_member_expiry", "member_id", "expires_at"),
    )


class LotMove(Base):
    """How many points an entry took from (negative) or gave back to (positive) a lot."""
    __tablename__ = "lot_moves"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entry_id: Mapped[str] = mapped_column(ForeignKey("ledger.id"), nullable=False, index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), nullable=False, index=True)
    points: Mapped[int] = mapped_column(Integer, nullable=False)


class Outbox(Base):
    """One row per event to push to HQ, written in the same transaction as the change.
    `seq` is the per-terminal sequence of the sync protocol."""
    __tablename__ = "outbox"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True, nullable=False)
    type: Mapped[str] = mapped_column(String(32), nullable=False)
    payload: Mapped[dict] = mapped_column(JSON, nullable=False)
    created_at: Mapped[str] = mapped_column(String(32), nullable=False)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    # HQ's answer (sync): applied | duplicate | adjusted | rejected | redirected, and when. A row
    # with an outcome is acknowledged; acknowledged rows are pruned later except the newest (the
    # sequence must never restart).
    outcome: Mapped[str | None] = mapped_column(String(16))
    outcome_detail: Mapped[dict | None] = mapped_column(JSON)
    acked_at: Mapped[str | None] = mapped_column(String(32), index=True)


class OfflineRedemption(Base):
    """A redemption made while HQ could not be reached (sync): counts against the rule set's daily
    offline allowance. Written before the ledger entry, so a crash in between errs on the safe side."""
    __tablename__ = "offline_redemptions"
    entry_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    member_id: Mapped[str] = mapped_column(String(36), nullable=False)
    points: Mapped[int] = mapped_column(Integer, nullable=False)
    business_day: Mapped[str] = mapped_column(String(10), nullable=False)
    created_at: Mapped[str] = mapped_column(String(32), nullable=False)
    __table_args__ = (Index("ix_offline_redemptions_member_day", "member_id", "business_day"),)


class LegacyImport(Base):
    """One committed import of a legacy ledger file (旧台帳の取込): what, by whom, what it changed."""
    __tablename__ = "legacy_imports"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    file_name: Mapped[str] = mapped_column(String(255), nullable=False)
    file_sha256: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    staff_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[str] = mapped_column(String(32), nullable=False)
    mapping: Mapped[dict] = mapped_column(JSON, nullable=False)
    summary: Mapped[dict] = mapped_column(JSON, nullable=False)


class LegacyImportRow(Base):
    """Each imported row by its stable key (hash of the file name and the row's content), so that
    importing the same file again changes nothing."""
    __tablename__ = "legacy_import_rows"
    row_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    import_id: Mapped[str] = mapped_column(ForeignKey("legacy_imports.id"), nullable=False, index=True)
    row_no: Mapped[int] = mapped_column(Integer, nullable=False)
    outcome: Mapped[str] = mapped_column(String(16), nullable=False)  # created | matched | skipped
    member_id: Mapped[str | None] = mapped_column(String(36))
    entry_id: Mapped[str | None] = mapped_column(String(36))


class Coupon(Base):
    __tablename__ = "coupons"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id"), nullable=False, index=True)
    template_id: Mapped[str] = mapped_column(String(64), nullable=False)
    title_ja: Mapped[str] = mapped_column(String(200), nullable=False)
    title_en: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # bonus_points | yen_off
    value: Mapped[int] = mapped_column(Integer, nullable=False)
    issued_at: Mapped[str] = mapped_column(String(32), nullable=False)
    expires_at: Mapped[str] = mapped_column(String(32), nullable=False)
    used_at: Mapped[str | None] = mapped_column(String(32))
    used_entry_id: Mapped[str | None] = mapped_column(String(36), unique=True)


class RuleSetRow(Base):
    __tablename__ = "rule_sets"
    version: Mapped[str] = mapped_column(String(64), primary_key=True)
    valid_from: Mapped[str] = mapped_column(String(32), nullable=False)
    valid_to: Mapped[str | None] = mapped_column(String(32))
    body: Mapped[dict] = mapped_column(JSON, nullable=False)
    received_at: Mapped[str] = mapped_column(String(32), nullable=False)


class SigningKey(Base):
    """Public keys this store trusts for member codes. Private keys live in the OS keyring."""
    __tablename__ = "signing_keys"
    key_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    owner: Mapped[str] = mapped_column(String(32), nullable=False)  # store id or "hq"
    is_own: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    revoked_at: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[str] = mapped_column(String(32), nullable=False)


class Staff(Base):
    __tablename__ = "staff"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)  # staff number
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    pin_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    failed_attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    locked_until: Mapped[str | None] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[str] = mapped_column(String(32), nullable=False)
    __table_args__ = (
        CheckConstraint("role IN ('cashier', 'manager', 'admin')", name="ck_staff_role"),
    )


class AuditEntry(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    staff_id: Mapped[int | None] = mapped_column(Integer)
    terminal_id: Mapped[str | None] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(64), nullable=False)
    object_type: Mapped[str | None] = mapped_column(String(32))
    object_id: Mapped[str | None] = mapped_column(String(64))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)


class SecurityEvent(Base):
    """Security events (app.services.security_log): append-only (SQLite triggers), each row
    carrying the SHA-256 of the previous one; kept at least a year. No personal data."""
    __tablename__ = "security_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    staff_id: Mapped[int | None] = mapped_column(Integer)
    terminal_id: Mapped[str | None] = mapped_column(String(32))
    object_type: Mapped[str | None] = mapped_column(String(32))
    object_id: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict] = mapped_column(JSON, nullable=False)
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False)


class Conflict(Base):
    """What sync could not settle alone, for the manager (要確認)."""
    __tablename__ = "conflicts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    created_at: Mapped[str] = mapped_column(String(32), nullable=False)
    member_id: Mapped[str | None] = mapped_column(String(36))
    details: Mapped[dict] = mapped_column(JSON, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="open")
    resolved_at: Mapped[str | None] = mapped_column(String(32))
    resolved_by: Mapped[int | None] = mapped_column(Integer)


# -- manager screens (segments, reports) ----------------------------------------------------------
class MemberSegment(Base):
    """Segments computed locally from the ledger (app.services.segments.refresh): RFM quintile
    scores (1-5, 0 = never visited), the 12-month visits and spend, and the flags used as filters.
    A refresh rewrites only the rows whose values changed (revision 0009), so nothing that moves
    every day is stored: days_since_visit and churn_score are worked out from the member's
    last_visit_at when read (SegmentService.of fills them in), and computed_at is the last
    refresh's (segment_runs)."""
    __tablename__ = "member_segments"
    member_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    rfm_r: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    rfm_f: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    rfm_m: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    visits_12m: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    spend_12m_yen: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    vip: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    churn_risk: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    win_back: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    segments: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    __table_args__ = {"sqlite_with_rowid": False}
    # read-time values (not columns), set by SegmentService.of
    days_since_visit = None
    churn_score = None


class SegmentRun(Base):
    """One segment refresh: when, with which thresholds, and the count per segment."""
    __tablename__ = "segment_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    computed_at: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    rule_set_version: Mapped[str | None] = mapped_column(String(64))
    thresholds: Mapped[dict] = mapped_column(JSON, nullable=False)
    counts: Mapped[dict] = mapped_column(JSON, nullable=False)
    members: Mapped[int] = mapped_column(Integer, nullable=False)
    duration_ms: Mapped[int] = mapped_column(Integer, nullable=False)


# A segment row's computed_at: the last refresh (rows are rewritten only when their values change).
MemberSegment.computed_at = column_property(
    select(SegmentRun.computed_at).order_by(SegmentRun.id.desc()).limit(1).scalar_subquery())


class GeneratedReport(Base):
    """A daily report (日報) or month-end snapshot (月次締め) written to the reports folder."""
    __tablename__ = "generated_reports"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # daily | monthly
    period: Mapped[str] = mapped_column(String(10), nullable=False)  # YYYY-MM-DD | YYYY-MM
    generated_at: Mapped[str] = mapped_column(String(32), nullable=False)
    generated_by: Mapped[int | None] = mapped_column(Integer)
    pdf_path: Mapped[str | None] = mapped_column(Text)
    csv_path: Mapped[str | None] = mapped_column(Text)
    figures: Mapped[dict] = mapped_column(JSON, nullable=False)
    __table_args__ = (
        UniqueConstraint("kind", "period", name="uq_generated_reports_kind_period"),
        CheckConstraint("kind IN ('daily', 'monthly')", name="ck_generated_reports_kind"),
    )


# Indexes for the customer screen (sorting and filtering a million members) and the reports.
Index("ix_members_last_visit_at", Member.last_visit_at)
Index("ix_members_lifetime_spend", Member.lifetime_spend_yen)
Index("ix_members_balance", Member.balance)
Index("ix_members_tier", Member.tier)
Index("ix_members_home_store", Member.home_store_id)
Index("ix_members_created_at", Member.created_at)
Index("ix_cards_migrated_at", Card.migrated_at)
Index("ix_ledger_void_created", LedgerEntry.created_at, sqlite_where=LedgerEntry.kind == "void")
# The manager screens at a million members (revision 0008): the segment refresh's inputs from
# indexes alone (12-month earns per member, every active member's last visit and lifetime spend);
# the few members not active (search counts from the index); paper and plastic card numbers with
# their member; the VIP members.
Index("ix_ledger_earn_member", LedgerEntry.member_id, LedgerEntry.created_at, LedgerEntry.amount_yen,
      sqlite_where=LedgerEntry.kind == "earn")
Index("ix_members_active_segment", Member.id, Member.last_visit_at, Member.lifetime_spend_yen,
      sqlite_where=Member.status == "active")
Index("ix_members_not_active", Member.status, sqlite_where=Member.status != "active")
Index("ix_cards_old_number", Card.kind, Card.number, Card.member_id, sqlite_where=Card.kind.in_(("paper", "plastic")))
Index("ix_member_segments_vip", MemberSegment.member_id, sqlite_where=MemberSegment.vip == 1)
# The counter's hot path (revision 0007): a member's unsent points, their voids, the lots still live.
Index("ix_ledger_member_pending", LedgerEntry.member_id, LedgerEntry.points,
      sqlite_where=LedgerEntry.sync_state == "pending")
Index("ix_ledger_member_voids", LedgerEntry.member_id, LedgerEntry.reverses_id,
      sqlite_where=LedgerEntry.kind == "void")
Index("ix_lots_member_live", Lot.member_id, Lot.expires_at, sqlite_where=Lot.remaining > 0)
# A paper card's migrate entries (revision 0010): only they carry a card, so the index stays small.
Index("ix_ledger_card", LedgerEntry.card_id, sqlite_where=LedgerEntry.card_id.is_not(None))
# The earns with a campaign or bonus line, their breakdown included (revision 0011): the daily
# report's campaign lines without a table row per earn. The WHERE as in the migration (CAMPAIGN_EARN
# in app.services.reports, term for term).
Index("ix_ledger_campaign_earns", LedgerEntry.created_at, LedgerEntry.kind, LedgerEntry.breakdown,
      sqlite_where=text("kind = 'earn' AND (instr(breakdown, '\"campaign\"') > 0 OR instr(breakdown, '\"bonus\"') > 0)"))

# Derived search indexes (revision 0007): the FTS5 trigram index over members' kana keys and its
# side table, kept in step by triggers defined in the migration. Not models; autogenerate skips them.
SEARCH_TABLE_PREFIX = "search_"


def include_in_autogenerate(name, type_, parent_names) -> bool:
    """Alembic include_name hook (migrations/env.py and the models-agree test): leave out the
    trigger-maintained search_* tables (an FTS5 virtual table and its shadow tables)."""
    return not (type_ == "table" and name and name.startswith(SEARCH_TABLE_PREFIX))
