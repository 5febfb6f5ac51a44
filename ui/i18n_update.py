"""Regenerate the translation sources: `python -m ui.i18n_update`.

Runs pyside6-lupdate over every ui/**/*.py (ui/manager/ included) into resources/translations/tsumugi_{ja,en}.ts, then fills every
message: Japanese from ui/i18n_ja.JA, English = the source text. Prints what is missing (and exits
1 if any Japanese is missing), then compiles the .qm files (ui.i18n_build)."""
from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from ui.i18n_build import TRANSLATIONS, build

UI = Path(__file__).resolve().parent


def lupdate() -> str:
    exe = Path(sys.executable).with_name("pyside6-lupdate")
    return str(exe) if exe.exists() else "pyside6-lupdate"


def fill(ts: Path, lang: str) -> list[str]:
    from ui.i18n_ja import JA

    tree = ET.parse(ts)
    root = tree.getroot()
    root.set("language", "ja_JP" if lang == "ja" else "en_US")
    root.set("sourcelanguage", "en_US")
    missing = []
    for ctx in root.iter("context"):
        for msg in list(ctx.iter("message")):
            tr = msg.find("translation")
            if tr is not None and tr.get("type") in ("obsolete", "vanished"):
                ctx.remove(msg)
                continue
            source = msg.find("source").text or ""
            text = JA.get(source) if lang == "ja" else source
            if tr is None:
                tr = ET.SubElement(msg, "translation")
            if text and msg.get("numerus") == "yes":
                for child in list(tr):
                    tr.remove(child)
                tr.text = None
                for _ in range(1 if lang == "ja" else 2):  # Japanese has one plural form, English two
                    ET.SubElement(tr, "numerusform").text = text
                tr.attrib.pop("type", None)
            elif text:
                tr.text = text
                tr.attrib.pop("type", None)
            else:
                missing.append(source)
                tr.set("type", "unfinished")
    tree.write(ts, encoding="utf-8", xml_declaration=True)
    return missing


def update() -> int:
    TRANSLATIONS.mkdir(parents=True, exist_ok=True)
    sources = sorted(str(p) for p in UI.rglob("*.py") if p.name not in ("i18n_ja.py",) and "__pycache__" not in p.parts)
    status = 0
    for lang in ("ja", "en"):
        ts = TRANSLATIONS / f"tsumugi_{lang}.ts"
        subprocess.run([lupdate(), *sources, "-no-obsolete", "-ts", str(ts)], check=True,
                       stdout=subprocess.DEVNULL)
        missing = fill(ts, lang)
        for m in missing:
            print(f"{lang}: missing translation for {m!r}")
        if missing:
            status = 1
    for qm in build():
        print(qm)
    return status


if __name__ == "__main__":
    sys.exit(update())
