"""index lot_moves by lot: expiring a lot counts its earlier expire moves (2 s per earn at 12M moves)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 13:15:00
"""
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('lot_moves', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lot_moves_lot_id'), ['lot_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('lot_moves', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lot_moves_lot_id'))
