"""
The referral sheet as a PDF (`/network/referral/?...&format=pdf`): the pathway a reader was shown,
dated, on A4, with only the contacts that reader may see (the pathway was built for them through
the access policy: nothing here reads a contact field of a model) and a warning on contacts not
confirmed for over 12 months. It holds the case's categories and nothing else about a case.
"""

import io
import itertools
from pathlib import Path

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# DejaVu covers the region's scripts (Latin, Cyrillic, Greek); reportlab's own Vera is the
# fallback where the system has no DejaVu (Latin only).
_FONT_FILES = [
    (
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ),
]
_fonts = None


def _font_names():
    """(regular, bold) font names, registered with reportlab once per process."""
    global _fonts
    if _fonts is not None:
        return _fonts
    import reportlab
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    bundled = Path(reportlab.__file__).parent / "fonts"
    candidates = [*_FONT_FILES, (bundled / "Vera.ttf", bundled / "VeraBd.ttf")]
    for regular, bold in candidates:
        if regular.exists() and bold.exists():
            pdfmetrics.registerFont(TTFont("SheetSans", str(regular)))
            pdfmetrics.registerFont(TTFont("SheetSans-Bold", str(bold)))
            # So that <b> in a paragraph finds the bold face.
            pdfmetrics.registerFontFamily(
                "SheetSans",
                normal="SheetSans",
                bold="SheetSans-Bold",
                italic="SheetSans",
                boldItalic="SheetSans-Bold",
            )
            _fonts = ("SheetSans", "SheetSans-Bold")
            return _fonts
    _fonts = ("Helvetica", "Helvetica-Bold")
    return _fonts


def _styles():
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle

    regular, bold = _font_names()
    base = ParagraphStyle("sheet", fontName=regular, fontSize=8, leading=10)
    return {
        "title": ParagraphStyle("title", base, fontName=bold, fontSize=14, leading=17),
        "h2": ParagraphStyle("h2", base, fontName=bold, fontSize=10, leading=13, spaceBefore=6),
        "h3": ParagraphStyle("h3", base, fontName=bold, fontSize=8.5, leading=11),
        "body": base,
        "small": ParagraphStyle("small", base, fontSize=7, leading=8.5, textColor=colors.black),
        "warning": ParagraphStyle(
            "warning",
            base,
            fontName=bold,
            borderColor=colors.black,
            borderWidth=0.8,
            borderPadding=4,
            spaceBefore=4,
            spaceAfter=6,
        ),
    }


def _text(value):
    """`value` escaped for a reportlab Paragraph (which reads a little markup)."""
    from xml.sax.saxutils import escape

    return escape(str(value))


def _institution_lines(entry):
    head = f"<b>{_text(entry.name)}</b> · {_text(entry.kind_label)}"
    if entry.is_contact_point:
        head += " · " + _text(_("contact point"))
    reach = []
    if entry.phone:
        reach.append(_("Phone") + f": {_text(entry.phone)}")
    if entry.email:
        reach.append(_("Email") + f": {_text(entry.email)}")
    if not entry.has_contact:
        reach.append(_("No contact you may see: ask the contact points."))
    if entry.available_24_7:
        reach.append(_("24/7"))
    elif entry.hours:
        reach.append(_text(entry.hours))
    languages = ", ".join(language.name for language in entry.languages)
    if languages:
        reach.append(_("Languages") + f": {_text(languages)}")
    reach.append(_confirmed(entry.confirmed_on, entry.is_stale))
    return head + "<br/>" + " · ".join(reach)


def _person_lines(contact):
    entry = contact.entry
    organisation = f", {_text(entry.organisation.name)}" if entry.organisation else ""
    head = f"<b>{_text(entry.full_name)}</b> · {_text(contact.role_label)}{organisation}"
    reach = [_("Phone") + f": {_text(number)}" for number in entry.phones]
    reach += [_("Email") + f": {_text(address)}" for address in entry.emails]
    languages = ", ".join(language.name for language in contact.languages)
    if languages:
        reach.append(_("Languages") + f": {_text(languages)}")
    last = contact.last_confirmed.date() if contact.last_confirmed else None
    reach.append(_confirmed(last, contact.is_stale))
    return head + "<br/>" + " · ".join(reach)


