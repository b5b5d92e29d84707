"""OCR character error rate on generated scanned pages, English and Chinese.

    python bench/ocr_cer.py [--pages 6] [--langs en,zh] [--clean] [--json]

Known text (the first XQuAD paragraphs, English and the same paragraphs in Chinese, from
shared/data/xquad-en and xquad-zh) is drawn onto an A4 page image at 200 dpi, given a scan's
flaws (a slight tilt, blur and speckle noise; --clean leaves them out), saved as an image-only PDF
and read back through docqa's own PDF loader (docqa.ingest.loaders.load: PDFium renders the page,
docqa.ingest.ocr reads it). CER = edit distance / reference length, after whitespace is collapsed
(English) or removed (Chinese); for English also with spaces ignored, since the recogniser
sometimes drops the space between words.

Fonts: English uses DejaVu Sans when fontconfig finds it (else Pillow's built-in font), Chinese
the first font `fc-list :lang=zh` lists (Debian: apt-get install fonts-wqy-microhei); without one
the Chinese pages are skipped with that reason. Needs the ocr extra: pip install 'docqa[ocr]'.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
DATA = REPO.parent / "shared" / "data"

PAGE_PX = (1654, 2339)  # A4 at 200 dpi
CHARS = {"en": 700, "zh": 260}  # reference text per page
FONT_PX = {"en": 34, "zh": 36}  # about 12 pt at 200 dpi


def paragraphs(lang: str, n: int) -> list[str]:
    data = json.loads((DATA / f"xquad-{lang}" / f"xquad.{lang}.json").read_text(encoding="utf-8"))
    out = []
    for article in data["data"]:
        for p in article["paragraphs"]:
            out.append(" ".join(p["context"].split())[: CHARS[lang]])
            break  # one paragraph per article: different topics
        if len(out) == n:
            break
    return out


def font_path(lang: str) -> str | None:
    command = ["fc-list", ":lang=zh", "file"] if lang == "zh" else ["fc-match", "-f", "%{file}", "DejaVu Sans"]
    try:
        found = subprocess.run(command, capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    paths = [line.strip().rstrip(":") for line in found.splitlines() if line.strip()]
    return sorted(paths)[0] if paths else None


def load_font(lang: str):
    from PIL import ImageFont

    path = font_path(lang)
    if path:
        return ImageFont.truetype(path, FONT_PX[lang])
    if lang == "zh":
        return None
    return ImageFont.load_default(size=FONT_PX[lang])


def wrap(text: str, font, width: int, lang: str) -> list[str]:
    units = list(text) if lang == "zh" else text.split(" ")
    sep = "" if lang == "zh" else " "
    lines, line = [], ""
    for u in units:
        trial = f"{line}{sep}{u}" if line else u
        if font.getlength(trial) > width and line:
            lines.append(line)
            line = u
        else:
            line = trial
    return lines + ([line] if line else [])


def scanned_page(text: str, font, lang: str, rng: random.Random, clean: bool):
    from PIL import Image, ImageDraw, ImageFilter

    img = Image.new("L", PAGE_PX, 255)
    draw = ImageDraw.Draw(img)
    y = 200
    for line in wrap(text, font, PAGE_PX[0] - 300, lang):
        draw.text((150, y), line, fill=0, font=font)
        y += int(FONT_PX[lang] * 1.6)
    if clean:
        return img
    img = img.rotate(rng.uniform(-0.8, 0.8), fillcolor=255, resample=Image.BICUBIC)
    img = img.filter(ImageFilter.GaussianBlur(0.7))
    pixels = img.load()
    for _ in range(PAGE_PX[0] * PAGE_PX[1] // 400):  # speckle: 0.25 % of pixels flipped dark or light
        x, yy = rng.randrange(PAGE_PX[0]), rng.randrange(PAGE_PX[1])
        pixels[x, yy] = rng.choice((40, 230))
    return img


def edit_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def normalise(text: str, lang: str, spaces: bool = True) -> str:
    return " ".join(text.split()) if lang == "en" and spaces else "".join(text.split())


def run(langs: list[str], pages: int, clean: bool, workdir: Path) -> dict:
    from docqa.ingest import ocr
    from docqa.ingest.loaders import load
    from docqa.settings import IngestSettings

    if not ocr.available():
        sys.exit("the ocr extra is not installed: pip install 'docqa[ocr]'")
    out: dict = {"clean": clean, "dpi": ocr.DPI, "languages": {}}
    rng = random.Random(13)
    for lang in langs:
        font = load_font(lang)
        if font is None:
            out["languages"][lang] = {"skipped": "no CJK font (fc-list :lang=zh is empty; apt-get install fonts-wqy-microhei)"}
            continue
        edits = edits_nospace = chars = chars_nospace = 0
        per_page = []
        t0 = time.monotonic()
        for i, ref in enumerate(paragraphs(lang, pages)):
            path = workdir / f"{lang}_{i}.pdf"
            scanned_page(ref, font, lang, rng, clean).save(path, resolution=ocr.DPI)
            doc = load(path, IngestSettings(parse_timeout_s=600))
            hyp = doc.pages[0].text
            r, h = normalise(ref, lang), normalise(hyp, lang)
            e = edit_distance(r, h)
            rn, hn = normalise(ref, lang, spaces=False), normalise(hyp, lang, spaces=False)
            en = edit_distance(rn, hn)
            edits, chars, edits_nospace, chars_nospace = edits + e, chars + len(r), edits_nospace + en, chars_nospace + len(rn)
            per_page.append({"page": i, "cer": round(e / len(r), 4), "reference": r[:80], "ocr": h[:80]})
        out["languages"][lang] = {
            "pages": len(per_page), "characters": chars, "cer": round(edits / chars, 4),
            "cer_spaces_ignored": round(edits_nospace / chars_nospace, 4),
            "seconds": round(time.monotonic() - t0, 1), "per_page": per_page,
        }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=6, help="pages per language")
    ap.add_argument("--langs", default="en,zh")
    ap.add_argument("--clean", action="store_true", help="no tilt, blur or noise")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = run(args.langs.split(","), args.pages, args.clean, Path(tmp))
    if args.json:
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return
    for lang, r in out["languages"].items():
        if "skipped" in r:
            print(f"{lang}: skipped: {r['skipped']}")
            continue
        for p in r["per_page"]:
            print(f"  {lang} page {p['page']}: CER {p['cer']:.3f}  ocr: {p['ocr']!r}")
        print(f"{lang}: CER {r['cer']:.4f} (spaces ignored {r['cer_spaces_ignored']:.4f}) over {r['pages']} pages, "
              f"{r['characters']} characters, {'clean' if out['clean'] else 'scan-like'} images, {r['seconds']} s")


if __name__ == "__main__":
    main()
