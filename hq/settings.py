"""HQ settings: from the environment (TSUMUGI_HQ_*), with an embedded SQLite default."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def default_database_url() -> str:
    from platformdirs import user_data_dir

    path = Path(user_data_dir("Tsumugi", "Tsumugi")) / "hq.sqlite"
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


@dataclass
class Settings:
    database_url: str = field(default_factory=lambda: os.environ.get("TSUMUGI_HQ_DATABASE_URL") or default_database_url())
    # requests per credential per window; over it → 429 with Retry-After
    rate_limit: int = int(os.environ.get("TSUMUGI_HQ_RATE_LIMIT", "1200"))
    rate_window_s: int = int(os.environ.get("TSUMUGI_HQ_RATE_WINDOW", "60"))
    # an earn priced with a version no longer valid at its time is still accepted this long after
    rule_grace_s: int = int(os.environ.get("TSUMUGI_HQ_RULE_GRACE", str(24 * 3600)))
    max_clock_skew_ms: int = int(os.environ.get("TSUMUGI_HQ_MAX_SKEW_MS", "60000"))
    audit_retention_days: int = int(os.environ.get("TSUMUGI_HQ_AUDIT_DAYS", "90"))
    enrollment_code_hours: int = 72
    reservation_minutes: int = 10
    # a verified credential is remembered per process this long (revocation honoured within it)
    auth_cache_s: float = float(os.environ.get("TSUMUGI_HQ_AUTH_CACHE_S", "5"))
    # database connections per worker process (and as many again on overflow)
    pool_size: int = int(os.environ.get("TSUMUGI_HQ_POOL_SIZE", "8"))
    notify_poll_s: float = float(os.environ.get("TSUMUGI_HQ_POLL_S", "0.1"))
    schema: str | None = os.environ.get("TSUMUGI_HQ_SCHEMA") or None  # PostgreSQL schema (tests)
