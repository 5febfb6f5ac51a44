import uuid

import pytest

from app.errors import InvalidInput, NotFound, PermissionDenied
from app.models import Card, Outbox
from app.services.members import luhn_digit


def test_register_with_little_typing(store, cashier):
    reg = store.members.register(cashier, "やまだ はなこ")
    m = reg.member
    assert m.name_kana == "やまだ はなこ" and m.kana_key == "ヤマダハナコ"
    assert m.member_no.startswith("001") and len(m.member_no) == 11
    assert luhn_digit(m.member_no[:-1]) == m.member_no[-1]
    assert m.consent_marketing is False and m.consent_at is None
    assert set(m.field_times) >= {"name_kana", "phone", "email", "consent_marketing"}


def test_member_numbers_are_sequential_and_unique(store, cashier):
    numbers = [store.members.register(cashier, "テスト").member.member_no for _ in range(5)]
    assert len(set(numbers)) == 5
    assert [int(n[3:10]) for n in numbers] == [1, 2, 3, 4, 5]


def test_register_is_idempotent_by_member_id(store, cashier):
    key = str(uuid.uuid4())
    first = store.members.register(cashier, "サトウ", member_id=key)
    again = store.members.register(cashier, "サトウ", member_id=key)
    assert again.replayed and again.member.id == first.member.id and again.code == first.code
    with store.db.read() as s:
        assert s.query(Card).filter_by(member_id=key).count() == 1
        assert s.query(Outbox).filter_by(type="member.upsert").count() == 1


def test_consent_is_recorded_with_its_time(store, cashier, clock):
    m = store.members.register(cashier, "スズキ", consent_marketing=True).member
    assert m.consent_marketing and m.consent_at.startswith("2026-11-17T01:00")


@pytest.mark.parametrize("field, value, code", [
    ("name_kana", "山田", "bad_kana"),
    ("name_kana", "", "bad_kana"),
    ("phone", "12345", "bad_phone"),
    ("email", "hanako@", "bad_email"),
    ("birthday", "2026-02-30", "bad_birthday"),
])
def test_bad_registration_input_is_refused_naming_the_field(store, cashier, field, value, code):
    kwargs = {"name_kana": "ヤマダ", field: value}
    name_kana = kwargs.pop("name_kana")
    with pytest.raises(InvalidInput) as exc:
        store.members.register(cashier, name_kana, **kwargs)
    assert exc.value.code == code and exc.value.params["field"] == field


@pytest.mark.parametrize("query", [
    "やまだ", "ヤマダ", "ﾔﾏﾀﾞ", "まだは",                    # kana: prefix, half-width, partial
    "090-1234-5678", "０９０－１２３４－５６７８", "09012345678", "+81 90 1234 5678", "0901234",
])
def test_find_by_kana_and_phone_in_any_form(store, member, query):
    assert [m.id for m in store.members.find(query)] == [member.member.id]


def test_find_by_member_number_and_code(store, member):
    assert store.members.find(member.member.member_no)[0].id == member.member.id
    assert store.members.find(member.code)[0].id == member.member.id
    assert store.members.find("スズキ") == []
    assert store.members.find("") == []


def test_find_by_email(store, cashier):
    m = store.members.register(cashier, "タナカ", email="Tanaka@Example.jp").member
    assert [x.id for x in store.members.find("ｔａｎａｋａ＠ｅｘａｍｐｌｅ．ｊｐ")] == [m.id]


def test_resolve_legacy_card_number(store, member):
    with store.db.write() as s:
        s.add(Card(member_id=member.member.id, kind="paper", number="4901234567894", status="active",
                   created_at="2026-01-01T00:00:00.000000Z"))
    assert store.members.resolve("4901-2345-6789-4").id == member.member.id
    with pytest.raises(NotFound) as exc:
        store.members.resolve("4900000000000")
    assert exc.value.code == "unknown_card"


def test_update_records_per_field_times_and_audit(store, member, cashier, clock):
    clock.advance(hours=1)
    m = store.members.update(cashier, member.member.id, phone="080-9999-0000", email="h@example.jp")
    assert m.phone == "08099990000"
    assert m.field_times["phone"].startswith("2026-11-17T02:00")
    assert m.field_times["name_kana"].startswith("2026-11-17T01:00")
    assert any(e.action == "member.update" for e in store.audit.entries())
    with store.db.read() as s:
        last = s.query(Outbox).order_by(Outbox.seq.desc()).first()
    assert last.type == "member.upsert" and set(last.payload["fields"]) == {"phone", "email"}


def test_register_needs_a_signed_in_staff_member(store, manager):
    with pytest.raises(PermissionDenied):
        store.members.register(None, "ヤマダ")
