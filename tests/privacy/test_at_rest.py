"""After a day at the counter, the seeded personal data is nowhere on disk in clear: not in the
database file, its -wal/-shm, the backups, the evidence photos, nor the log files."""
from __future__ import annotations

from app.db import database_key
from tests.privacy.conftest import IMPORTED, SEEDED, files_under, needles
from tests.privacy.pages import plaintext_pages


def _hits(folders, seeds) -> list[str]:
    hits = []
    for path in files_under(*folders):
        data = path.read_bytes()
        for seed in seeds:
            for what, needle in needles(seed).items():
                if needle in data:
                    hits.append(f"{path.name}: {what}")
    return hits


def test_the_search_can_find_what_it_looks_for(day):
    """The same needles are in the decrypted pages: the byte search below could fail."""
    key = database_key(day.store.db.path).key
    pages = plaintext_pages(day.store.db.path, key)
    for seed in (SEEDED, IMPORTED):
        found = needles(seed)
        assert found["phone"] in pages and found["email"] in pages and found["kana"] in pages


def test_no_personal_data_in_clear_anywhere_on_disk(day):
    names = {p.name for p in files_under(day.folder)}
    assert "store.sqlite-wal" in names  # the store is still open: its WAL is searched too
    assert any(n.endswith(".bak") for n in names) and any(n.endswith(".jpg.enc") for n in names)
    assert (day.logs / "tsumugi.log").stat().st_size > 0
    assert _hits([day.folder, day.logs], [SEEDED, IMPORTED]) == []
    day.store.close()  # the last connection checkpoints: search what is left once more
    assert _hits([day.folder, day.logs], [SEEDED, IMPORTED]) == []


def test_the_evidence_photo_is_sealed_and_reads_back(day):
    path = day.store.migration.evidence_file(day.migrated.entry.entry_id)
    assert path.is_file() and b"PHOTO" not in path.read_bytes()
    assert day.store.migration.evidence_photo(day.migrated.entry.entry_id) == day.photo
    other = day.folder / "evidence" / "swapped.jpg.enc"  # a sealed file moved under another entry's name
    other.write_bytes(path.read_bytes())
    import pytest
    from cryptography.exceptions import InvalidTag

    with pytest.raises(InvalidTag):
        from app.db import unseal

        unseal(day.store.db.key, "evidence", "swapped", other.read_bytes())
