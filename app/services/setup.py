"""Creating a store: its id, terminal, signing key (private half in the OS keyring) and rule set."""
from __future__ import annotations

from app.clock import iso
from app.codes import new_key_pair
from app.errors import InvalidInput
from app.models import SigningKey
from app.secrets import set_secret
from app.services.members import signing_secret_name
from app.text import nfkc


def init_store(store, store_id: str, *, terminal_id: str = "T01", rules_file=None) -> None:
    store_id = nfkc(store_id or "").strip().upper()
    if not store_id or not store_id.replace("-", "").isalnum() or len(store_id) > 32:
        raise InvalidInput("A store id is letters and digits, e.g. S001.", code="bad_store_id")
    if store.initialised:
        if store.store_id == store_id:
            return
        raise InvalidInput(f"This database already belongs to store {store.store_id}.", code="already_initialised")
    rule_set = store.rules.load_file(rules_file)
    key_id, private, public = new_key_pair()
    set_secret(signing_secret_name(key_id), private.hex())  # refuses clearly when there is no keyring
    now = iso(store.now())
    with store.db.write() as s:
        store.set_settings(s, store_id=store_id, terminal_id=nfkc(terminal_id).strip().upper() or "T01")
        s.add(SigningKey(key_id=key_id, public_key=public, owner=store_id, is_own=True, created_at=now))
        store.rules.install(s, rule_set)
        store.audit.record(s, None, "store.init", "store", store_id, None,
                           {"terminal_id": terminal_id, "rule_set": rule_set.version, "key_id": key_id})
        store.security.record(s, "key.signing_created", object_type="signing_key", object_id=key_id)
