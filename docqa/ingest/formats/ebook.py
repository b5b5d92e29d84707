"""EPUB e-books: each chapter (a document of the spine, in reading order) is a page of its own,
titled from the table of contents, so a citation says which chapter, and headings inside it nest
under the chapter's title."""

from __future__ import annotations

import io
import re
import warnings as pywarnings
from pathlib import Path, PurePosixPath

from docqa.errors import LoadError
from docqa.ingest.formats.builder import Builder
from docqa.ingest.formats.container import open_zip
from docqa.ingest.text import html_text
from docqa.records import LoadedDocument
from docqa.settings import IngestSettings

_FONT = re.compile(r"\.(?:ttf|otf|woff2?)$", re.I)
_CIPHER_URI = re.compile(rb"""CipherReference[^>]*URI\s*=\s*["']([^"']+)""")


def load_epub(path: Path, data: bytes, settings: IngestSettings, deadline: float) -> LoadedDocument:
    with open_zip(data, "epub", settings) as z:
        if "META-INF/encryption.xml" in z.namelist():
            # Publishers obfuscate embedded fonts this way too; encrypted chapters mean DRM.
            uris = _CIPHER_URI.findall(z.read("META-INF/encryption.xml"))
            if any(not _FONT.search(u.decode("utf-8", "replace")) for u in uris):
                raise LoadError("encrypted epub (DRM): docqa cannot read its chapters")
    import ebooklib
    from ebooklib import epub

    with pywarnings.catch_warnings():
        pywarnings.simplefilter("ignore")  # ebooklib warns about future defaults on every read
        book = epub.read_epub(io.BytesIO(data))
    titles = _toc_titles(book.toc)
    b = Builder(settings, deadline)
    chapter = 0
    for idref, _linear in book.spine:
        item = book.get_item_with_id(idref)
        # The EPUB 3 navigation document is the table of contents, not a chapter.
        if item is None or item.get_type() != ebooklib.ITEM_DOCUMENT or isinstance(item, epub.EpubNav):
            continue
        text, headings, html_title = html_text(item.get_content().decode("utf-8", "replace"))
        if not text.strip():
            continue  # a cover image, a blank page: not a chapter anyone cites
        chapter += 1
        b.page(chapter)
        name = titles.get(PurePosixPath(item.get_name()).name) or (headings[0][2] if headings else "") or html_title
        b.heading(name or f"chapter {chapter}", 1)
        # The chapter's own first heading usually repeats its title: it is not nested under itself.
        inner = [h for h in headings if h[2] != name]
        b.passage(text, inner, level_offset=1)
    title = next(iter(book.get_metadata("DC", "title")), ("",))[0]
    return b.document(path, "epub", title)


def _toc_titles(toc) -> dict[str, str]:
    """File name -> the table of contents' first title for it."""
    titles: dict[str, str] = {}
    for entry in toc:
        if isinstance(entry, tuple):  # (Section, [children])
            section, children = entry
            _add(titles, section)
            for name, title in _toc_titles(children).items():
                titles.setdefault(name, title)
        else:
            _add(titles, entry)
    return titles


def _add(titles: dict[str, str], link) -> None:
    href = getattr(link, "href", "") or ""
    if href and getattr(link, "title", ""):
        titles.setdefault(PurePosixPath(href.split("#")[0]).name, link.title)
