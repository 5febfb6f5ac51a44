"""Qt-free scanning layer: decoding, frame sources, debouncing, keyboard-wedge detection."""
from app.scanning.decoders import (
    FORMATS,
    ImageLoadError,
    ScanResult,
    decode_image,
    load_image,
    looks_like_member_code,
    validate,
)

__all__ = [
    "FORMATS",
    "ImageLoadError",
    "ScanResult",
    "decode_image",
    "load_image",
    "looks_like_member_code",
    "validate",
]
