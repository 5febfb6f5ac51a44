"""HQ's notification outbox and its channel adapters (LINE Messaging API push, e-mail over SMTP).

* ``enqueue(session, member, template, params, key)`` — in the same transaction as what it tells
  (a coupon, a promotion, points about to expire). Only members who consented to marketing
  (``consent_marketing``) and have an address on that channel get a row; ``key`` makes it once.
* ``deliver_pending(svc)`` — sends what is pending; consent is checked again at sending time
  (a withdrawn consent stops a queued message); every attempt is a ``notification_deliveries``
  row (channel, time, ok, HTTP/SMTP status — never the address or the text).
* Secrets: the LINE channel token and the SMTP password come from the environment
  (``TSUMUGI_LINE_CHANNEL_TOKEN``, ``TSUMUGI_SMTP_PASSWORD``) or the OS keyring (service
  ``tsumugi-hq``, names ``line_channel_token`` / ``smtp_password``); never from files, never logged.
* Endpoints: ``TSUMUGI_LINE_API_BASE`` (default ``https://api.line.me``), ``TSUMUGI_SMTP_HOST``,
  ``TSUMUGI_SMTP_PORT`` (25), ``TSUMUGI_SMTP_FROM``, ``TSUMUGI_SMTP_USER``, ``TSUMUGI_SMTP_STARTTLS``.
"""
from __future__ import annotations

import logging
import os
import smtplib
from dataclasses import dataclass
from datetime import datetime, timezone
from email.message import EmailMessage

import httpx
from sqlalchemy import select, update

from hq.models import MemberRow, Notification, NotificationDelivery

log = logging.getLogger("hq.notify")
KEYRING_SERVICE = "tsumugi-hq"

TEMPLATES = {
    "coupon": ("クーポンが届きました", "{title}（{value}）をお届けしました。{expires}まで、次回ご来店時にご利用いただけます。"),
    "expiry_notice": ("ポイント有効期限のお知らせ", "{points}ポイントが{month}に有効期限を迎えます。お早めにご利用ください。"),
    "tier_up": ("会員ランクアップのお知らせ", "会員ランクが{tier}になりました。いつもご利用ありがとうございます。"),
    "campaign": ("キャンペーンのお知らせ", "{text}"),
}


def _iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def secret(env: str, name: str) -> str | None:
    value = os.environ.get(env)
    if value:
        return value
    try:
        import keyring

        return keyring.get_password(KEYRING_SERVICE, name)
    except Exception:  # noqa: BLE001 - no keyring backend on this machine
        return None


def channels_for(member) -> list[str]:
    """The channels a member can be reached on, consent first: [] without marketing consent."""
    if not member.consent_marketing or member.status != "active":
        return []
    out = []
    if member.line_user_id:
        out.append("line")
    if member.email:
        out.append("email")
    return out


def enqueue(session, member, template: str, params: dict, key: str, *, collect: list | None = None) -> int:
    """Queue ``template`` for ``member`` on every channel it consented to; returns rows queued.
    With ``collect`` the rows are appended there for one bulk insert by the caller."""
    chans = channels_for(member)
    if not chans:
        return 0
    now = _iso(datetime.now(timezone.utc))
    rows = [{"dedupe_key": f"{key}:{ch}", "member_id": member.id, "channel": ch, "template": template,
             "params": params, "status": "pending", "attempts": 0, "created_at": now} for ch in chans]
    if collect is not None:
        collect.extend(rows)
    else:
        insert_ignore(session, Notification, rows, ["dedupe_key"])
    return len(rows)


def insert_ignore(session, model, rows: list[dict], keys: list[str]) -> int:
    """INSERT ... ON CONFLICT DO NOTHING on PostgreSQL and SQLite; returns rows inserted."""
    if not rows:
        return 0
    name = session.get_bind().dialect.name
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    n = 0
    for i in range(0, len(rows), 2000):
        res = session.connection().execute(insert(model.__table__).on_conflict_do_nothing(index_elements=keys),
                                           rows[i:i + 2000])
        n += res.rowcount if res.rowcount and res.rowcount > 0 else 0
    return n


def render(template: str, params: dict) -> tuple[str, str]:
    subject, body = TEMPLATES.get(template, ("お知らせ", "{text}"))
    try:
        return subject, body.format(**params)
    except (KeyError, IndexError):
        return subject, body


@dataclass
class SendResult:
    ok: bool
    status_code: int | None = None
    detail: str | None = None
    retry: bool = False


