"""The one place where the store database engine is made.

SQLite in WAL mode, foreign keys on, synchronous=FULL (an acknowledged earn survives a power cut,
not only a crash). Transactions are begun by us, not by the sqlite3 module: `Database.write()`
begins with BEGIN IMMEDIATE, so a write that reads first never loses a race to another writer
half-way; `Database.read()` begins a deferred read transaction (a consistent snapshot).

Encryption at rest (SQLCipher) will switch on here, without touching the services.
"""
from __future__ import annotations

import re
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

MIGRATIONS_DIR = Path(__file__).resolve().parents[1] / "migrations"


def make_engine(path: str | Path) -> Engine:
    engine = create_engine(
        f"sqlite:///{Path(path)}",
        connect_args={"check_same_thread": False, "timeout": 15},
        pool_pre_ping=False,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA busy_timeout=15000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        mode = conn.get_execution_options().get("tsumugi_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


class Database:
    def __init__(self, path: str | Path, *, upgrade: bool = True):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if upgrade:
            upgrade_to_head(self.path)
        self.engine = make_engine(self.path)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction begun with BEGIN IMMEDIATE; commits on success, rolls back on error."""
        with self.engine.connect() as conn:
            conn = conn.execution_options(tsumugi_begin="IMMEDIATE")
            with Session(bind=conn, expire_on_commit=False, autoflush=True) as session:
                with session.begin():
                    yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self.engine.connect() as conn:
            with Session(bind=conn, expire_on_commit=False) as session:
                with session.begin():
                    yield session

    def close(self) -> None:
        self.engine.dispose()


def alembic_config(db_path: str | Path):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", f"sqlite:///{Path(db_path)}")
    cfg.attributes["configure_logger"] = False
    return cfg


def upgrade_to_head(db_path: str | Path) -> None:
    if schema_is_current(db_path):
        return  # the usual case at start-up: no need to import Alembic (~0.3 s on a shop PC)
    from alembic import command

    command.upgrade(alembic_config(db_path), "head")


_REV = re.compile(r"^revision\s*(?::[^=]*)?=\s*['\"]([^'\"]+)['\"]", re.M)
_DOWN = re.compile(r"^down_revision\s*(?::[^=]*)?=\s*(.+)$", re.M)


def _script_heads() -> set[str]:
    """The head revision(s) of migrations/versions, read from the files without Alembic; an empty
    set when a file does not look as expected (then Alembic decides)."""
    revisions, downs = set(), set()
    for f in (MIGRATIONS_DIR / "versions").glob("*.py"):
        text = f.read_text(encoding="utf-8")
        rev, down = _REV.search(text), _DOWN.search(text)
        if rev is None or down is None:
            return set()
        revisions.add(rev.group(1))
        downs.update(re.findall(r"['\"]([^'\"]+)['\"]", down.group(1)))
    return revisions - downs


def schema_is_current(db_path: str | Path) -> bool:
    """True when the database exists and is stamped with the one head revision (read-only check)."""
    path = Path(db_path)
    heads = _script_heads()
    if len(heads) != 1 or not path.is_file():
        return False
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return False
    try:
        rows = con.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.Error:
        return False
    finally:
        con.close()
    return {r[0] for r in rows} == heads


def integrity_ok(db_path: str | Path) -> bool:
    con = sqlite3.connect(str(db_path))
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        con.close()
