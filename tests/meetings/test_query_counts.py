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
from portal.page_cache import invalidate
from tests.meetings.factories import make_country, make_document, make_meeting, make_person

pytestmark = pytest.mark.django_db

PAST = datetime.date.today() - datetime.timedelta(days=90)

# Pinned ceilings for a signed-in member, including the session, user, groups, site, site
# settings and the session refresh that every page costs (a Redis cache adds one page query to
# page serving and saves the session read). Each test also proves the count is the same with 3
# and with 30 objects, on the cold path of the shared caches (see counts_with_3_and_30).
INDEX_QUERIES = 18
MEETING_PAGE_QUERIES = 29
ACTION_LIST_QUERIES = 14  # the page read as ids, then rows: a narrow sort at any size
CALENDAR_QUERIES = 7
# The home page also carries the member's dashboard (their subscription and saved searches).
HOME_QUERIES = 16


def count_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def make_meetings(n, first=0):
    country = make_country()
    for k in range(first, first + n):
        make_meeting(
            title=f"Bulk meeting {k}", host_country=country, start=PAST + datetime.timedelta(days=k)
        )


def recorded_meeting(n, person, start=PAST):
    document = make_document()
    make_meeting(
        start=start - datetime.timedelta(days=30),
        meeting_type=MeetingType.WORKING_GROUP,
        children={
            "action_points": [
                ActionPoint(description=f"Old {k}", owner_person=person) for k in range(n)
            ]
        },
    )
    return make_meeting(
        meeting_type=MeetingType.WORKING_GROUP,
        start=start,
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


def counts_with_3_and_30(client, url_for, grow):
    """The queries to serve a URL with 3 objects, then with 30 (after `grow(27)`)."""
    grow(3)
    counts = []
    for more in (0, 27):
        if more:
            grow(more)
        url = url_for()
        client.get(url)  # warm the per-process caches (site root paths, settings)
        invalidate()  # but count the shared listings' cold path: the most a visit costs
        counts.append(count_queries(client, url))
    return counts


def test_meeting_index_queries_do_not_grow_with_meetings(member_client):
    made = []

    def grow(n):
        make_meetings(n, first=len(made))
        made.extend(range(n))

    small, large = counts_with_3_and_30(member_client, lambda: "/meetings/", grow)
    assert small == large <= INDEX_QUERIES


def test_meeting_page_queries_do_not_grow_with_the_record(owner_client, owner):
    meetings = []
    small, large = counts_with_3_and_30(
        owner_client,
        lambda: meetings[-1].url,
        lambda n: meetings.append(
            recorded_meeting(
                3 if n == 3 else 30,
                owner.person,
                start=PAST - datetime.timedelta(days=len(meetings) * 100),
            )
        ),
    )
    assert small == large <= MEETING_PAGE_QUERIES


def test_action_list_queries_do_not_grow_with_action_points(owner_client, owner):
    country = owner.person.country

    def grow(n):
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

    small, large = counts_with_3_and_30(owner_client, lambda: "/meetings/actions/", grow)
    assert small == large <= ACTION_LIST_QUERIES


def test_calendar_feed_queries_do_not_grow_with_meetings(member_client):
    made = []

    def grow(n):
        make_meetings(n, first=len(made))
        made.extend(range(n))

    small, large = counts_with_3_and_30(member_client, lambda: "/meetings/calendar.ics", grow)
    assert small == large <= CALENDAR_QUERIES


def test_home_section_shows_the_next_three_with_fixed_queries(member_client):
    made = []

    def grow(n):
        for k in range(len(made), len(made) + n):
            make_meeting(
                title=f"Soon {k}", start=datetime.date.today() + datetime.timedelta(days=k + 1)
            )
        made.extend(range(n))

    small, large = counts_with_3_and_30(member_client, lambda: "/", grow)
    assert small == large <= HOME_QUERIES
    html = member_client.get("/").content.decode()
    assert "Upcoming meetings" in html and "Soon 0" in html and "Soon 3" not in html


@pytest.mark.parametrize(
    ("url_for", "saved"),
    [
        (lambda meeting: "/meetings/", 2),  # the total and the page's ids
        (lambda meeting: "/meetings/actions/", 2),  # the same
        (lambda meeting: meeting.url, 5),  # agenda, its documents and resources, participants,
        # decisions and their resources: one rendered record
    ],
    ids=["index", "actions", "meeting"],
)
def test_a_second_visit_reads_what_the_tier_shares_from_the_cache(
    owner_client, owner, url_for, saved
):
    meeting = recorded_meeting(3, owner.person)
    url = url_for(meeting)
    owner_client.get(url)
    invalidate()
    cold = count_queries(owner_client, url)
    warm = count_queries(owner_client, url)
    assert cold - warm >= saved
