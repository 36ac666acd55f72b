"""The meeting index and meeting pages: what each tier sees, and how the listing behaves."""

import datetime

import pytest

from meetings.models import (
    ActionPoint,
    AgendaItem,
    Decision,
    MeetingDocument,
    MeetingIndexPage,
    MeetingType,
    Participant,
)
from portal.access import Audience
from tests.clients import Client
from tests.meetings.factories import make_country, make_document, make_meeting, make_person

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()
SECRETS = (
    "Opening of the record",
    "Confidential minutes text",
    "https://video.example.org/secret-room",
    "Decision text on referral",
    "Action to draft the SOP",
    "Guest Speaker",
    "members-paper",
)


def full_meeting(**fields):
    person = make_person()
    return make_meeting(
        online=True,
        joining_link="https://video.example.org/secret-room",
        minutes="<p>Confidential minutes text</p>",
        children={
            "agenda_items": [AgendaItem(title="Opening of the record", presenter=person)],
            "participants": [Participant(guest_name="Guest Speaker", guest_organisation="IOM")],
            "decisions": [Decision(number=1, text="Decision text on referral")],
            "action_points": [
                ActionPoint(description="Action to draft the SOP", owner_person=person)
            ],
            "documents": [
                MeetingDocument(document=make_document("members-paper"), audience=Audience.MEMBERS)
            ],
        },
        **fields,
    )


def test_the_meeting_index_is_created_by_migration_and_served_at_meetings(client):
    index = MeetingIndexPage.objects.get()
    assert index.url == "/meetings/"
    assert client.get("/meetings/").status_code == 200


def test_anonymous_visitor_sees_the_public_part_but_nothing_of_the_record():
    meeting = full_meeting(title="Regional meeting Tirana")
    response = Client().get(meeting.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Regional meeting Tirana" in html and "Public summary of the meeting." in html
    for secret in SECRETS:
        assert secret not in html
    assert 'data-audience="members"' not in html


def test_member_sees_the_record_marked_members_only_and_privately_cached(member_client):
    meeting = full_meeting()
    response = member_client.get(meeting.url)
    html = response.content.decode()
    for secret in SECRETS:
        assert secret in html
    assert 'data-audience="members"' in html
    assert "private" in response["Cache-Control"]


def test_secretariat_only_documents_are_hidden_from_members_and_shown_to_the_secretariat(
    member, secretariat
):
    meeting = make_meeting(
        children={
            "documents": [
                MeetingDocument(
                    document=make_document("internal-note"), audience=Audience.SECRETARIAT
                )
            ]
        }
    )
    member_view, secretariat_view = Client(), Client()
    member_view.force_login(member)
    secretariat_view.force_login(secretariat)
    assert "internal-note" not in member_view.get(meeting.url).content.decode()
    assert "internal-note" in secretariat_view.get(meeting.url).content.decode()


def test_a_members_only_meeting_sends_anonymous_visitors_to_sign_in_and_is_not_listed():
    meeting = make_meeting(title="Closed working group", audience=Audience.MEMBERS)
    anonymous = Client()
    response = anonymous.get(meeting.url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert "Closed working group" not in anonymous.get("/meetings/").content.decode()
    assert "Closed working group" not in anonymous.get("/").content.decode()


def test_a_secretariat_meeting_is_forbidden_to_members(member_client):
    meeting = make_meeting(title="Secretariat retreat", audience=Audience.SECRETARIAT)
    assert member_client.get(meeting.url).status_code == 403
    assert "Secretariat retreat" not in member_client.get("/meetings/").content.decode()


def test_index_lists_upcoming_meetings_soonest_first_then_past_meetings_latest_first(client):
    titles = {
        "Past old": TODAY - datetime.timedelta(days=400),
        "Upcoming later": TODAY + datetime.timedelta(days=60),
        "Past recent": TODAY - datetime.timedelta(days=30),
        "Upcoming soon": TODAY + datetime.timedelta(days=5),
    }
    for title, start in titles.items():
        make_meeting(title=title, start=start)
    html = client.get("/meetings/").content.decode()
    positions = [
        html.index(title)
        for title in ("Upcoming soon", "Upcoming later", "Past recent", "Past old")
    ]
    assert positions == sorted(positions)
    assert html.index("Upcoming meetings") < html.index("Past meetings")


def test_index_filters_by_type_year_and_host_country(client):
    albania, serbia = make_country("Albania", "AL"), make_country("Serbia", "RS")
    make_meeting(
        title="Workshop in Tirana",
        meeting_type=MeetingType.EXPERT_WORKSHOP,
        host_country=albania,
        start=datetime.date(2023, 5, 4),
    )
    make_meeting(title="Regional in Belgrade", host_country=serbia, start=datetime.date(2024, 5, 4))
    html = client.get("/meetings/", {"type": "expert_workshop"}).content.decode()
    assert "Workshop in Tirana" in html and "Regional in Belgrade" not in html
    html = client.get("/meetings/", {"year": "2024"}).content.decode()
    assert "Regional in Belgrade" in html and "Workshop in Tirana" not in html
    html = client.get("/meetings/", {"country": "AL"}).content.decode()
    assert "Workshop in Tirana" in html and "Regional in Belgrade" not in html


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ({"type": "party"}, "Type"),
        ({"year": "last"}, "Year"),
        ({"year": "1066"}, "Year"),
        ({"country": "XX"}, "Host country"),
    ],
)
def test_index_refuses_a_bad_filter_with_a_message_naming_it(client, params, problem):
    make_meeting(title="Still listed")
    response = client.get("/meetings/", params)
    assert response.status_code == 400
    html = response.content.decode()
    assert f"{problem}:" in html and "message--error" in html


