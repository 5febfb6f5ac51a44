"""The HQ database: one engine factory for PostgreSQL (psycopg 3) and SQLite, and Alembic upgrade.

PostgreSQL: READ COMMITTED, rows locked with SELECT ... FOR UPDATE where a balance or a sequence
is read then written. SQLite: WAL, BEGIN IMMEDIATE for writes (one writer at a time).
"""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def normalise_url(url: str) -> str:
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str, *, schema: str | None = None, pool_size: int = 10) -> Engine:
    url = normalise_url(url)
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        if u.database and u.database != ":memory:":
            Path(u.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn, _record):
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn):
            mode = conn.get_execution_options().get("hq_begin", "DEFERRED")
            conn.exec_driver_sql(f"BEGIN {mode}")

        return engine
    connect_args = {}
    if schema:
        connect_args["options"] = f"-csearch_path={schema}"
    return create_engine(url, connect_args=connect_args, pool_size=pool_size, max_overflow=pool_size,
                         pool_pre_ping=True)


class HQDatabase:
    def __init__(self, url: str, *, schema: str | None = None, pool_size: int = 10):
        self.url = normalise_url(url)
        self.schema = schema
        self.engine = make_engine(self.url, schema=schema, pool_size=pool_size)
        self.is_sqlite = self.engine.dialect.name == "sqlite"

    #: called (no arguments) after a write transaction that appended to the change feed has
    #: committed — the web app's stream watcher sets it to send its wake-up outside the transaction
    on_feed_change: Callable[[], None] | None = None

    @contextmanager
    def write(self) -> Iterator[Session]:
        with self.engine.connect() as conn:
            if self.is_sqlite:
                conn = conn.execution_options(hq_begin="IMMEDIATE")
            with Session(bind=conn, expire_on_commit=False, autoflush=True) as session:
                with session.begin():
                    yield session
                if session.info.get("feed_changed") and self.on_feed_change is not None:
                    self.on_feed_change()

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self.engine.connect() as conn:
            with Session(bind=conn, expire_on_commit=False) as session:
                with session.begin():
                    yield session

    def upgrade(self) -> None:
        upgrade_to_head(self.url, self.schema)

    def close(self) -> None:
        self.engine.dispose()


def alembic_config(url: str, schema: str | None = None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    cfg.attributes["configure_logger"] = False
    cfg.attributes["schema"] = schema
    return cfg


def upgrade_to_head(url: str, schema: str | None = None) -> None:
    from alembic import command

    if schema:
        eng = make_engine(url)
        with eng.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        eng.dispose()
    command.upgrade(alembic_config(url, schema), "head")
