from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from app import db as dbmod
from app.db import Database, connect_raw, integrity_ok, make_engine
from app.models import Base, include_in_autogenerate


def test_models_and_migrations_agree(tmp_path):
    db = Database(tmp_path / "s.sqlite")  # upgraded to head by Alembic
    engine = make_engine(tmp_path / "s.sqlite")
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"include_name": include_in_autogenerate})
        diff = compare_metadata(ctx, Base.metadata)
    engine.dispose()
    db.close()
    assert diff == [], diff


def test_store_database_pragmas(tmp_path):
    db = Database(tmp_path / "s.sqlite")
    with db.read() as s:
        conn = s.connection()
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    db.close()
    assert integrity_ok(tmp_path / "s.sqlite")


def test_writes_begin_immediate(tmp_path):
    """A write transaction holds the write lock from its first statement (BEGIN IMMEDIATE), so a
    second writer cannot start between our read and our write."""
    db = Database(tmp_path / "s.sqlite")
    with db.write() as s:
        s.connection().exec_driver_sql("SELECT 1")
        other = connect_raw(tmp_path / "s.sqlite", timeout=0, pragmas=False)
        try:
            other.execute("BEGIN IMMEDIATE")
            raise AssertionError("a second writer got the lock")
        except dbmod.dbapi.OperationalError as exc:
            assert "locked" in str(exc)
        finally:
            other.close()
    db.close()


def test_reopening_upgrades_nothing_and_keeps_data(tmp_path, memory_keyring):
    from app.services.setup import init_store
    from app.store import Store

    store = Store.open(tmp_path / "s.sqlite")
    init_store(store, "S009")
    store.close()
    again = Store.open(tmp_path / "s.sqlite")
    assert again.store_id == "S009"
    again.close()
