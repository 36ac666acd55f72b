import datetime

import pytest

from django.urls import reverse
from django.utils import timezone

from wagtail.models import ModelLogEntry

from network.models import Mandate
from network.signals import mandate_handed_over
from tests.conftest import session_reads
from tests.network.factories import MandateFactory, PersonFactory

pytestmark = pytest.mark.django_db


def test_secretariat_edits_a_person_with_mandates_inline_in_the_admin(secretariat_client):
    person = PersonFactory()
    MandateFactory(person=person)
    response = secretariat_client.get(
        reverse("wagtailsnippets_network_person:edit", args=[person.pk])
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "mandates-TOTAL_FORMS" in html
    assert "emails-TOTAL_FORMS" in html


def test_admin_edit_saves_a_revision_and_a_history_entry(secretariat_client, secretariat):
    person = PersonFactory(given_name="Before", email=False, phone=False)
    url = reverse("wagtailsnippets_network_person:edit", args=[person.pk])
    data = {
        "given_name": "After",
        "family_name": person.family_name,
        "job_title": "",
        "country": person.country_id,
        "organisation": person.organisation_id,
        "email_audience": "members",
        "phone_audience": "members",
        "photo_audience": "members",
        "biography_audience": "public",
        "biography": "",
        "is_active": "on",
        "user": "",
    }
    for prefix in ("mandates", "emails", "phones"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    response = secretariat_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    person.refresh_from_db()
    assert person.given_name == "After"
    assert person.latest_revision is not None
    assert ModelLogEntry.objects.for_instance(person).filter(user=secretariat).exists()
    history = secretariat_client.get(
        reverse("wagtailsnippets_network_person:history", args=[person.pk])
    )
    assert history.status_code == 200


def test_member_cannot_reach_the_directory_admin(member_client):
    person = PersonFactory()
    response = member_client.get(reverse("wagtailsnippets_network_person:edit", args=[person.pk]))
    assert response.status_code in (302, 403)
    assert member_client.get(reverse("network_freshness")).status_code in (302, 403)


def test_freshness_listing_shows_entries_not_confirmed_for_twelve_months(secretariat_client):
    now = timezone.now()
    stale = PersonFactory(given_name="Stale", last_confirmed=now - datetime.timedelta(days=400))
    never = PersonFactory(given_name="Never", last_confirmed=None)
    fresh = PersonFactory(given_name="Recent", last_confirmed=now - datetime.timedelta(days=30))
    gone = PersonFactory(given_name="Departed", last_confirmed=None, is_active=False)
    MandateFactory(person=stale)
    html = secretariat_client.get(reverse("network_freshness")).content.decode()
    assert stale.full_name in html
    assert never.full_name in html
    assert fresh.full_name not in html
    assert gone.full_name not in html
    assert reverse("network_handover", args=[stale.mandates.get().pk]) in html


@pytest.mark.parametrize("count", [3, 30])
def test_freshness_listing_query_count_does_not_grow(
    secretariat_client, django_assert_num_queries, count
):
    for _ in range(count):
        MandateFactory(person=PersonFactory(last_confirmed=None))
    secretariat_client.get(reverse("network_freshness"))
    with django_assert_num_queries(FRESHNESS_QUERIES + session_reads()):
        secretariat_client.get(reverse("network_freshness"))


# Without the session's read (see session_reads). The second factor is read from the session,
# not from the authenticator table, on every admin request.
FRESHNESS_QUERIES = 12


@pytest.fixture
def received():
    calls = []

    def receiver(sender, **kwargs):
        calls.append(kwargs)

    mandate_handed_over.connect(receiver, dispatch_uid="test-handover-receiver")
    yield calls
    mandate_handed_over.disconnect(dispatch_uid="test-handover-receiver")


def test_handover_ends_the_mandate_starts_the_successors_and_sends_the_signal(
    secretariat_client, secretariat, received
):
    mandate = MandateFactory(
        role=Mandate.Role.NATIONAL_COORDINATOR, start=datetime.date(2020, 1, 1)
    )
    successor = PersonFactory(country=mandate.country)
    response = secretariat_client.post(
        reverse("network_handover", args=[mandate.pk]),
        {"successor": successor.pk, "handover_date": "2025-03-01"},
    )
    assert response.status_code == 302
    mandate.refresh_from_db()
    assert mandate.end == datetime.date(2025, 2, 28)
    new = Mandate.objects.get(person=successor)
    assert (new.role, new.country, new.start, new.end) == (
        mandate.role,
        mandate.country,
        datetime.date(2025, 3, 1),
        None,
    )
    [call] = received
    assert call["mandate"] == mandate
    assert call["successor_mandate"] == new
    assert call["predecessor"] == mandate.person
    assert call["successor"] == successor
    assert ModelLogEntry.objects.for_instance(successor).get(action="network.handover").user == (
        secretariat
    )


@pytest.mark.parametrize(
    "data, message",
    [
        ({"handover_date": "2019-01-01"}, "must come after the mandate started"),
        ({"handover_date": "not a date"}, "Enter a valid date"),
        ({"successor": "999999"}, "Select a valid choice"),
        ({"successor": "self"}, "Select a valid choice"),
    ],
)
def test_bad_handover_input_gets_a_message_and_changes_nothing(
    secretariat_client, received, data, message
):
    mandate = MandateFactory(start=datetime.date(2020, 1, 1))
    successor = PersonFactory()
    post = {"successor": successor.pk, "handover_date": "2025-03-01", **data}
    if post["successor"] == "self":
        post["successor"] = mandate.person_id
    response = secretariat_client.post(reverse("network_handover", args=[mandate.pk]), post)
    assert response.status_code == 200
    assert message in response.content.decode()
    mandate.refresh_from_db()
    assert mandate.end is None
    assert Mandate.objects.count() == 1
    assert received == []


def test_a_failing_receiver_rolls_the_handover_back(secretariat_client):
    mandate = MandateFactory(start=datetime.date(2020, 1, 1))
    successor = PersonFactory()

    def broken(sender, **kwargs):
        raise RuntimeError("action points could not move")

    mandate_handed_over.connect(broken, dispatch_uid="test-broken-receiver")
    try:
        with pytest.raises(RuntimeError):
            secretariat_client.post(
                reverse("network_handover", args=[mandate.pk]),
                {"successor": successor.pk, "handover_date": "2025-03-01"},
            )
    finally:
        mandate_handed_over.disconnect(dispatch_uid="test-broken-receiver")
    mandate.refresh_from_db()
    assert mandate.end is None
    assert not Mandate.objects.filter(person=successor).exists()


def test_member_cannot_hand_over_a_mandate(member_client):
    mandate = MandateFactory()
    successor = PersonFactory()
    response = member_client.post(
        reverse("network_handover", args=[mandate.pk]),
        {"successor": successor.pk, "handover_date": "2030-01-01"},
    )
    assert response.status_code in (302, 403)
    mandate.refresh_from_db()
    assert mandate.end is None


@pytest.mark.parametrize("model", ["country", "organisation", "person"])
def test_secretariat_lists_directory_snippets_in_the_admin(secretariat_client, model):
    person = PersonFactory(given_name="Listed")
    response = secretariat_client.get(reverse(f"wagtailsnippets_network_{model}:list"))
    assert response.status_code == 200
    expected = {
        "country": person.country.name,
        "organisation": person.organisation.name,
        "person": "Listed",
    }[model]
    assert expected in response.content.decode()
