"""Table QA: does `docqa ask` read the right cell of a PDF table ("column X of row Y")?

    python bench/table_qa.py [--engine auto|pypdfium2|pypdf] [--questions N] [--json] [--keep DIR]

Generates PDFs (fpdf2, seeded: no third-party files) that each hold prose and one or two tables
in one of three styles: booktabs (top, middle and bottom rules only, as LaTeX papers draw them),
a full grid, and horizontal lines between rows. Values are random and names made up, so no
answer can come from the model's own knowledge, and neighbouring cells hold the same kind of
number, so a wrong row or column gives a plausible wrong answer. One table is transposed (tools
as columns, metrics as rows) like Table IV of the WiLI-2018 paper.

Ingests them into a fresh index with the real default models and asks every cell-lookup
question. An answer is correct when its short answer states the cell's number. Reports the
accuracy, and per question the answer given. `--engine pypdf` is the baseline without table
reading (the tables' text as pypdf extracts it).

Target: accuracy >= 0.80.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


@dataclass(frozen=True)
class TableSpec:
    file: str
    title: str
    intro: str
    caption: str
    style: str  # booktabs | grid | lines
    header: list[str]
    rows: list[list[str]]
    after: str


@dataclass(frozen=True)
class Question:
    text: str
    answer: str  # the cell
    file: str


def _pct(rng: random.Random) -> str:
    return f"{rng.randint(11, 97)} %"


def tables(seed: int = 7) -> list[TableSpec]:
    rng = random.Random(seed)
    tools = ["Lingvo", "Textra", "Glotto", "Polyglo"]
    metrics = ["Mean precision", "Mean recall", "Mean F1", "Benchmark accuracy"]
    lid = TableSpec(
        "language_tools.pdf", "Comparing four language identification tools",
        "We compared four language identification tools on a held-out benchmark of 2,000 paragraphs "
        "in 120 languages. Each tool was run with its default settings.",
        "Table 2: Precision, recall, F1 and accuracy of the four tools.", "booktabs",
        ["Metric", *tools], [[m, *(_pct(rng) for _ in tools)] for m in metrics],
        "Tools that know fewer languages were scored on the languages they support only.",
    )
    reservoirs = ["Harlow", "Bexmoor", "Caddon Vale", "Stenbury", "Orrin Lake"]
    water = TableSpec(
        "reservoirs.pdf", "Regional water reservoirs: annual survey",
        "The regional water authority surveys its reservoirs every spring. The table gives each "
        "reservoir's capacity, its fill level on 1 April and its mean daily inflow.",
        "Table 1: Reservoir survey results.", "grid",
        ["Reservoir", "Capacity (million m3)", "Fill level", "Mean inflow (m3/s)", "Year built"],
        [[r, str(rng.randint(12, 480)), _pct(rng), f"{rng.randint(10, 99) / 10:.1f}", str(rng.randint(1890, 1985))]
         for r in reservoirs],
        "Fill levels were lower than last year in the north of the region.",
    )
    arms = ["Placebo", "Dose A (10 mg)", "Dose B (20 mg)", "Dose C (40 mg)"]
    trial = TableSpec(
        "trial_arms.pdf", "Phase II trial of compound KX-41",
        "Patients were randomised to placebo or one of three doses of KX-41 for twelve weeks. "
        "Response was defined as a 50 % reduction in symptom score.",
        "Table 3: Outcomes by trial arm.", "lines",
        ["Arm", "Patients", "Responders", "Adverse events", "Dropouts"],
        [[a, str(rng.randint(40, 140)), _pct(rng), str(rng.randint(3, 60)), str(rng.randint(1, 25))] for a in arms],
        "No serious adverse events were attributed to the compound.",
    )
    regions = ["Northern", "Southern", "Eastern", "Western", "Central"]
    sales = TableSpec(
        "regional_sales.pdf", "Annual report: sales by region",
        "Sales grew in every region except the Central one. Figures are in thousands of euros and "
        "are unaudited.",
        "Table 4: Quarterly sales by region (thousand EUR).", "booktabs",
        ["Region", "Q1", "Q2", "Q3", "Q4"],
        [[r, *(f"{rng.randint(100, 999)}" for _ in range(4))] for r in regions],
        "The fourth quarter includes the holiday season in all regions.",
    )
    models = ["Aerix 13", "Brevo Pro 14", "Corvan 15X", "Dalta Air 12"]
    laptops = TableSpec(
        "laptops.pdf", "Laptop buying guide",
        "We tested four laptops for a week each. Battery life was measured with a video loop at "
        "half brightness.",
        "Table 5: Laptop specifications and test results.", "grid",
        ["Model", "Weight (kg)", "Battery life (h)", "Price (USD)", "Screen (inches)"],
        [[m, f"{rng.randint(9, 24) / 10:.1f}", f"{rng.randint(50, 190) / 10:.1f}", str(rng.randint(6, 25) * 100 - 1),
          f"{rng.choice([12.4, 13.3, 14.0, 15.6, 16.1])}"] for m in models],
        "Prices are list prices at the time of testing.",
    )
    return [lid, water, trial, sales, laptops]


def questions(specs: list[TableSpec]) -> list[Question]:
    """Cell lookups: every cell of the transposed table, and chosen cells of the others."""
    lid, water, trial, sales, laptops = specs
    out: list[Question] = []
    for row in lid.rows:
        for tool, cell in zip(lid.header[1:], row[1:], strict=True):
            out.append(Question(f"What {row[0].lower()} did {tool} reach in the language identification comparison?",
                                cell, lid.file))
    for row in water.rows[:4]:
        out.append(Question(f"What was the fill level of the {row[0]} reservoir?", row[2], water.file))
        out.append(Question(f"What is the capacity of the {row[0]} reservoir?", row[1], water.file))
    for row in trial.rows:
        out.append(Question(f"How many patients were in the {row[0]} arm of the KX-41 trial?", row[1], trial.file))
    for row in trial.rows[1:]:
        out.append(Question(f"What share of patients responded in the {row[0]} arm of the KX-41 trial?", row[2], trial.file))
    for row, quarter in zip(sales.rows, ["Q1", "Q3", "Q2", "Q4", "Q3"], strict=True):
        cell = row[sales.header.index(quarter)]
        out.append(Question(f"What were the {quarter} sales of the {row[0]} region?", cell, sales.file))
    for row in laptops.rows:
        out.append(Question(f"What is the battery life of the {row[0]} laptop?", row[2], laptops.file))
        out.append(Question(f"How much does the {row[0]} laptop weigh?", row[1], laptops.file))
    return out


def write_pdf(spec: TableSpec, path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.multi_cell(0, 8, spec.title)
    pdf.ln(2)
    pdf.set_font("Helvetica", size=10)
    pdf.multi_cell(0, 5, spec.intro)
    pdf.ln(4)
    pdf.multi_cell(0, 5, spec.caption)
    pdf.ln(2)
    if spec.style == "booktabs":
        _booktabs(pdf, spec.header, spec.rows)
    else:
        layout = "ALL" if spec.style == "grid" else "HORIZONTAL_LINES"
        with pdf.table(borders_layout=layout, text_align="LEFT", line_height=6) as table:
            for row in [spec.header, *spec.rows]:
                r = table.row()
                for cell in row:
                    r.cell(cell)
    pdf.ln(4)
    pdf.multi_cell(0, 5, spec.after)
    pdf.output(str(path))


def _booktabs(pdf, header: list[str], rows: list[list[str]]) -> None:
    """Rules above and below the header and below the last row; no vertical lines."""
    width = (pdf.w - pdf.l_margin - pdf.r_margin) / len(header)
    x0, x1 = pdf.l_margin, pdf.w - pdf.r_margin
    pdf.set_line_width(0.4)
    pdf.line(x0, pdf.get_y(), x1, pdf.get_y())
    pdf.ln(1)
    for i, row in enumerate([header, *rows]):
        for cell in row:
            pdf.cell(width, 6, cell)
        pdf.ln(6)
        if i == 0:
            pdf.set_line_width(0.2)
            pdf.line(x0, pdf.get_y() + 0.5, x1, pdf.get_y() + 0.5)
            pdf.ln(1)
    pdf.set_line_width(0.4)
    pdf.line(x0, pdf.get_y() + 0.5, x1, pdf.get_y() + 0.5)
    pdf.ln(1)


def make_corpus(folder: Path, seed: int = 7) -> list[Question]:
    folder.mkdir(parents=True, exist_ok=True)
    specs = tables(seed)
    for spec in specs:
        write_pdf(spec, folder / spec.file)
    return questions(specs)


def _numbers(text: str) -> list[str]:
    return [n.replace(",", "") for n in re.findall(r"\d+(?:[.,]\d+)*", text)]


def correct(short_answer: str, cell: str) -> bool:
    """The short answer states the cell's number (units and spacing aside: "22%" for "22 %")."""
    return _numbers(cell)[0] in _numbers(short_answer)


