"""counter hot path and kana substring search: partial indexes for pending entries and live lots; an
FTS5 trigram index over members' kana keys kept in step by triggers

- ix_ledger_member_pending (member_id, points) WHERE sync_state = 'pending': a member's unsent
  points (shown with every points action) read from a handful of index entries, not every row of
  the member's history.
- ix_ledger_member_voids (member_id, reverses_id) WHERE kind = 'void': the few voids of a member,
  so the 12-month spend that prices an earn is the member's earns less the voided ones without
  reading every row of the member's history.
- ix_lots_member_live (member_id, expires_at) WHERE remaining > 0: lots that can still be spent or
  expire, soonest first, without stepping over the member's spent and expired lots.
- search_member_kana (id INTEGER PRIMARY KEY, member_id UNIQUE, kana_key) and the FTS5 table
  search_member_kana_fts (tokenize 'trigram', external content = search_member_kana, rowid = id).
  The side table gives each member a rowid of its own that VACUUM and table re-creation never
  renumber (members' implicit rowid is not stable). Triggers on members keep search_member_kana in
  step (every writer: counter, sync, legacy import, deletions); triggers on search_member_kana keep
  the FTS index in step. FTS5 'secure-delete' is on, so a scrubbed kana leaves no trigram behind.
  These search_* tables are derived data, not models: autogenerate skips them (app.models
  .include_in_autogenerate).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 14:20:00
"""
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

MEMBER_TRIGGERS = (
    # UPSERT, so a member row written again never trips over its own search row.
    "CREATE TRIGGER search_members_ai AFTER INSERT ON members BEGIN "
    "INSERT INTO search_member_kana (member_id, kana_key) VALUES (new.id, new.kana_key) "
    "ON CONFLICT (member_id) DO UPDATE SET kana_key = excluded.kana_key; END",
    "CREATE TRIGGER search_members_au AFTER UPDATE OF id, kana_key ON members BEGIN "
    "UPDATE search_member_kana SET member_id = new.id, kana_key = new.kana_key WHERE member_id = old.id; END",
    "CREATE TRIGGER search_members_ad AFTER DELETE ON members BEGIN "
    "DELETE FROM search_member_kana WHERE member_id = old.id; END",
)
FTS_TRIGGERS = (
    "CREATE TRIGGER search_member_kana_ai AFTER INSERT ON search_member_kana BEGIN "
    "INSERT INTO search_member_kana_fts (rowid, kana_key) VALUES (new.id, new.kana_key); END",
    "CREATE TRIGGER search_member_kana_ad AFTER DELETE ON search_member_kana BEGIN "
    "INSERT INTO search_member_kana_fts (search_member_kana_fts, rowid, kana_key) "
    "VALUES ('delete', old.id, old.kana_key); END",
    "CREATE TRIGGER search_member_kana_au AFTER UPDATE ON search_member_kana BEGIN "
    "INSERT INTO search_member_kana_fts (search_member_kana_fts, rowid, kana_key) "
    "VALUES ('delete', old.id, old.kana_key); "
    "INSERT INTO search_member_kana_fts (rowid, kana_key) VALUES (new.id, new.kana_key); END",
)


def upgrade() -> None:
    op.execute("CREATE INDEX ix_ledger_member_pending ON ledger (member_id, points) WHERE sync_state = 'pending'")
    op.execute("CREATE INDEX ix_ledger_member_voids ON ledger (member_id, reverses_id) WHERE kind = 'void'")
    op.execute("CREATE INDEX ix_lots_member_live ON lots (member_id, expires_at) WHERE remaining > 0")

    op.execute("CREATE TABLE search_member_kana (id INTEGER PRIMARY KEY, member_id VARCHAR(36) NOT NULL UNIQUE, "
               "kana_key VARCHAR(100) NOT NULL)")
    op.execute("CREATE VIRTUAL TABLE search_member_kana_fts USING fts5(kana_key, content='search_member_kana', "
               "content_rowid='id', tokenize='trigram')")
    op.execute("INSERT INTO search_member_kana_fts (search_member_kana_fts, rank) VALUES ('secure-delete', 1)")
    # Existing members in one pass, then the index built from them (faster than row by row).
    op.execute("INSERT INTO search_member_kana (member_id, kana_key) SELECT id, kana_key FROM members ORDER BY rowid")
    op.execute("INSERT INTO search_member_kana_fts (search_member_kana_fts) VALUES ('rebuild')")
    for sql in FTS_TRIGGERS + MEMBER_TRIGGERS:
        op.execute(sql)


def downgrade() -> None:
    for sql in MEMBER_TRIGGERS + FTS_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {sql.split()[2]}")
    op.execute("DROP TABLE IF EXISTS search_member_kana_fts")
    op.execute("DROP TABLE IF EXISTS search_member_kana")
    op.execute("DROP INDEX IF EXISTS ix_lots_member_live")
    op.execute("DROP INDEX IF EXISTS ix_ledger_member_voids")
    op.execute("DROP INDEX IF EXISTS ix_ledger_member_pending")
