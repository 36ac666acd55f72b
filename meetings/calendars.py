"""
iCalendar feeds of meetings. What an event carries depends on who asks: everyone gets the public
facts (title, times, place, page URL); the joining link of an online meeting only goes to those
who may see the record. UIDs derive from the page's translation key, which never changes.
"""

from datetime import date, timedelta

import icalendar

from django.utils import timezone
from django.utils.html import strip_tags

PRODID = "-//Regional anti-trafficking network//Meetings//EN"


def event_uid(meeting):
    return f"meeting-{meeting.translation_key}@portal"


def location_of(meeting):
    parts = [meeting.venue_address.replace("\n", ", ").strip(), meeting.venue_city]
    if meeting.host_country_id:
        parts.append(meeting.host_country.label)
    place = ", ".join(part for part in parts if part)
    if meeting.online:
        return f"{place} + online" if place else "Online"
    return place


def meeting_event(meeting, request, with_record):
    event = icalendar.Event()
    event.add("uid", event_uid(meeting))
    event.add("dtstamp", meeting.last_published_at or timezone.now())
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at)
    event.add("summary", meeting.title)
    event.add("sequence", meeting.sequence)
    event.add("status", "CANCELLED" if meeting.cancelled else "CONFIRMED")
    url = request.build_absolute_uri(meeting.url) if meeting.url else ""
    if url:
        event.add("url", url)
    location = location_of(meeting)
    if location:
        event.add("location", location)
    description = [strip_tags(meeting.public_summary).strip()]
    if with_record and meeting.online and meeting.joining_link:
        description.append(f"Join: {meeting.joining_link}")
    if url:
        description.append(url)
    event.add("description", "\n\n".join(part for part in description if part))
    return event


def build_calendar(meetings, request, name, can_see_record):
    """A calendar of `meetings`; `can_see_record(meeting)` says whether members-only facts go in."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    # Often a meeting's title: one line, as icalendar does not escape this property's breaks.
    calendar.add("x-wr-calname", " ".join(str(name).split()))
    first = last = date.today()
    for meeting in meetings:
        calendar.add_component(meeting_event(meeting, request, can_see_record(meeting)))
        first, last = min(first, meeting.start_date), max(last, meeting.end_date)
    # The VTIMEZONE only needs to cover the meetings' own dates, which keeps the feed small.
    calendar.add_missing_timezones(
        first_date=first - timedelta(days=366), last_date=last + timedelta(days=366)
    )
    return calendar
