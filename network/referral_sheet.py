"""
The referral sheet as a PDF (`/network/referral/?...&format=pdf`): the pathway a reader was shown,
dated, on A4, with only the contacts that reader may see (the pathway was built for them through
the access policy: nothing here reads a contact field of a model) and a warning on contacts not
confirmed for over 12 months. It holds the case's categories and nothing else about a case.
"""

import io
from pathlib import Path

from django.utils import formats
from django.utils.translation import gettext as _

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
    parts = [f"<b>{_text(entry.name)}</b> · {_text(entry.kind_label)}"]
    reach = []
    if entry.phone:
        reach.append(_("Phone") + f": {_text(entry.phone)}")
    if entry.email:
        reach.append(_("Email") + f": {_text(entry.email)}")
    if entry.available_24_7:
        reach.append(_("24/7"))
    elif entry.hours:
        reach.append(_text(entry.hours))
    if reach:
        parts.append(" · ".join(reach))
    elif not entry.has_contact:
        parts.append(_("No contact you may see: ask your national coordinator."))
    languages = ", ".join(language.name for language in entry.languages)
    if languages:
        parts.append(_("Languages") + f": {_text(languages)}")
    parts.append(_confirmed(entry.confirmed_on, entry.is_stale))
    return "<br/>".join(parts)


def _person_lines(contact):
    entry = contact.entry
    organisation = f", {_text(entry.organisation.name)}" if entry.organisation else ""
    parts = [f"<b>{_text(entry.full_name)}</b> · {_text(contact.role_label)}{organisation}"]
    reach = [_("Phone") + f": {_text(number)}" for number in entry.phones]
    reach += [_("Email") + f": {_text(address)}" for address in entry.emails]
    if reach:
        parts.append(" · ".join(reach))
    languages = ", ".join(language.name for language in contact.languages)
    if languages:
        parts.append(_("Languages") + f": {_text(languages)}")
    last = contact.last_confirmed.date() if contact.last_confirmed else None
    parts.append(_confirmed(last, contact.is_stale))
    return "<br/>".join(parts)


def _confirmed(day, stale):
    if day is None:
        return "<b>" + _("Never confirmed: check before relying on it.") + "</b>"
    text = _("Confirmed on %(date)s") % {"date": formats.date_format(day, "j M Y")}
    if stale:
        return "<b>" + text + " — " + _("over 12 months ago: check before relying on it.") + "</b>"
    return text


def referral_sheet_pdf(pathway, absolute_url):
    """The sheet of `pathway` as PDF bytes; `absolute_url(path)` makes links absolute."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = _styles()
    origin, destination = pathway.origin, pathway.destination
    title = _("Referral sheet: from %(origin)s to %(destination)s") % {
        "origin": origin.name,
        "destination": destination.name,
    }
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
                    _(
                        "Warning: %(count)s contacts were not confirmed for over 12 months "
                        "(%(names)s). Check them before you rely on them."
                    )
                    % {"count": len(stale), "names": ", ".join(stale)}
                ),
                styles["warning"],
            )
        )
    width = A4[0] - 24 * mm
    grid = TableStyle(
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ]
    )

    def two_sides(cells):
        table = Table([cells], colWidths=[width / 2, width / 2])
        table.setStyle(grid)
        return table

    story.append(Paragraph(_text(_("Contact points")), styles["h2"]))
    cells = []
    for side in pathway.sides:
        lines = [Paragraph(f"<b>{_text(side.country.name)}</b>", styles["h3"])]
        if side.profile and side.profile.mechanism_name:
            lead = side.profile.lead_agency
            lines.append(
                Paragraph(
                    _text(side.profile.mechanism_name) + (f" · {_text(lead.name)}" if lead else ""),
                    styles["small"],
                )
            )
        if not side.in_network:
            lines.append(Paragraph(_text(_("Outside the network.")), styles["small"]))
        for entry in side.contact_points:
            lines.append(Paragraph(_institution_lines(entry), styles["body"]))
        for contact in side.people:
            lines.append(Paragraph(_person_lines(contact), styles["body"]))
        if len(lines) == 1:
            lines.append(Paragraph(_text(_("No contact point is recorded.")), styles["body"]))
        cells.append(lines)
    story.append(two_sides(cells))

    for step in pathway.steps:
        story.append(Paragraph(_text(step.label), styles["h2"]))
        for note in step.notes:
            story.append(Paragraph(_text(note), styles["small"]))
        cells = []
        for step_side in step.sides:
            lines = [Paragraph(f"<b>{_text(step_side.country.name)}</b>", styles["h3"])]
            lines += [
                Paragraph(_institution_lines(entry), styles["body"])
                for entry in step_side.institutions
            ]
            if not step_side.institutions:
                lines.append(
                    Paragraph(_text(_("No responsible institution is recorded.")), styles["body"])
                )
            cells.append(lines)
        story.append(two_sides(cells))

    guidance = [
        (_("Regional guidance"), pathway.regional),
        *(
            (_("National guidance: %(country)s") % {"country": side.country.name}, side.guidance)
            for side in pathway.sides
        ),
        (_("Agreements between the two countries"), pathway.agreements),
    ]
    if any(items for _label, items in guidance):
        story.append(Paragraph(_text(_("Guidance that applies")), styles["h2"]))
        for label, items in guidance:
            if not items:
                continue
            story.append(Paragraph(f"<b>{_text(label)}</b>", styles["h3"]))
            for item in items:
                sop = f" ({_text(_('national SOP'))})" if item.is_national_sop else ""
                url = absolute_url(item.url) if item.url else ""
                story.append(
                    Paragraph(
                        f"{_text(item.title)}{sop} · {_text(item.kind_label)}"
                        + (f"<br/>{_text(url)}" if url else ""),
                        styles["small"],
                    )
                )
    story.append(Spacer(1, 4))

    regular, _bold = _font_names()
    footer = _("Referral sheet · %(date)s · page %(page)s")

    def on_page(canvas, document):
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
        title=title,
        author=_("Network portal"),
        subject=_("Referral sheet"),
    ).build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()
