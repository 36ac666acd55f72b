"""Members register for upcoming meetings or send apologies; the secretariat exports the list."""

import csv
import datetime
import io

import pytest

from meetings.models import Registration
from portal.access import Audience
from tests.clients import Client
from tests.meetings.factories import make_meeting, make_person
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


def register(client, meeting, status="registered"):
    return client.post(f"/meetings/meeting/{meeting.pk}/register/", {"status": status})


def test_a_member_registers_for_an_upcoming_meeting_and_can_change_to_apologies(
    owner_client, owner
):
    meeting = make_meeting()
    assert register(owner_client, meeting).status_code == 302
    assert Registration.objects.get().status == "registered"
    register(owner_client, meeting, "apologies")
    registration = Registration.objects.get()
    assert (registration.person, registration.status) == (owner.person, "apologies")
    assert "Your answer: Apologies" in owner_client.get(meeting.url).content.decode()


def test_registration_for_a_past_meeting_is_refused_clearly(owner_client):
    meeting = make_meeting(start=TODAY - datetime.timedelta(days=10))
    response = register(owner_client, meeting)
    assert response.status_code == 409
    assert "This meeting is over: registration is closed." in response.content.decode()
    assert not Registration.objects.exists()


def test_registration_for_a_cancelled_meeting_is_refused_clearly(owner_client):
    meeting = make_meeting(cancelled=True)
    response = register(owner_client, meeting)
    assert response.status_code == 409
    assert "cancelled" in response.content.decode()
    assert not Registration.objects.exists()


def test_a_member_without_a_directory_entry_is_told_why_they_cannot_register(member_client):
    meeting = make_meeting()
    response = register(member_client, meeting)
    assert response.status_code == 400
    assert "not linked to an entry in the directory" in response.content.decode()
    assert not Registration.objects.exists()


def test_an_unknown_answer_is_refused(owner_client):
    response = register(owner_client, make_meeting(), "maybe")
    assert response.status_code == 400
    assert not Registration.objects.exists()


def test_anonymous_visitors_and_non_members_cannot_register():
    meeting = make_meeting()
    response = register(Client(), meeting)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    outsider = UserFactory()
    make_person(user=outsider)
    client = Client()
    client.force_login(outsider)
    assert register(client, meeting).status_code == 403
    assert not Registration.objects.exists()


def test_registration_needs_a_post(owner_client):
    assert owner_client.get(f"/meetings/meeting/{make_meeting().pk}/register/").status_code == 405


def test_secretariat_sees_the_registrations_and_exports_them_as_csv(secretariat_client):
    meeting = make_meeting()
    Registration.objects.create(
        meeting=meeting,
        person=make_person(given_name="Ilir", family_name="Hoxha"),
        status="registered",
    )
    Registration.objects.create(
        meeting=meeting,
        person=make_person(given_name="=HYPERLINK(1)", family_name="Doe"),
        status="apologies",
    )
    html = secretariat_client.get(meeting.url).content.decode()
    assert "Ilir Hoxha" in html and 'data-audience="secretariat"' in html
    response = secretariat_client.get(f"/meetings/meeting/{meeting.pk}/registrations.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert "private" in response["Cache-Control"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {(row["family_name"], row["status"]) for row in rows} == {
        ("Hoxha", "registered"),
        ("Doe", "apologies"),
    }
    assert all(not row["given_name"].startswith("=") for row in rows)


def test_members_neither_see_nor_export_the_registration_list(member_client):
    meeting = make_meeting()
    Registration.objects.create(
        meeting=meeting,
        person=make_person(given_name="Ilir", family_name="Hoxha"),
        status="registered",
    )
    assert "Ilir Hoxha" not in member_client.get(meeting.url).content.decode()
    assert member_client.get(f"/meetings/meeting/{meeting.pk}/registrations.csv").status_code == 403
    anonymous = Client().get(f"/meetings/meeting/{meeting.pk}/registrations.csv")
    assert anonymous.status_code == 302


def test_registration_for_a_meeting_the_member_may_not_see_is_forbidden(owner_client):
    meeting = make_meeting(audience=Audience.SECRETARIAT)
    assert register(owner_client, meeting).status_code == 403
    assert not Registration.objects.exists()