def _confirmed(day, stale):
    if day is None:
        return "<b>" + _text(_("never confirmed: check it")) + "</b>"
    text = _("confirmed %(date)s") % {"date": formats.date_format(day, "j M Y")}
    if stale:
        return "<b>" + _text(text + " — " + _("over 12 months ago: check it")) + "</b>"
    return _text(text)


#: A sheet longer than one page is shrunk onto one down to this scale; past it (a pathway with
#: dozens of institutions) it runs onto more pages rather than become unreadable.
MIN_SCALE = 0.6
#: The institutions named in a cell of the "who is responsible" table (all are in the contacts).
MATRIX_NAMES = 8


def referral_sheet_pdf(pathway, absolute_url):
    """The sheet of `pathway` as PDF bytes; `absolute_url(path)` makes links absolute. One A4
    page where the pathway allows (see MIN_SCALE)."""
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import KeepInFrame

    document, pages = _render(_story(pathway, absolute_url), pathway)
    if pages > 1:
        frame = KeepInFrame(
            _frame_width(), _frame_height(), _story(pathway, absolute_url), mode="shrink"
        )
        frame.canv = Canvas(io.BytesIO())  # measured only, never drawn on
        frame.wrap(_frame_width(), _frame_height())
        # reportlab's `_scale` is how many times the content is shrunk to fit.
        if 1 / getattr(frame, "_scale", 1) >= MIN_SCALE:
            shrunk = KeepInFrame(
                _frame_width(), _frame_height(), _story(pathway, absolute_url), mode="shrink"
            )
            document, pages = _render([shrunk], pathway)
    return document


def _frame_width():
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm

    return A4[0] - 24 * mm


def _frame_height():
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm

    # The page less its margins and the frame's own padding.
    return A4[1] - 26 * mm - 12


