"""The bad-input corpus, generated (no third-party files), and the table of what ingest does with it.

    python bench/badinputs.py [--markdown] [--keep DIR]

Ingests the corpus plus a few good files into a fresh index with the library (the same code path
as `docqa ingest`), then once more with the PDF password for the encrypted file, and prints
"file | outcome | message" (Markdown with --markdown: what docs/bad_inputs.md holds).

tests/unit/test_bad_inputs.py and tests/unit/test_cli.py-style CLI tests import this module (by
file path, like bench/crashtest.py) so the table and the tests use one corpus.
"""

from __future__ import annotations

import argparse
import io
import os
import stat
import sys
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PDF_PASSWORD = "hunter2"
# A file that "keeps changing": a writer rewrites it while every read of it is being parsed.
CHANGING = "changing.txt"
# Outcomes as the ingest report files them.
FAILED, WARNING, INGESTED, SKIPPED = "failed", "warning", "ingested", "skipped"


@dataclass(frozen=True)
class Case:
    name: str  # file name inside the corpus folder (may hold spaces, unicode, a newline)
    what: str  # what it is, for the table
    outcome: str  # expected outcome (INGESTED for a file readable by root, see `unreadable`)
    message: str  # a substring of the expected one-line reason ("" for ingested files)
    raw_name: bytes | None = None  # a name that is not valid UTF-8 (written as bytes)

    def path(self, root: Path) -> str:
        """The path as the ingest report names it."""
        if self.raw_name is not None:
            return os.fsdecode(os.path.join(os.fsencode(root), self.raw_name))
        return str(root / self.name)


GOOD = {
    "good_otters.txt": "Otters hold hands while they sleep so that they do not drift apart on the current.",
    "good_bees.md": "# Bees\n\nHoneybees tell each other where flowers are with a waggle dance.",
}

# What each bad file is, and what ingest must say about it.
CASES = [
    Case("empty.txt", "an empty file", FAILED, "empty file"),
    Case("zero.pdf", "a zero-byte PDF", FAILED, "not a valid PDF: empty file"),
    Case("truncated.pdf", "a PDF cut in half", FAILED, "not a valid PDF: truncated file"),
    Case("encrypted.pdf", "an encrypted PDF, no password given", FAILED, "encrypted PDF: pass --pdf-password"),
    Case("scanned.pdf", "a PDF with no text layer (a drawn rectangle)", WARNING,
         "no extractable text (scanned? OCR is not enabled)"),
    Case("page_tree_loop.pdf", "a PDF whose page tree loops (Pages -> Pages -> Pages)", FAILED, "not a valid PDF"),
    Case("bomb.pdf", "a decompression bomb: a 200 KB stream that inflates to 200 MB", FAILED,
         "decompression limit reached"),
    Case("ledger_2000_pages.pdf", "a 2,000-page PDF", INGESTED, ""),
    Case("binary.txt", "binary data named .txt", FAILED, "binary data, not text"),
    Case("invalid_utf8.txt", "UTF-8 text with two invalid bytes", INGESTED, "invalid UTF-8: 2 byte sequence(s) replaced"),
    Case("utf16_no_bom.txt", "UTF-16-LE text without a BOM", INGESTED, ""),
    Case("one_50mb_line.txt", "one 50 MB line (no newline)", FAILED, "too much text"),
    Case("drawing.xyz", "a format docqa does not read", SKIPPED, "unsupported file type"),
    Case("photo.png", "an image", SKIPPED, "unsupported file type"),
    Case("loop_a.txt", "a symlink loop (loop_a.txt -> loop_b.txt -> loop_a.txt)", FAILED, "symlink loop"),
    Case("loop_b.txt", "the other half of the loop", FAILED, "symlink loop"),
    Case("dangling.txt", "a symlink to a file that does not exist", FAILED, "no such file"),
    Case("pipe.txt", "a named pipe (FIFO) named .txt", FAILED, "not a regular file"),
    Case("unreadable.txt", "a file without read permission (chmod 000)", FAILED, "permission denied"),
    Case(CHANGING, "a file rewritten while it is being ingested", FAILED, "file changed while it was being read"),
    Case("pdf_bytes.txt", "PDF bytes named .txt", FAILED, "content is PDF, extension says text"),
    Case("archive.pdf", "a zip archive named .pdf", FAILED, "content is a zip archive, extension says PDF"),
    Case("workbook.docx", "an Excel workbook named .docx", FAILED,
         "content is an Excel workbook (xlsx), extension says a Word document (docx)"),
    Case("truncated.docx", "a Word file cut in half", FAILED, "not a Word document (docx): truncated file"),
    Case("encrypted.xlsx", "a password-protected workbook (an OLE file holding EncryptionInfo)", FAILED,
         "encrypted xlsx (password-protected)"),
    Case("bomb.docx", "a zip bomb: a 50 KB part that inflates to 50 MB", FAILED, "a zip bomb?"),
    Case("text.pptx", "plain text named .pptx", FAILED, "not a PowerPoint deck (pptx): not a zip container"),
    Case("drm.epub", "an EPUB whose chapters are encrypted (DRM)", FAILED, "encrypted epub (DRM)"),
    Case("notes with spaces.txt", "a path with spaces", INGESTED, ""),
    Case("café ünïcödé 日本語.md", "a path with unicode", INGESTED, ""),
    Case("line\nbreak.txt", "a path with a newline", INGESTED, ""),
    Case("bad-\\xff-name.txt", "a file name that is not valid UTF-8", FAILED, "file name is not valid UTF-8",
         raw_name=b"bad-\xff-name.txt"),
]


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def expected(case: Case) -> tuple[str, str]:
    """(outcome, message) expected on this machine: root reads a chmod-000 file."""
    if case.name == "unreadable.txt" and is_root():
        return INGESTED, ""
    return case.outcome, case.message


