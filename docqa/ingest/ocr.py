"""OCR for PDF pages that have no text layer (scans), with RapidOCR from the `ocr` extra.

rapidocr-onnxruntime ships its three PP-OCRv4 ONNX models (text detection, orientation,
recognition of Chinese and English) inside the wheel, reads them from its package folder and
holds no download code: OCR works offline. It is optional (pip install 'docqa[ocr]'): without it a
scan is reported as having no extractable text, as before.
"""

from __future__ import annotations

import importlib.util
import threading

# Rendering resolution for a scanned page (RapidOCR scales the long side down to 2,000 pixels).
DPI = 200
_lock = threading.Lock()
_engine = None


def available() -> bool:
    return importlib.util.find_spec("rapidocr_onnxruntime") is not None


def _get():
    global _engine
    with _lock:
        if _engine is None:
            from rapidocr_onnxruntime import RapidOCR

            _engine = RapidOCR()
        return _engine


def read(image) -> str:
    """A page image (PIL) -> its text, lines top to bottom; pieces of one line joined by a space."""
    import numpy as np

    result, _ = _get()(np.asarray(image.convert("RGB")))
    if not result:
        return ""
    pieces = []
    for box, text, _score in result:
        ys = [p[1] for p in box]
        pieces.append((min(ys), max(ys), min(p[0] for p in box), text.strip()))
    lines: list[list[tuple]] = []
    for piece in sorted(pieces):
        top, bottom = piece[0], piece[1]
        last = lines[-1] if lines else None
        # Same line when the piece's vertical middle falls inside the line's first piece.
        if last and last[0][0] <= (top + bottom) / 2 <= last[0][1]:
            last.append(piece)
        else:
            lines.append([piece])
    return "\n".join(" ".join(p[3] for p in sorted(line, key=lambda p: p[2]) if p[3]) for line in lines)
