"""HQ's database (PostgreSQL, or SQLite embedded): SQLAlchemy 2.0 models.

Times are UTC ISO-8601 text, as in the store (text order is time order on both engines).
"""
from __future__ import annotations

from sqlalchemy import (JSON, BigInteger, Boolean, Index, Integer, PrimaryKeyConstraint, String, Text,
                        UniqueConstraint, text)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

BigId = BigInteger().with_variant(Integer, "sqlite")


class Base(DeclarativeBase):
    pass


class Meta(Base):
    __tablename__ = "hq_meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, nullable=False)


class StoreRow(Base):
    __tablename__ = "stores"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")  # pending|active|revoked
    enroll_code_hash: Mapped[str | None] = mapped_column(String(64))
    enroll_expires_at: Mapped[str | None] = mapped_column(String(32))
    credential_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[str] = mapped_column(String(32), nullable=False)
    enrolled_at: Mapped[str | None] = mapped_column(String(32))
    revoked_at: Mapped[str | None] = mapped_column(String(32))
    last_contact_at: Mapped[str | None] = mapped_column(String(32))
    last_push_at: Mapped[str | None] = mapped_column(String(32))
    oldest_pending_at: Mapped[str | None] = mapped_column(String(32))
    queue_length: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    clock_skew_ms: Mapped[int | None] = mapped_column(BigInteger)


class Principal(Base):
    """Admin and auditor credentials (stores authenticate with their own row)."""
    __tablename__ = "principals"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    role: Mapped[str] = mapped_column(String(16), nullable=False)  # admin | auditor
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    created_at: Mapped[str] = mapped_column(String(32), nullable=False)
    revoked_at: Mapped[str | None] = mapped_column(String(32))


class Terminal(Base):
    __tablename__ = "terminals"
    store_id: Mapped[str] = mapped_column(String(32), nullable=False)
    terminal_id: Mapped[str] = mapped_column(String(32), nullable=False)
    next_seq: Mapped[int] = mapped_column(BigInteger, nullable=False, default=1)
    __table_args__ = (PrimaryKeyConstraint("store_id", "terminal_id"),)


class EventRow(Base):
    """Every pushed event, with its stored outcome (a resend returns it)."""
    __tablename__ = "events"
    store_id: Mapped[str] = mapped_column(String(32), nullable=False)
    terminal_id: Mapped[str] = mapped_column(String(32), nullable=False)
    seq: Mapped[int] = mapped_column(BigInteger, nullable=False)
    event_id: Mapped[str] = mapped_column(String(36), nullable=False, index=True)
    type: Mapped[str] = mapped_column(String(32), nullable=False)
    outcome: Mapped[str] = mapped_column(String(16), nullable=False)
    result: Mapped[dict] = mapped_column(JSON, nullable=False)
    received_at: Mapped[str] = mapped_column(String(32), nullable=False)
    __table_args__ = (PrimaryKeyConstraint("store_id", "terminal_id", "seq"),)


class MemberRow(Base):
    __tablename__ = "members"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    member_no: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    name: Mapped[str | None] = mapped_column(String(100))
    name_kana: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    line_user_id: Mapped[str | None] = mapped_column(String(64))
    birthday: Mapped[str | None] = mapped_column(String(10))
    consent_marketing: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    tier: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="active")
    merged_into: Mapped[str | None] = mapped_column(String(36))
    home_store_id: Mapped[str | None] = mapped_column(String(32))
    field_times: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    balance: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    lifetime_spend_yen: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    last_visit_at: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[str] = mapped_column(String(32), nullable=False)
    updated_at: Mapped[str] = mapped_column(String(32), nullable=False)
    deleted_at: Mapped[str | None] = mapped_column(String(32))


