"""Builders for meetings tests. Meetings are created the way the editor does: as children of the
meeting index, then published through a revision."""

import datetime
import itertools

from django.core.files.base import ContentFile

from library.models import LibraryDocument
from meetings.models import MeetingIndexPage, MeetingPage
from network.models import Country, Mandate, Organisation, Person

_counter = itertools.count(1)
_codes = (f"{a}{b}" for a in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def make_country(name=None, iso_code=None):
    code = iso_code or next(c for c in _codes if not Country.objects.filter(iso_code=c).exists())
    return Country.objects.create(name=name or f"Country {code}", iso_code=code)


def make_person(user=None, country=None, given_name="Ana", family_name=None, **kwargs):
    organisation = Organisation.objects.create(name=f"Ministry {next(_counter)}", country=country)
    return Person.objects.create(
        given_name=given_name,
        family_name=family_name or f"Person{next(_counter)}",
        country=country,
        organisation=organisation,
        user=user,
        **kwargs,
    )


def make_mandate(person, country, start=None, end=None, role="national_coordinator"):
    return Mandate.objects.create(
        person=person,
        country=country,
        role=role,
        start=start or datetime.date(2020, 1, 1),
        end=end,
    )


def make_document(title="Paper", content=b"%PDF-1.4 paper", filename=None):
    document = LibraryDocument(title=title)
    document.file.save(filename or f"paper-{next(_counter)}.pdf", ContentFile(content), save=False)
    document.save()
    return document


def meeting_index():
    return MeetingIndexPage.objects.get()


def make_meeting(
    start=None,
    days=2,
    publish=True,
    children=None,
    **fields,
):
    """A published meeting starting on `start` (default: 30 days from today) at 09:00 local time,
    ending `days - 1` days later at 17:00. `children` maps relation names to lists of unsaved
    child objects."""
    start = start or (datetime.date.today() + datetime.timedelta(days=30))
    number = next(_counter)
    defaults = {
        "title": f"Meeting {number}",
        "slug": f"meeting-{number}",
        "start_date": start,
        "start_time": datetime.time(9, 0),
        "end_date": start + datetime.timedelta(days=days - 1),
        "end_time": datetime.time(17, 0),
        "time_zone": "Europe/Belgrade",
        "venue_city": "Belgrade",
        "public_summary": "<p>Public summary of the meeting.</p>",
    }
    defaults.update(fields)
    meeting = MeetingPage(live=publish, **defaults)
    for relation, objects in (children or {}).items():
        setattr(meeting, relation, objects)
    meeting_index().add_child(instance=meeting)
    if publish:
        meeting.save_revision().publish()
    else:
        meeting.save_revision()
    return MeetingPage.objects.get(pk=meeting.pk)
