"""manager screens at a million members: partial indexes for segments, counts and segment filters

- ix_ledger_earn_member (member_id, created_at, amount_yen) WHERE kind = 'earn': the segment
  refresh's 12-month visits and spend per member read from the index alone, in member order (no
  table row per earn, no sort).
- ix_members_active_segment (id, last_visit_at, lifetime_spend_yen) WHERE status = 'active': what
  the segment refresh needs of every active member, in id order, without reading the member rows.
- ix_members_not_active (status) WHERE status <> 'active': the few merged and deleted members, so
  the customer list counts a search's matches from its index alone and takes these off.
- ix_cards_old_number (kind, number, member_id) WHERE kind IN ('paper', 'plastic'): a card number
  prefix typed in the customer search is counted from the index alone.
- ix_member_segments_vip (member_id) WHERE vip = 1: the top 10 % without reading every member's
  segment row (churn risk and win-back hold about half the members: walking the members finds
  them as fast, and the refresh does not maintain two more large indexes).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 14:40:00
"""
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

def upgrade() -> None:
    op.execute("CREATE INDEX ix_ledger_earn_member ON ledger (member_id, created_at, amount_yen) "
               "WHERE kind = 'earn'")
    op.execute("CREATE INDEX ix_members_active_segment ON members (id, last_visit_at, lifetime_spend_yen) "
               "WHERE status = 'active'")
    op.execute("CREATE INDEX ix_members_not_active ON members (status) WHERE status <> 'active'")
    op.execute("CREATE INDEX ix_cards_old_number ON cards (kind, number, member_id) WHERE kind IN ('paper', 'plastic')")
    op.execute("CREATE INDEX ix_member_segments_vip ON member_segments (member_id) WHERE vip = 1")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_member_segments_vip")
    op.execute("DROP INDEX IF EXISTS ix_cards_old_number")
    op.execute("DROP INDEX IF EXISTS ix_members_not_active")
    op.execute("DROP INDEX IF EXISTS ix_members_active_segment")
    op.execute("DROP INDEX IF EXISTS ix_ledger_earn_member")
