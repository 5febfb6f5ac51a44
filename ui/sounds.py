"""Two short sounds: a good scan and a refused one (QSoundEffect), with an off switch.
The WAV files are generated with the wave module if missing (resources/sounds)."""
from __future__ import annotations

import logging
import math
import struct
import wave
from pathlib import Path

log = logging.getLogger(__name__)
SOUNDS = Path(__file__).resolve().parents[1] / "resources" / "sounds"


def make_wav(path: Path, tones: list[tuple[float, float]], rate: int = 22050, volume: float = 0.35) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    frames = bytearray()
    for freq, seconds in tones:
        n = int(rate * seconds)
        for i in range(n):
            env = min(1.0, i / 200, (n - i) / 200)  # no clicks
            frames += struct.pack("<h", int(32767 * volume * env * math.sin(2 * math.pi * freq * i / rate)))
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(bytes(frames))


def ensure_sounds() -> tuple[Path, Path]:
    good, bad = SOUNDS / "good.wav", SOUNDS / "refused.wav"
    if not good.exists():
        make_wav(good, [(1760, 0.08)])
    if not bad.exists():
        make_wav(bad, [(330, 0.12), (0, 0.04), (262, 0.18)])
    return good, bad


class Sounds:
    def __init__(self, enabled: bool = True, parent=None):
        self.enabled = enabled
        self._parent = parent
        self._effects = None

    def _load(self):
        if self._effects is not None:
            return self._effects
        self._effects = {}
        try:
            from PySide6.QtCore import QUrl
            from PySide6.QtMultimedia import QSoundEffect

            good, bad = ensure_sounds()
            for name, path in (("good", good), ("bad", bad)):
                eff = QSoundEffect(self._parent)
                eff.setSource(QUrl.fromLocalFile(str(path)))
                eff.setVolume(0.6)
                self._effects[name] = eff
        except Exception:  # no audio back end: stay silent, never fail a scan for it
            log.warning("sound is not available on this computer", exc_info=True)
        return self._effects

    def play(self, name: str) -> None:
        if not self.enabled:
            return
        eff = self._load().get(name)
        if eff is not None:
            eff.play()
