"""Secrets (signing keys, HQ credentials) live in the OS keyring and nowhere else.

When the OS has no keyring (a bare Linux box, some kiosks) we refuse with a clear message. The one
explicit, documented way round it is TSUMUGI_INSECURE_KEYFILE=PATH: a file readable only by the
user, which the app flags as weaker in its log and settings. There is never a silent fallback.
"""
from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import keyring
import keyring.errors

from app.errors import SecretStoreUnavailable

SERVICE = "tsumugi"
log = logging.getLogger(__name__)
_warned: set[str] = set()

NO_KEYRING_MESSAGE = (
    "This computer has no OS keyring (Windows Credential Locker, macOS Keychain or a Secret "
    "Service such as GNOME Keyring), so Tsumugi cannot keep its keys safely. Install or unlock a "
    "keyring and start again, or, knowing it is weaker, name a key file readable only by you in "
    "TSUMUGI_INSECURE_KEYFILE."
)


def _keyfile() -> Path | None:
    path = os.environ.get("TSUMUGI_INSECURE_KEYFILE")
    return Path(path) if path else None


def insecure_keyfile_in_use() -> bool:
    return _keyfile() is not None


def _keyring_usable() -> bool:
    backend = keyring.get_keyring()
    # keyring.backends.fail.Keyring has priority 0 and raises NoKeyringError on every call.
    return not backend.__class__.__module__.startswith("keyring.backends.fail")


def _read_keyfile(path: Path) -> dict:
    if not path.exists():
        return {}
    mode = path.stat().st_mode & 0o777
    if os.name == "posix" and mode & 0o077:
        raise SecretStoreUnavailable(
            f"The key file {path} can be read by other users (mode {oct(mode)}); run chmod 600 on it.",
            code="keyfile_permissions",
        )
    return json.loads(path.read_text(encoding="utf-8") or "{}")


def _write_keyfile(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _warn_once(path: Path, message: str) -> None:
    """Flag the weaker key file in the log once per process and file (not at every key look-up:
    the store database key is read at every start, signing keys at every card shown)."""
    tag = f"{message}|{path}"
    if tag not in _warned:
        _warned.add(tag)
        log.warning(message)


def available() -> bool:
    return _keyring_usable() or insecure_keyfile_in_use()


def get_secret(name: str) -> str | None:
    if _keyring_usable():
        try:
            return keyring.get_password(SERVICE, name)
        except keyring.errors.KeyringError as exc:
            raise SecretStoreUnavailable(f"{NO_KEYRING_MESSAGE} ({exc.__class__.__name__})") from exc
    path = _keyfile()
    if path is None:
        raise SecretStoreUnavailable(NO_KEYRING_MESSAGE)
    _warn_once(path, "Using the insecure key file named by TSUMUGI_INSECURE_KEYFILE (weaker than a keyring)")
    return _read_keyfile(path).get(name)


def set_secret(name: str, value: str) -> None:
    if _keyring_usable():
        try:
            keyring.set_password(SERVICE, name, value)
            return
        except keyring.errors.KeyringError as exc:
            raise SecretStoreUnavailable(f"{NO_KEYRING_MESSAGE} ({exc.__class__.__name__})") from exc
    path = _keyfile()
    if path is None:
        raise SecretStoreUnavailable(NO_KEYRING_MESSAGE)
    _warn_once(path, "Storing a secret in the insecure key file named by TSUMUGI_INSECURE_KEYFILE (weaker than a keyring)")
    data = _read_keyfile(path)
    data[name] = value
    _write_keyfile(path, data)


def delete_secret(name: str) -> None:
    if _keyring_usable():
        try:
            keyring.delete_password(SERVICE, name)
        except keyring.errors.PasswordDeleteError:
            pass
        return
    path = _keyfile()
    if path is not None:
        data = _read_keyfile(path)
        data.pop(name, None)
        _write_keyfile(path, data)
