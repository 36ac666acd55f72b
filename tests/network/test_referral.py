import datetime

import pytest

from django.urls import reverse

from network import referral
from network.models import Mandate
from network.referral import ReferralResource
from portal.access import Audience, can_see
from tests.clients import Client
from tests.conftest import session_reads
from tests.network.factories import CountryFactory, MandateFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_countries():
    albania = CountryFactory(iso_code="AL", name="Albania")
    greece = CountryFactory(iso_code="GR", name="Greece")
    for country, role, name in [
        (albania, Mandate.Role.NATIONAL_COORDINATOR, "Arta"),
        (albania, Mandate.Role.TRANSNATIONAL_CONTACT, "Luan"),
        (greece, Mandate.Role.REFERRAL_FOCAL_POINT, "Eleni"),
        (greece, Mandate.Role.WORKING_GROUP_MEMBER, "Nikos"),
    ]:
        person = PersonFactory(given_name=name, country=country, email=f"{name}@example.org")
        MandateFactory(person=person, country=country, role=role)
    former = PersonFactory(given_name="Former", country=greece)
    MandateFactory(
        person=former,
        country=greece,
        role=Mandate.Role.NATIONAL_COORDINATOR,
        start=datetime.date(2010, 1, 1),
        end=datetime.date(2012, 1, 1),
    )
    return albania, greece


def _get(client, **params):
    return client.get(reverse("network:referral"), params)


def test_referral_shows_coordinators_and_contact_points_on_both_sides(client, two_countries):
    html = _get(client, **{"from": "AL", "to": "gr"}).content.decode()
    for name in ["Arta", "Luan", "Eleni"]:
        assert name in html
    assert "Nikos" not in html  # not a referral role
    assert "Former" not in html  # no longer current
    assert html.index("Arta") < html.index("Luan")  # coordinator first
    assert "Arta@example.org" not in html  # members-only for an anonymous visitor


def test_member_sees_the_referral_contacts_email_addresses(member_client, two_countries):
    html = _get(member_client, **{"from": "AL", "to": "GR"}).content.decode()
    assert "Arta@example.org" in html
    assert 'data-audience="members"' in html


def test_missing_or_unknown_country_codes_get_a_400_with_a_message(client, two_countries):
    # Every other bad parameter: tests/network/test_pathway.py.
    response = _get(client, **{"from": "AL", "to": "ZZ"})
    assert response.status_code == 400
    assert "Not a country code of the network" in response.content.decode()


@pytest.fixture
def guidance_provider():
    def provider(countries, user, **options):
        items = [
            ReferralResource("Public SOP", "/library/sop/", "SOP", Audience.PUBLIC, countries),
            ReferralResource("Members SOP", "/library/m/", "SOP", Audience.MEMBERS, countries),
        ]
        return [item for item in items if can_see(user, item.audience)]

    referral.register_referral_resources(provider)
    yield provider
    referral._providers.remove(provider)


def test_registered_guidance_is_shown_as_the_provider_decides(
    member_client, two_countries, guidance_provider
):
    html = _get(Client(), **{"from": "AL", "to": "GR"}).content.decode()
    assert "Public SOP" in html
    assert "Members SOP" not in html
    html = _get(member_client, **{"from": "AL", "to": "GR"}).content.decode()
    assert "Members SOP" in html


def test_without_a_provider_no_guidance_section_is_shown(client, two_countries):
    html = _get(client, **{"from": "AL", "to": "GR"}).content.decode()
    assert "No guidance on referral is recorded for these countries" in html


@pytest.mark.parametrize("count", [3, 30])
def test_referral_query_count_does_not_grow_with_contacts(
    member_client, django_assert_num_queries, two_countries, count
):
    albania, _ = two_countries
    for _ in range(count):
        MandateFactory(
            person=PersonFactory(country=albania),
            country=albania,
            role=Mandate.Role.REFERRAL_FOCAL_POINT,
        )
    _get(member_client, **{"from": "AL", "to": "GR"})
    # Session, user, groups, settings, the countries, the profiles, the institutions, the
    # contacts and their prefetches, the guidance (tests/network/test_pathway.py with more).
    with django_assert_num_queries(16 + session_reads()):
        _get(member_client, **{"from": "AL", "to": "GR"})
