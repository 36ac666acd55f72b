import csv
import io

import pytest
import vobject

from django.urls import reverse

from network.models import Mandate
from portal.access import Audience
from tests.clients import Client
from tests.conftest import session_reads
from tests.network.factories import CountryFactory, MandateFactory, PersonFactory

pytestmark = pytest.mark.django_db

MEMBERS_EMAIL = "coordinator@ministry.example.org"
SECRET_PHONE = "+389 2 311 0000"


@pytest.fixture
def macedonia():
    return CountryFactory(iso_code="MK", name="North Macedonia")


@pytest.fixture
def coordinator(macedonia):
    person = PersonFactory(
        given_name="Ilina",
        family_name="Stojanoska",
        country=macedonia,
        email=MEMBERS_EMAIL,
        phone=SECRET_PHONE,
        phone_audience=Audience.SECRETARIAT,
    )
    MandateFactory(person=person, country=macedonia, role=Mandate.Role.NATIONAL_COORDINATOR)
    return person


def _cards(response):
    assert response["Content-Type"].startswith("text/vcard")
    assert "no-store" in response["Cache-Control"]
    return list(vobject.readComponents(response.content.decode()))


def test_person_vcard_url_ends_in_vcf_and_is_linked_from_the_entry(client, coordinator):
    url = reverse("network:person_vcard", args=[coordinator.pk])
    assert url.endswith(".vcf")
    assert url in client.get(coordinator.get_absolute_url()).content.decode()


def test_vcard_round_trips_name_organisation_email_and_phone_for_the_secretariat(
    secretariat_client, coordinator
):
    coordinator.phones.create(number="+389 70 123 456", sort_order=1)
    coordinator.save()
    response = secretariat_client.get(reverse("network:person_vcard", args=[coordinator.pk]))
    [card] = _cards(response)
    assert card.n.value.given == "Ilina"
    assert card.n.value.family == "Stojanoska"
    assert card.fn.value == "Ilina Stojanoska"
    assert card.org.value == [coordinator.organisation.name]
    assert [e.value for e in card.contents["email"]] == [MEMBERS_EMAIL]
    assert [t.value for t in card.contents["tel"]] == [SECRET_PHONE, "+389 70 123 456"]
    assert "National coordinator" in card.role.value


def test_anonymous_vcard_holds_no_members_only_contact(client, coordinator):
    [card] = _cards(client.get(reverse("network:person_vcard", args=[coordinator.pk])))
    assert card.fn.value == "Ilina Stojanoska"
    assert "email" not in card.contents
    assert "tel" not in card.contents
    assert MEMBERS_EMAIL not in card.serialize()


def test_member_vcard_has_members_email_but_not_secretariat_phone(member_client, coordinator):
    [card] = _cards(member_client.get(reverse("network:person_vcard", args=[coordinator.pk])))
    assert [e.value for e in card.contents["email"]] == [MEMBERS_EMAIL]
    assert "tel" not in card.contents


def test_country_vcard_holds_every_current_mandate_holder_as_the_viewer_may_see_them(
    member_client, coordinator, macedonia
):
    deputy = PersonFactory(given_name="Petar", family_name="Ohridova", country=macedonia)
    MandateFactory(person=deputy, country=macedonia, role=Mandate.Role.DEPUTY_COORDINATOR)
    PersonFactory(given_name="No", family_name="Mandate", country=macedonia)
    url = reverse("network:country_vcard", args=["MK"])
    assert url.endswith(".vcf")
    cards = _cards(member_client.get(url))
    assert sorted(card.fn.value for card in cards) == ["Ilina Stojanoska", "Petar Ohridova"]
    assert all("email" in card.contents for card in cards)
    anonymous_cards = _cards(Client().get(url))
    assert all("email" not in card.contents for card in anonymous_cards)


def _rows(response):
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_anonymous_visitor_is_sent_to_sign_in_for_the_csv_export(client, coordinator):
    response = client.get(reverse("network:export_csv"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_signed_in_user_without_membership_is_refused_the_csv_export(client, coordinator):
    from tests.portal.factories import UserFactory

    client.force_login(UserFactory())
    assert client.get(reverse("network:export_csv")).status_code == 403


def test_member_csv_holds_exactly_what_the_member_may_see(member_client, coordinator, macedonia):
    PersonFactory(country=macedonia, is_active=False, given_name="Gone")
    rows = _rows(member_client.get(reverse("network:export_csv")))
    assert [row["given_name"] for row in rows] == ["Ilina"]
    [row] = rows
    assert row["emails"] == MEMBERS_EMAIL
    assert row["phones"] == ""
    assert row["roles"] == "National coordinator"
    assert "phone_audience" not in row
    assert "user_email" not in row


def test_secretariat_csv_holds_every_field_and_inactive_people(
    secretariat_client, coordinator, macedonia
):
    PersonFactory(country=macedonia, is_active=False, given_name="Gone")
    rows = _rows(secretariat_client.get(reverse("network:export_csv")))
    by_name = {row["given_name"]: row for row in rows}
    assert by_name["Ilina"]["phones"] == SECRET_PHONE
    assert by_name["Ilina"]["phone_audience"] == "secretariat"
    assert by_name["Gone"]["is_active"] == "no"


def test_csv_neutralises_spreadsheet_formulas_but_keeps_phone_numbers(
    secretariat_client, macedonia
):
    PersonFactory(country=macedonia, job_title='=HYPERLINK("http://evil")', phone="+389 2 000 111")
    [row] = _rows(secretariat_client.get(reverse("network:export_csv")))
    assert row["job_title"].startswith("'=")
    assert row["phones"] == "+389 2 000 111"


@pytest.mark.parametrize("count", [3, 30])
def test_csv_export_query_count_does_not_grow_with_people(
    member_client, django_assert_num_queries, macedonia, count
):
    for _ in range(count):
        MandateFactory(person=PersonFactory(country=macedonia), country=macedonia)
    member_client.get(reverse("network:export_csv"))
    # User, groups, people, and one query per prefetched relation (+ the session's read).
    with django_assert_num_queries(8 + session_reads()):
        member_client.get(reverse("network:export_csv"))


def test_a_vcard_names_the_country_in_the_readers_language(client, coordinator, settings):
    coordinator.country.name_fr = "Macédoine du Nord"
    coordinator.country.save()
    url = reverse("network:person_vcard", args=[coordinator.pk])
    [english] = _cards(client.get(url))
    assert english.adr.value.country == "North Macedonia"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    [french] = _cards(client.get(url))
    assert french.adr.value.country == "Macédoine du Nord"
