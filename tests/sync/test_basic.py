"""Two stores and HQ on loopback: the round trip every other scenario builds on."""
from tests.sync.harness import assert_converged


def test_earn_at_one_store_is_seen_at_another(hq, make_store):
    a, b = make_store("S001"), make_store("S002")
    m = a.register("ヤマダハナコ", phone="090-1234-5678")
    a.earn(m.id, 3480)
    a.sync()
    b.sync()
    a.sync()
    assert b.store.ledger.balance(m.id)["balance"] == a.store.ledger.balance(m.id)["balance"] > 0
    assert b.store.members.find("やまだ")[0].id == m.id
    # the member code issued at A verifies at B, offline (A's key reached B certified by HQ)
    code = a.store.members.code(m.id)
    assert b.store.members.resolve(code).id == m.id
    assert_converged(hq, [a, b])
