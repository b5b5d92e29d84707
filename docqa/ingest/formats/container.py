"""What a file's bytes are, whatever its name says; and a zip container opened within limits.

`check` runs before any parser: PDF bytes in a .txt, a zip in a .pdf or a spreadsheet named .docx
fail with one line naming both ("content is PDF, extension says text"), instead of being stored as
junk or reaching a parser that mis-reports them. Office, e-book and OpenDocument files are zip
containers; `open_zip` refuses one whose parts would expand past the limits before any part is
inflated (a zip bomb), since every library below reads its parts whole.
"""

from __future__ import annotations

import io
import zipfile

from docqa.errors import LoadError
from docqa.settings import IngestSettings

# The zip container of each format, told apart by a part only it has (or the ODF/EPUB mimetype).
ZIP_KINDS = {"docx": "word/document.xml", "pptx": "ppt/presentation.xml", "xlsx": "xl/workbook.xml"}
MIMETYPES = {
    "application/epub+zip": "epub",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
}
ZIPPED = {"docx", "pptx", "xlsx", "epub", "odt"}
# What each kind's content is called in a message.
NAMES = {
    "pdf": "PDF", "text": "text", "markdown": "text", "html": "text", "csv": "text", "eml": "text",
    "docx": "a Word document (docx)", "pptx": "a PowerPoint deck (pptx)", "xlsx": "an Excel workbook (xlsx)",
    "epub": "an EPUB e-book", "odt": "an OpenDocument text (odt)", "ods": "an OpenDocument spreadsheet",
    "odp": "an OpenDocument presentation", "zip": "a zip archive", "ole": "a legacy Office file (doc/xls/ppt)",
    "encrypted-office": "a password-protected Office file", "png": "a PNG image", "jpeg": "a JPEG image",
    "gif": "a GIF image", "gzip": "gzip data", "elf": "an executable",
}
_MAGIC = [
    (b"PK\x03\x04", "zip"), (b"PK\x05\x06", "zip"), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),
    (b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpeg"), (b"GIF8", "gif"), (b"\x1f\x8b", "gzip"),
    (b"\x7fELF", "elf"),
]
# Zip limits: parts are inflated whole, and XML grows about tenfold again once parsed.
MAX_PARTS = 10_000
EXPANSION = 10  # the parts together may hold at most this many times max_file_mb
BOMB_RATIO = 200  # a part this many times smaller than it expands to, and over BOMB_MIN, is a bomb
BOMB_MIN = 10 * 1024 * 1024


def content_kind(data: bytes) -> str | None:
    """What the bytes are, when their first bytes say so; None for anything else (text, unknown)."""
    if b"%PDF-" in data[:1024]:
        return "pdf"
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            if kind == "zip":
                return _zip_kind(data)
            if kind == "ole" and "EncryptionInfo".encode("utf-16-le") in data:
                return "encrypted-office"  # an encrypted docx/xlsx/pptx is an OLE file holding the zip
            return kind
    return None


def _zip_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
            if "mimetype" in names and z.getinfo("mimetype").file_size < 200:
                kind = MIMETYPES.get(z.read("mimetype").decode("ascii", "replace").strip())
                if kind:
                    return kind
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError):
        return "zip"  # damaged: the loader's own check names the damage
    return next((kind for kind, part in ZIP_KINDS.items() if part in names), "zip")


def check(kind: str, data: bytes) -> None:
    """LoadError when the bytes are recognisably something other than what the extension says."""
    found = content_kind(data)
    if found is None or found == kind:
        return
    if found == "encrypted-office" and kind in ZIP_KINDS:
        raise LoadError(f"encrypted {kind} (password-protected): docqa cannot open it; save a copy without a password")
    if found == "zip" and kind in ZIPPED:
        return  # a damaged or odd container of the right family: the loader says what is wrong
    raise LoadError(f"content is {NAMES[found]}, extension says {NAMES.get(kind, kind)}")


def open_zip(data: bytes, kind: str, settings: IngestSettings) -> zipfile.ZipFile:
    """The container, after its central directory shows nothing that would blow up when read.

    Declared sizes can be trusted: zipfile stops inflating a part at its declared size and fails
    its CRC check when the data says otherwise."""
    what = NAMES[kind]
    if not data.startswith(b"PK"):
        raise LoadError(f"not {what}: not a zip container")
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        parts = z.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        truncated = b"PK\x05\x06" not in data[-65_557:]  # no end-of-central-directory record
        raise LoadError(f"not {what}: {'truncated file' if truncated else f'damaged zip container ({exc})'}") from None
    if len(parts) > MAX_PARTS:
        raise LoadError(f"too many parts in the container ({len(parts)} > {MAX_PARTS})")
    total = sum(p.file_size for p in parts)
    limit = EXPANSION * settings.max_file_mb * 1024 * 1024
    if total > limit:
        raise LoadError(
            f"parts expand to {total / 1024 / 1024:.0f} MB (> {EXPANSION} x max_file_mb {settings.max_file_mb:g}): a zip bomb?"
        )
    for p in parts:
        if p.file_size > BOMB_MIN and p.file_size > BOMB_RATIO * max(p.compress_size, 1):
            ratio = p.file_size // max(p.compress_size, 1)
            raise LoadError(f"part {p.filename} inflates {ratio}-fold to {p.file_size / 1024 / 1024:.0f} MB: a zip bomb?")
        if p.flag_bits & 0x1:
            raise LoadError(f"encrypted {kind}: part {p.filename} is password-protected")
    return z


def read_part(z: zipfile.ZipFile, name: str, what: str) -> bytes:
    """One part's bytes; a damaged part is a LoadError naming it."""
    try:
        return z.read(name)
    except KeyError:
        raise LoadError(f"not {what}: no {name} in the container") from None
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        raise LoadError(f"not {what}: damaged part {name} ({exc})") from None


def parse_error(kind: str, exc: Exception) -> LoadError:
    """A library's exception as one line: "not an Excel workbook (xlsx): <its first line>"."""
    first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
    return LoadError(f"not {NAMES[kind]}: {first}")
