"""Domain errors: a stable machine code, parameters, and a clear English message.

The UI maps `code` to a translated sentence (Japanese first); the CLI prints `message`.
No error from the services should ever reach a user as a traceback.
"""
from __future__ import annotations


class TsumugiError(Exception):
    code = "error"

    def __init__(self, message: str, *, code: str | None = None, **params):
        super().__init__(message)
        if code:
            self.code = code
        self.params = params

    @property
    def message(self) -> str:
        return str(self)

    def as_dict(self) -> dict:
        return {"error": self.code, "message": self.message, **{k: _jsonable(v) for k, v in self.params.items()}}


def _jsonable(v):
    return v if isinstance(v, (str, int, float, bool, type(None), list, dict)) else str(v)


class NotFound(TsumugiError):
    code = "not_found"


class InvalidInput(TsumugiError):
    code = "invalid_input"


class PermissionDenied(TsumugiError):
    code = "permission_denied"


class AuthenticationFailed(TsumugiError):
    code = "authentication_failed"


class LedgerRefused(TsumugiError):
    """A points action the rules or the ledger refuse (balance, window, double void...)."""
    code = "refused"


class CodeRefused(TsumugiError):
    """A scanned or typed member code that is not accepted. `code` says why:
    garbage, truncated, foreign_key, tampered, revoked."""
    code = "code_refused"


class SecretStoreUnavailable(TsumugiError):
    code = "no_keyring"
