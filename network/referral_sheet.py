"""
The referral sheet as a PDF (`/network/referral/?...&format=pdf`): the pathway a reader was shown,
dated, on A4, with only the contacts that reader may see (the pathway was built for them through
the access policy: nothing here reads a contact field of a model) and a warning on contacts not
confirmed for over 12 months. It holds the case's categories and nothing else about a case.
"""

import io
import itertools

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.pdf import a4_document, escaped, frame_height, frame_width, paragraph_styles


def _institution_lines(entry):
    head = f"<b>{escaped(entry.name)}</b> · {escaped(entry.kind_label)}"
    if entry.is_contact_point:
        head += " · " + escaped(_("contact point"))
    reach = []
    if entry.phone:
        reach.append(_("Phone") + f": {escaped(entry.phone)}")
    if entry.email:
        reach.append(_("Email") + f": {escaped(entry.email)}")
    if not entry.has_contact:
        reach.append(_("No contact you may see: ask the contact points."))
    if entry.available_24_7:
        reach.append(_("24/7"))
    elif entry.hours:
        reach.append(escaped(entry.hours))
    languages = ", ".join(language.name for language in entry.languages)
    if languages:
        reach.append(_("Languages") + f": {escaped(languages)}")
    reach.append(_confirmed(entry.confirmed_on, entry.is_stale))
    return head + "<br/>" + " · ".join(reach)


def _person_lines(contact):
    entry = contact.entry
    organisation = f", {escaped(entry.organisation.name)}" if entry.organisation else ""
    head = f"<b>{escaped(entry.full_name)}</b> · {escaped(contact.role_label)}{organisation}"
    reach = [_("Phone") + f": {escaped(number)}" for number in entry.phones]
    reach += [_("Email") + f": {escaped(address)}" for address in entry.emails]
    languages = ", ".join(language.name for language in contact.languages)
    if languages:
        reach.append(_("Languages") + f": {escaped(languages)}")
    last = contact.last_confirmed.date() if contact.last_confirmed else None
    reach.append(_confirmed(last, contact.is_stale))
    return head + "<br/>" + " · ".join(reach)


def _confirmed(day, stale):
    if day is None:
        return "<b>" + escaped(_("never confirmed: check it")) + "</b>"
    text = _("confirmed %(date)s") % {"date": formats.date_format(day, "j M Y")}
    if stale:
        return "<b>" + escaped(text + " — " + _("over 12 months ago: check it")) + "</b>"
    return escaped(text)


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
            frame_width(), frame_height(), _story(pathway, absolute_url), mode="shrink"
        )
        frame.canv = Canvas(io.BytesIO())  # measured only, never drawn on
        frame.wrap(frame_width(), frame_height())
        # reportlab's `_scale` is how many times the content is shrunk to fit.
        if 1 / getattr(frame, "_scale", 1) >= MIN_SCALE:
            shrunk = KeepInFrame(
                frame_width(), frame_height(), _story(pathway, absolute_url), mode="shrink"
            )
            document, pages = _render([shrunk], pathway)
    return document


def _render(story, pathway):
    """(PDF bytes, number of pages) of `story`."""
    dated = formats.date_format(pathway.generated_on, "j F Y")
    footer = _("Referral sheet · %(date)s · page %(page)s")
    return a4_document(
        story,
        title=_sheet_title(pathway),
        subject=_("Referral sheet"),
        footer=lambda page: footer % {"date": dated, "page": page},
    )


def _sheet_title(pathway):
    return _("Referral sheet: from %(origin)s to %(destination)s") % {
        "origin": pathway.origin.name,
        "destination": pathway.destination.name,
    }