def _render(story, pathway):
    """(PDF bytes, number of pages) of `story`."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    regular, _bold = _font_names()
    dated = formats.date_format(pathway.generated_on, "j F Y")
    footer = _("Referral sheet · %(date)s · page %(page)s")
    pages = []

    def on_page(canvas, document):
        pages.append(document.page)
        canvas.saveState()
        canvas.setFont(regular, 7)
        canvas.drawString(12 * mm, 8 * mm, footer % {"date": dated, "page": document.page})
        canvas.restoreState()

    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=14 * mm,
        title=_sheet_title(pathway),
        author=_("Network portal"),
        subject=_("Referral sheet"),
    ).build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue(), len(pages)


def _sheet_title(pathway):
    return _("Referral sheet: from %(origin)s to %(destination)s") % {
        "origin": pathway.origin.name,
        "destination": pathway.destination.name,
    }


def _story(pathway, absolute_url):
    """The sheet's flowables (made afresh for each rendering: reportlab's tables keep state)."""
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    styles = _styles()
    title = _sheet_title(pathway)
    dated = formats.date_format(pathway.generated_on, "j F Y")
    story = [
        Paragraph(_text(title), styles["title"]),
        Paragraph(
            _text(
                _(
                    "Prepared on %(date)s from the network portal, with the contacts you may "
                    "see. Check the portal for changes before you act."
                )
                % {"date": dated}
            ),
            styles["small"],
        ),
    ]
    described = pathway.profile.described()
    if described:
        story.append(
            Paragraph(
                "<b>"
                + _text(_("Case (categories only)"))
                + ":</b> "
                + "; ".join(f"{_text(label)}: {_text(value)}" for label, value in described),
                styles["body"],
            )
        )
    stale = pathway.stale_contacts
    if stale:
        story.append(
            Paragraph(
                _text(
                    ngettext(
                        "Warning: %(count)s contact was not confirmed for over 12 months "
                        "(%(names)s). Check it before you rely on it.",
                        "Warning: %(count)s contacts were not confirmed for over 12 months "
                        "(%(names)s). Check them before you rely on them.",
                        len(stale),
                    )
                    % {"count": len(stale), "names": ", ".join(stale)}
                ),
                styles["warning"],
            )
        )
    width = _frame_width()
    grid = TableStyle(
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ]
    )

    # Who does what: the procedures, with the institutions of each side by name.
    header = [Paragraph(f"<b>{_text(_('Procedure'))}</b>", styles["body"])]
    header += [
        Paragraph(
            f"<b>{_text(side.country.label)}</b>"
            + ("" if side.in_network else f" ({_text(_('outside the network'))})"),
            styles["body"],
        )
        for side in pathway.sides
    ]
    rows = [header]
    for step in pathway.steps:
        row = [Paragraph(f"<b>{_text(step.label)}</b>", styles["body"])]
        for step_side in step.sides:
            shown = step_side.institutions[:MATRIX_NAMES]
            names = "; ".join(_text(entry.name) for entry in shown)
            if len(step_side.institutions) > len(shown):
                more = len(step_side.institutions) - len(shown)
                names += "; " + _text(_("and %(count)s more (see the page)") % {"count": more})
            row.append(Paragraph(names or _text(_("None recorded.")), styles["body"]))
        rows.append(row)
    story.append(Paragraph(_text(_("Who is responsible")), styles["h2"]))
    matrix = Table(rows, colWidths=[width * 0.22, width * 0.39, width * 0.39], repeatRows=1)
    matrix.setStyle(grid)
    story.append(matrix)
    notes = [(step.label, note) for step in pathway.steps for note in step.notes]
    for label, note in notes:
        story.append(Paragraph(f"<b>{_text(label)}:</b> {_text(note)}", styles["small"]))

    # Every contact once per side: the people, then the institutions; a row per pair of
    # contacts, so that a long list runs onto the next page rather than overflow one.
    story.append(Paragraph(_text(_("Contacts")), styles["h2"]))
    columns = []
    header = []
    for side, institutions in pathway.contacts_by_side:
        title = f"<b>{_text(side.country.label)}</b>"
        if side.profile and side.profile.mechanism_name:
            lead = side.profile.lead_agency
            title += "<br/>" + _text(side.profile.mechanism_name)
            title += f" · {_text(lead.name)}" if lead else ""
        header.append(Paragraph(title, styles["body"]))
        lines = [Paragraph(_person_lines(contact), styles["body"]) for contact in side.people]
        lines += [Paragraph(_institution_lines(entry), styles["body"]) for entry in institutions]
        columns.append(lines or [Paragraph(_text(_("No contact is recorded.")), styles["body"])])
    rows = [header, *(list(row) for row in itertools.zip_longest(*columns, fillvalue=""))]
    contacts = Table(rows, colWidths=[width / 2, width / 2], repeatRows=1)
    contacts.setStyle(grid)
    story.append(contacts)

    guidance = pathway.sheet_guidance
    if guidance:
        story.append(Paragraph(_text(_("Guidance that applies")), styles["h2"]))
        for label, item in guidance:
            sop = f" ({_text(_('national SOP'))})" if item.is_national_sop else ""
            url = absolute_url(item.url) if item.url else ""
            story.append(
                Paragraph(
                    f"<b>{_text(label)}:</b> {_text(item.title)}{sop} · {_text(item.kind_label)}"
                    + (f" · {_text(url)}" if url else ""),
                    styles["small"],
                )
            )
        if pathway.guidance_count > len(guidance):
            story.append(
                Paragraph(_text(_("More guidance on the assistant's page.")), styles["small"])
            )
    story.append(Spacer(1, 4))
    return story
