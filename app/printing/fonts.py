"""Finding a font with Japanese glyphs (Noto Sans CJK, IPA, Takao, Meiryo, Yu Gothic, Hiragino...).

Thermal printers garble Japanese in text mode, so receipt lines are drawn with Pillow in such a
font and printed as raster images. ``TSUMUGI_CJK_FONT`` (a .ttf/.otf/.ttc path, optionally
``path#index``) overrides the search.
"""
from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from pathlib import Path

from PIL import ImageFont

from app.printing.errors import NoJapaneseFont

_CANDIDATES = [
    # Linux (Debian/Ubuntu fonts-noto-cjk, Fedora google-noto-sans-cjk, IPA, Takao, VL)
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKjp-Regular.otf",
    "/usr/share/fonts/truetype/noto/NotoSansJP-Regular.ttf",
    "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf",
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
    "/usr/share/fonts/truetype/takao-gothic/TakaoPGothic.ttf",
    "/usr/share/fonts/truetype/vlgothic/VL-Gothic-Regular.ttf",
    # macOS
    "/System/Library/Fonts/ヒラギノ角ゴシック W3.ttc",
    "/System/Library/Fonts/Hiragino Sans GB.ttc",
    "/Library/Fonts/Arial Unicode.ttf",
    # Windows
    r"C:\Windows\Fonts\YuGothR.ttc",
    r"C:\Windows\Fonts\meiryo.ttc",
    r"C:\Windows\Fonts\msgothic.ttc",
]
_PROBE = "会員ポイント"


def _fc_list() -> list[str]:
    """Fonts fontconfig says cover Japanese (Linux, some macOS setups)."""
    exe = shutil.which("fc-list")
    if not exe:
        return []
    try:
        out = subprocess.run([exe, ":lang=ja", "file"], capture_output=True, text=True, timeout=5).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    files = sorted({line.split(":")[0].strip() for line in out.splitlines() if line.strip()})
    # Prefer sans (gothic) faces and regular weights: they print best on thermal paper.
    return sorted(files, key=lambda f: ("Serif" in f or "Mincho" in f, "Bold" in f, f))


def _ttc_index(path: str) -> int:
    """The face index of the Japanese face in a collection (Noto's .ttc holds JP, KR, SC, TC, HK)."""
    if not path.lower().endswith(".ttc"):
        return 0
    for index in range(12):
        try:
            family = ImageFont.truetype(path, 12, index=index).getname()[0]
        except OSError:
            break
        if "JP" in family or "Japan" in family or "Gothic" in family or "Hiragino" in family:
            return index
    return 0


@functools.lru_cache(maxsize=1)
def find_cjk_font() -> tuple[str, int]:
    """(path, face index) of a font that can draw Japanese; raises NoJapaneseFont."""
    override = os.environ.get("TSUMUGI_CJK_FONT")
    if override:
        path, _, index = override.partition("#")
        if not Path(path).is_file():
            raise NoJapaneseFont(f"TSUMUGI_CJK_FONT points to {path!r}, which is not a font file.")
        return path, int(index) if index else _ttc_index(path)
    for path in [*_CANDIDATES, *_fc_list()]:
        if Path(path).is_file():
            try:
                index = _ttc_index(path)
                ImageFont.truetype(path, 12, index=index).getbbox(_PROBE)
            except OSError:
                continue
            return path, index
    hint = {
        "linux": "install fonts-noto-cjk (apt) or google-noto-sans-cjk-fonts (dnf)",
        "darwin": "Hiragino Sans ships with macOS; check /System/Library/Fonts",
        "win32": "install the Japanese language pack (Yu Gothic / Meiryo)",
    }.get(sys.platform, "install a Noto Sans CJK font")
    raise NoJapaneseFont(f"No Japanese (CJK) font was found to print receipts: {hint}, "
                         "or set TSUMUGI_CJK_FONT to a font file.")


@functools.lru_cache(maxsize=32)
def cjk_font(size: int) -> ImageFont.FreeTypeFont:
    path, index = find_cjk_font()
    return ImageFont.truetype(path, size, index=index)
