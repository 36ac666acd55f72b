"""iCalendar feeds, parsed with the icalendar library as a calendar client would."""

import datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest

from meetings.models import CalendarToken, MeetingPage, Registration
from portal.access import Audience
from tests.clients import Client
from tests.meetings.factories import make_country, make_meeting, make_person
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db

START = datetime.date.today() + datetime.timedelta(days=40)


def events(response):
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    return calendar, {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}


def test_public_feed_parses_with_time_zone_location_url_and_stable_uids():
    meeting = make_meeting(
        title="Regional meeting in Skopje",
        start=START,
        time_zone="Europe/Skopje",
        venue_city="Skopje",
        venue_address="Hotel Aleksandar Palace",
        host_country=make_country("North Macedonia", "MK"),
    )
    client = Client()
    calendar, found = events(client.get("/meetings/calendar.ics"))
    event = found["Regional meeting in Skopje"]
    assert event["DTSTART"].params["TZID"] == "Europe/Skopje"
    assert event.decoded("DTSTART") == datetime.datetime.combine(
        START, datetime.time(9), tzinfo=ZoneInfo("Europe/Skopje")
    )
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Skopje"]
    assert "Skopje" in str(event["LOCATION"]) and "North Macedonia" in str(event["LOCATION"])
    assert str(event["URL"]) == f"http://testserver{meeting.url}"
    assert str(event["STATUS"]) == "CONFIRMED"
    _, again = events(client.get("/meetings/calendar.ics"))
    assert str(again["Regional meeting in Skopje"]["UID"]) == str(event["UID"])


def test_anonymous_feed_leaves_out_members_meetings_and_joining_links(member_client):
    make_meeting(title="Open call", online=True, joining_link="https://video.example.org/room-42")
    make_meeting(title="Members' working group", audience=Audience.MEMBERS)
    _, anonymous = events(Client().get("/meetings/calendar.ics"))
    assert set(anonymous) == {"Open call"}
    assert "room-42" not in str(anonymous["Open call"]["DESCRIPTION"])
    response = member_client.get("/meetings/calendar.ics")
    _, member = events(response)
    assert set(member) == {"Open call", "Members' working group"}
    assert "room-42" in str(member["Open call"]["DESCRIPTION"])
    assert "private" in response["Cache-Control"]


def test_a_change_of_date_raises_the_sequence_and_cancelling_marks_the_event_cancelled():
    meeting = make_meeting(title="Moving meeting", start=START)
    _, before = events(Client().get(f"/meetings/meeting/{meeting.pk}.ics"))
    meeting = MeetingPage.objects.get(pk=meeting.pk)
    meeting.start_date = meeting.end_date = START + datetime.timedelta(days=7)
    meeting.save_revision().publish()
    meeting = MeetingPage.objects.get(pk=meeting.pk)
    meeting.cancelled = True
    meeting.save_revision().publish()
    _, after = events(Client().get(f"/meetings/meeting/{meeting.pk}.ics"))
    assert int(after["Moving meeting"]["SEQUENCE"]) == int(before["Moving meeting"]["SEQUENCE"]) + 2
    assert str(after["Moving meeting"]["STATUS"]) == "CANCELLED"
    assert str(after["Moving meeting"]["UID"]) == str(before["Moving meeting"]["UID"])


def test_a_single_meetings_calendar_follows_the_meetings_audience(member_client):
    meeting = make_meeting(title="Closed", audience=Audience.MEMBERS)
    assert Client().get(f"/meetings/meeting/{meeting.pk}.ics").status_code == 302
    _, found = events(member_client.get(f"/meetings/meeting/{meeting.pk}.ics"))
    assert set(found) == {"Closed"}
    secret = make_meeting(title="Secretariat only", audience=Audience.SECRETARIAT)
    assert member_client.get(f"/meetings/meeting/{secret.pk}.ics").status_code == 403


def personal_feed(token):
    return Client().get(f"/meetings/calendar/personal/{token}.ics")


def test_personal_feed_lists_the_meetings_i_registered_for_without_a_session(owner_client, owner):
    going = make_meeting(
        title="I am going", online=True, joining_link="https://video.example.org/r1"
    )
    sorry = make_meeting(title="I sent apologies")
    make_meeting(title="Not answered")
    Registration.objects.create(meeting=going, person=owner.person, status="registered")
    Registration.objects.create(meeting=sorry, person=owner.person, status="apologies")
    owner_client.post("/meetings/calendar/subscription/", {"action": "create"})
    token = CalendarToken.objects.get(user=owner).token
    assert token in owner_client.get("/meetings/calendar/subscription/").content.decode()
    _, found = events(personal_feed(token))
    assert set(found) == {"I am going"}
    assert "video.example.org/r1" in str(found["I am going"]["DESCRIPTION"])


def test_a_regenerated_token_replaces_the_old_address(owner_client, owner):
    owner_client.post("/meetings/calendar/subscription/", {"action": "create"})
    old = CalendarToken.objects.get(user=owner).token
    owner_client.post("/meetings/calendar/subscription/", {"action": "regenerate"})
    new = CalendarToken.objects.get(user=owner).token
    assert new != old
    assert personal_feed(old).status_code == 404
    assert personal_feed(new).status_code == 200


def test_a_revoked_token_no_longer_serves_the_feed(owner_client, owner):
    owner_client.post("/meetings/calendar/subscription/", {"action": "create"})
    token = CalendarToken.objects.get(user=owner).token
    owner_client.post("/meetings/calendar/subscription/", {"action": "revoke"})
    assert personal_feed(token).status_code == 404
    assert not CalendarToken.objects.exists()


def test_a_secretariat_token_lists_no_secretariat_only_meeting(db):
    """The address is used without a second factor: it holds a member's tier at most."""
    staff = UserFactory(secretariat=True)
    person = make_person(user=staff, country=make_country())
    shared = make_meeting(title="Members meeting", audience=Audience.MEMBERS)
    closed = make_meeting(title="Secretariat retreat", audience=Audience.SECRETARIAT)
    for meeting in (shared, closed):
        Registration.objects.create(meeting=meeting, person=person, status="registered")
    token = CalendarToken.objects.create(user=staff).token
    _, found = events(personal_feed(token))
    assert set(found) == {"Members meeting"}


def test_the_feed_stops_when_the_member_loses_membership(owner):
    token = CalendarToken.objects.create(user=owner).token
    owner.groups.clear()
    assert personal_feed(token).status_code == 404


def test_an_unknown_token_or_bad_request_is_refused(owner_client):
    assert personal_feed("not-a-token").status_code == 404
    response = owner_client.post("/meetings/calendar/subscription/", {"action": "explode"})
    assert response.status_code == 400
    assert not CalendarToken.objects.exists()


def test_only_members_manage_a_personal_calendar():
    assert Client().get("/meetings/calendar/subscription/").status_code == 302
    outsider = Client()
    outsider.force_login(UserFactory())
    assert (
        outsider.post("/meetings/calendar/subscription/", {"action": "create"}).status_code == 403
    )
    assert not CalendarToken.objects.exists()
