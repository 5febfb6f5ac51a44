"""The `hq` and `make_store` fixtures shared by tests/hq, tests/hq_campaigns, tests/sync and
tests/ui (each conftest imports them from here)."""
import pytest

from tests.sync.harness import HQServer, PgSchema, StoreHandle, backends, check_pg_reachable


@pytest.fixture(params=backends())
def hq(request, tmp_path):
    """HQ served by uvicorn on loopback: SQLite always; PostgreSQL (a fresh schema, dropped
    afterwards) when TSUMUGI_TEST_DATABASE_URL is set."""
    schema = None
    if request.param == "postgresql":
        check_pg_reachable()
        schema = PgSchema()
        server = HQServer(schema.url, schema=schema.name, **getattr(request, "hq_settings", {}))
    else:
        server = HQServer(f"sqlite:///{tmp_path / 'hq.sqlite'}")
    server.start()
    yield server
    server.stop()
    server.service.db.close()
    if schema:
        schema.drop()


@pytest.fixture
def make_store(hq, tmp_path):
    made = []

    def make(store_id: str, enroll: bool = True, clock=None) -> StoreHandle:
        h = StoreHandle(tmp_path / f"{store_id}.sqlite", store_id, hq, clock)
        if enroll:
            h.enroll()
        made.append(h)
        return h

    yield make
    for h in made:
        h.close()
