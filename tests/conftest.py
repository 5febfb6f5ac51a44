import os

# No display on CI machines: every Qt test runs offscreen. pytest-qt has no option for this.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# HQ's certifying key as a deployment supplies it (the environment), one throwaway key for the
# session: HQs started as child processes share it with the test process. The OS-keyring path is
# tested on its own (tests/hq/test_signing_key.py).
os.environ.setdefault("TSUMUGI_HQ_SIGNING_KEY", os.urandom(32).hex())

import keyring  # noqa: E402
import keyring.backend  # noqa: E402
import pytest  # noqa: E402

# The store fixtures (clock, db_path, store, manager, cashier, member), written once.
pytest_plugins = ["tests.store_fixtures"]


class MemoryKeyring(keyring.backend.KeyringBackend):
    """An in-memory OS keyring stand-in: this machine has no keyring backend."""

    priority = 1

    def __init__(self):
        super().__init__()
        self._items: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self._items.get((service, username))

    def set_password(self, service, username, password):
        self._items[(service, username)] = password

    def delete_password(self, service, username):
        self._items.pop((service, username), None)


@pytest.fixture(autouse=True)
def memory_keyring(monkeypatch):
    """Each test gets a fresh, empty in-memory keyring and no insecure key-file opt-in."""
    backend = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    monkeypatch.delenv("TSUMUGI_INSECURE_KEYFILE", raising=False)
    yield backend
    keyring.set_keyring(previous)
