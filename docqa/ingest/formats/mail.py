"""E-mail messages (.eml, RFC 5322) with the standard library's parser.

The subject, sender, recipients and date open the text as header lines ("From: ..."), so they are
searchable and shown with every citation of the message's first chunk; the subject is the title and
the body's section is "subject — sender, date", so every chunk says which message it is from.
The plain-text body is preferred to the HTML one; attachments are listed, not read.
"""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from pathlib import Path

from docqa.errors import LoadError
from docqa.ingest.formats.builder import Builder
from docqa.ingest.text import decode, html_text
from docqa.records import LoadedDocument
from docqa.settings import IngestSettings

HEADERS = ("Subject", "From", "To", "Cc", "Date")


def load_eml(path: Path, data: bytes, settings: IngestSettings, deadline: float) -> LoadedDocument:
    decode(data)  # binary data is refused here, with the text loaders' reason
    try:
        msg = email.message_from_bytes(data, policy=email.policy.default)
        fields = {name: " ".join(str(msg.get(name, "") or "").split()) for name in HEADERS}
    except Exception as exc:  # the header parser raises on malformed encoded words
        raise LoadError(f"not an e-mail message: {exc}") from None
    if not (fields["From"] or fields["Subject"] or fields["Date"]):
        raise LoadError("not an e-mail message: no From, Subject or Date header")
    b = Builder(settings, deadline)
    b.page(1)
    b.block("\n".join(f"{name}: {value}" for name, value in fields.items() if value))
    attachments = [part.get_filename() or part.get_content_type() for part in msg.iter_attachments()]
    if attachments:
        b.block("Attachments (not read): " + ", ".join(attachments))
    b.heading(" — ".join(filter(None, [fields["Subject"], ", ".join(filter(None, [fields["From"], fields["Date"]]))])), 1)
    body = _body(msg)
    if body is not None:
        b.passage(*body)
    return b.document(path, "eml", fields["Subject"])


def _body(msg: EmailMessage) -> tuple[str, list[tuple[int, int, str]]] | None:
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is None:
        return None
    try:
        content = part.get_content()
    except (LookupError, ValueError) as exc:  # an unknown charset, a broken transfer encoding
        raise LoadError(f"e-mail body cannot be decoded: {exc}") from None
    if part.get_content_subtype() == "html":
        text, headings, _title = html_text(content)
        return text, headings
    return content, []