def test_index_paginates_and_tolerates_a_bad_page_number(client):
    for offset in range(22):
        make_meeting(
            title=f"Numbered meeting {offset:02d}",
            start=TODAY + datetime.timedelta(days=offset + 1),
        )
    first = client.get("/meetings/").content.decode()
    second = client.get("/meetings/", {"page": "2"}).content.decode()
    assert "Numbered meeting 00" in first and "Numbered meeting 21" not in first
    assert "Numbered meeting 21" in second
    assert client.get("/meetings/", {"page": "nonsense"}).status_code == 200


def test_a_cancelled_meeting_says_so(client):
    meeting = make_meeting(cancelled=True)
    assert "This meeting is cancelled." in client.get(meeting.url).content.decode()


def test_meeting_page_shows_open_action_points_from_earlier_meetings_of_the_same_type(
    member_client,
):
    person = make_person()
    make_meeting(
        start=TODAY - datetime.timedelta(days=200),
        meeting_type=MeetingType.WORKING_GROUP,
        children={
            "action_points": [
                ActionPoint(description="Still open from last time", owner_person=person),
                ActionPoint(description="Already finished", owner_person=person, status="done"),
            ]
        },
    )
    make_meeting(
        start=TODAY - datetime.timedelta(days=100),
        meeting_type=MeetingType.EXPERT_WORKSHOP,
        children={"action_points": [ActionPoint(description="Another type", owner_person=person)]},
    )
    current = make_meeting(meeting_type=MeetingType.WORKING_GROUP)
    html = member_client.get(current.url).content.decode()
    assert "Still open from earlier meetings" in html
    assert "Still open from last time" in html
    assert "Already finished" not in html and "Another type" not in html
    assert "Still open from last time" not in Client().get(current.url).content.decode()


def test_earlier_open_action_points_follow_the_series_when_there_is_one(member_client):
    from meetings.models import MeetingSeries

    series = MeetingSeries.objects.create(name="Labour exploitation working group")
    person = make_person()
    make_meeting(
        start=TODAY - datetime.timedelta(days=200),
        series=series,
        meeting_type=MeetingType.ONLINE_CALL,
        children={
            "action_points": [ActionPoint(description="Series follow-up", owner_person=person)]
        },
    )
    make_meeting(
        start=TODAY - datetime.timedelta(days=150),
        children={
            "action_points": [ActionPoint(description="Outside the series", owner_person=person)]
        },
    )
    current = make_meeting(series=series)
    html = member_client.get(current.url).content.decode()
    assert "Series follow-up" in html and "Outside the series" not in html


def test_public_documents_are_offered_to_everyone():
    meeting = make_meeting(
        children={
            "documents": [
                MeetingDocument(document=make_document("final-report"), audience=Audience.PUBLIC)
            ]
        }
    )
    assert "final-report" in Client().get(meeting.url).content.decode()


def test_unpublished_meeting_is_not_served_or_listed(client):
    meeting = make_meeting(title="Draft meeting", publish=False)
    assert client.get(f"/meetings/{meeting.slug}/").status_code == 404
    assert "Draft meeting" not in client.get("/meetings/").content.decode()
    assert meeting.live is False
