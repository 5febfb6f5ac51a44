"""Qt-free scanning layer: decoding, frame sources, debouncing, keyboard-wedge detection."""
from app.scanning.decoders import (
    FORMATS,
    ImageLoadError,
    LIVE_FALLBACKS,
    ScanResult,
    decode_frame,
    decode_image,
    load_image,
    looks_like_member_code,
    validate,
)
from app.scanning.pipeline import DecodeWorker, ScanDebouncer
from app.scanning.sources import CameraSource, FrameSource, ImageFolderSource, SourceError, VideoFileSource
from app.scanning.wedge import Complete, Incomplete, Typed, WedgeClassifier

__all__ = [
    "FORMATS",
    "ImageLoadError",
    "LIVE_FALLBACKS",
    "ScanResult",
    "decode_frame",
    "decode_image",
    "load_image",
    "looks_like_member_code",
    "validate",
    "DecodeWorker",
    "ScanDebouncer",
    "CameraSource",
    "FrameSource",
    "ImageFolderSource",
    "SourceError",
    "VideoFileSource",
    "Complete",
    "Incomplete",
    "Typed",
    "WedgeClassifier",
]
