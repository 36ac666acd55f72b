"""Action points: who sees them, who updates them, and how they follow a mandate handover."""

import datetime

import pytest

from meetings.models import ActionPoint, MeetingPage
from network.signals import mandate_handed_over
from portal.access import Audience
from tests.clients import Client
from tests.meetings.factories import make_country, make_mandate, make_meeting, make_person
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db

PAST = datetime.date.today() - datetime.timedelta(days=60)


def action_for(owner_person=None, owner_country=None, audience=Audience.PUBLIC, **fields):
    meeting = make_meeting(
        start=PAST,
        audience=audience,
        children={
            "action_points": [
                ActionPoint(
                    description=fields.pop("description", "Translate the indicators"),
                    owner_person=owner_person,
                    owner_country=owner_country,
                    **fields,
                )
            ]
        },
    )
    return meeting.action_points.get()


def client_for(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def update(client, action, status="done", note="Sent to all coordinators"):
    return client.post(
        f"/meetings/actions/{action.pk}/update/", {"status": status, "progress_note": note}
    )


# The authorisation matrix: anonymous, signed-in without membership, member, owner, secretariat.


def test_anonymous_visitor_is_sent_to_sign_in_for_the_list_and_changes_nothing(owner):
    action = action_for(owner_person=owner.person)
    anonymous = Client()
    response = anonymous.get("/meetings/actions/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = update(anonymous, action)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert ActionPoint.objects.get(pk=action.pk).status == "open"


def test_signed_in_user_without_membership_is_forbidden(owner):
    action = action_for(owner_person=owner.person)
    outsider = client_for(UserFactory())
    assert outsider.get("/meetings/actions/").status_code == 403
    assert update(outsider, action).status_code == 403
    assert ActionPoint.objects.get(pk=action.pk).status == "open"


def test_member_who_is_not_the_owner_sees_but_cannot_update(member_client, owner):
    action = action_for(owner_person=owner.person)
    html = member_client.get("/meetings/actions/").content.decode()
    assert "Translate the indicators" in html
    assert f"/meetings/actions/{action.pk}/update/" not in html
    assert member_client.get(f"/meetings/actions/{action.pk}/update/").status_code == 403
    assert update(member_client, action).status_code == 403
    action.refresh_from_db()
    assert (action.status, action.progress_note) == ("open", "")


def test_owner_updates_status_and_note_of_their_action_point(owner_client, owner):
    action = action_for(owner_person=owner.person)
    assert (
        f"/meetings/actions/{action.pk}/update/"
        in owner_client.get("/meetings/actions/").content.decode()
    )
    response = update(owner_client, action, status="in_progress", note="Draft circulated")
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.status, action.progress_note) == ("in_progress", "Draft circulated")
    assert action.updated_at is not None


def test_an_owners_update_survives_publishing_the_meetings_latest_draft(owner_client, owner):
    action = action_for(owner_person=owner.person)
    update(owner_client, action, status="done", note="Finished")
    meeting = MeetingPage.objects.get(pk=action.meeting_id)
    meeting.get_latest_revision().publish()
    action.refresh_from_db()
    assert (action.status, action.progress_note) == ("done", "Finished")


def test_a_current_mandate_holder_answers_for_their_countrys_action_point(owner_client, owner):
    country = owner.person.country
    make_mandate(owner.person, country)
    action = action_for(owner_country=country)
    assert update(owner_client, action).status_code == 302
    assert ActionPoint.objects.get(pk=action.pk).status == "done"


def test_an_ended_mandate_no_longer_answers_for_the_country(owner_client, owner):
    country = owner.person.country
    make_mandate(
        owner.person, country, start=datetime.date(2018, 1, 1), end=datetime.date(2019, 12, 31)
    )
    action = action_for(owner_country=country)
    assert update(owner_client, action).status_code == 403
    assert ActionPoint.objects.get(pk=action.pk).status == "open"


def test_secretariat_updates_any_action_point(secretariat_client):
    action = action_for(owner_person=make_person())
    assert update(secretariat_client, action, status="dropped").status_code == 302
    assert ActionPoint.objects.get(pk=action.pk).status == "dropped"


def test_members_never_see_action_points_of_a_secretariat_meeting(member_client):
    action = action_for(
        owner_person=make_person(), audience=Audience.SECRETARIAT, description="Budget line"
    )
    assert "Budget line" not in member_client.get("/meetings/actions/").content.decode()
    assert member_client.get(f"/meetings/actions/{action.pk}/update/").status_code == 404


def test_secretariat_sees_action_points_of_a_secretariat_meeting(secretariat_client):
    action_for(owner_person=make_person(), audience=Audience.SECRETARIAT, description="Budget line")
    assert "Budget line" in secretariat_client.get("/meetings/actions/").content.decode()


def test_an_update_with_an_unknown_status_is_refused_and_changes_nothing(owner_client, owner):
    action = action_for(owner_person=owner.person)
    response = update(owner_client, action, status="forgotten")
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    action.refresh_from_db()
    assert (action.status, action.progress_note) == ("open", "")


def test_update_of_an_unknown_action_point_is_not_found(secretariat_client):
    assert (
        secretariat_client.post("/meetings/actions/999999/update/", {"status": "done"}).status_code
        == 404
    )


# Filters.


def test_action_list_filters_by_status_owner_country_meeting_and_overdue(member_client):
    albania = make_country("Albania", "AL")
    serbia = make_country("Serbia", "RS")
    anna = make_person(given_name="Anna", country=albania)
    overdue = action_for(
        owner_person=anna, description="Overdue one", due_date=PAST + datetime.timedelta(days=1)
    )
    done = action_for(
        owner_person=make_person(country=serbia), description="Done one", status="done"
    )
    country_owned = action_for(owner_country=serbia, description="Serbian one")

    def listed(**params):
        html = member_client.get("/meetings/actions/", params).content.decode()
        return {a.description for a in (overdue, done, country_owned) if a.description in html}

    assert listed(status="done") == {"Done one"}
    assert listed(owner=anna.pk) == {"Overdue one"}
    assert listed(country="RS") == {"Done one", "Serbian one"}
    assert listed(meeting=done.meeting_id) == {"Done one"}
    assert listed(overdue="on") == {"Overdue one"}
    assert "overdue" in member_client.get("/meetings/actions/").content.decode()


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ({"status": "lost"}, "Status"),
        ({"owner": "abc"}, "Owner"),
        ({"country": "ZZ"}, "Country"),
        ({"meeting": "-3"}, "Meeting"),
    ],
)
def test_action_list_refuses_a_bad_filter_with_a_message(member_client, params, problem):
    response = member_client.get("/meetings/actions/", params)
    assert response.status_code == 400
    assert f"{problem}:" in response.content.decode()


