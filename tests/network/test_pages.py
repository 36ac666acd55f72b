import datetime

import pytest

from django.urls import reverse

from network.models import Mandate, Organisation
from portal.access import Audience
from portal.models import Language, Topic
from tests.conftest import session_reads
from tests.network.factories import (
    CountryFactory,
    MandateFactory,
    OrganisationFactory,
    PersonFactory,
)
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db

SECRET_PHONE = "+355 69 000 1111"
MEMBERS_EMAIL = "members.only@example.org"


@pytest.fixture
def albania():
    return CountryFactory(iso_code="AL", name="Albania")


@pytest.fixture
def coordinator(albania):
    person = PersonFactory(
        given_name="Arta",
        family_name="Kastrioli",
        country=albania,
        email=MEMBERS_EMAIL,
        phone=SECRET_PHONE,
        phone_audience=Audience.SECRETARIAT,
        biography="Leads the national referral mechanism.",
    )
    MandateFactory(person=person, role=Mandate.Role.NATIONAL_COORDINATOR, country=albania)
    return person


# The authorisation matrix for a person's entry: names and roles public, contact per audience.


def test_anonymous_visitor_sees_name_and_role_but_no_members_only_contact(client, coordinator):
    response = client.get(coordinator.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "Arta Kastrioli" in html
    assert "National coordinator" in html
    assert MEMBERS_EMAIL not in html
    assert SECRET_PHONE not in html
    assert "Leads the national referral mechanism." in html  # biography is public by default


def test_member_sees_members_only_email_marked_but_not_secretariat_only_phone(
    member_client, coordinator
):
    html = member_client.get(coordinator.get_absolute_url()).content.decode()
    assert MEMBERS_EMAIL in html
    assert 'data-audience="members"' in html
    assert SECRET_PHONE not in html


def test_secretariat_sees_every_contact_field(secretariat_client, coordinator):
    html = secretariat_client.get(coordinator.get_absolute_url()).content.decode()
    assert MEMBERS_EMAIL in html
    assert SECRET_PHONE in html
    assert 'data-audience="secretariat"' in html


def test_owner_sees_own_secretariat_only_phone_and_edit_controls(client, coordinator):
    owner = UserFactory(member=True)
    coordinator.user = owner
    coordinator.save()
    client.force_login(owner)
    html = client.get(coordinator.get_absolute_url()).content.decode()
    assert SECRET_PHONE in html
    assert reverse("network:person_edit", args=[coordinator.pk]) in html


def test_public_email_is_shown_to_anonymous_visitors_without_members_marking(client, albania):
    person = PersonFactory(country=albania, email="desk@example.org", email_audience="public")
    html = client.get(person.get_absolute_url()).content.decode()
    assert "desk@example.org" in html
    assert 'data-audience="members"' not in html.split("desk@example.org")[0][-300:]


def test_inactive_person_is_hidden_from_members_but_kept_for_the_secretariat(
    member_client, secretariat, client, albania
):
    person = PersonFactory(country=albania, is_active=False)
    assert member_client.get(person.get_absolute_url()).status_code == 404
    client.force_login(secretariat)
    assert client.get(person.get_absolute_url()).status_code == 200


# Directory home and countries


def test_directory_home_lists_countries_and_offers_the_referral_form(client, albania):
    html = client.get(reverse("network:directory")).content.decode()
    assert "Albania" in html
    assert reverse("network:country", args=["AL"]) in html
    assert reverse("network:referral") in html


def test_country_page_shows_current_mandates_organisations_and_referral_summary(
    client, albania, coordinator
):
    former = PersonFactory(country=albania, given_name="Former", family_name="Holder")
    MandateFactory(
        person=former,
        country=albania,
        start=datetime.date(2010, 1, 1),
        end=datetime.date(2015, 1, 1),
    )
    OrganisationFactory(country=albania, name="Labour Inspectorate of Albania")
    html = client.get(reverse("network:country", args=["al"])).content.decode()
    assert "Arta Kastrioli" in html
    assert "Former Holder" not in html  # past mandates are not current
    assert "Labour Inspectorate of Albania" in html
    assert "national referral mechanism routes" in html
    assert MEMBERS_EMAIL not in html


def test_unknown_country_is_a_404(client):
    assert client.get("/network/ZZ/").status_code == 404


# People listing, filters and search


def test_people_listing_filters_by_country_role_kind_expertise_language_and_name(client):
    serbia = CountryFactory(iso_code="RS", name="Serbia")
    police = OrganisationFactory(country=serbia, kind=Organisation.Kind.POLICE)
    topic = Topic.objects.create(name="Referral", slug="referral")
    french = Language.objects.get(code="fr")
    match = PersonFactory(
        given_name="Jovan", family_name="Radomiric", country=serbia, organisation=police
    )
    match.languages.add(french)
    match.expertise.add(topic)
    match.save()  # parental many-to-many is committed with the person
    MandateFactory(person=match, role=Mandate.Role.TRANSNATIONAL_CONTACT, country=serbia)
    other = PersonFactory(given_name="Vesna", family_name="Drinova", country=serbia)
    MandateFactory(person=other, role=Mandate.Role.OBSERVER, country=serbia)

    url = reverse("network:people")
    for query in [
        {"country": "RS", "role": "transnational_contact"},
        {"kind": "police"},
        {"expertise": "referral"},
        {"language": "fr"},
        {"q": "jovan"},
        {"q": "Jovan Radomiric"},
    ]:
        html = client.get(url, query).content.decode()
        assert "Jovan Radomiric" in html, query
        assert "Vesna Drinova" not in html, query


def test_past_mandate_does_not_match_the_role_filter(client, albania):
    person = PersonFactory(given_name="Past", family_name="Coordinator", country=albania)
    MandateFactory(
        person=person,
        country=albania,
        start=datetime.date(2010, 1, 1),
        end=datetime.date(2012, 1, 1),
    )
    html = client.get(reverse("network:people"), {"role": "national_coordinator"}).content
    assert b"Past Coordinator" not in html


@pytest.mark.parametrize(
    "query, field",
    [
        ({"country": "ZZ"}, "Country"),
        ({"role": "emperor"}, "Role"),
        ({"kind": "army"}, "Organisation kind"),
        ({"expertise": "no-such-topic"}, "Expertise"),
        ({"language": "xx"}, "Language"),
        ({"q": "x" * 101}, "Name"),
    ],
)
def test_bad_filter_value_gets_a_clear_message_not_a_500(client, query, field):
    response = client.get(reverse("network:people"), query)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Some filters could not be used" in html
    assert f"{field}:" in html


def test_people_listing_is_paginated_and_keeps_filters_in_page_links(client, albania):
    for _ in range(30):
        PersonFactory(country=albania)
    response = client.get(reverse("network:people"), {"country": "AL"})
    assert len(response.context["entries"]) == 25
    assert "country=AL&amp;page=2" in response.content.decode()
    second = client.get(reverse("network:people"), {"country": "AL", "page": 2})
    assert len(second.context["entries"]) == 5
    assert client.get(reverse("network:people"), {"page": "nonsense"}).status_code == 200


def _people_with_everything(count, country, topic, language):
    for _ in range(count):
        person = PersonFactory(country=country)
        person.languages.add(language)
        person.expertise.add(topic)
        person.save()
        MandateFactory(person=person, country=country)


@pytest.mark.parametrize("count", [3, 30])
def test_people_listing_query_count_does_not_grow_with_people(
    member_client, django_assert_num_queries, count, albania
):
    _people_with_everything(
        count,
        albania,
        Topic.objects.create(name="Ident", slug="ident"),
        Language.objects.get(code="en"),
    )
    member_client.get(reverse("network:people"))  # warm the session and settings caches
    with django_assert_num_queries(QUERIES["people"] + session_reads()):
        response = member_client.get(reverse("network:people"))
    assert response.status_code == 200


@pytest.mark.parametrize("count", [3, 30])
def test_country_page_query_count_does_not_grow_with_people(
    member_client, django_assert_num_queries, count, albania
):
    _people_with_everything(
        count,
        albania,
        Topic.objects.create(name="Ident", slug="ident"),
        Language.objects.get(code="en"),
    )
    OrganisationFactory.create_batch(count, country=albania)
    member_client.get(reverse("network:country", args=["AL"]))
    with django_assert_num_queries(QUERIES["country"] + session_reads()):
        member_client.get(reverse("network:country", args=["AL"]))


@pytest.mark.parametrize("count", [3, 30])
def test_directory_home_query_count_does_not_grow_with_countries(
    client, django_assert_num_queries, count
):
    CountryFactory.create_batch(count)
    client.get(reverse("network:directory"))
    with django_assert_num_queries(QUERIES["directory"]):
        client.get(reverse("network:directory"))


# User, groups, site settings, the filter choices and one query per prefetched relation (and
# the session's read, see session_reads): fixed, whatever the number of rows.
# The country page also reads its referral profile, its institutions and the viewer's mandates
# (who may edit the country's referral data).
QUERIES = {"people": 12, "country": 13, "directory": 3}
