"""
Registration with places and a deadline, what the secretariat needs to organise (seen by the
secretariat and the member only), attendance marked against registrations with no-shows and
walk-ins, the participants list and CSV that follow, and cancelling from the meeting's page.
"""

import csv
import datetime
import io

import pytest

from meetings.models import MeetingPage, Participant, Registration
from tests.clients import Client
from tests.meetings.factories import make_meeting, make_person
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def staff(secretariat):
    return signed_in(secretariat)


@pytest.fixture
def other_member(member):
    return signed_in(member)


def member_with_entry(**names):
    user = UserFactory(member=True)
    make_person(user=user, **names)
    client = Client()
    client.force_login(user)
    return user, client


def register(client, meeting, status="registered", **needs):
    return client.post(f"/meetings/meeting/{meeting.pk}/register/", {"status": status, **needs})


def test_a_full_meeting_refuses_registration_clearly_and_takes_apologies(owner_client):
    meeting = make_meeting(capacity=1)
    _first, first_client = member_with_entry()
    assert register(first_client, meeting).status_code == 302

    response = register(owner_client, meeting)
    assert response.status_code == 409
    assert "This meeting is full: all 1 places are taken." in response.content.decode()
    assert Registration.objects.filter(status="registered").count() == 1
    # Apologies need no place; the one registered keeps theirs when changing their needs.
    assert register(owner_client, meeting, "apologies").status_code == 302
    assert register(first_client, meeting, dietary_needs="Vegetarian").status_code == 302
    assert "0 places left." in first_client.get(meeting.url).content.decode()


def test_registration_closes_after_the_deadline_with_the_date_named(owner_client):
    meeting = make_meeting(registration_deadline=TODAY - datetime.timedelta(days=1))
    response = register(owner_client, meeting)
    assert response.status_code == 409
    deadline = (TODAY - datetime.timedelta(days=1)).isoformat()
    assert f"Registration closed on {deadline}." in response.content.decode()
    assert not Registration.objects.exists()
    assert register(owner_client, meeting, "apologies").status_code == 302
    page = owner_client.get(meeting.url).content.decode()
    assert "Registration closed on" in page and "You may still send apologies." in page


def test_needs_are_kept_and_shown_to_the_member_and_the_secretariat_only(
    owner, owner_client, staff, other_member
):
    meeting = make_meeting()
    response = register(
        owner_client,
        meeting,
        travel_support="on",
        visa_support="on",
        interpretation_language="Albanian",
        dietary_needs="No nuts",
    )
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert (registration.travel_support, registration.visa_support) == (True, True)
    assert (registration.interpretation_language, registration.dietary_needs) == (
        "Albanian",
        "No nuts",
    )
    assert 'value="No nuts"' in owner_client.get(meeting.url).content.decode()
    secretariat_page = staff.get(meeting.url).content.decode()
    assert "diet: No nuts" in secretariat_page and "interpretation: Albanian" in secretariat_page
    other_member_page = other_member.get(meeting.url).content.decode()
    assert "No nuts" not in other_member_page and "Albanian" not in other_member_page


@pytest.mark.parametrize(
    ("needs", "named"),
    [
        ({"dietary_needs": "x" * 201}, "Dietary needs"),
        ({"interpretation_language": "y" * 61}, "Interpretation into (language)"),
        ({"dietary_needs": "No\x07nuts"}, "control characters"),
    ],
)
def test_bad_needs_are_refused_naming_the_field_and_nothing_is_stored(owner_client, needs, named):
    response = register(owner_client, make_meeting(), **needs)
    assert response.status_code == 400
    assert named in response.content.decode()
    assert not Registration.objects.exists()


@pytest.fixture
def held_meeting():
    """A meeting that started yesterday, with an invited participant who registered, one who
    registered from the site without being on the list, and an invited one who did not answer."""
    listed = make_person(given_name="Ilir", family_name="Hoxha")
    absent = make_person(given_name="Mira", family_name="Absent")
    meeting = make_meeting(
        start=TODAY - datetime.timedelta(days=1),
        days=3,
        children={"participants": [Participant(person=listed), Participant(person=absent)]},
    )
    came = Registration.objects.create(meeting=meeting, person=listed, status="registered")
    stayed_away = Registration.objects.create(
        meeting=meeting,
        person=make_person(given_name="Noor", family_name="Noshow"),
        status="registered",
    )
    return meeting, came, stayed_away, absent


def attendance_url(meeting):
    return f"/meetings/meeting/{meeting.pk}/attendance/"


def test_the_secretariat_marks_attendance_no_shows_and_walk_ins_and_the_lists_follow(
    held_meeting, staff, other_member
):
    secretariat_client, member_client = staff, other_member
    meeting, came, stayed_away, absent = held_meeting
    response = secretariat_client.post(
        attendance_url(meeting),
        {
            "action": "mark",
            f"attendance-{came.pk}": "attended",
            f"attendance-{stayed_away.pk}": "no_show",
        },
    )
    assert response.status_code == 302
    assert (
        secretariat_client.post(
            attendance_url(meeting), {"action": "walk_in", "person": absent.pk}
        ).status_code
        == 302
    )
    assert (
        secretariat_client.post(
            attendance_url(meeting),
            {"action": "walk_in", "guest_name": "Dana Guest", "guest_organisation": "IOM"},
        ).status_code
        == 302
    )

    page = secretariat_client.get(attendance_url(meeting)).content.decode()
    assert "2 registered · 3 attended · 1 did not come · 2 walk-ins" in " ".join(page.split())
    # The participants list members see: who came, who did not; never the needs.
    members_view = " ".join(member_client.get(meeting.url).content.decode().split())
    assert "<td>Ilir Hoxha</td><td>" in members_view
    assert "Attended" in members_view and "Walk-in" in members_view
    assert "Dana Guest" in members_view
    assert "Noor Noshow" not in members_view  # not on the list, and did not come
    rows = list(
        csv.DictReader(
            io.StringIO(
                secretariat_client.get(
                    f"/meetings/meeting/{meeting.pk}/registrations.csv"
                ).content.decode()
            )
        )
    )
    by_name = {row["family_name"] or row["given_name"]: row for row in rows}
    assert by_name["Hoxha"]["attendance"] == "attended"
    assert by_name["Noshow"]["attendance"] == "no_show"
    assert (by_name["Absent"]["walk_in"], by_name["Absent"]["attendance"]) == ("yes", "attended")
    assert (by_name["Dana Guest"]["organisation"], by_name["Dana Guest"]["walk_in"]) == (
        "IOM",
        "yes",
    )


