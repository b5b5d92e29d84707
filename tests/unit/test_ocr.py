"""OCR (the ocr extra): a PDF page without a text layer that holds an image is read by RapidOCR;
without the extra, or with ingest.ocr = "off", it is reported as having no text, as before."""

from __future__ import annotations

from pathlib import Path

import pytest

from docqa.ingest import ocr
from docqa.ingest.loaders import NO_TEXT, NoTextError, load
from docqa.settings import IngestSettings

needs_ocr = pytest.mark.skipif(not ocr.available(), reason="the ocr extra is not installed (pip install 'docqa[ocr]')")
LINES = ["The harbour master recorded 412 vessels in 1897.", "Fog closed the port for nine days."]


def scanned_pdf(path: Path) -> Path:
    """An image-only PDF page: text drawn with Pillow's built-in font (no system font needed)."""
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("L", (1300, 400), 255)
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(LINES):
        draw.text((60, 100 + 90 * i), line, fill=0, font=ImageFont.load_default(size=40))
    img.save(path, resolution=ocr.DPI)
    return path


@needs_ocr
def test_a_scanned_page_is_read_by_ocr(tmp_path):
    doc = load(scanned_pdf(tmp_path / "scan.pdf"), IngestSettings())
    text = doc.pages[0].text
    assert "412" in text and "1897" in text and "harbour" in text.lower() and "Fog" in text
    assert text.index("412") < text.index("Fog"), "lines in reading order"
    assert doc.warnings == ["page(s) 1 read by OCR"]


@pytest.mark.parametrize("how", ["setting off", "extra missing"])
def test_without_ocr_a_scan_has_no_text(tmp_path, monkeypatch, how):
    settings = IngestSettings(ocr="off" if how == "setting off" else "auto")
    if how == "extra missing":
        monkeypatch.setattr(ocr, "available", lambda: False)
    with pytest.raises(NoTextError) as info:
        load(scanned_pdf(tmp_path / "scan.pdf"), settings)
    assert str(info.value) == NO_TEXT


@needs_ocr
def test_the_ocr_models_ship_inside_the_wheel():
    """RapidOCR reads its models from its own package folder: nothing to download at run time."""
    import rapidocr_onnxruntime

    package = Path(rapidocr_onnxruntime.__file__).parent
    config = (package / "config.yaml").read_text()
    models = [line.split(":", 1)[1].strip() for line in config.splitlines() if line.strip().startswith("model_path:")]
    assert len(models) == 3
    for model in models:
        assert (package / model).stat().st_size > 500_000, model


def test_a_page_that_cannot_be_rendered_stays_without_text(tmp_path, monkeypatch):
    """Found by bench/fuzz.py: PDFium refusing to load one page must not fail the whole file."""
    from docqa.ingest import pdf

    def refuse(self, i, dpi):
        raise RuntimeError("Failed to load page.")

    monkeypatch.setattr(ocr, "available", lambda: True)
    monkeypatch.setattr(pdf._Pdfium, "render", refuse)
    with pytest.raises(NoTextError):
        load(scanned_pdf(tmp_path / "scan.pdf"), IngestSettings())
