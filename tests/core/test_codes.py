import base64
import uuid

import pytest
import qrcode

from app import codes
from app.errors import CodeRefused
from app.models import SigningKey
from app.services.setup import init_store
from app.store import Store


def test_a_code_verifies_offline_and_fits_a_small_qr(store, member):
    assert member.code.startswith("TSG1") and len(member.code) == 145
    assert store.members.verify_code(member.code).id == member.member.id
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(member.code)
    qr.make(fit=True)
    assert qr.version <= 7


def test_scanner_case_and_width_do_not_matter(store, member):
    assert store.members.resolve(member.code.lower()).id == member.member.id
    fullwidth = "".join(chr(ord(c) + 0xFEE0) for c in member.code)
    assert store.members.resolve(fullwidth).id == member.member.id


def _refusal(store, text) -> str:
    with pytest.raises(CodeRefused) as exc:
        store.members.resolve(text)
    assert exc.value.message  # a sentence for the cashier, not a trace
    return exc.value.code


def test_tampered_code_is_refused(store, member):
    raw = bytearray(base64.b32decode(member.code[4:] + "=" * (-len(member.code[4:]) % 8)))
    raw[10] ^= 0x01  # a bit of the member id changed: someone trying another member's points
    forged = "TSG1" + base64.b32encode(bytes(raw)).decode().rstrip("=")
    assert _refusal(store, forged) == "damaged"


def test_signature_bit_flip_is_refused(store, member):
    raw = bytearray(base64.b32decode(member.code[4:] + "=" * (-len(member.code[4:]) % 8)))
    raw[-1] ^= 0x80
    assert _refusal(store, "TSG1" + base64.b32encode(bytes(raw)).decode().rstrip("=")) == "damaged"


def test_truncated_code_is_refused(store, member):
    assert _refusal(store, member.code[:100]) == "truncated"
    assert _refusal(store, "TSG1") == "truncated"


def test_code_from_an_unknown_key_is_refused(store, member):
    key_id, private, _public = codes.new_key_pair()
    foreign = codes.encode(private, key_id, member.member.id, 7)
    assert _refusal(store, foreign) == "foreign_key"


def test_code_signed_by_another_key_under_our_key_id_is_refused(store, member):
    own_key_id = member.code and codes.parse(member.code).key_id
    _, private, _ = codes.new_key_pair()
    forged = codes.encode(private, own_key_id, member.member.id, codes.parse(member.code).serial)
    assert _refusal(store, forged) == "damaged"


def test_reissue_revokes_the_old_card(store, member, cashier):
    new_code = store.members.reissue(cashier, member.member.id)
    assert new_code != member.code
    assert store.members.resolve(new_code).id == member.member.id
    assert _refusal(store, member.code) == "revoked"


def test_revoked_signing_key_refuses_its_codes(store, member):
    with store.db.write() as s:
        for key in s.query(SigningKey).all():
            key.revoked_at = "2026-01-01T00:00:00.000000Z"
    assert _refusal(store, member.code) == "revoked"


@pytest.mark.parametrize("text", ["TSG", "hello", "4901234567894", "TSG1!!!!", "https://example.com/TSG1"])
def test_garbage_is_refused_clearly(store, text):
    with pytest.raises(Exception) as exc:
        store.members.resolve(text)
    assert exc.value.__class__.__name__ in ("CodeRefused", "NotFound")
    assert exc.value.code in ("garbage", "damaged", "unknown_card", "truncated")


def test_a_code_from_another_store_verifies_once_its_key_is_known(tmp_path, store, member, clock):
    other = Store.open(tmp_path / "other.sqlite", clock=clock)
    init_store(other, "S002")
    with pytest.raises(CodeRefused) as exc:
        other.members.verify_code(member.code)
    assert exc.value.code == "foreign_key"
    with store.db.read() as s:
        key = s.query(SigningKey).filter_by(is_own=True).one()
    with other.db.write() as s:
        s.add(SigningKey(key_id=key.key_id, public_key=key.public_key, owner="S001", is_own=False,
                         created_at=key.created_at))
    parsed = codes.verify(member.code, {key.key_id: (key.public_key, False)})
    assert parsed.member_id == member.member.id
    other.close()


def test_parse_round_trip():
    key_id, private, public = codes.new_key_pair()
    member_id = str(uuid.uuid4())
    text = codes.encode(private, key_id, member_id, 4_000_000_000)
    parsed = codes.verify(text, {key_id: (public, False)})
    assert (parsed.key_id, parsed.member_id, parsed.serial) == (key_id, member_id, 4_000_000_000)