# --- generators --------------------------------------------------------------------------------


def text_pdf(pages: list[str]) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 8, text)
    return bytes(pdf.output())


def scanned_pdf() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 50, style="F")
    return bytes(pdf.output())


def encrypted_pdf(text: str, password: str = PDF_PASSWORD) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf([text]))))
    writer.encrypt(password, algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def raw_pdf(objects: list[bytes | str]) -> bytes:
    """A hand-written PDF with a correct xref table: objects numbered from 1, the first the catalog."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n".encode() + (body.encode() if isinstance(body, str) else body) + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    out.write("".join(f"{o:010d} 00000 n \n" for o in offsets).encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def page_tree_loop_pdf() -> bytes:
    return raw_pdf([
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Pages /Kids [2 0 R] /Count 1 >>",
    ])


def bomb_pdf(inflated_mb: int = 200) -> bytes:
    """One page whose content stream inflates to `inflated_mb` MB of spaces (valid content syntax)."""
    z = zlib.compressobj(9)
    parts = [z.compress(b"BT /F1 12 Tf 72 720 Td (boom) Tj ET\n")]
    block = b" " * (1 << 20)
    parts += [z.compress(block) for _ in range(inflated_mb)]
    parts.append(z.flush())
    stream = b"".join(parts)
    return raw_pdf([
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(stream)} /Filter /FlateDecode >>\nstream\n".encode() + stream + b"\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ])


def long_pdf(pages: int = 2000) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    for i in range(1, pages + 1):
        pdf.add_page()
        pdf.cell(0, 10, f"Ledger page {i}: entry {i} was filed under shelf {i % 37}.")
    return bytes(pdf.output())


def one_long_line(mb: int = 50) -> bytes:
    words = b"lantern meadow quarry mill canal bakery orchard harbour "
    return (words * (mb * 1_000_000 // len(words) + 1))[: mb * 1_000_000]


def office_cases() -> dict[str, bytes]:
    """The container formats' bad files, written with the libraries that read them."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.unit import formats_files as ff

    docx = ff.docx_bytes()
    return {
        "pdf_bytes.txt": text_pdf(["A PDF saved under the wrong name."]),
        "archive.pdf": ff.many_parts(3),
        "workbook.docx": ff.xlsx_bytes(),
        "truncated.docx": docx[: len(docx) // 2],
        "encrypted.xlsx": ff.encrypted_office(),
        "bomb.docx": ff.zip_bomb(mb=50),
        "text.pptx": b"Slides for Monday: agenda, budget, questions.\n",
        "drm.epub": ff.drm_epub(),
    }


def make_corpus(root: Path, good: bool = True, big: bool = True) -> list[Case]:
    """Write every case (and the good files) into `root`. big=False writes a 20-page PDF and a
    1 MB line in place of the 2,000 pages and 50 MB (for quick tests with lowered limits)."""
    root.mkdir(parents=True, exist_ok=True)
    files: dict[str, bytes] = {
        "empty.txt": b"",
        "zero.pdf": b"",
        "encrypted.pdf": encrypted_pdf("The vault code is kept in the encrypted ledger."),
        "scanned.pdf": scanned_pdf(),
        "page_tree_loop.pdf": page_tree_loop_pdf(),
        "bomb.pdf": bomb_pdf(),
        "ledger_2000_pages.pdf": long_pdf(2000 if big else 20),
        "binary.txt": bytes(range(256)) * 64,
        "invalid_utf8.txt": "Prices at the café on the quay: 3 € a crêpe, 2 € a thé.\n".encode() * 3
        + b"A copy error left two bad bytes here: \xff\xc3\x28.\n" + "The harbour opens at dawn.\n".encode(),
        "utf16_no_bom.txt": "UTF-16 text without a byte order mark: the ferry leaves at noon.\n".encode("utf-16-le"),
        "one_50mb_line.txt": one_long_line(50 if big else 1),
        "drawing.xyz": b"\x00\x01CAD drawing\x00" * 10,
        "photo.png": b"\x89PNG\r\n\x1a\n" + bytes(200),
        "unreadable.txt": b"A secret note that only its owner may read.\n",
        CHANGING: b"Version 0 of a log that is still being written.\n",
        "notes with spaces.txt": b"Notes with spaces: the lighthouse keeper logs the fog horn.\n",
        "café ünïcödé 日本語.md": "# Café\n\nThe café on the quay serves 日本語 menus.\n".encode(),
        "line\nbreak.txt": b"A file whose name holds a newline: the canal lock opens hourly.\n",
    }
    good_pdf = text_pdf(["The first page of a good PDF.", "Half a page that will be cut off mid-stream."] * 4)
    files["truncated.pdf"] = good_pdf[: len(good_pdf) // 2]
    files.update(office_cases())
    if good:
        files.update({name: text.encode() for name, text in GOOD.items()})
    for name, data in files.items():
        (root / name).write_bytes(data)
    os.chmod(root / "unreadable.txt", 0)
    (root / "loop_a.txt").symlink_to("loop_b.txt")
    (root / "loop_b.txt").symlink_to("loop_a.txt")
    (root / "dangling.txt").symlink_to("does-not-exist.txt")
    os.mkfifo(root / "pipe.txt")
    with open(os.path.join(os.fsencode(root), b"bad-\xff-name.txt"), "wb") as f:
        f.write(b"A file whose name is latin-1 bytes.\n")
    return list(CASES)


def cleanup(root: Path) -> None:
    """Give back read permission so that a temp folder can be removed."""
    p = root / "unreadable.txt"
    if p.exists():
        os.chmod(p, stat.S_IRUSR | stat.S_IWUSR)


@contextmanager
def rewriting(name: str = CHANGING) -> Iterator[None]:
    """Simulate a writer: every time the pipeline parses the file called `name`, the file is
    rewritten before the pipeline checks it again (deterministic, unlike a racing thread)."""
    from docqa.ingest import pipeline

    original = pipeline.load
    count = 0

    def load(path, settings, data=None):
        nonlocal count
        doc = original(path, settings, data=data)
        if Path(path).name == name:
            count += 1
            Path(path).write_bytes(f"Version {count} of a log that is still being written.\n".encode())
        return doc

    pipeline.load = load
    try:
        yield
    finally:
        pipeline.load = original


# --- the table ---------------------------------------------------------------------------------


def outcomes(report, root: Path, cases: list[Case]) -> dict[str, tuple[str, str]]:
    """Case name -> (outcome, message) from an IngestReport."""
    from docqa.ingest.pipeline import printable_path

    failed = dict(report.failed)
    warnings: dict[str, list[str]] = {}
    for path, warning in report.warnings:
        warnings.setdefault(path, []).append(warning)
    ingested, unsupported = set(report.ingested), set(report.unsupported)
    got = {}
    for case in cases:
        path = case.path(root)
        shown = printable_path(path)
        if path in failed or shown in failed:
            got[case.name] = (FAILED, failed.get(path) or failed[shown])
        elif path in unsupported:
            got[case.name] = (SKIPPED, "unsupported file type")
        elif path in warnings and path not in ingested:
            got[case.name] = (WARNING, "; ".join(warnings[path]))
        elif path in ingested:
            got[case.name] = (INGESTED, "; ".join(warnings.get(path, [])))
        else:
            got[case.name] = ("missing", "not in the report")
    return got


def run(workdir: Path) -> list[dict]:
    """Ingest the corpus (twice: without and with the PDF password) and return the table rows."""
    from docqa.index import Index
    from docqa.settings import load_settings

    corpus = workdir / "corpus"
    cases = make_corpus(corpus)
    settings = load_settings({"index": str(workdir / "index")}, environ={})
    try:
        with Index.open(settings.index, settings) as idx, rewriting():
            report = idx.ingest([corpus])
        got = outcomes(report, corpus, cases)
        with_pw = load_settings(
            {"index": str(workdir / "index"), "ingest": {"pdf_password": PDF_PASSWORD}}, environ={}
        )
        with Index.open(with_pw.index, with_pw) as idx:
            second = idx.ingest([corpus / "encrypted.pdf"])
            docs = {d.path: d for d in idx.documents()}
    finally:
        cleanup(corpus)
    rows = []
    for case in cases:
        outcome, message = got[case.name]
        exp_outcome, exp_message = expected(case)
        ok = outcome == exp_outcome and exp_message in message
        if outcome == INGESTED:
            doc = docs.get(case.path(corpus))
            message = message or (_counts(doc) if doc else "")
            if case.name == "unreadable.txt":
                message = "running as root, which reads any file; as a user: failed, permission denied"
        rows.append({"file": case.name, "what": case.what, "outcome": outcome, "message": message, "ok": ok})
        if case.name == "encrypted.pdf":
            enc = str(corpus / "encrypted.pdf")
            doc = docs.get(enc)
            rows.append({
                "file": "encrypted.pdf", "what": f"the same, with --pdf-password {PDF_PASSWORD}",
                "outcome": INGESTED if enc in second.ingested else FAILED,
                "message": _counts(doc) if doc else dict(second.failed).get(enc, ""),
                "ok": enc in second.ingested,
            })
    for name in GOOD:
        path = str(corpus / name)
        rows.append({
            "file": name, "what": "a good file beside them", "outcome": INGESTED if path in report.ingested else FAILED,
            "message": "", "ok": path in report.ingested,
        })
    rows.append({"file": "(exit code)", "what": "`docqa ingest` on the folder", "outcome": str(report.exit_code),
                 "message": "1: some files failed; the rest are stored", "ok": report.exit_code == 1})
    return rows


def _counts(doc) -> str:
    return f"{doc.pages} page{'s' * (doc.pages != 1)}, {doc.chunks} chunk{'s' * (doc.chunks != 1)}"


def _cell(text: str) -> str:
    from docqa.ingest.pipeline import printable_path

    return printable_path(text).replace("|", "\\|")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--markdown", action="store_true", help="Print a Markdown table.")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rows = run(Path(tmp))
    if args.markdown:
        print("| file | what it is | outcome | message |")
        print("|---|---|---|---|")
        for r in rows:
            print(f"| `{_cell(r['file'])}` | {_cell(r['what'])} | {r['outcome']} | {_cell(r['message'])} |")
    else:
        for r in rows:
            print(f"{_cell(r['file'])[:32]:32} {r['outcome']:9} {'ok ' if r['ok'] else 'BAD'} {_cell(r['message'])}")
    bad = [r["file"] for r in rows if not r["ok"]]
    print(f"\n{len(rows) - len(bad)}/{len(rows)} as expected" + (f"; unexpected: {bad}" if bad else ""), file=sys.stderr)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
