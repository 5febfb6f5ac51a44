"""HQ settings: from the environment (TSUMUGI_HQ_*), with an embedded SQLite default.

TLS (small deployments, HQ serving HTTPS itself — see hq/README.md): ``TSUMUGI_HQ_TLS_CERTFILE``
(the certificate chain, PEM) and ``TSUMUGI_HQ_TLS_KEYFILE`` (its private key, PEM, readable only by
the HQ service account), or ``python -m hq serve --certfile --keyfile``. TLS 1.2 is the minimum;
TLS 1.3 is used whenever the client speaks it. Behind a reverse proxy, leave them unset and name
the proxies whose X-Forwarded-For / X-Forwarded-Proto are believed: ``TSUMUGI_HQ_FORWARDED_ALLOW_IPS``
(comma-separated addresses or networks; default ``127.0.0.1``, a proxy on the same machine).
"""
from __future__ import annotations

import os
import ssl
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
    # a terminal whose clock is further off than this is refused (400 clock_off) until it is set:
    # its times would be shifted by days (or overflow), and it prices campaigns for the wrong day
    max_clock_off_s: int = int(os.environ.get("TSUMUGI_HQ_MAX_CLOCK_OFF_S", str(7 * 24 * 3600)))
    audit_retention_days: int = int(os.environ.get("TSUMUGI_HQ_AUDIT_DAYS", "90"))
    enrollment_code_hours: int = 72
    reservation_minutes: int = 10
    # a verified credential is remembered per process this long (revocation honoured within it)
    auth_cache_s: float = float(os.environ.get("TSUMUGI_HQ_AUTH_CACHE_S", "5"))
    # database connections per worker process (and as many again on overflow)
    pool_size: int = int(os.environ.get("TSUMUGI_HQ_POOL_SIZE", "8"))
    notify_poll_s: float = float(os.environ.get("TSUMUGI_HQ_POLL_S", "0.1"))
    schema: str | None = os.environ.get("TSUMUGI_HQ_SCHEMA") or None  # PostgreSQL schema (tests)
    tls_certfile: str | None = field(default_factory=lambda: os.environ.get("TSUMUGI_HQ_TLS_CERTFILE") or None)
    tls_keyfile: str | None = field(default_factory=lambda: os.environ.get("TSUMUGI_HQ_TLS_KEYFILE") or None)
    # the reverse proxies whose forwarded headers give the client's address (rate limits, audit)
    forwarded_allow_ips: str = field(
        default_factory=lambda: os.environ.get("TSUMUGI_HQ_FORWARDED_ALLOW_IPS", "127.0.0.1"))

    def server_options(self) -> dict:
        """uvicorn keyword arguments for TLS and forwarded headers (``uvicorn.run``/``uvicorn.Config``)."""
        opts: dict = {"proxy_headers": True, "forwarded_allow_ips": self.forwarded_allow_ips}
        if bool(self.tls_certfile) != bool(self.tls_keyfile):
            raise ValueError("TLS needs both a certificate file and a key file (TSUMUGI_HQ_TLS_CERTFILE/KEYFILE).")
        if self.tls_certfile:
            for what, path in (("certificate", self.tls_certfile), ("key", self.tls_keyfile)):
                if not os.path.isfile(path):
                    raise ValueError(f"TLS {what} file not found: {path}")
            opts.update(ssl_certfile=self.tls_certfile, ssl_keyfile=self.tls_keyfile)
            import inspect

            import uvicorn

            if "ssl_context_factory" in inspect.signature(uvicorn.Config).parameters:
                opts["ssl_context_factory"] = server_tls_context
            # (an older uvicorn: Python >= 3.10's server context already refuses below TLS 1.2)
        return opts


def server_tls_context(_config, default_factory) -> ssl.SSLContext:
    """uvicorn's context (certificate, key, ALPN) with TLS 1.2 as the floor, set explicitly rather
    than left to the Python/OpenSSL build's defaults. A module-level function: workers pickle it."""
    ctx = default_factory()
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx
