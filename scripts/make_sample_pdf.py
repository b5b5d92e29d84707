"""Write sample_docs/riverbend_county_2019_education_budget.pdf: a fictional 5-page county report.

Each fact lives on one known page (the rural grants figure only on page 3, in a table and in a
sentence), so end-to-end tests can check page citations. Deterministic: fixed dates and file id,
so re-running gives the same bytes. Run: python scripts/make_sample_pdf.py
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from fpdf import FPDF

OUT = Path(__file__).resolve().parent.parent / "sample_docs" / "riverbend_county_2019_education_budget.pdf"
TITLE = "Riverbend County 2019 Education Budget Report"

PAGES: list[tuple[str, list[str]]] = [
    (
        "1. Introduction",
        [
            "This report describes how the Riverbend County Board of Education planned and spent its "
            "education budget in the 2019 fiscal year. It is written for parents, teachers, and residents "
            "who want to understand where public money for schools goes and why.",
            "Riverbend County operates 42 public schools across three districts: North Valley, Millford, "
            "and the Riverbend Lowlands. The Board met eleven times during 2019 and approved the final "
            "budget at its meeting on 14 February 2019, after two rounds of public consultation.",
            "The report is organised in five parts. Part 2 covers student enrolment, part 3 sets out the "
            "budget lines and the grants to rural schools, part 4 describes teacher hiring, and part 5 "
            "looks ahead to the priorities of the next school year.",
        ],
    ),
    (
        "2. Enrolment",
        [
            "Total enrolment in county schools reached 28,640 students in October 2019, an increase of "
            "2.1 percent over the previous year. Growth was strongest in the Millford district, where two "
            "new housing developments opened during the spring.",
            "Kindergarten enrolment rose to 2,310 children. Secondary schools enrolled 9,870 students, "
            "and the number of students receiving English language support grew to 1,145.",
            "Attendance remained steady at an average of 94.3 percent across all grades. The Board notes "
            "that attendance in the final weeks of the school year fell in several schools during the "
            "June heat wave, and asks principals to report on cooling in classrooms.",
        ],
    ),
    (
        "3. Budget lines for 2019",
        [
            "The table below lists the main budget lines approved for the 2019 fiscal year. Amounts are "
            "operating funds and exclude capital projects, which are reported separately.",
        ],
    ),
    (
        "4. Teacher hiring",
        [
            "The county hired 37 new teachers in 2019. Twelve of the new teachers teach science, "
            "technology, engineering, or mathematics, and nine hold special education qualifications.",
            "A recruitment fair held in Millford in March 2019 attracted 214 applicants. The Board also "
            "renewed its partnership with the state teachers college, which placed 26 student teachers in "
            "county classrooms.",
            "As a result of the new hires, the average class size fell from 24.1 to 23.2 students. "
            "Teacher turnover was 7.8 percent, the lowest figure recorded since the county began "
            "publishing it.",
        ],
    ),
    (
        "5. Outlook",
        [
            "For the coming year the Board has identified three priorities: clearing the maintenance "
            "backlog in older school buildings, expanding the early-years literacy programme, and "
            "improving data on student wellbeing.",
            "Enrolment is expected to grow by a further 1.5 percent, mostly in primary schools. The "
            "Board will review school catchment areas before the next admissions round.",
            "The next annual report is due in June 2020. Residents can send questions and comments to "
            "the Board office at any time during the consultation period.",
        ],
    ),
]

BUDGET_ROWS = [
    ("Budget line", "2019 amount"),
    ("Teacher salaries and benefits", "$118.6 million"),
    ("School operations and maintenance", "$24.3 million"),
    ("Special education services", "$15.8 million"),
    ("Rural school transport and connectivity grants", "$4.2 million"),
    ("Curriculum and learning materials", "$6.1 million"),
    ("Administration", "$9.7 million"),
    ("Total operating budget", "$178.7 million"),
]

PAGE3_AFTER_TABLE = [
    "The 2019 budget allocated $4.2 million to rural school grants, covering transport and broadband "
    "for 14 rural schools. The grants pay for longer bus routes in the Lowlands district and for "
    "fibre connections in schools that previously relied on slow satellite links.",
    "Teacher salaries remain by far the largest line. Spending on special education grew faster than "
    "any other line, reflecting the rising number of students with assessed needs.",
]


class Report(FPDF):
    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("Helvetica", size=8)
        self.cell(0, 10, f"Riverbend County Board of Education - page {self.page_no()}", align="C")


def build() -> bytes:
    pdf = Report(format="A4")
    pdf.set_title(TITLE)
    pdf.set_author("Riverbend County Board of Education (fictional)")
    pdf.set_creator("docqa scripts/make_sample_pdf.py")
    pdf.set_creation_date(datetime(2020, 3, 1, tzinfo=timezone.utc))
    pdf.file_id = lambda: "<4E5D6C7B8A99A8B7C6D5E4F3021F2E3D><4E5D6C7B8A99A8B7C6D5E4F3021F2E3D>"
    pdf.set_auto_page_break(auto=False)
    for number, (heading, paragraphs) in enumerate(PAGES, start=1):
        pdf.add_page()
        if number == 1:
            pdf.set_font("Helvetica", style="B", size=18)
            pdf.multi_cell(0, 10, TITLE)
            pdf.ln(4)
        pdf.set_font("Helvetica", style="B", size=14)
        pdf.multi_cell(0, 8, heading)
        pdf.ln(3)
        pdf.set_font("Helvetica", size=11)
        for text in paragraphs:
            pdf.multi_cell(0, 6, text)
            pdf.ln(4)
        if number == 3:
            with pdf.table(col_widths=(3, 1), text_align=("LEFT", "RIGHT")) as table:
                for row in BUDGET_ROWS:
                    cells = table.row()
                    for value in row:
                        cells.cell(value)
            pdf.ln(6)
            for text in PAGE3_AFTER_TABLE:
                pdf.multi_cell(0, 6, text)
                pdf.ln(4)
    return bytes(pdf.output())


if __name__ == "__main__":
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(build())
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")
