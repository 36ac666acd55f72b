"""The rules of a meeting's record, enforced in the model and in the page editor: nothing
half-saved when they refuse."""

import datetime

import pytest

from django.core.exceptions import ValidationError

from wagtail.test.utils.form_data import rich_text

from meetings.models import ActionPoint, MeetingPage, MinutesAmendment
from tests.meetings.admin_forms import editor_form_data
from tests.meetings.factories import make_meeting, make_person

pytestmark = pytest.mark.django_db

START = datetime.date(2025, 3, 10)


def edit(client, meeting, **changes):
    url = f"/admin/pages/{meeting.pk}/edit/"
    data = editor_form_data(client.get(url).content.decode())
    for name, value in changes.items():
        data[name] = value
    data["action-publish"] = "action-publish"
    return client.post(url, data)


def test_a_meeting_that_ends_before_it_starts_is_refused_by_the_model():
    meeting = make_meeting(start=START)
    meeting.end_date = START - datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        meeting.full_clean()
    assert "ends before it starts" in str(error.value)


def test_end_time_before_start_time_on_the_same_day_is_refused():
    meeting = make_meeting(start=START, days=1)
    meeting.end_time = datetime.time(8, 0)
    with pytest.raises(ValidationError, match="ends before it starts"):
        meeting.full_clean()


def test_an_unknown_time_zone_is_refused_with_its_name():
    meeting = make_meeting(start=START)
    meeting.time_zone = "Europe/Atlantis"
    with pytest.raises(ValidationError, match="Europe/Atlantis"):
        meeting.full_clean()


def test_editor_refuses_end_before_start_and_publishes_nothing(secretariat_client):
    meeting = make_meeting(start=START)
    response = edit(secretariat_client, meeting, end_date="2025-03-01")
    assert response.status_code == 200
    assert "ends before it starts" in response.content.decode()
    assert MeetingPage.objects.get(pk=meeting.pk).end_date == meeting.end_date
    assert meeting.revisions.count() == 1


def test_editor_publishes_a_valid_change(secretariat_client):
    meeting = make_meeting(start=START)
    response = edit(secretariat_client, meeting, venue_city="Skopje")
    assert response.status_code == 302, response.content.decode()[:3000]
    assert MeetingPage.objects.get(pk=meeting.pk).venue_city == "Skopje"


def test_an_action_point_due_before_its_meeting_is_refused_by_the_model():
    person = make_person()
    meeting = make_meeting(start=START)
    action = ActionPoint(
        meeting=meeting,
        description="Late",
        owner_person=person,
        due_date=START - datetime.timedelta(days=1),
    )
    with pytest.raises(ValidationError, match="before the meeting"):
        action.full_clean()
    meeting.action_points = [action]
    with pytest.raises(ValidationError, match="due before the meeting starts"):
        meeting.full_clean()


def test_editor_refuses_an_action_point_due_before_the_meeting(secretariat_client):
    person = make_person()
    meeting = make_meeting(
        start=START,
        children={"action_points": [ActionPoint(description="Write SOP", owner_person=person)]},
    )
    response = edit(secretariat_client, meeting, **{"action_points-0-due_date": "2025-01-01"})
    assert response.status_code == 200
    assert "The due date is before the meeting." in response.content.decode()
    assert ActionPoint.objects.get().due_date is None


def test_an_action_point_needs_exactly_one_owner():
    meeting = make_meeting(start=START)
    with pytest.raises(ValidationError, match="person or by a country"):
        ActionPoint(meeting=meeting, description="Nobody's").full_clean()


def approved_meeting():
    return make_meeting(
        start=START,
        minutes="<p>Agreed text.</p>",
        minutes_status=MeetingPage.MinutesStatus.APPROVED,
        minutes_approved_on=START + datetime.timedelta(days=30),
    )


def test_approved_minutes_cannot_be_changed_in_code_without_a_recorded_reason():
    meeting = approved_meeting()
    meeting.minutes = "<p>Rewritten history.</p>"
    with pytest.raises(ValidationError, match="approved"):
        meeting.save_revision().publish()
    assert MeetingPage.objects.get(pk=meeting.pk).minutes == "<p>Agreed text.</p>"