def test_a_bad_mark_saves_nothing_and_names_the_problem(held_meeting, secretariat_client):
    meeting, came, stayed_away, _absent = held_meeting
    response = secretariat_client.post(
        attendance_url(meeting),
        {
            "action": "mark",
            f"attendance-{came.pk}": "attended",
            f"attendance-{stayed_away.pk}": "maybe",
        },
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Some marks are not valid: nothing was saved." in text
    assert "Select a valid choice" in text
    assert set(Registration.objects.values_list("attendance", flat=True)) == {""}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "walk_in"}, "Choose an invited person or name a guest, not both."),
        ({"action": "walk_in", "guest_name": "  "}, "Choose an invited person or name a guest"),
        ({"action": "walk_in", "person": "999999"}, "Select a valid choice"),
        ({"action": "walk_in", "person": "abc"}, "Select a valid choice"),
        ({"action": "explode"}, "Unknown request: nothing was changed."),
    ],
)
def test_bad_walk_ins_and_requests_are_refused_and_add_nobody(
    held_meeting, secretariat_client, data, message
):
    meeting = held_meeting[0]
    response = secretariat_client.post(attendance_url(meeting), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Registration.objects.count() == 2


def test_a_person_already_registered_is_not_offered_as_a_walk_in(held_meeting, secretariat_client):
    meeting, came, _stayed_away, _absent = held_meeting
    response = secretariat_client.post(
        attendance_url(meeting), {"action": "walk_in", "person": came.person_id}
    )
    assert response.status_code == 400
    assert Registration.objects.count() == 2


def test_attendance_waits_for_the_meeting_to_start(secretariat_client):
    meeting = make_meeting()
    registration = Registration.objects.create(
        meeting=meeting, person=make_person(), status="registered"
    )
    response = secretariat_client.post(
        attendance_url(meeting), {"action": "mark", f"attendance-{registration.pk}": "attended"}
    )
    assert response.status_code == 409
    assert "once the meeting has started" in response.content.decode()
    assert Registration.objects.get().attendance == ""


def test_only_the_secretariat_marks_attendance(held_meeting, member_client):
    meeting = held_meeting[0]
    assert member_client.get(attendance_url(meeting)).status_code == 403
    anonymous = Client().get(attendance_url(meeting))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_the_attendance_page_costs_the_same_queries_however_many_registered(
    held_meeting, secretariat_client, django_assert_num_queries
):
    meeting = held_meeting[0]
    secretariat_client.get(attendance_url(meeting))  # warm the session and caches
    with django_assert_num_queries(ATTENDANCE_PAGE_QUERIES):
        secretariat_client.get(attendance_url(meeting))
    for _ in range(5):
        Registration.objects.create(meeting=meeting, person=make_person(), status="registered")
    with django_assert_num_queries(ATTENDANCE_PAGE_QUERIES):
        secretariat_client.get(attendance_url(meeting))


# Session and user, the meeting, its registrations, the invited and who answered (walk-in
# candidates), and the site furniture of base.html.
ATTENDANCE_PAGE_QUERIES = 16


def test_the_secretariat_cancels_a_meeting_from_its_page(staff, other_member):
    secretariat_client, member_client = staff, other_member
    meeting = make_meeting()
    anonymous = Client().post(f"/meetings/meeting/{meeting.pk}/cancel/", {"confirm": "yes"})
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    refused = secretariat_client.post(f"/meetings/meeting/{meeting.pk}/cancel/")
    assert refused.status_code == 400
    assert "Tick the box to confirm the cancellation." in refused.content.decode()
    assert not MeetingPage.objects.get(pk=meeting.pk).cancelled
    assert (
        member_client.post(
            f"/meetings/meeting/{meeting.pk}/cancel/", {"confirm": "yes"}
        ).status_code
        == 403
    )

    cancel_url = f"/meetings/meeting/{meeting.pk}/cancel/"
    response = secretariat_client.post(cancel_url, {"confirm": "yes"})

    assert response.status_code == 302
    cancelled = MeetingPage.objects.get(pk=meeting.pk)
    assert cancelled.cancelled and not cancelled.has_unpublished_changes
    assert cancelled.sequence > meeting.sequence
    again = secretariat_client.post(f"/meetings/meeting/{meeting.pk}/cancel/", {"confirm": "yes"})
    assert again.status_code == 409


def test_a_meeting_with_unpublished_changes_is_cancelled_in_the_editor(secretariat_client):
    meeting = make_meeting()
    meeting.title = "Draft title"
    meeting.save_revision()
    cancel_url = f"/meetings/meeting/{meeting.pk}/cancel/"
    response = secretariat_client.post(cancel_url, {"confirm": "yes"})
    assert response.status_code == 409
    assert "unpublished changes" in response.content.decode()
    assert not MeetingPage.objects.get(pk=meeting.pk).cancelled
