"""HTTP client for HQ (httpx): timeouts everywhere, TLS verification on, typed errors.

Plain http:// is refused except to a loopback address (tests, a same-machine HQ).
"""
from __future__ import annotations

import ipaddress
import json
from typing import Iterator
from urllib.parse import urlparse

import httpx

from sync.protocol import (ChangesPage, EnrollRequest, EnrollResponse, PushRequest, PushResponse, ReserveRequest,
                           ReserveResponse)


class SyncError(Exception):
    code = "sync_error"


class Offline(SyncError):
    """HQ could not be reached (connect error, timeout, 5xx)."""
    code = "offline"


class RateLimited(SyncError):
    code = "rate_limited"

    def __init__(self, retry_after: float):
        super().__init__(f"HQ asks us to wait {retry_after:g} s")
        self.retry_after = retry_after


class Refused(SyncError):
    """HQ answered 4xx: not retried as-is (bad credential, revoked store, bad request)."""
    code = "refused"

    def __init__(self, status: int, error: str, message: str):
        super().__init__(f"{status} {error}: {message}")
        self.status = status
        self.error = error
        self.message = message


def check_url(url: str) -> str:
    u = urlparse(url)
    if u.scheme not in ("http", "https") or not u.hostname:
        raise ValueError(f"Not an HQ address: {url!r} (expected https://host[:port])")
    if u.scheme == "http":
        host = u.hostname
        loopback = host == "localhost"
        try:
            loopback = loopback or ipaddress.ip_address(host).is_loopback
        except ValueError:
            pass
        if not loopback:
            raise ValueError("HQ must be reached over https (plain http only to this machine).")
    return url.rstrip("/")


class HQClient:
    def __init__(self, base_url: str, credential: str | None = None, *, timeout: float = 10.0,
                 connect_timeout: float = 3.0, verify: bool | str = True,
                 transport: httpx.BaseTransport | None = None):
        self.base_url = check_url(base_url)
        self.credential = credential
        self._timeout = httpx.Timeout(timeout, connect=connect_timeout)
        headers = {"User-Agent": "tsumugi-store-sync/1"}
        if credential:
            headers["Authorization"] = f"Bearer {credential}"
        self.http = httpx.Client(base_url=self.base_url, timeout=self._timeout, verify=verify, headers=headers,
                                 transport=transport)
        self._verify = verify

    def close(self) -> None:
        self.http.close()

    def _call(self, method: str, path: str, *, timeout: float | None = None, raw: bool = False, **kw):
        try:
            r = self.http.request(method, path, timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT,
                                  **kw)
        except (httpx.TransportError, httpx.TimeoutException) as exc:
            raise Offline(f"HQ unreachable: {exc.__class__.__name__}") from exc
        if r.status_code == 429:
            try:
                wait = float(r.headers.get("Retry-After", "1"))
            except ValueError:
                wait = 1.0
            raise RateLimited(wait)
        if r.status_code >= 500:
            retry = r.headers.get("Retry-After")
            if retry:
                raise RateLimited(float(retry))
            raise Offline(f"HQ error {r.status_code}")
        if r.status_code >= 400:
            try:
                body = r.json()
            except ValueError:
                body = {}
            raise Refused(r.status_code, body.get("error", "refused"), body.get("message", r.text[:200]))
        return r.content if raw else r.json()

    def health(self, timeout: float = 2.0) -> dict:
        return self._call("GET", "/v1/health", timeout=timeout)

    def enroll(self, req: EnrollRequest) -> EnrollResponse:
        return EnrollResponse.model_validate(self._call("POST", "/v1/enroll", json=req.model_dump()))

    def push(self, req: PushRequest) -> PushResponse:
        return PushResponse.model_validate_json(self._call("POST", "/v1/sync/push", raw=True,
                                                           content=req.model_dump_json(),
                                                           headers={"Content-Type": "application/json"}))

    def changes(self, cursor: str | None, limit: int = 2000) -> ChangesPage:
        params = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        return ChangesPage.model_validate_json(self._call("GET", "/v1/sync/changes", params=params, timeout=60.0,
                                                          raw=True))

    def reserve(self, req: ReserveRequest, timeout: float = 1.5) -> ReserveResponse:
        return ReserveResponse.model_validate(self._call("POST", "/v1/redemptions/reserve", json=req.model_dump(),
                                                         timeout=timeout))

    def stream(self, read_timeout: float = 30.0) -> Iterator[str]:
        """Server-sent events: yields each event name ("hello", "poke"). Raises Offline on loss."""
        timeout = httpx.Timeout(self._timeout.connect or 3.0, read=read_timeout)
        try:
            with self.http.stream("GET", "/v1/sync/stream", timeout=timeout) as r:
                if r.status_code != 200:
                    raise Offline(f"stream answered {r.status_code}")
                name = None
                for line in r.iter_lines():
                    if line.startswith("event:"):
                        name = line[6:].strip()
                    elif line == "" and name:
                        yield name
                        name = None
        except (httpx.TransportError, httpx.TimeoutException) as exc:
            raise Offline(f"stream lost: {exc.__class__.__name__}") from exc


def dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False)