def test_approval_date_is_required_for_approved_minutes():
    meeting = make_meeting(start=START)
    meeting.minutes_status = MeetingPage.MinutesStatus.APPROVED
    with pytest.raises(ValidationError, match="date the minutes were approved"):
        meeting.full_clean()


def test_editor_refuses_a_change_to_approved_minutes_without_a_reason(secretariat_client):
    meeting = approved_meeting()
    response = edit(secretariat_client, meeting, minutes=rich_text("<p>Rewritten.</p>"))
    assert response.status_code == 200
    assert "Say why the approved minutes are being changed." in response.content.decode()
    assert MeetingPage.objects.get(pk=meeting.pk).minutes == "<p>Agreed text.</p>"
    assert not MinutesAmendment.objects.exists()


def test_secretariat_changes_approved_minutes_with_a_logged_reason(secretariat_client, secretariat):
    meeting = approved_meeting()
    response = edit(
        secretariat_client,
        meeting,
        minutes=rich_text("<p>Corrected name of the rapporteur.</p>"),
        minutes_change_reason="Typo in the rapporteur's name",
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert "Corrected name" in MeetingPage.objects.get(pk=meeting.pk).minutes
    amendment = MinutesAmendment.objects.get()
    assert amendment.changed_by == secretariat
    assert amendment.reason == "Typo in the rapporteur's name"
    assert "Agreed text." in amendment.previous_minutes


def test_an_editor_outside_the_secretariat_cannot_change_approved_minutes(secretariat_client):
    from tests.portal.factories import UserFactory

    meeting = approved_meeting()
    data = editor_form_data(
        secretariat_client.get(f"/admin/pages/{meeting.pk}/edit/").content.decode()
    )
    data["minutes"] = rich_text("<p>Rewritten.</p>")
    data["minutes_change_reason"] = "I prefer it"
    form_class = MeetingPage.get_edit_handler().get_form_class()
    form = form_class(
        data, instance=meeting, parent_page=meeting.get_parent(), for_user=UserFactory(member=True)
    )
    assert not form.is_valid()
    assert "Approved minutes change only through the secretariat." in form.errors["minutes"]
    assert not MinutesAmendment.objects.exists()


def test_sequence_grows_when_date_place_or_status_change_on_publish_only():
    meeting = make_meeting(start=START)
    assert meeting.sequence == 0
    meeting.public_summary = "<p>Only the summary changes.</p>"
    meeting.save_revision().publish()
    assert MeetingPage.objects.get(pk=meeting.pk).sequence == 0
    meeting = MeetingPage.objects.get(pk=meeting.pk)
    meeting.start_date = START + datetime.timedelta(days=1)
    meeting.end_date = START + datetime.timedelta(days=2)
    meeting.save_revision()  # a draft is not news to calendars
    assert MeetingPage.objects.get(pk=meeting.pk).sequence == 0
    meeting.save_revision().publish()
    assert MeetingPage.objects.get(pk=meeting.pk).sequence == 1
    meeting = MeetingPage.objects.get(pk=meeting.pk)
    meeting.cancelled = True
    meeting.save_revision().publish()
    assert MeetingPage.objects.get(pk=meeting.pk).sequence == 2


def test_secretariat_adds_a_meeting_in_the_editor_with_its_record_tab(secretariat_client):
    from meetings.models import MeetingIndexPage

    index = MeetingIndexPage.objects.get()
    response = secretariat_client.get(f"/admin/pages/add/meetings/meetingpage/{index.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Record (members only)" in html and "minutes_change_reason" in html


def test_meeting_series_are_managed_as_snippets(secretariat_client):
    from meetings.models import MeetingSeries

    MeetingSeries.objects.create(name="Annual regional meeting")
    response = secretariat_client.get("/admin/snippets/meetings/meetingseries/")
    assert response.status_code == 200
    assert "Annual regional meeting" in response.content.decode()
