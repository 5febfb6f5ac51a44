"""ledger.card_id indexed: a paper card's migrate entries found from the card

- ix_ledger_card (card_id) WHERE card_id IS NOT NULL: only migrate entries carry a card, so the
  index holds those few rows (the counter's earns and redemptions add nothing to it). Used when a
  void of a migration releases the card (LedgerService.void: is it the card's latest migration?),
  when HQ releases a card this store migrated again meanwhile (ReplicaService._ch_card_released),
  and by checks that count migrations per card (benchmarks/crash.py). Before, each of these read
  the whole ledger.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22 17:40:00
"""
from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE INDEX ix_ledger_card ON ledger (card_id) WHERE card_id IS NOT NULL")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_ledger_card")