def test_action_list_is_paginated(member_client):
    person = make_person()
    make_meeting(
        start=PAST,
        children={
            "action_points": [
                ActionPoint(description=f"Task {n:02d}", owner_person=person) for n in range(30)
            ]
        },
    )
    first = member_client.get("/meetings/actions/").content.decode()
    second = member_client.get("/meetings/actions/", {"page": 2}).content.decode()
    assert "Task 00" in first and "Task 29" not in first
    assert "Task 29" in second


# Mandate handover.


def test_a_mandate_handover_moves_open_action_points_to_the_successor():
    country = make_country()
    predecessor, successor = make_person(country=country), make_person(country=country)
    open_action = action_for(owner_person=predecessor, description="Open task")
    done_action = action_for(owner_person=predecessor, description="Finished task", status="done")
    old = make_mandate(predecessor, country, end=datetime.date.today())
    new = make_mandate(successor, country, start=datetime.date.today())
    mandate_handed_over.send(
        sender=type(old),
        mandate=old,
        successor_mandate=new,
        predecessor=predecessor,
        successor=successor,
    )
    assert ActionPoint.objects.get(pk=open_action.pk).owner_person == successor
    assert ActionPoint.objects.get(pk=done_action.pk).owner_person == predecessor
    # A later publish of the meeting's latest draft keeps the new owner.
    MeetingPage.objects.get(pk=open_action.meeting_id).get_latest_revision().publish()
    assert ActionPoint.objects.get(pk=open_action.pk).owner_person == successor


def test_the_owner_filter_never_names_an_inactive_person_to_a_member():
    """Inactive people are history only the secretariat sees: the filter by id printed any
    former official's name to any member, whether or not they own an action point."""
    member_client, secretariat_client = Client(), Client()
    member_client.force_login(UserFactory(member=True))
    secretariat_client.force_login(UserFactory(secretariat=True))
    former = make_person(given_name="Ottilie", family_name="Formerwoman", is_active=False)
    action_for(owner_person=make_person(), description="Someone else's task")
    member_page = member_client.get(f"/meetings/actions/?owner={former.pk}")
    assert member_page.status_code in (200, 400)
    assert "Formerwoman" not in member_page.content.decode()
    secretariat_page = secretariat_client.get(f"/meetings/actions/?owner={former.pk}")
    assert "Formerwoman" in secretariat_page.content.decode()
