"""Signed member codes: what the member's QR carries, verifiable offline at any store.

Text form: ``TSG1`` + base32 (no padding) of
    key id (4 bytes) | member id (16-byte UUID) | card serial (uint32, big endian) | Ed25519 signature (64)
The signature covers b"TSG1" + the first 24 bytes. 145 characters in QR alphanumeric mode fit a
version 6 QR at level M. Refusals are distinct: garbage, truncated, damaged (tampered),
foreign_key (a key this store does not hold), revoked (key or card serial).
"""
from __future__ import annotations

import base64
import binascii
import os
import struct
import uuid
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from app.errors import CodeRefused
from app.text import nfkc

PREFIX = "TSG1"
_BODY_LEN = 4 + 16 + 4
_TOTAL_LEN = _BODY_LEN + 64


@dataclass(frozen=True)
class ParsedCode:
    key_id: str
    member_id: str
    serial: int
    signed: bytes
    signature: bytes


def looks_like_member_code(text: str) -> bool:
    return nfkc(text).strip().upper().startswith(PREFIX)


def new_key_pair() -> tuple[str, bytes, bytes]:
    """Returns (key id, raw private key 32 bytes, raw public key 32 bytes)."""
    private = Ed25519PrivateKey.generate()
    raw_private = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    raw_public = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return os.urandom(4).hex(), raw_private, raw_public


def encode(raw_private: bytes, key_id: str, member_id: str, serial: int) -> str:
    body = bytes.fromhex(key_id) + uuid.UUID(member_id).bytes + struct.pack(">I", serial)
    signature = Ed25519PrivateKey.from_private_bytes(raw_private).sign(PREFIX.encode() + body)
    return PREFIX + base64.b32encode(body + signature).decode("ascii").rstrip("=")


def parse(text: str) -> ParsedCode:
    s = nfkc(text or "").strip().upper()
    if not s.startswith(PREFIX):
        raise CodeRefused("This is not a Tsumugi member code.", code="garbage")
    b32 = s[len(PREFIX):]
    if not b32:
        raise CodeRefused("The member code is cut short; scan it again.", code="truncated")
    try:
        raw = base64.b32decode(b32 + "=" * (-len(b32) % 8))
    except (binascii.Error, ValueError):
        raise CodeRefused("The member code is damaged or has been altered.", code="damaged") from None
    if len(raw) < _TOTAL_LEN:
        raise CodeRefused("The member code is cut short; scan it again.", code="truncated")
    if len(raw) > _TOTAL_LEN:
        raise CodeRefused("The member code is damaged or has been altered.", code="damaged")
    body, signature = raw[:_BODY_LEN], raw[_BODY_LEN:]
    return ParsedCode(
        key_id=body[:4].hex(),
        member_id=str(uuid.UUID(bytes=body[4:20])),
        serial=struct.unpack(">I", body[20:24])[0],
        signed=PREFIX.encode() + body,
        signature=signature,
    )


def verify(text: str, public_keys: dict[str, tuple[bytes, bool]]) -> ParsedCode:
    """Parse and check the signature. public_keys maps key id → (raw public key, revoked)."""
    parsed = parse(text)
    known = public_keys.get(parsed.key_id)
    if known is None:
        raise CodeRefused(
            "This member code was signed by a key this store does not know (another system, or a "
            "store whose key has not reached us yet).",
            code="foreign_key",
        )
    raw_public, revoked = known
    try:
        Ed25519PublicKey.from_public_bytes(raw_public).verify(parsed.signature, parsed.signed)
    except InvalidSignature:
        raise CodeRefused("The member code is damaged or has been altered.", code="damaged") from None
    if revoked:
        raise CodeRefused("This member code's signing key has been revoked.", code="revoked")
    return parsed