def run(workdir: Path, engine: str, n: int | None) -> dict:
    from docqa.index import Index
    from docqa.settings import load_settings

    qs = make_corpus(workdir / "pdfs")[:n]
    settings = load_settings({"index": str(workdir / "index"), "ingest": {"pdf_engine": engine}}, environ={})
    t0 = time.monotonic()
    results = []
    with Index.open(settings.index, settings) as idx:
        report = idx.ingest([workdir / "pdfs"])
        assert not report.failed, report.failed
        for q in qs:
            ans = idx.ask(q.text)
            cited = {Path(c.path).name for c in ans.citations} if ans.citations else set()
            results.append({
                "question": q.text, "cell": q.answer, "short_answer": ans.short_answer if ans.answered else "",
                "answered": ans.answered, "verified": ans.verified, "correct": ans.answered and correct(ans.short_answer, q.answer),
                "right_file_cited": q.file in cited,
            })
    ok = sum(r["correct"] for r in results)
    return {
        "engine": engine, "questions": len(results), "correct": ok, "accuracy": round(ok / len(results), 3),
        "answered": sum(r["answered"] for r in results), "verified": sum(r["verified"] for r in results),
        "seconds": round(time.monotonic() - t0, 1), "results": results,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--engine", default="auto", choices=["auto", "pypdfium2", "pypdf"])
    ap.add_argument("--questions", type=int, default=None, help="ask only the first N questions")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--keep", type=Path, default=None, help="build the PDFs and index in DIR and keep them")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = run(args.keep or Path(tmp), args.engine, args.questions)
    if args.json:
        print(json.dumps(out, indent=2))
        return
    for r in out["results"]:
        mark = "ok " if r["correct"] else "BAD"
        print(f"{mark} {r['question']}  cell={r['cell']!r}  answer={r['short_answer']!r}")
    print(f"engine {out['engine']}: {out['correct']}/{out['questions']} correct = accuracy {out['accuracy']:.3f} "
          f"(answered {out['answered']}, verified {out['verified']}) in {out['seconds']} s")


if __name__ == "__main__":
    main()
