"""security events: append-only, hash-chained

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 12:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('security_events',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('at', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('terminal_id', sa.String(length=32), nullable=True),
    sa.Column('object_type', sa.String(length=32), nullable=True),
    sa.Column('object_id', sa.String(length=64), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('security_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_security_events_at'), ['at'], unique=False)
    # Append-only: no UPDATE ever; DELETE only of rows older than a year (retention pruning).
    op.execute("CREATE TRIGGER security_events_no_update BEFORE UPDATE ON security_events "
               "BEGIN SELECT RAISE(ABORT, 'security_events is append-only'); END")
    op.execute("CREATE TRIGGER security_events_no_early_delete BEFORE DELETE ON security_events "
               "WHEN OLD.at >= strftime('%Y-%m-%dT%H:%M:%S', 'now', '-365 days') "
               "BEGIN SELECT RAISE(ABORT, 'security_events are kept at least one year'); END")


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS security_events_no_early_delete")
    op.execute("DROP TRIGGER IF EXISTS security_events_no_update")
    with op.batch_alter_table('security_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_security_events_at'))
    op.drop_table('security_events')
