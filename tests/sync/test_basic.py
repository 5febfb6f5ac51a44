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


def test_a_member_with_a_time_ordered_id_travels_like_any_other(hq, make_store):
    """The counter's registration makes the member's id with app.ids.new_key (UUIDv7)."""
    from app.ids import new_key

    a, b = make_store("S001"), make_store("S002")
    mid = str(new_key())
    m = a.register("スズキイチロウ", member_id=mid)
    assert m.id == mid
    a.earn(m.id, 2000)
    a.sync()
    b.sync()
    assert b.store.members.resolve(a.store.members.code(m.id)).id == mid
    assert b.store.ledger.balance(mid)["balance"] == a.store.ledger.balance(mid)["balance"] > 0
    assert_converged(hq, [a, b])
