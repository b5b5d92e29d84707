"""What every loader shares: the parse-timeout signal, the text clean-up that keeps offsets true,
and the text-size limit. Its own module, so that format modules and loaders.py (which dispatches
to them) do not import each other."""

from __future__ import annotations

from docqa.errors import LoadError
from docqa.records import PAGE_SEP
from docqa.settings import IngestSettings

TITLE_MAX = 120


class ParseTimeout(BaseException):
    """A BaseException, so that parsers' own `except Exception` blocks cannot swallow it."""


def clean(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\x00", "").replace(PAGE_SEP, "\n")


def check_text_size(chars: int, settings: IngestSettings) -> None:
    """Chunking and embedding cost grows with the text: a file with more is skipped, not half-read."""
    if chars > settings.max_text_mb * 1_000_000:
        raise LoadError(
            f"too much text ({chars / 1_000_000:.1f} million characters > max_text_mb {settings.max_text_mb:g})"
        )
