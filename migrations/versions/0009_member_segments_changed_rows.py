"""member_segments keeps only what changes when a member's segments change: a refresh rewrites
just the rows that differ, instead of every member's row every day

- days_since_visit and churn_score (they move every day for everyone) are no longer stored:
  SegmentService works them out from members.last_visit_at when read; computed_at (it changed on
  every row at every refresh) is the last refresh's, from segment_runs.
- The table is WITHOUT ROWID (a row is written once, in its primary key, not in a table and a
  separate member_id index).
- The existing rows are copied (the filters keep working until the next refresh); the next refresh
  is a full one (no refresh state yet in settings), later ones incremental (see app.services.segments).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 17:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

COLS = "member_id, rfm_r, rfm_f, rfm_m, visits_12m, spend_12m_yen, vip, churn_risk, win_back, segments"


def upgrade() -> None:
    op.create_table('member_segments_new',
    sa.Column('member_id', sa.String(length=36), nullable=False),
    sa.Column('rfm_r', sa.Integer(), nullable=False),
    sa.Column('rfm_f', sa.Integer(), nullable=False),
    sa.Column('rfm_m', sa.Integer(), nullable=False),
    sa.Column('visits_12m', sa.Integer(), nullable=False),
    sa.Column('spend_12m_yen', sa.Integer(), nullable=False),
    sa.Column('vip', sa.Boolean(), nullable=False),
    sa.Column('churn_risk', sa.Boolean(), nullable=False),
    sa.Column('win_back', sa.Boolean(), nullable=False),
    sa.Column('segments', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('member_id'),
    sqlite_with_rowid=False,
    )
    op.execute(f"INSERT INTO member_segments_new ({COLS}) SELECT {COLS} FROM member_segments ORDER BY member_id")
    op.execute("DROP INDEX IF EXISTS ix_member_segments_vip")
    op.drop_table('member_segments')
    op.rename_table('member_segments_new', 'member_segments')
    op.execute("CREATE INDEX ix_member_segments_vip ON member_segments (member_id) WHERE vip = 1")
    op.execute("DELETE FROM settings WHERE key = 'segments_state'")


def downgrade() -> None:
    op.create_table('member_segments_old',
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
    sa.PrimaryKeyConstraint('member_id'),
    )
    op.execute(f"INSERT INTO member_segments_old ({COLS}, churn_score, computed_at) SELECT {COLS}, 0, "
               "coalesce((SELECT computed_at FROM segment_runs ORDER BY id DESC LIMIT 1), '') FROM member_segments")
    op.execute("DROP INDEX IF EXISTS ix_member_segments_vip")
    op.drop_table('member_segments')
    op.rename_table('member_segments_old', 'member_segments')
    op.execute("CREATE INDEX ix_member_segments_vip ON member_segments (member_id) WHERE vip = 1")
    op.execute("DELETE FROM settings WHERE key = 'segments_state'")
