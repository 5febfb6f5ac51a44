"""Alembic environment for HQ's database (PostgreSQL or SQLite)."""
from alembic import context


from hq.db import make_engine
from hq.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    schema = config.attributes.get("schema")
    engine = make_engine(config.get_main_option("sqlalchemy.url"), schema=schema)
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            connection = connection.execution_options(hq_begin="IMMEDIATE")
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        if connection.in_transaction():
            connection.commit()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
