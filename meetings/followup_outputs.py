"""
The follow-up report as CSV and PDF (reportlab, with the referral sheet's fonts: DejaVu covers
the region's scripts). Both take the groups `meetings.followup.follow_up_report` built for a
requester, so they hold nothing that requester may not see.
"""

import csv
import io

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from portal.pdf import escaped, paragraph_styles
from portal.spreadsheet import safe_cell

CSV_COLUMNS = [
    "country",
    "series",
    "meeting",
    "meeting_date",
    "action_point",
    "owner",
    "decision",
    "status",
    "due_date",
    "overdue",
    "latest_update",
    "latest_update_on",
    "latest_update_by",
]


def report_csv_rows(groups):
    yield CSV_COLUMNS
    for group in groups:
        for action in group.actions:
            update = action.latest_update
            yield [
                safe_cell(group.country.name if group.country else ""),
                safe_cell(group.series.name if group.series else ""),
                safe_cell(action.meeting.title),
                action.meeting.start_date.isoformat(),
                safe_cell(action.description),
                safe_cell(action.owner_name),
                safe_cell(str(action.decision) if action.decision_id else ""),
                action.status,
                action.due_date.isoformat() if action.due_date else "",
                "yes" if action.overdue else "no",
                safe_cell(update.note if update else action.progress_note),
                update.created_at.date().isoformat() if update else "",
                safe_cell(update.author_name if update else ""),
            ]


def report_csv(groups):
    """The report as CSV text."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(report_csv_rows(groups))
    return buffer.getvalue()


def report_pdf(groups, title):
    """The report as PDF bytes: per country and series, the counts, then one row per action."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = paragraph_styles()
    body, title_style = styles["body"], styles["title"]
    heading = ParagraphStyle("h2", styles["h2"], spaceBefore=8)
    today = timezone.localdate()
    story = [
        Paragraph(escaped(title), title_style),
        Paragraph(
            escaped(_("As of %(date)s.") % {"date": formats.date_format(today, "j F Y")}), body
        ),
    ]
    if not groups:
        story.append(Paragraph(escaped(_("No action points to report.")), body))
    for group in groups:
        story.append(
            Paragraph(
                escaped(
                    f"{group.country.name if group.country else _('No country')} · "
                    f"{group.series.name if group.series else _('No series')}"
                ),
                heading,
            )
        )
        story.append(
            Paragraph(
                escaped(
                    _(
                        "Committed: %(committed)s · open: %(open)s · done: %(done)s · "
                        "dropped: %(dropped)s · overdue: %(overdue)s"
                    )
                    % {
                        "committed": group.committed,
                        "open": group.open,
                        "done": group.done,
                        "dropped": group.dropped,
                        "overdue": group.overdue,
                    }
                ),
                body,
            )
        )
        rows = [
            [
                Paragraph(escaped(label), body)
                for label in (
                    _("Action point"),
                    _("Meeting"),
                    _("Owner"),
                    _("Status"),
                    _("Due"),
                    _("Latest update"),
                )
            ]
        ]
        for action in group.actions:
            update = action.latest_update
            latest = update.note if update else action.progress_note
            if update:
                latest = f"{formats.date_format(update.created_at.date(), 'j M Y')}: {latest}"
            due = formats.date_format(action.due_date, "j M Y") if action.due_date else ""
            if action.overdue:
                due += " — " + _("overdue")
            rows.append(
                [
                    Paragraph(escaped(action.description), body),
                    Paragraph(escaped(action.meeting.title), body),
                    Paragraph(escaped(action.owner_name), body),
                    Paragraph(escaped(action.get_status_display()), body),
                    Paragraph(escaped(due), body),
                    Paragraph(escaped(latest), body),
                ]
            )
        table = Table(rows, colWidths=[80 * mm, 45 * mm, 35 * mm, 22 * mm, 28 * mm, 60 * mm])
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                ]
            )
        )
        story += [Spacer(1, 2 * mm), table]
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=10 * mm,
        rightMargin=10 * mm,
        topMargin=10 * mm,
        bottomMargin=10 * mm,
        title=title,
    ).build(story)
    return buffer.getvalue()
