"""tests/core uses the shared store fixtures as they are (tests/store_fixtures.py): a real store
in tmp_path on a Tuesday, a manager, a cashier and a registered member (the registration result)."""
