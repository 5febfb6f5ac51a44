"""Read a SQLCipher 4 store database page by page, decrypted with its key, free pages and WAL
frames included — to prove that deleted personal data left the file (a byte search on the
encrypted file alone proves nothing: it never shows anything).

SQLCipher 4 page layout (defaults: 4096-byte pages, reserve 80 = IV 16 + HMAC-SHA512 64):
[AES-256-CBC ciphertext][IV][HMAC]; page 1 starts with the 16-byte salt, encryption from byte 16.
With a raw key the key is the AES key as is (no KDF).
"""
from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

PAGE = 4096
RESERVE = 80


def _decrypt_page(key: bytes, page: bytes, first: bool) -> bytes:
    start = 16 if first else 0
    body, iv = page[start:PAGE - RESERVE], page[PAGE - RESERVE:PAGE - RESERVE + 16]
    d = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    return d.update(body) + d.finalize()


def plaintext_pages(path: Path, key: bytes) -> bytes:
    """The decrypted bytes of every page of the database file and of every frame in its WAL."""
    out = bytearray()
    path = Path(path)
    if path.is_file():
        data = path.read_bytes()
        for i in range(0, len(data) - PAGE + 1, PAGE):
            out += _decrypt_page(key, data[i:i + PAGE], i == 0)
    wal = Path(str(path) + "-wal")
    if wal.is_file():
        data = wal.read_bytes()
        pos = 32
        while pos + 24 + PAGE <= len(data):
            pgno = int.from_bytes(data[pos:pos + 4], "big")
            out += _decrypt_page(key, data[pos + 24:pos + 24 + PAGE], pgno == 1)
            pos += 24 + PAGE
    return bytes(out)
