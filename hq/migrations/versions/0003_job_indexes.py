"""HQ jobs at a million members: the voids indexed by the earn they reverse

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 14:30:00

The tiers and VIP jobs sum each member's earns of the last 12 months leaving voided earns out
(NOT EXISTS a void reversing it): with this partial index the anti-join reads the voids (a few
per cent of the ledger) from the index instead of a second scan of the whole ledger.
"""
from alembic import op
import sqlalchemy as sa


revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ledger", schema=None) as batch_op:
        batch_op.create_index("ix_hq_ledger_voids", ["reverses_id", "created_at"], unique=False,
                              postgresql_where=sa.text("kind = 'void'"), sqlite_where=sa.text("kind = 'void'"))


def downgrade() -> None:
    with op.batch_alter_table("ledger", schema=None) as batch_op:
        batch_op.drop_index("ix_hq_ledger_voids", postgresql_where=sa.text("kind = 'void'"),
                            sqlite_where=sa.text("kind = 'void'"))
