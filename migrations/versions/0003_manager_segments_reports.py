"""manager screens: member segments, segment runs, generated reports, customer-screen indexes

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 11:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('member_segments',
    sa.Column('member_id', sa.String(length=36), nullable=False),
    sa.Column('rfm_r', sa.Integer(), nullable=False),
    sa.Column('rfm_f', sa.Integer(), nullable=False),
    sa.Column('rfm_m', sa.Integer(), nullable=False),
    sa.Column('days_since_visit', sa.Integer(), nullable=True),
    sa.Column('visits_12m', sa.Integer(), nullable=False),
    sa.Column('spend_12m_yen', sa.Integer(), nullable=False),
    sa.Column('churn_score', sa.Integer(), nullable=False),
    sa.Column('vip', sa.Boolean(), nullable=False),
    sa.Column('churn_risk', sa.Boolean(), nullable=False),
    sa.Column('win_back', sa.Boolean(), nullable=False),
    sa.Column('segments', sa.JSON(), nullable=False),
    sa.Column('computed_at', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('member_id')
    )
    op.create_table('segment_runs',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('computed_at', sa.String(length=32), nullable=False),
    sa.Column('rule_set_version', sa.String(length=64), nullable=True),
    sa.Column('thresholds', sa.JSON(), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('members', sa.Integer(), nullable=False),
    sa.Column('duration_ms', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('segment_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_segment_runs_computed_at'), ['computed_at'], unique=False)
    op.create_table('generated_reports',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('period', sa.String(length=10), nullable=False),
    sa.Column('generated_at', sa.String(length=32), nullable=False),
    sa.Column('generated_by', sa.Integer(), nullable=True),
    sa.Column('pdf_path', sa.Text(), nullable=True),
    sa.Column('csv_path', sa.Text(), nullable=True),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.CheckConstraint("kind IN ('daily', 'monthly')", name='ck_generated_reports_kind'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('kind', 'period', name='uq_generated_reports_kind_period')
    )
    op.create_index('ix_members_last_visit_at', 'members', ['last_visit_at'], unique=False)
    op.create_index('ix_members_lifetime_spend', 'members', ['lifetime_spend_yen'], unique=False)
    op.create_index('ix_members_balance', 'members', ['balance'], unique=False)
    op.create_index('ix_members_tier', 'members', ['tier'], unique=False)
    op.create_index('ix_members_home_store', 'members', ['home_store_id'], unique=False)
    op.create_index('ix_members_created_at', 'members', ['created_at'], unique=False)
    op.create_index('ix_cards_migrated_at', 'cards', ['migrated_at'], unique=False)
    op.create_index('ix_ledger_void_created', 'ledger', ['created_at'], unique=False,
                    sqlite_where=sa.text("kind = 'void'"))


def downgrade() -> None:
    op.drop_index('ix_ledger_void_created', table_name='ledger')
    op.drop_index('ix_cards_migrated_at', table_name='cards')
    for name in ('ix_members_created_at', 'ix_members_home_store', 'ix_members_tier', 'ix_members_balance',
                 'ix_members_lifetime_spend', 'ix_members_last_visit_at'):
        op.drop_index(name, table_name='members')
    op.drop_table('generated_reports')
    with op.batch_alter_table('segment_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_segment_runs_computed_at'))
    op.drop_table('segment_runs')
    op.drop_table('member_segments')