class LedgerRow(Base):
    __tablename__ = "ledger"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the store's entry id (event id)
    member_id: Mapped[str] = mapped_column(String(36), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    points: Mapped[int] = mapped_column(BigInteger, nullable=False)
    amount_yen: Mapped[int | None] = mapped_column(BigInteger)
    store_id: Mapped[str] = mapped_column(String(32), nullable=False)
    terminal_id: Mapped[str] = mapped_column(String(32), nullable=False)
    staff_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[str] = mapped_column(String(32), nullable=False)
    booked_at: Mapped[str] = mapped_column(String(32), nullable=False)
    rule_set_version: Mapped[str | None] = mapped_column(String(64))
    reverses_id: Mapped[str | None] = mapped_column(String(36))
    coupon_id: Mapped[str | None] = mapped_column(String(36))
    reason: Mapped[str | None] = mapped_column(Text)
    origin_event_id: Mapped[str | None] = mapped_column(String(36))  # for HQ compensations
    __table_args__ = (Index("ix_hq_ledger_member", "member_id", "created_at"),
                      # the jobs' 12-month spend leaves voided earns out: the voids alone (revision 0003)
                      Index("ix_hq_ledger_voids", "reverses_id", "created_at",
                            postgresql_where=text("kind = 'void'"), sqlite_where=text("kind = 'void'")))


class CardRow(Base):
    __tablename__ = "cards"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    number: Mapped[str] = mapped_column(String(64), nullable=False)
    member_id: Mapped[str | None] = mapped_column(String(36), index=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="active")
    store_id: Mapped[str | None] = mapped_column(String(32))
    at: Mapped[str | None] = mapped_column(String(32))
    entry_id: Mapped[str | None] = mapped_column(String(36))
    __table_args__ = (UniqueConstraint("kind", "number", name="uq_hq_cards"),)


class SigningKeyRow(Base):
    __tablename__ = "signing_keys"
    key_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    public_key: Mapped[str] = mapped_column(String(128), nullable=False)  # hex
    owner: Mapped[str] = mapped_column(String(32), nullable=False)
    certificate: Mapped[str | None] = mapped_column(String(256))
    created_at: Mapped[str] = mapped_column(String(32), nullable=False)
    revoked_at: Mapped[str | None] = mapped_column(String(32))


class RuleSetRow(Base):
    __tablename__ = "rule_sets"
    version: Mapped[str] = mapped_column(String(64), primary_key=True)
    valid_from: Mapped[str] = mapped_column(String(32), nullable=False)
    valid_to: Mapped[str | None] = mapped_column(String(32))
    body: Mapped[dict] = mapped_column(JSON, nullable=False)
    published_at: Mapped[str] = mapped_column(String(32), nullable=False)


class CouponRow(Base):
    __tablename__ = "coupons"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    member_id: Mapped[str] = mapped_column(String(36), nullable=False, index=True)
    data: Mapped[dict] = mapped_column(JSON, nullable=False)
    used_entry_id: Mapped[str | None] = mapped_column(String(36))


class Reservation(Base):
    __tablename__ = "reservations"
    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    member_id: Mapped[str] = mapped_column(String(36), nullable=False, index=True)
    points: Mapped[int] = mapped_column(BigInteger, nullable=False)
    store_id: Mapped[str] = mapped_column(String(32), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="held")
    created_at: Mapped[str] = mapped_column(String(32), nullable=False)
    expires_at: Mapped[str] = mapped_column(String(32), nullable=False)


class ChangeRow(Base):
    """The change feed stores pull by cursor (epoch:id). Ids are committed in order (see service)."""
    __tablename__ = "changes"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    member_id: Mapped[str | None] = mapped_column(String(36), index=True)  # to scrub on deletion
    data: Mapped[dict] = mapped_column(JSON, nullable=False)
    created_at: Mapped[str] = mapped_column(String(32), nullable=False)


class ConflictRow(Base):
    __tablename__ = "conflicts"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    store_id: Mapped[str | None] = mapped_column(String(32))
    member_id: Mapped[str | None] = mapped_column(String(36))
    details: Mapped[dict] = mapped_column(JSON, nullable=False)
    created_at: Mapped[str] = mapped_column(String(32), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="open")


class DuplicateCandidate(Base):
    __tablename__ = "duplicate_candidates"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    member_id: Mapped[str] = mapped_column(String(36), nullable=False, index=True)
    other_id: Mapped[str] = mapped_column(String(36), nullable=False)
    reason: Mapped[str] = mapped_column(String(16), nullable=False)  # phone | email
    created_at: Mapped[str] = mapped_column(String(32), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="open")
    __table_args__ = (UniqueConstraint("member_id", "other_id", "reason", name="uq_dup"),)


class AuditRow(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    principal: Mapped[str | None] = mapped_column(String(64))
    role: Mapped[str | None] = mapped_column(String(16))
    method: Mapped[str] = mapped_column(String(8), nullable=False)
    path: Mapped[str] = mapped_column(String(200), nullable=False)
    status: Mapped[int] = mapped_column(Integer, nullable=False)
    detail: Mapped[str | None] = mapped_column(Text)


class RateWindow(Base):
    __tablename__ = "rate_windows"
    principal: Mapped[str] = mapped_column(String(64), nullable=False)
    window: Mapped[int] = mapped_column(BigInteger, nullable=False)
    count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    __table_args__ = (PrimaryKeyConstraint("principal", "window"),)


# -- campaigns, jobs, notifications (hq/campaigns.py, hq/jobs.py, hq/notify.py) --------------------
class CampaignSource(Base):
    """The authoring file a published rule-set version came from (HQ-only parts kept here)."""
    __tablename__ = "campaign_sources"
    version: Mapped[str] = mapped_column(String(64), primary_key=True)
    file_name: Mapped[str | None] = mapped_column(String(200))
    format: Mapped[str] = mapped_column(String(8), nullable=False)  # json | yaml | derived
    source: Mapped[str] = mapped_column(Text, nullable=False)
    extras: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)  # regions, jobs, derived_from
    published_at: Mapped[str] = mapped_column(String(32), nullable=False)


class JobRun(Base):
    """One execution of a job (scheduler or CLI) and what it did."""
    __tablename__ = "job_runs"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    job: Mapped[str] = mapped_column(String(32), nullable=False)
    run_date: Mapped[str] = mapped_column(String(10), nullable=False)
    trigger: Mapped[str] = mapped_column(String(16), nullable=False)  # scheduler | cli | api
    status: Mapped[str] = mapped_column(String(16), nullable=False)  # running | done | failed
    started_at: Mapped[str] = mapped_column(String(32), nullable=False)
    finished_at: Mapped[str | None] = mapped_column(String(32))
    summary: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    __table_args__ = (Index("ix_job_runs_job_date", "job", "run_date"),)


class JobItem(Base):
    """What a job issued to one member on one day: the idempotency key (job, run_date, member)."""
    __tablename__ = "job_items"
    job: Mapped[str] = mapped_column(String(32), nullable=False)
    run_date: Mapped[str] = mapped_column(String(10), nullable=False)
    member_id: Mapped[str] = mapped_column(String(36), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # coupon | tag | tier | expire | notice
    ref: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[str] = mapped_column(String(32), nullable=False)
    __table_args__ = (PrimaryKeyConstraint("job", "run_date", "member_id"),
                      Index("ix_job_items_member", "member_id", "job"))


class JobLease(Base):
    """The scheduler's once-a-day claim per job (several workers: one wins the UPDATE)."""
    __tablename__ = "job_leases"
    job: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_date: Mapped[str | None] = mapped_column(String(10))
    owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[str | None] = mapped_column(String(32))


class MemberTag(Base):
    __tablename__ = "member_tags"
    member_id: Mapped[str] = mapped_column(String(36), nullable=False)
    tag: Mapped[str] = mapped_column(String(32), nullable=False)
    since: Mapped[str] = mapped_column(String(10), nullable=False)
    __table_args__ = (PrimaryKeyConstraint("member_id", "tag"), Index("ix_member_tags_tag", "tag"))


class TierChange(Base):
    __tablename__ = "tier_changes"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    member_id: Mapped[str] = mapped_column(String(36), nullable=False, index=True)
    from_tier: Mapped[str | None] = mapped_column(String(32))
    to_tier: Mapped[str | None] = mapped_column(String(32))
    direction: Mapped[str] = mapped_column(String(8), nullable=False)  # up | down
    run_date: Mapped[str] = mapped_column(String(10), nullable=False)
    created_at: Mapped[str] = mapped_column(String(32), nullable=False)


class WeatherMark(Base):
    __tablename__ = "weather_marks"
    day: Mapped[str] = mapped_column(String(10), nullable=False)
    region: Mapped[str] = mapped_column(String(64), nullable=False)
    condition: Mapped[str] = mapped_column(String(32), nullable=False)
    created_at: Mapped[str] = mapped_column(String(32), nullable=False)
    __table_args__ = (PrimaryKeyConstraint("day", "region", "condition"),)


class Notification(Base):
    """The notification outbox: one message to one member on one channel (dedupe_key unique)."""
    __tablename__ = "notifications"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    dedupe_key: Mapped[str] = mapped_column(String(128), nullable=False, unique=True)
    member_id: Mapped[str] = mapped_column(String(36), nullable=False, index=True)
    channel: Mapped[str] = mapped_column(String(8), nullable=False)  # line | email
    template: Mapped[str] = mapped_column(String(32), nullable=False)
    params: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")  # pending|sent|failed|skipped
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_at: Mapped[str] = mapped_column(String(32), nullable=False)
    sent_at: Mapped[str | None] = mapped_column(String(32))
    __table_args__ = (Index("ix_notifications_status", "status", "id"),)


class NotificationDelivery(Base):
    """Every delivery attempt (no personal data: the address is never stored here)."""
    __tablename__ = "notification_deliveries"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    notification_id: Mapped[int] = mapped_column(BigInteger, nullable=False, index=True)
    channel: Mapped[str] = mapped_column(String(8), nullable=False)
    at: Mapped[str] = mapped_column(String(32), nullable=False)
    ok: Mapped[bool] = mapped_column(Boolean, nullable=False)
    status_code: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str | None] = mapped_column(Text)
