"""Compile the translation sources (resources/translations/*.ts) to .qm files next to them.

`python -m ui.i18n_build` — run by scripts/setup and by the PyInstaller build. Uses the
lrelease shipped with PySide6, so no system Qt tools are needed.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

TRANSLATIONS = Path(__file__).resolve().parents[1] / "resources" / "translations"


def lrelease() -> str:
    exe = Path(sys.executable).with_name("pyside6-lrelease")
    return str(exe) if exe.exists() else (shutil.which("pyside6-lrelease") or "pyside6-lrelease")


def build() -> list[Path]:
    out = []
    for ts in sorted(TRANSLATIONS.glob("*.ts")):
        qm = ts.with_suffix(".qm")
        subprocess.run([lrelease(), "-silent", str(ts), "-qm", str(qm)], check=True)
        out.append(qm)
    return out


if __name__ == "__main__":
    for path in build():
        print(path)
