"""Fuzz the loaders and the chunker with hypothesis for a fixed time budget.

    python bench/fuzz.py [--seconds 120] [--targets text,markdown,html,pdf,chunker] [--seed N]

Targets:
  text, markdown, html   random bytes (and mutated valid files) written as .txt/.md/.html -> load()
  pdf                    mutated valid PDFs (byte flips, cuts, splices, inserted PDF tokens) -> load()
  docx, pptx, xlsx, csv, epub, odt, eml
                         mutated valid files of that format, written by its library -> load()
  chunker                random text, pages and sections -> chunk_document() with the real tokenizer

A finding is any exception other than docqa's LoadError (a clean "this file is bad, because ...")
or a broken invariant: page text holding NUL or the page separator, sections outside the text, a
chunk whose text is not ``doc.text[start:end]``, an empty chunk, a chunk across a page. Each
finding is printed once (shrunk by hypothesis) with its traceback; the exit code is 1 if any.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from docqa.errors import LoadError  # noqa: E402
from docqa.ingest.chunking import chunk_document  # noqa: E402
from docqa.ingest.loaders import load  # noqa: E402
from docqa.records import PAGE_SEP, LoadedDocument, Page, Section  # noqa: E402
from docqa.settings import IngestSettings  # noqa: E402

LOAD_SETTINGS = IngestSettings(parse_timeout_s=5.0, max_file_mb=4, max_pages=200)


class Finding(Exception):
    """A broken invariant."""


# --- seeds -----------------------------------------------------------------------------------------


def _seed_pdfs() -> list[bytes]:
    import io

    from fpdf import FPDF
    from pypdf import PdfReader, PdfWriter

    out = []
    pdf = FPDF()
    pdf.set_title("Seed")
    pdf.set_font("Helvetica", size=12)
    for text in ["Alpha page one. Café.", "Bravo page two.\nSecond line."]:
        pdf.add_page()
        pdf.multi_cell(0, 8, text)
    plain = bytes(pdf.output())
    out.append(plain)
    pdf = FPDF()
    pdf.set_compression(False)  # uncompressed content streams: mutations hit the text operators
    pdf.set_font("Helvetica", size=12)
    pdf.add_page()
    pdf.multi_cell(0, 8, "Uncompressed (parens) and \\ backslashes [brackets] <hex>.")
    out.append(bytes(pdf.output()))
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(plain)))
    writer.encrypt("", "owner")
    buf = io.BytesIO()
    writer.write(buf)
    out.append(buf.getvalue())
    return out


TEXT_SEEDS = [
    "Plain text.\n\nA second paragraph. With two sentences!".encode(),
    "# Title\n\n## Part\n\n```\n# not a heading\n```\n\n### Deep ###\ntext".encode(),
    b"<html><head><title>T</title><style>x{}</style></head><body><h1>H</h1><p>P &amp; q<br>r</p>"
    b"<table><tr><td>a</td><td>b</td></tr></table><script>s</script></body></html>",
    "Café naïve — 日本語 ☃".encode("utf-16"),
    "Latin-1 café façade".encode("latin-1"),
]
PDF_TOKENS = [
    b"obj", b"endobj", b"stream", b"endstream", b"<<", b">>", b"[", b"]", b"(", b")", b"/Kids", b"/Pages",
    b"/Count 99999999", b"/Length 0", b"/Filter /FlateDecode", b"1 0 R", b"xref", b"trailer", b"%%EOF",
    b"BT", b"ET", b"Tj", b"TJ", b"Tf", b"/Encrypt", b"-1", b"9999999999",
]


FORMAT_TOKENS = [b"PK\x03\x04", b"PK\x05\x06", b"<w:p>", b"<a:t>", b"<row r=\"1\">", b"<!DOCTYPE", b"&amp;", b";", b",", b"\"",
                 b"Content-Type: multipart/mixed; boundary=x", b"=?utf-8?b?", b"\r\n"]


def _seed_formats(targets: set[str]) -> dict[str, list[bytes]]:
    """Valid files of each format asked for, written by their libraries (tests/unit/formats_files.py)."""
    from tests.unit import formats_files as ff

    makers = {
        "docx": lambda: [ff.docx_bytes()], "pptx": lambda: [ff.pptx_bytes()], "xlsx": lambda: [ff.xlsx_bytes()],
        "epub": lambda: [ff.epub_bytes()], "odt": lambda: [ff.odt_bytes()],
        "eml": lambda: [ff.eml_bytes(), ff.eml_bytes(html=True)],
        "csv": lambda: [b"Name,Age,City\nAna,31,Oslo\nBo,44,\"Bergen,\nNorway\"\n", "a;b\n1;2\n".encode("utf-16")],
    }
    return {kind: make() for kind, make in makers.items() if kind in targets}


def _mutated(seeds: list[bytes], tokens: list[bytes]):
    """A seed with a few random edits: flip, delete, insert bytes or tokens, cut, splice."""

    @st.composite
    def strategy(draw):
        data = bytearray(draw(st.sampled_from(seeds)))
        for _ in range(draw(st.integers(1, 8))):
            if not data:
                break
            op = draw(st.sampled_from(["flip", "delete", "insert", "token", "cut", "splice", "dup"]))
            i = draw(st.integers(0, len(data) - 1))
            if op == "flip":
                data[i] = draw(st.integers(0, 255))
            elif op == "delete":
                del data[i : i + draw(st.integers(1, 64))]
            elif op == "insert":
                data[i:i] = draw(st.binary(min_size=1, max_size=32))
            elif op == "token":
                data[i:i] = b" " + draw(st.sampled_from(tokens)) + b" "
            elif op == "cut":
                del data[i:]
            elif op == "splice":
                other = draw(st.sampled_from(seeds))
                j = draw(st.integers(0, len(other) - 1))
                data[i:] = other[j:]
            else:
                j = draw(st.integers(i, min(len(data), i + 256)))
                data[i:i] = data[i:j] * draw(st.integers(1, 20))
        return bytes(data)

    return strategy()


# --- checks ----------------------------------------------------------------------------------------


def _check_doc(doc: LoadedDocument) -> None:
    text = doc.text
    for p in doc.pages:
        if "\x00" in p.text or PAGE_SEP in p.text:
            raise Finding(f"page {p.number} holds NUL or the page separator")
    if [p.number for p in doc.pages] != list(range(1, len(doc.pages) + 1)):
        raise Finding("pages are not numbered 1..n")
    for s in doc.sections:
        if not (0 <= s.start <= s.end <= len(text)):
            raise Finding(f"section {s} outside the text ({len(text)} chars)")
    if not isinstance(doc.title, str) or "\n" in doc.title:
        raise Finding(f"title is not one line: {doc.title!r}")


def _check_chunks(doc: LoadedDocument, chunks, target: int) -> None:
    text = doc.text
    page_starts, pos = [], 0
    for p in doc.pages:
        page_starts.append((pos, pos + len(p.text), p.number))
        pos += len(p.text) + len(PAGE_SEP)
    for i, c in enumerate(chunks):
        if c.ord != i:
            raise Finding(f"chunk ords not 0..n-1 at {i}")
        if c.text != text[c.start : c.end]:
            raise Finding(f"chunk {i} text is not doc.text[{c.start}:{c.end}]")
        if not c.text.strip():
            raise Finding(f"chunk {i} is empty")
        if PAGE_SEP in c.text:
            raise Finding(f"chunk {i} crosses a page boundary")
        page = next(n for a, b, n in page_starts if a <= c.start <= b)
        if not (c.page_start == c.page_end == page):
            raise Finding(f"chunk {i} says page {c.page_start}, its text is on page {page}")
        if c.n_tokens <= 0:
            raise Finding(f"chunk {i} has {c.n_tokens} tokens")
    covered = "".join(c.text for c in chunks)
    if any(ch.isalnum() for ch in text) and not chunks:
        raise Finding("a document with words gave no chunks")
    if sum(ch.isalnum() for ch in covered) < sum(ch.isalnum() for ch in text):
        raise Finding("chunks lost some of the text")


# --- targets ---------------------------------------------------------------------------------------


class Runner:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.executions: dict[str, int] = {}
        self.findings: dict[tuple[str, str], str] = {}
        self._embedder = None

    @property
    def embedder(self):
        if self._embedder is None:
            from docqa.models.embedder import make_embedder
            from docqa.settings import EmbeddingSettings

            self._embedder = make_embedder(EmbeddingSettings())
        return self._embedder

    def _load(self, target: str, suffix: str, data: bytes) -> None:
        self.executions[target] = self.executions.get(target, 0) + 1
        path = self.workdir / f"f{suffix}"
        path.write_bytes(data)
        try:
            doc = load(path, LOAD_SETTINGS)
        except LoadError as exc:
            if not str(exc) or "\n" in str(exc):
                raise Finding(f"LoadError message is not one plain line: {str(exc)!r}") from None
            return
        _check_doc(doc)

    def loader_test(self, target: str, suffix: str, strategy):
        @given(data=strategy)
        def test(data):
            self._load(target, suffix, data)

        return test

    def chunker_test(self):
        emb = self.embedder
        alphabet = st.characters(codec="utf-8", exclude_characters="\x00\f")
        words = st.one_of(
            st.text(alphabet, min_size=0, max_size=40),
            st.sampled_from(["word", "Sentence.", "End!", "why?", "\n\n", "\n", " ", "。", "“quote.”", "x" * 300,
                             "supercalifragilistic " * 30, "\t", "日本語の文。", "1.5", "e.g.", "...", "Mr."]),
        )
        page_text = st.lists(words, max_size=60).map(" ".join)

        @st.composite
        def docs(draw):
            pages = draw(st.lists(page_text, min_size=1, max_size=4))
            doc = LoadedDocument(Path("x.md"), "markdown", [Page(i + 1, t) for i, t in enumerate(pages)])
            n = len(doc.text)
            cuts = sorted(set(draw(st.lists(st.integers(0, n), max_size=5))))
            sections = [Section(a, b, f"s{i}") for i, (a, b) in enumerate(zip(cuts, cuts[1:])) if b > a]
            doc.sections = sections
            target = draw(st.integers(32, 256))
            overlap = draw(st.integers(0, min(64, target // 2)))
            return doc, target, overlap

        @given(case=docs())
        def test(case):
            doc, target, overlap = case
            self.executions["chunker"] = self.executions.get("chunker", 0) + 1
            chunks = chunk_document(doc, emb.count_tokens_many, emb.token_offsets, target, overlap)
            _check_chunks(doc, chunks, target)

        return test

    def tests(self, targets: list[str]):
        made = {}
        binary_or_seed = st.one_of(st.binary(max_size=4096), _mutated(TEXT_SEEDS, [b"<", b">", b"#", b"```", b"\n"]))
        for target, suffix in [("text", ".txt"), ("markdown", ".md"), ("html", ".html")]:
            if target in targets:
                made[target] = functools.partial(self.loader_test, target, suffix, binary_or_seed)
        if "pdf" in targets:
            made["pdf"] = functools.partial(self.loader_test, "pdf", ".pdf", _mutated(_seed_pdfs(), PDF_TOKENS))
        for kind, seeds in _seed_formats(set(targets)).items():
            made[kind] = functools.partial(self.loader_test, kind, f".{kind}", _mutated(seeds, FORMAT_TOKENS))
        if "chunker" in targets:
            made["chunker"] = self.chunker_test
        return made


def run(seconds: float, targets: list[str], seed: int | None = None, batch: int = 200) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        runner = Runner(Path(tmp))
        targets_made = runner.tests(targets)
        t0 = time.monotonic()
        rounds = 0
        while time.monotonic() - t0 < seconds:
            for name, make in targets_made.items():
                if time.monotonic() - t0 >= seconds:
                    break
                test = make()  # a fresh @given function: settings can be applied once per function
                conf = settings(
                    max_examples=batch, deadline=None, database=None, derandomize=seed is not None,
                    suppress_health_check=list(HealthCheck), phases=[Phase.generate, Phase.shrink],
                    print_blob=False,
                )
                try:
                    if seed is not None:
                        from hypothesis import seed as hseed

                        hseed(seed + rounds)(conf(test))()
                    else:
                        conf(test)()
                except Exception as exc:  # a finding: hypothesis re-raises the shrunk failure
                    key = (name, f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:200])
                    if key not in runner.findings:
                        runner.findings[key] = "".join(traceback.format_exception(exc))[-3000:]
            rounds += 1
        elapsed = time.monotonic() - t0
    return {
        "seconds": round(elapsed, 1), "executions": runner.executions, "total_executions": sum(runner.executions.values()),
        "findings": [{"target": t, "error": e, "traceback": tb} for (t, e), tb in runner.findings.items()],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=120)
    ap.add_argument("--targets", default="text,markdown,html,pdf,chunker")
    ap.add_argument("--seed", type=int, default=None, help="Derandomize (reproducible runs).")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    r = run(args.seconds, [t.strip() for t in args.targets.split(",") if t.strip()], args.seed)
    if args.json:
        import json

        print(json.dumps(r, indent=2))
    else:
        for f in r["findings"]:
            print(f"--- finding in {f['target']}: {f['error']}\n{f['traceback']}")
        per = ", ".join(f"{k} {v}" for k, v in r["executions"].items())
        print(f"{r['total_executions']} executions in {r['seconds']}s ({per}); {len(r['findings'])} finding(s)")
    sys.exit(1 if r["findings"] else 0)


if __name__ == "__main__":
    main()
