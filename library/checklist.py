"""
An indicator checklist to print or fill in by hand: the indicators of a set (or of a selection in
the indicator browser) under their headings, as PDF, DOCX or CSV. Each download states the set(s)
it was taken from, their version and date, and the day it was prepared.

The renderers take plain data (a `Checklist`), built by the views from what the access policy let
the reader see; they know nothing of models or users. A checklist is a blank form: nothing a
reader ticks is ever sent here (the page's tick boxes live in the browser only), so nothing ticked
can be in a download.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.pdf import a4_document, escaped, frame_width, paragraph_styles
from portal.spreadsheet import safe_cell

STRENGTHS = ("strong", "medium", "weak")


@dataclass
class ChecklistItem:
    text: str
    strength: str = ""  # one of STRENGTHS, or "" when the source gives none
    strength_label: str = ""
    stage_label: str = ""
    source: str = ""  # where the indicator comes from, e.g. a guideline and its section
    set_title: str = ""


@dataclass
class ChecklistSection:
    heading: str
    items: list = field(default_factory=list)


@dataclass
class ChecklistSource:
    """A set the checklist was taken from."""

    title: str
    version: str = ""
    published: date | None = None
    url: str = ""

    @property
    def described(self):
        parts = [self.title]
        if self.version:
            parts.append(_("version %(version)s") % {"version": self.version})
        if self.published:
            parts.append(formats.date_format(self.published, "j F Y"))
        else:
            parts.append(_("undated"))
        return ", ".join(parts)


@dataclass
class Checklist:
    title: str
    sources: list
    sections: list
    prepared_on: date
    selection: str = ""  # the browser's filters in words, for a filtered selection

    @property
    def items(self):
        return [item for section in self.sections for item in section.items]

    @property
    def tally(self):
        """How many indicators of each strength the checklist holds."""
        counts = dict.fromkeys(STRENGTHS, 0)
        for item in self.items:
            if item.strength in counts:
                counts[item.strength] += 1
        return counts

    def filename(self, extension):
        from django.utils.text import slugify

        stem = slugify(self.title)[:60] or "checklist"
        return f"{stem}-{self.prepared_on.isoformat()}.{extension}"


def source_lines(checklist):
    """The lines that say where the checklist comes from, as every format prints them."""
    lines = [_("Source: %(source)s") % {"source": source.described} for source in checklist.sources]
    if checklist.selection:
        lines.append(_("Selection: %(filters)s") % {"filters": checklist.selection})
    lines.append(
        _("Prepared on %(date)s from the network portal. Check the portal for a newer version.")
        % {"date": formats.date_format(checklist.prepared_on, "j F Y")}
    )
    return lines


def _tally_line():
    return _("Signs ticked: strong ____   medium ____   weak ____")


def _caution():
    return _(
        "One indicator alone proves nothing: a case is weighed on the combination. A filled-in "
        "checklist is data about a person: keep it as your service's rules say."
    )


# --------------------------------------------------------------------------------------- CSV

CSV_COLUMNS = [
    ("heading", gettext_lazy("Heading")),
    ("indicator", gettext_lazy("Indicator")),
    ("strength", gettext_lazy("Strength")),
    ("stage", gettext_lazy("Stage")),
    ("source", gettext_lazy("Source")),
    ("set", gettext_lazy("Set")),
    ("version", gettext_lazy("Version")),
    ("set_date", gettext_lazy("Set date")),
    ("prepared_on", gettext_lazy("Prepared on")),
    ("ticked", gettext_lazy("Ticked")),
]


def checklist_csv(checklist):
    """The checklist as CSV text: a header row, then one row per indicator naming its set, the
    set's version and date, and an empty "Ticked" column to fill in. Every text cell goes through
    `safe_cell` (no formula runs when it is opened in a spreadsheet)."""
    by_title = {source.title: source for source in checklist.sources}
    single = checklist.sources[0] if len(checklist.sources) == 1 else None
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([str(label) for _key, label in CSV_COLUMNS])
    for section in checklist.sections:
        for item in section.items:
            source = by_title.get(item.set_title) or single
            writer.writerow(
                [
                    safe_cell(section.heading),
                    safe_cell(item.text),
                    safe_cell(item.strength_label),
                    safe_cell(item.stage_label),
                    safe_cell(item.source),
                    safe_cell(source.title if source else item.set_title),
                    safe_cell(source.version if source else ""),
                    source.published.isoformat() if source and source.published else "",
                    checklist.prepared_on.isoformat(),
                    "",
                ]
            )
    return buffer.getvalue()


# -------------------------------------------------------------------------------------- DOCX


def checklist_docx(checklist):
    """The checklist as DOCX bytes: title, sources, then a table per heading with a box to tick,
    the indicator, its strength and its source."""
    from docx import Document
    from docx.shared import Cm, Pt

    document = Document()
    for section in document.sections:
        section.left_margin = section.right_margin = Cm(1.8)
        section.top_margin = section.bottom_margin = Cm(1.5)
    document.core_properties.title = checklist.title
    document.core_properties.subject = _("Indicator checklist")
    document.add_heading(checklist.title, level=1)
    for line in source_lines(checklist):
        document.add_paragraph(line).runs[0].font.size = Pt(9)
    document.add_paragraph(_caution()).runs[0].italic = True
    for section in checklist.sections:
        document.add_heading(section.heading, level=2)
        table = document.add_table(rows=0, cols=3)
        table.style = "Table Grid"
        for item in section.items:
            cells = table.add_row().cells
            cells[0].text = "☐"
            cells[1].text = item.text
            if item.source:
                cells[1].add_paragraph(_("Source: %(source)s") % {"source": item.source}).runs[
                    0
                ].font.size = Pt(8)
            cells[2].text = item.strength_label
        for row in table.rows:
            row.cells[0].width = Cm(1)
            row.cells[1].width = Cm(13)
            row.cells[2].width = Cm(3)
    document.add_paragraph()
    document.add_paragraph(_tally_line())
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------------------- PDF


def checklist_pdf(checklist):
    """The checklist as PDF bytes on A4, in the referral sheet's fonts (which cover the region's
    scripts): title, sources, then per heading a table of boxes to tick, indicators, strengths."""
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    styles = paragraph_styles()
    story = [Paragraph(escaped(checklist.title), styles["title"])]
    story += [Paragraph(escaped(line), styles["small"]) for line in source_lines(checklist)]
    story.append(Spacer(1, 3 * mm))
    story.append(Paragraph(escaped(_caution()), styles["body"]))
    width = frame_width()
    for section in checklist.sections:
        story.append(Paragraph(escaped(section.heading), styles["h2"]))
        rows = []
        for item in section.items:
            text = escaped(item.text)
            if item.source:
                source = escaped(_("Source: %(source)s") % {"source": item.source})
                text += f"<br/><font size=6.5>{source}</font>"
            strength = Paragraph(escaped(item.strength_label), styles["body"])
            rows.append(["", Paragraph(text, styles["body"]), strength])
        if not rows:
            continue
        table = Table(rows, colWidths=[7 * mm, width - 32 * mm, 25 * mm], repeatRows=0)
        style = [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, -1), 0.3, colors.grey),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ]
        # A box to tick by hand in the first cell of each row.
        for index in range(len(rows)):
            style.append(("BOX", (0, index), (0, index), 0.8, colors.black))
        table.setStyle(TableStyle(style))
        story.append(table)
    story.append(Spacer(1, 5 * mm))
    story.append(Paragraph(escaped(_tally_line()), styles["h3"]))

    footer = _("Indicator checklist · %(title)s · %(date)s · page %(page)s")
    dated = formats.date_format(checklist.prepared_on, "j F Y")
    document, _pages = a4_document(
        story,
        title=checklist.title,
        subject=_("Indicator checklist"),
        footer=lambda page: footer % {"title": checklist.title[:80], "date": dated, "page": page},
    )
    return document


RENDERERS = {
    "pdf": (checklist_pdf, "application/pdf"),
    "docx": (
        checklist_docx,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "csv": (checklist_csv, "text/csv; charset=utf-8"),
}