class LineAdapter:
    """LINE Messaging API push: POST {base}/v2/bot/message/push with the channel token."""

    channel = "line"

    def __init__(self, base_url: str | None = None, token: str | None = None, timeout: float = 10.0,
                 transport: httpx.BaseTransport | None = None):
        self.base_url = (base_url or os.environ.get("TSUMUGI_LINE_API_BASE") or "https://api.line.me").rstrip("/")
        self._token = token or secret("TSUMUGI_LINE_CHANNEL_TOKEN", "line_channel_token")
        self._client = httpx.Client(timeout=timeout, transport=transport)

    def available(self) -> bool:
        return bool(self._token)

    def send(self, address: str, subject: str, text: str, retry_key: str) -> SendResult:
        try:
            r = self._client.post(f"{self.base_url}/v2/bot/message/push",
                                  headers={"Authorization": f"Bearer {self._token}", "X-Line-Retry-Key": retry_key},
                                  json={"to": address, "messages": [{"type": "text", "text": f"{subject}\n{text}"}]})
        except httpx.HTTPError as exc:
            return SendResult(False, None, type(exc).__name__, retry=True)
        if r.status_code == 200:
            return SendResult(True, 200)
        if r.status_code == 409:  # the retry key was accepted before: already delivered
            return SendResult(True, 409, "already accepted")
        return SendResult(False, r.status_code, f"HTTP {r.status_code}", retry=r.status_code in (429, 500, 502, 503))

    def close(self) -> None:
        self._client.close()


class SmtpAdapter:
    channel = "email"

    def __init__(self, host: str | None = None, port: int | None = None, sender: str | None = None,
                 user: str | None = None, password: str | None = None, starttls: bool | None = None,
                 timeout: float = 10.0):
        self.host = host or os.environ.get("TSUMUGI_SMTP_HOST")
        self.port = int(port or os.environ.get("TSUMUGI_SMTP_PORT") or 25)
        self.sender = sender or os.environ.get("TSUMUGI_SMTP_FROM") or "no-reply@tsumugi.invalid"
        self.user = user or os.environ.get("TSUMUGI_SMTP_USER")
        self._password = password or (secret("TSUMUGI_SMTP_PASSWORD", "smtp_password") if self.user else None)
        self.starttls = starttls if starttls is not None else os.environ.get("TSUMUGI_SMTP_STARTTLS") == "1"
        self.timeout = timeout

    def available(self) -> bool:
        return bool(self.host)

    def send(self, address: str, subject: str, text: str, retry_key: str) -> SendResult:
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = self.sender, address, subject
        msg["Message-ID"] = f"<{retry_key}@tsumugi>"
        msg.set_content(text)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.user:
                    smtp.login(self.user, self._password or "")
                refused = smtp.send_message(msg)
        except smtplib.SMTPResponseException as exc:
            return SendResult(False, exc.smtp_code, f"SMTP {exc.smtp_code}", retry=400 <= exc.smtp_code < 500)
        except (OSError, smtplib.SMTPException) as exc:
            return SendResult(False, None, type(exc).__name__, retry=True)
        if refused:
            return SendResult(False, 550, "recipient refused")
        return SendResult(True, 250)

    def close(self) -> None:
        pass


def deliver_pending(svc, adapters: dict | None = None, *, limit: int = 500, max_attempts: int = 5) -> dict:
    """Send pending notifications; each attempt recorded. Returns counts."""
    adapters = adapters if adapters is not None else {"line": LineAdapter(), "email": SmtpAdapter()}
    counts = {"sent": 0, "failed": 0, "skipped": 0, "retry": 0}
    with svc.db.read() as s:
        pending = s.execute(select(Notification.id, Notification.member_id, Notification.channel,
                                   Notification.template, Notification.params, Notification.attempts,
                                   Notification.dedupe_key)
                            .where(Notification.status == "pending").order_by(Notification.id).limit(limit)).all()
    for n in pending:
        with svc.db.write() as s:
            # claim: only one worker sends a given notification
            claimed = s.execute(update(Notification).where(Notification.id == n.id, Notification.status == "pending")
                                .values(status="sending", attempts=Notification.attempts + 1)).rowcount
            if not claimed:
                continue
            member = s.get(MemberRow, n.member_id)
        adapter = adapters.get(n.channel)
        address = None
        if member is not None and n.channel in channels_for(member):
            address = member.line_user_id if n.channel == "line" else member.email
        now = _iso(datetime.now(timezone.utc))
        if address is None or adapter is None or not adapter.available():
            status = "skipped"
            result = SendResult(False, None, "no consent or address" if address is None else "channel not configured")
        else:
            subject, text = render(n.template, n.params or {})
            result = adapter.send(address, subject, text, retry_key=_retry_uuid(n.dedupe_key))
            status = "sent" if result.ok else ("pending" if result.retry and n.attempts + 1 < max_attempts else "failed")
        with svc.db.write() as s:
            s.add(NotificationDelivery(notification_id=n.id, channel=n.channel, at=now, ok=result.ok,
                                       status_code=result.status_code, detail=result.detail))
            s.execute(update(Notification).where(Notification.id == n.id)
                      .values(status=status, sent_at=now if result.ok else None))
        counts["retry" if status == "pending" else status] += 1
        log.info("notification %s via %s: %s", n.id, n.channel, status)
    return counts


def _retry_uuid(key: str) -> str:
    import uuid

    return str(uuid.uuid5(uuid.UUID("5b0d3c4e-2f61-4a8e-9e37-8d1f0a6c2b94"), key))
