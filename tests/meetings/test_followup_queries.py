"""The decisions register, an action point's timeline and the follow-up report run a fixed
number of queries, whatever the number of decisions, updates and action points: pinned with 3
and with 30, as a signed-in member (session, user, groups, site and settings included)."""

import datetime

import pytest

from meetings.followup import record_update
from meetings.models import ActionPoint, Decision, MeetingSeries
from portal.models import Topic
from tests.clients import Client
from tests.meetings.factories import make_country, make_meeting, make_person
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db

PAST = datetime.date.today() - datetime.timedelta(days=120)
REGISTER_QUERIES = 13
TIMELINE_QUERIES = 8
REPORT_QUERIES = 9


@pytest.fixture
def member_client():
    client = Client()
    client.force_login(UserFactory(member=True))
    return client


def make_decisions(n, series, topic, country):
    """`n` meetings of one decision each, implemented by action points of a later meeting."""
    decisions = []
    for k in range(n):
        meeting = make_meeting(
            start=PAST + datetime.timedelta(days=k),
            series=series,
            children={"decisions": [Decision(number=1, text=f"Decision text {k}")]},
        )
        decision = meeting.decisions.get()
        decision.topics.add(topic)
        decision.save()
        decisions.append(decision)
    make_meeting(
        start=PAST + datetime.timedelta(days=n),
        children={
            "action_points": [
                ActionPoint(description=f"Implement {k}", owner_country=country, decision=decision)
                for k, decision in enumerate(decisions)
            ]
        },
    )


def get_counted(client, url, django_assert_num_queries, expected):
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("n", [3, 30])
def test_the_register_costs_the_same_with_3_and_30_decisions(
    member_client, django_assert_num_queries, n
):
    series = MeetingSeries.objects.create(name="Series")
    topic = Topic.objects.create(name="Children", slug="children-q")
    make_decisions(n, series, topic, make_country())
    member_client.get("/meetings/")  # the session's first request settles its own reads
    response = get_counted(
        member_client, "/meetings/decisions/", django_assert_num_queries, REGISTER_QUERIES
    )
    assert response.content.decode().count('class="decision"') == n


@pytest.mark.parametrize("n", [3, 30])
def test_the_timeline_costs_the_same_with_3_and_30_updates(django_assert_num_queries, n):
    user = UserFactory(member=True)
    person = make_person(user=user, country=make_country())
    meeting = make_meeting(
        start=PAST,
        children={"action_points": [ActionPoint(description="Plan", owner_person=person)]},
    )
    action = meeting.action_points.get()
    for k in range(n):
        record_update(action, user, status="in_progress", due_date=None, note=f"Step {k}")
    client = Client()
    client.force_login(user)
    client.get("/meetings/")
    response = get_counted(
        client, f"/meetings/actions/{action.pk}/", django_assert_num_queries, TIMELINE_QUERIES
    )
    assert response.content.decode().count("Step ") == n


@pytest.mark.parametrize("n", [3, 30])
def test_the_report_costs_the_same_with_3_and_30_action_points(
    member_client, django_assert_num_queries, n
):
    series = MeetingSeries.objects.create(name="Series")
    countries = [make_country() for _ in range(3)]
    user = UserFactory(member=True)
    meeting = make_meeting(
        start=PAST,
        series=series,
        children={
            "action_points": [
                ActionPoint(description=f"Task {k}", owner_country=countries[k % 3])
                for k in range(n)
            ]
        },
    )
    for action in meeting.action_points.all():
        record_update(action, user, status="in_progress", due_date=None, note="Begun")
    member_client.get("/meetings/")
    response = get_counted(
        member_client, "/meetings/follow-up/", django_assert_num_queries, REPORT_QUERIES
    )
    assert response.content.decode().count("Begun") == n
