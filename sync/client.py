"""HTTP client for HQ (httpx): timeouts everywhere, TLS verification on, typed errors.

Plain http:// is refused except to a loopback address (tests, a same-machine HQ).

TLS (``tls_context``): certificates are verified against the operating system's trust store
(truststore: Windows' certificate store on the shop PCs, Keychain on macOS, the distribution's CA
bundle on Linux), TLS 1.2 at least, TLS 1.3 whenever HQ offers it, host names checked. A private
deployment whose HQ certificate comes from its own CA adds that CA (in addition to the OS's, never
instead of it) with ``TSUMUGI_HQ_CA_BUNDLE=/path/to/ca.pem`` or ``HQClient(..., ca_bundle=...)``.
There is no switch that turns verification off. A refused certificate raises ``CertificateRefused``
(an ``Offline``: the worker keeps retrying with backoff) whose ``code`` says why, for the status bar:
``tls_expired``, ``tls_wrong_host``, ``tls_unknown_ca``, ``tls_protocol`` (HQ speaks only TLS < 1.2)
or ``tls_failed``.
"""
from __future__ import annotations

import ipaddress
import json
import os
import ssl
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


class CertificateRefused(Offline):
    """The TLS handshake with HQ failed: HQ's certificate (or protocol) is not acceptable. The
    ``code`` is stable (the UI maps it to text); ``message`` is English for logs and the CLI."""

    REASONS = {
        "tls_expired": "HQ's certificate has expired (or is not valid yet); HQ's administrator must renew it.",
        "tls_wrong_host": "HQ's certificate is for another host name than the address configured here.",
        "tls_unknown_ca": "HQ's certificate is not signed by an authority this computer trusts "
                          "(for a private CA, set TSUMUGI_HQ_CA_BUNDLE).",
        "tls_protocol": "HQ does not offer TLS 1.2 or newer.",
        "tls_failed": "The secure connection to HQ failed.",
    }

    def __init__(self, code: str, detail: str = ""):
        self.code = code if code in self.REASONS else "tls_failed"
        self.detail = detail
        super().__init__(self.REASONS[self.code])


# OpenSSL verify codes (x509_vfy.h)
_EXPIRED = {9, 10}              # not yet valid, has expired
_WRONG_HOST = {62, 64}          # host name mismatch, IP address mismatch
_UNKNOWN_CA = {2, 18, 19, 20, 21}  # issuer unknown, self-signed leaf/chain, local issuer unknown, unverifiable


def classify_tls_error(exc: BaseException) -> CertificateRefused | None:
    """A CertificateRefused for a TLS failure anywhere in ``exc``'s chain, or None if it is not one."""
    seen = set()
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        if isinstance(e, ssl.SSLCertVerificationError):
            vc = getattr(e, "verify_code", None)
            msg = (getattr(e, "verify_message", "") or str(e)).lower()
            if vc in _EXPIRED or "expired" in msg or "not yet valid" in msg:
                return CertificateRefused("tls_expired", msg)
            if vc in _WRONG_HOST or "hostname mismatch" in msg or "ip address mismatch" in msg:
                return CertificateRefused("tls_wrong_host", msg)
            if vc in _UNKNOWN_CA or "issuer" in msg or "self-signed" in msg or "self signed" in msg:
                return CertificateRefused("tls_unknown_ca", msg)
            return CertificateRefused("tls_failed", msg)
        if isinstance(e, ssl.SSLError):
            msg = str(e).lower()
            if "protocol version" in msg or "unsupported protocol" in msg or "no protocols available" in msg:
                return CertificateRefused("tls_protocol", msg)
            return CertificateRefused("tls_failed", msg)
        e = e.__cause__ or e.__context__
    return None


def tls_context(ca_bundle: str | os.PathLike | None = None) -> ssl.SSLContext:
    """The client's TLS context: the OS trust store (plus ``ca_bundle`` or TSUMUGI_HQ_CA_BUNDLE if
    set), TLS 1.2 minimum, TLS 1.3 preferred (the highest both sides speak), host names checked."""
    import truststore

    ctx = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.check_hostname = True
    ctx.verify_mode = ssl.CERT_REQUIRED
    extra = ca_bundle or os.environ.get("TSUMUGI_HQ_CA_BUNDLE") or None
    if extra:
        ctx.load_verify_locations(cafile=os.fspath(extra))
    return ctx


