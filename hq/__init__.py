"""Tsumugi HQ: the central CRM service (FastAPI + SQLAlchemy; PostgreSQL, or SQLite embedded).

    from hq.app import create_app
    app = create_app("postgresql+psycopg://postgres@127.0.0.1:5432/tsumugi")

Admin CLI: ``python -m hq --help``.
"""
