"""
The checklist's downloads open in real readers: the PDF's text is extracted with pypdf, the DOCX
read with python-docx, the CSV with the csv module. Each states its source set, version and date;
the CSV runs no formula when opened in a spreadsheet.
"""

import csv
import io
from datetime import date

import docx
from pypdf import PdfReader

from library.checklist import (
    Checklist,
    ChecklistItem,
    ChecklistSection,
    ChecklistSource,
    checklist_csv,
    checklist_docx,
    checklist_pdf,
)

SOURCE = ChecklistSource(
    "Regional indicators for labour exploitation", "2nd edition", date(2024, 3, 15), "/x/"
)


def sample(**overrides):
    values = {
        "title": "Regional indicators for labour exploitation",
        "sources": [SOURCE],
        "sections": [
            ChecklistSection(
                "Deception",
                [
                    ChecklistItem(
                        "The person was promised a job that did not exist.",
                        "strong",
                        "Strong",
                        "Initial screening",
                        "Regional guidelines, section 2",
                        SOURCE.title,
                    ),
                    ChecklistItem("Лицето не знае адреса си.", "medium", "Medium", "", "", ""),
                ],
            ),
            ChecklistSection(
                "Conditions",
                [ChecklistItem('=HYPERLINK("http://evil")', "weak", "Weak", "", "", SOURCE.title)],
            ),
        ],
        "prepared_on": date(2026, 12, 6),
    }
    values.update(overrides)
    return Checklist(**values)


def test_pdf_text_names_the_set_its_version_and_dates_and_every_indicator():
    reader = PdfReader(io.BytesIO(checklist_pdf(sample())))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "Regional indicators for labour exploitation, version 2nd edition, 15 March 2024" in text
    assert "Prepared on 6 December 2026" in text
    assert "The person was promised a job that did not exist." in text
    assert "Лицето не знае адреса си." in text  # Cyrillic survives (DejaVu)
    assert "Source: Regional guidelines, section 2" in text
    assert "Deception" in text and "Conditions" in text
    assert reader.metadata.title == "Regional indicators for labour exploitation"


def test_a_long_checklist_runs_onto_more_pages_with_every_indicator():
    many = [ChecklistItem(f"Indicator number {n}.", "weak", "Weak") for n in range(120)]
    checklist = sample(sections=[ChecklistSection("All", many)])
    reader = PdfReader(io.BytesIO(checklist_pdf(checklist)))
    assert len(reader.pages) > 1
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Indicator number 0." in text and "Indicator number 119." in text


def test_docx_opens_in_python_docx_with_the_source_and_one_row_per_indicator():
    document = docx.Document(io.BytesIO(checklist_docx(sample())))
    paragraphs = [paragraph.text for paragraph in document.paragraphs]
    assert paragraphs[0] == "Regional indicators for labour exploitation"
    assert (
        "Source: Regional indicators for labour exploitation, version 2nd edition, 15 March 2024"
        in paragraphs
    )
    assert any(line.startswith("Prepared on 6 December 2026") for line in paragraphs)
    assert "Deception" in paragraphs and "Conditions" in paragraphs
    rows = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]
    assert len(rows) == 3
    assert rows[0][0] == "☐"
    assert rows[0][1].startswith("The person was promised a job that did not exist.")
    assert rows[0][2] == "Strong"
    assert document.core_properties.title == "Regional indicators for labour exploitation"


def test_csv_reads_back_with_one_row_per_indicator_naming_set_version_and_date():
    rows = list(csv.DictReader(io.StringIO(checklist_csv(sample()))))
    assert len(rows) == 3
    first = rows[0]
    assert first["Heading"] == "Deception"
    assert first["Indicator"] == "The person was promised a job that did not exist."
    assert first["Strength"] == "Strong"
    assert first["Set"] == "Regional indicators for labour exploitation"
    assert first["Version"] == "2nd edition"
    assert first["Set date"] == "2024-03-15"
    assert first["Prepared on"] == "2026-12-06"
    assert first["Ticked"] == ""
    # An item without a set of its own, in a one-set checklist, belongs to that set.
    assert rows[1]["Set"] == SOURCE.title


def test_csv_cells_that_a_spreadsheet_would_run_as_a_formula_are_quoted_as_text():
    rows = list(csv.DictReader(io.StringIO(checklist_csv(sample()))))
    assert rows[2]["Indicator"] == '\'=HYPERLINK("http://evil")'


def test_a_selection_across_sets_names_each_set_and_the_filters():
    other = ChecklistSource("National indicators, Albania", "", None)
    checklist = sample(
        title="Indicator selection",
        sources=[SOURCE, other],
        selection="Stage: Initial screening; Strength: Strong",
    )
    rows = list(csv.DictReader(io.StringIO(checklist_csv(checklist))))
    assert rows[1]["Set"] == ""  # an item whose set is not named is not guessed
    reader = PdfReader(io.BytesIO(checklist_pdf(checklist)))
    text = " ".join(reader.pages[0].extract_text().split())
    assert "Source: National indicators, Albania, undated" in text
    assert "Selection: Stage: Initial screening; Strength: Strong" in text


def test_tally_counts_the_strengths_and_filenames_are_dated():
    checklist = sample()
    assert checklist.tally == {"strong": 1, "medium": 1, "weak": 1}
    assert checklist.filename("pdf") == (
        "regional-indicators-for-labour-exploitation-2026-12-06.pdf"
    )