class BadReply(SyncError):
    """HQ answered 200 with something that is not the answer the protocol promises (a proxy's error
    page, a truncated or garbled body, another server at that address). Nothing of it is acted on:
    the round fails and is tried again later, and whatever HQ had done is asked for again then
    (a push's stored outcomes, the same page of changes). The message names where the answer went
    wrong and never quotes it: a page of changes holds customers' names."""
    code = "bad_reply"


def _reply(model, content: bytes, what: str):
    from pydantic import ValidationError

    try:
        return model.model_validate_json(content)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False, include_context=False)
        first = errors[0] if errors else {}
        where = ".".join(str(x) for x in first.get("loc", ())) or "the whole answer"
        raise BadReply(f"HQ's answer to {what} could not be read ({len(errors)} problem(s); first at {where}: "
                       f"{first.get('type', 'invalid')})") from None


class RateLimited(SyncError):
    code = "rate_limited"

    def __init__(self, retry_after: float):
        super().__init__(f"HQ asks us to wait {retry_after:g} s")
        self.retry_after = retry_after


# HQ's refusals the store words itself (ui/texts.py): their error becomes the SyncError code
WORDED_REFUSALS = frozenset({"clock_off"})


class Refused(SyncError):
    """HQ answered 4xx: not retried as-is (bad credential, revoked store, bad request). `code` is
    "refused", or HQ's error for one the store words itself (WORDED_REFUSALS)."""
    code = "refused"

    def __init__(self, status: int, error: str, message: str):
        super().__init__(f"{status} {error}: {message}")
        self.status = status
        self.error = error
        self.message = message
        if error in WORDED_REFUSALS:
            self.code = error


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
                 connect_timeout: float = 3.0, verify: bool | str | ssl.SSLContext = True,
                 transport: httpx.BaseTransport | None = None, ca_bundle: str | os.PathLike | None = None):
        self.base_url = check_url(base_url)
        self.credential = credential
        self._timeout = httpx.Timeout(timeout, connect=connect_timeout)
        headers = {"User-Agent": "tsumugi-store-sync/1"}
        if credential:
            headers["Authorization"] = f"Bearer {credential}"
        # verification is never off: True → the OS trust store; a path → that CA bundle in addition
        if verify is False:
            raise ValueError("TLS verification cannot be turned off; add a private CA with TSUMUGI_HQ_CA_BUNDLE.")
        if not isinstance(verify, ssl.SSLContext):
            verify = tls_context(verify if isinstance(verify, (str, os.PathLike)) else ca_bundle)
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
            raise classify_tls_error(exc) or Offline(f"HQ unreachable: {exc.__class__.__name__}") from exc
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
        if raw:
            return r.content
        try:
            return r.json()
        except ValueError:
            raise BadReply(f"HQ's answer to {method} {path} is not JSON") from None

    def health(self, timeout: float = 2.0) -> dict:
        return self._call("GET", "/v1/health", timeout=timeout)

    def enroll(self, req: EnrollRequest) -> EnrollResponse:
        return _reply(EnrollResponse, self._call("POST", "/v1/enroll", json=req.model_dump(), raw=True), "enrollment")

    @staticmethod
    def push_body(req: PushRequest) -> str:
        # unset optional fields stay out (an HQ one release older refuses fields it does not know)
        return req.model_dump_json(exclude_none=True)

    def push(self, req: PushRequest, body: str | None = None) -> PushResponse:
        """``body``: ``push_body(req)`` made beforehand (SyncEngine.push_all makes the next batch's
        while HQ works on one, so that sending it later holds Python's lock only briefly)."""
        return _reply(PushResponse, self._call("POST", "/v1/sync/push", raw=True,
                                               content=body if body is not None else self.push_body(req),
                                               headers={"Content-Type": "application/json"}), "a push")

    def changes(self, cursor: str | None, limit: int = 2000) -> ChangesPage:
        params = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        return _reply(ChangesPage, self._call("GET", "/v1/sync/changes", params=params, timeout=60.0, raw=True),
                      "a request for changes")

    def reserve(self, req: ReserveRequest, timeout: float = 1.5) -> ReserveResponse:
        return _reply(ReserveResponse, self._call("POST", "/v1/redemptions/reserve", json=req.model_dump(),
                                                  timeout=timeout, raw=True), "a reservation")

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
            raise classify_tls_error(exc) or Offline(f"stream lost: {exc.__class__.__name__}") from exc


def dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False)
