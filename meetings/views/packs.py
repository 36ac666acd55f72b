"""The meeting pack: one ZIP of the agenda and the documents the requester may see."""

import os
import zipfile
from tempfile import SpooledTemporaryFile

from django.http import FileResponse
from django.template.loader import render_to_string
from django.utils.text import slugify
from django.utils.translation import gettext as _

from meetings.followup import follow_up_report, invited_countries, report_actions
from meetings.followup_outputs import report_csv, report_pdf
from meetings.views.common import meeting_for, private
from portal.access import visible_audiences


def meeting_pack(request, pk):
    """One ZIP with the agenda and every document of the meeting the requester may see."""
    meeting, denied = meeting_for(request, pk, record=True)
    if denied:
        return denied
    user = request.user
    agenda = meeting.agenda_items.select_related("presenter").prefetch_related("documents")
    documents = [
        (item.display_title, item.document)
        for item in meeting.documents.filter(audience__in=visible_audiences(user)).select_related(
            "document"
        )
    ]
    # Agenda papers belong to the record, which the requester may see.
    documents += [
        (document.title, document) for item in agenda for document in item.documents.all()
    ]
    # FileResponse closes the buffer once it is sent.
    buffer = SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115
    used_names = set()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "agenda.html",
            render_to_string(
                "meetings/pack_agenda.html", {"page": meeting, "agenda": agenda}, request
            ),
        )
        if meeting.series_id:
            # What the invited countries committed to at the series' earlier meetings.
            for name, content in follow_up_files(meeting, user):
                archive.writestr(name, content)
        seen = set()
        for title, document in documents:
            if document.pk in seen:
                continue
            seen.add(document.pk)
            extension = os.path.splitext(document.filename)[1].lower()
            stem = slugify(title) or f"document-{document.pk}"
            name = _unique_name(f"documents/{stem}{extension}", used_names)
            try:
                with document.file.open("rb") as source:
                    archive.writestr(name, source.read())
            except FileNotFoundError:
                archive.writestr(f"{name}.missing.txt", _("This file is missing from the storage."))
    buffer.seek(0)
    response = FileResponse(
        buffer,
        as_attachment=True,
        filename=f"{slugify(meeting.title)}-pack.zip",
        content_type="application/zip",
    )
    return private(response)


def follow_up_files(meeting, user):
    """The follow-up report of `meeting`'s series for the countries invited to it, as PDF and
    CSV: the action points of the series' earlier meetings that `user` may see."""
    actions = report_actions(
        user,
        series=meeting.series,
        countries=invited_countries(meeting),
        before=meeting.start_date,
    )
    groups = follow_up_report(actions)
    title = _("Follow-up report for %(meeting)s") % {"meeting": meeting.title}
    return [
        ("follow-up-report.pdf", report_pdf(groups, title)),
        ("follow-up-report.csv", report_csv(groups)),
    ]


def _unique_name(name, used):
    candidate, counter = name, 1
    while candidate in used:
        stem, dot, ext = name.rpartition(".")
        candidate = f"{stem}-{counter}.{ext}" if dot else f"{name}-{counter}"
        counter += 1
    used.add(candidate)
    return candidate
