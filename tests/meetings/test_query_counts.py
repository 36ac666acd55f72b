"""Listings and pages run a fixed number of queries, whatever the number of objects: the same
count with 3 and with 30, pinned so that a regression shows."""

import datetime

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext

from meetings.models import (
    ActionPoint,
    AgendaItem,
    Decision,
    MeetingDocument,
    MeetingType,
    Participant,
)
from tests.meetings.factories import make_country, make_document, make_meeting, make_person

pytestmark = pytest.mark.django_db

PAST = datetime.date.today() - datetime.timedelta(days=90)

# Pinned counts for a signed-in member, including the session, user, groups, site, site settings
# and the session refresh that every page costs.
INDEX_QUERIES = 18
MEETING_PAGE_QUERIES = 31
ACTION_LIST_QUERIES = 16
CALENDAR_QUERIES = 7


def count_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def make_meetings(n):
    country = make_country()
    for k in range(n):
        make_meeting(
            title=f"Bulk meeting {k}", host_country=country, start=PAST + datetime.timedelta(days=k)
        )


def recorded_meeting(n, person):
    document = make_document()
    make_meeting(
        start=PAST - datetime.timedelta(days=30),
        meeting_type=MeetingType.WORKING_GROUP,
        children={
            "action_points": [
                ActionPoint(description=f"Old {k}", owner_person=person) for k in range(n)
            ]
        },
    )
    return make_meeting(
        meeting_type=MeetingType.WORKING_GROUP,
        start=PAST,
        children={
            "agenda_items": [
                AgendaItem(title=f"Item {k}", presenter=person, documents=[document])
                for k in range(n)
            ],
            "participants": [Participant(person=person) for _ in range(n)],
            "decisions": [Decision(number=k, text=f"Decision {k}") for k in range(n)],
            "action_points": [
                ActionPoint(description=f"Task {k}", owner_person=person) for k in range(n)
            ],
            "documents": [MeetingDocument(document=make_document(f"Doc {k}")) for k in range(n)],
        },
    )


@pytest.mark.parametrize("n", [3, 30])
def test_meeting_index_queries_do_not_grow_with_meetings(member_client, n):
    make_meetings(n)
    member_client.get("/meetings/")  # warm the site and settings caches
    assert count_queries(member_client, "/meetings/") == INDEX_QUERIES


@pytest.mark.parametrize("n", [3, 30])
def test_meeting_page_queries_do_not_grow_with_the_record(owner_client, owner, n):
    meeting = recorded_meeting(n, owner.person)
    owner_client.get(meeting.url)
    assert count_queries(owner_client, meeting.url) == MEETING_PAGE_QUERIES


@pytest.mark.parametrize("n", [3, 30])
def test_action_list_queries_do_not_grow_with_action_points(owner_client, owner, n):
    country = owner.person.country
    make_meeting(
        start=PAST,
        children={
            "action_points": [
                ActionPoint(
                    description=f"Task {k}",
                    owner_person=make_person(country=country) if k % 2 else None,
                    owner_country=None if k % 2 else country,
                )
                for k in range(n)
            ]
        },
    )
    owner_client.get("/meetings/actions/")
    assert count_queries(owner_client, "/meetings/actions/") == ACTION_LIST_QUERIES


@pytest.mark.parametrize("n", [3, 30])
def test_calendar_feed_queries_do_not_grow_with_meetings(member_client, n):
    make_meetings(n)
    member_client.get("/meetings/calendar.ics")
    assert count_queries(member_client, "/meetings/calendar.ics") == CALENDAR_QUERIES


@pytest.mark.parametrize("n", [3, 30])
def test_home_section_queries_do_not_grow_with_meetings(member_client, n):
    for k in range(n):
        make_meeting(
            title=f"Soon {k}", start=datetime.date.today() + datetime.timedelta(days=k + 1)
        )
    html = member_client.get("/").content.decode()
    assert "Upcoming meetings" in html and "Soon 0" in html and "Soon 3" not in html
    first = count_queries(member_client, "/")
    assert first == count_queries(member_client, "/")
