# The shared HQ-on-loopback fixtures (SQLite, and PostgreSQL when TSUMUGI_TEST_DATABASE_URL is set).
from tests.sync.fixtures import hq, make_store  # noqa: F401
