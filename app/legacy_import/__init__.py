"""Legacy ledger import (旧台帳の取込): Excel (.xlsx) and CSV customer lists with points → members,
paper cards and `migrate` ledger entries, once. Qt-free; the back-office screen (ui/legacy_import.py)
and the CLI (`python -m app import FILE ...`) both drive LegacyImport."""
from app.legacy_import.importer import (
    Analysis,
    Group,
    ImportCancelled,
    ImportStopped,
    LegacyImport,
    run_import,
)
from app.legacy_import.mapping import ALIASES, FIELDS, Mapping, guess_field, guess_mapping
from app.legacy_import.reader import Source, detect_encoding, normalize_encoding, open_source
from app.legacy_import.records import REASONS, Issue, Record, parse_date, parse_int

__all__ = [
    "ALIASES", "FIELDS", "REASONS", "Analysis", "Group", "ImportCancelled", "ImportStopped", "Issue",
    "LegacyImport", "Mapping", "Record", "Source", "detect_encoding", "guess_field", "guess_mapping",
    "normalize_encoding", "open_source", "parse_date", "parse_int", "run_import",
]
