"""ASGI entry for `uvicorn hq.asgi:app` (settings from TSUMUGI_HQ_* environment variables)."""
from hq.app import create_app

app = create_app()
