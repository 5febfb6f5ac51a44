"""The day's ledger entries from indexes alone: ix_ledger_created covering, campaign earns apart

- ix_ledger_created (created_at) becomes (created_at, kind, points, amount_yen, coupon_id,
  member_id): what the daily report, the month-end snapshot and the segment refresh's "earns that
  left the window" read of a span of days, in one range of contiguous index pages. Before, each
  entry of the span was one read of its table row: where a store's rows were written member by
  member (the generated benchmark store, a legacy import) a day's rows are scattered over the
  table, one page per row; in time order, the table's rows are still several times wider than
  these index entries. An earn still adds one entry at the right-hand end of the index
  (created_at grows), as before, only wider.
- ix_ledger_campaign_earns (created_at, kind, breakdown) WHERE kind = 'earn' AND the breakdown has
  a campaign or bonus line: the daily report's campaign lines (json_each over the breakdown) read
  from this index alone, and only for the earns that had a campaign (about 7 % of the entries of
  the generated store; none on a day without one). The breakdown (~150 bytes of JSON) stays out of
  ix_ledger_created. The WHERE is a superset test (the JSON text holds the string "campaign" or
  "bonus"); the report still picks the lines by their kind, so a false match costs nothing.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-22 21:00:00
"""
from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

# Also in app.models (the models-agree test) and, term for term, in the daily report's query:
# SQLite uses a partial index only for a query whose WHERE holds the index's terms.
CAMPAIGN_EARN = "kind = 'earn' AND (instr(breakdown, '\"campaign\"') > 0 OR instr(breakdown, '\"bonus\"') > 0)"


def upgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_ledger_created")
    op.execute("CREATE INDEX ix_ledger_created ON ledger (created_at, kind, points, amount_yen, coupon_id, member_id)")
    op.execute(f"CREATE INDEX ix_ledger_campaign_earns ON ledger (created_at, kind, breakdown) WHERE {CAMPAIGN_EARN}")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_ledger_campaign_earns")
    op.execute("DROP INDEX IF EXISTS ix_ledger_created")
    op.execute("CREATE INDEX ix_ledger_created ON ledger (created_at)")