def _story(pathway, absolute_url):
    """The sheet's flowables (made afresh for each rendering: reportlab's tables keep state)."""
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    styles = paragraph_styles()
    title = _sheet_title(pathway)
    dated = formats.date_format(pathway.generated_on, "j F Y")
    story = [
        Paragraph(escaped(title), styles["title"]),
        Paragraph(
            escaped(
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
                + escaped(_("Case (categories only)"))
                + ":</b> "
                + "; ".join(f"{escaped(label)}: {escaped(value)}" for label, value in described),
                styles["body"],
            )
        )
    stale = pathway.stale_contacts
    if stale:
        story.append(
            Paragraph(
                escaped(
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
    width = frame_width()
    grid = TableStyle(
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ]
    )

    # Who does what: the procedures, with the institutions of each side by name.
    header = [Paragraph(f"<b>{escaped(_('Procedure'))}</b>", styles["body"])]
    header += [
        Paragraph(
            f"<b>{escaped(side.country.label)}</b>"
            + ("" if side.in_network else f" ({escaped(_('outside the network'))})"),
            styles["body"],
        )
        for side in pathway.sides
    ]
    rows = [header]
    for step in pathway.steps:
        row = [Paragraph(f"<b>{escaped(step.label)}</b>", styles["body"])]
        for step_side in step.sides:
            shown = step_side.institutions[:MATRIX_NAMES]
            names = "; ".join(escaped(entry.name) for entry in shown)
            if len(step_side.institutions) > len(shown):
                more = len(step_side.institutions) - len(shown)
                names += "; " + escaped(_("and %(count)s more (see the page)") % {"count": more})
            row.append(Paragraph(names or escaped(_("None recorded.")), styles["body"]))
        rows.append(row)
    story.append(Paragraph(escaped(_("Who is responsible")), styles["h2"]))
    matrix = Table(rows, colWidths=[width * 0.22, width * 0.39, width * 0.39], repeatRows=1)
    matrix.setStyle(grid)
    story.append(matrix)
    notes = [(step.label, note) for step in pathway.steps for note in step.notes]
    for label, note in notes:
        story.append(Paragraph(f"<b>{escaped(label)}:</b> {escaped(note)}", styles["small"]))

    # Every contact once per side: the people, then the institutions; a row per pair of
    # contacts, so that a long list runs onto the next page rather than overflow one.
    story.append(Paragraph(escaped(_("Contacts")), styles["h2"]))
    columns = []
    header = []
    for side, institutions in pathway.contacts_by_side:
        title = f"<b>{escaped(side.country.label)}</b>"
        if side.profile and side.profile.mechanism_name:
            lead = side.profile.lead_agency
            title += "<br/>" + escaped(side.profile.mechanism_name)
            title += f" · {escaped(lead.name)}" if lead else ""
        header.append(Paragraph(title, styles["body"]))
        lines = [Paragraph(_person_lines(contact), styles["body"]) for contact in side.people]
        lines += [Paragraph(_institution_lines(entry), styles["body"]) for entry in institutions]
        columns.append(lines or [Paragraph(escaped(_("No contact is recorded.")), styles["body"])])
    rows = [header, *(list(row) for row in itertools.zip_longest(*columns, fillvalue=""))]
    contacts = Table(rows, colWidths=[width / 2, width / 2], repeatRows=1)
    contacts.setStyle(grid)
    story.append(contacts)

    guidance = pathway.sheet_guidance
    if guidance:
        story.append(Paragraph(escaped(_("Guidance that applies")), styles["h2"]))
        for label, item in guidance:
            sop = f" ({escaped(_('national SOP'))})" if item.is_national_sop else ""
            url = absolute_url(item.url) if item.url else ""
            story.append(
                Paragraph(
                    f"<b>{escaped(label)}:</b> {escaped(item.title)}{sop}"
                    f" · {escaped(item.kind_label)}" + (f" · {escaped(url)}" if url else ""),
                    styles["small"],
                )
            )
        if pathway.guidance_count > len(guidance):
            story.append(
                Paragraph(escaped(_("More guidance on the assistant's page.")), styles["small"])
            )
    story.append(Spacer(1, 4))
    return story
