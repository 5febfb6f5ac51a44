"""Qt-free scanning layer: decoding, frame sources, debouncing, keyboard-wedge detection.

Names are loaded on first use: the keyboard-wedge classifier is needed at start-up, the decoders
(OpenCV, zxing-cpp: most of a second to import) only when a camera or an image is decoded.
"""
from importlib import import_module

_WHERE = {
    "FORMATS": "decoders", "ImageLoadError": "decoders", "LIVE_FALLBACKS": "decoders",
    "ScanResult": "decoders", "decode_frame": "decoders", "decode_image": "decoders",
    "load_image": "decoders", "looks_like_member_code": "decoders", "validate": "decoders",
    "DecodeWorker": "pipeline", "ScanDebouncer": "pipeline",
    "CameraSource": "sources", "FrameSource": "sources", "ImageFolderSource": "sources",
    "SourceError": "sources", "VideoFileSource": "sources",
    "Complete": "wedge", "Incomplete": "wedge", "Typed": "wedge", "WedgeClassifier": "wedge",
}

__all__ = sorted(_WHERE)


def __getattr__(name):
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'app.scanning' has no attribute {name!r}")
    value = getattr(import_module(f"app.scanning.{module}"), name)
    globals()[name] = value
    return value
