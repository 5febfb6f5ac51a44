"""Device-local, non-secret settings of this terminal (a small JSON file under the user config dir).

Things that belong to the store live in the database settings table (store.update_settings);
things that belong to this PC (camera, serial port, printer, sound, the insecure key-file opt-in)
live here. Never a secret: the key file's *path* is stored, not its content.
"""
from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import platformdirs

APP = "tsumugi"
log = logging.getLogger(__name__)


def user_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP, appauthor=False))


def user_config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP, appauthor=False))


def default_db_path() -> Path:
    return user_data_dir() / "store.sqlite"


def default_keyfile_path() -> Path:
    return user_data_dir() / "keys.json"


@dataclass
class LocalConfig:
    insecure_keyfile: str | None = None
    camera: str = ""              # "" = off, "0" = first webcam, or a video file / image folder path
    serial_port: str = ""         # "" = no serial scanner
    printer: str = ""             # e.g. "file:/tmp/receipt.bin", "network:192.168.1.50"
    sound: bool = True
    wedge_max_interval_ms: int = 30
    wedge_min_length: int = 6
    wedge_prefix: str = ""
    wedge_suffix: str = "\r"
    path: str | None = field(default=None, repr=False)

    @classmethod
    def load(cls, path: str | Path | None = None) -> "LocalConfig":
        p = Path(path) if path else user_config_dir() / "settings.json"
        data = {}
        if p.exists():
            try:
                data = json.loads(p.read_text(encoding="utf-8") or "{}")
            except (OSError, ValueError):
                log.warning("settings.json is unreadable; using defaults")
        known = {f.name for f in fields(cls)} - {"path"}
        cfg = cls(**{k: v for k, v in data.items() if k in known})
        cfg.path = str(p)
        return cfg

    def save(self) -> None:
        p = Path(self.path) if self.path else user_config_dir() / "settings.json"
        p.parent.mkdir(parents=True, exist_ok=True)
        data = asdict(self)
        data.pop("path", None)
        tmp = p.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
        os.replace(tmp, p)

    def apply_keyfile_opt_in(self) -> bool:
        """If the user opted in to the insecure key file, name it for this run. Returns True if in use."""
        if self.insecure_keyfile and not os.environ.get("TSUMUGI_INSECURE_KEYFILE"):
            os.environ["TSUMUGI_INSECURE_KEYFILE"] = self.insecure_keyfile
        if os.environ.get("TSUMUGI_INSECURE_KEYFILE"):
            log.warning("Keys are kept in an insecure key file (weaker than an OS keyring)")
            return True
        return False
