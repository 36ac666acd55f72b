"""The secretariat's coverage report of the referral pathway: per country and procedure whether
a responsible institution can be reached, stale contacts, missing 24/7 contacts, pairs with no
agreement; refused to everyone but a secretariat session that passed its second factor."""

import csv
import io

import pytest

from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from network.coverage import Status, coverage_report
from network.models import Institution
from tests.clients import Client
from tests.library import factories as library
from tests.network.factories import CountryFactory
from tests.network.pathway_world import ALL, institution
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("network_referral_coverage")


@pytest.fixture
def countries(db):
    albania = CountryFactory(iso_code="AL", name="Albania")
    greece = CountryFactory(iso_code="GR", name="Greece")
    serbia = CountryFactory(iso_code="RS", name="Serbia")
    kinds = Institution.Kind
    # Albania: every procedure covered, a 24/7 hotline.
    institution(albania, "Albanian NRM office", kinds.COORDINATION, ALL, ["adults"])
    institution(
        albania, "Albanian hotline", kinds.HOTLINE, ["identification"], ["adults"],
        phone="+355 800 1111", available_24_7=True,
    )  # fmt: skip
    # Greece: identification only, no 24/7 (a 24/7 flag without a phone does not count).
    institution(
        greece, "Greek police unit", kinds.POLICE, ["identification"], ["adults"],
        available_24_7=True,
    )  # fmt: skip
    # Greece: a prosecutor without any contact, a shelter whose contact is stale.
    institution(greece, "Greek prosecutor", kinds.PROSECUTION, ["proceedings"], [], email="")
    institution(
        greece, "Greek shelter", kinds.SHELTER, ["assistance"], ["adults"],
        confirmed_on=None,
    )  # fmt: skip
    library.resource("AL-GR protocol", resource_type="agreement", countries=["AL", "GR"])
    return albania, greece, serbia


def cell(row, procedure):
    return next(c for c in row.cells if c.procedure == procedure)


def test_the_report_finds_gaps_per_country_and_procedure(countries, secretariat):
    coverage = coverage_report(secretariat)
    albania, greece, serbia = coverage.countries
    assert [c.status for c in albania.cells] == [Status.OK] * 5
    assert cell(greece, "identification").status == Status.OK
    assert cell(greece, "assistance").status == Status.STALE
    assert cell(greece, "proceedings").status == Status.NO_CONTACT
    assert cell(greece, "inclusion").status == Status.MISSING
    assert [c.status for c in serbia.cells] == [Status.MISSING] * 5


def test_the_report_finds_a_missing_24_7_contact(countries, secretariat):
    coverage = coverage_report(secretariat)
    assert [country.name for country in coverage.without_24_7] == ["Greece", "Serbia"]


def test_the_report_lists_stale_contacts_and_pairs_without_an_agreement(countries, secretariat):
    coverage = coverage_report(secretariat)
    assert [item.name for item in coverage.stale] == ["Greek shelter"]
    pairs = [(a.iso_code, b.iso_code) for a, b in coverage.pairs_without_agreement]
    assert pairs == [("AL", "RS"), ("GR", "RS")]


def test_the_report_page_and_csv_for_the_secretariat(countries, secretariat):
    client = Client()
    client.force_login(secretariat)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Countries without a 24/7 contact" in html
    missing = html[html.index('id="missing-24-7"') : html.index('id="stale"')]
    assert "Greece" in missing and "Serbia" in missing and "Albania" not in missing
    assert "Greek shelter" in html
    assert "Albania – Serbia" in html
    export = client.get(URL, {"format": "csv"})
    assert export.status_code == 200
    assert "no-store" in export["Cache-Control"]
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert rows[0][0] == "Country"
    greece = next(row for row in rows if row[1] == "GR")
    assert greece[2:7] == [
        "Covered",
        "Only stale contacts",
        "No institution",
        "No institution",
        "No phone or email",
    ]
    assert greece[7] == "no"
    assert greece[8] == "Greek shelter"
    assert greece[9] == "RS"


@pytest.mark.parametrize("params", [{"format": "xlsx"}, {"country": "AL"}])
def test_bad_parameters_get_a_400_naming_them(countries, secretariat, params):
    client = Client()
    client.force_login(secretariat)
    response = client.get(URL, params)
    assert response.status_code == 400
    assert "format=csv" in response.content.decode()


def test_nobody_but_the_secretariat_with_its_second_factor_gets_the_report(countries, secretariat):
    anonymous = Client().get(URL)
    assert anonymous.status_code == 302
    member = Client()
    member.force_login(UserFactory(member=True))
    assert member.get(URL).status_code in (302, 403)
    assert member.get(URL, {"format": "csv"}).status_code in (302, 403)
    without_factor = Client()
    without_factor.force_login(secretariat, second_factor=False)
    for params in ({}, {"format": "csv"}):
        response = without_factor.get(URL, params)
        assert response.status_code in (302, 403)
        assert "Greek shelter" not in response.content.decode()


@pytest.mark.parametrize("extra", [0, 20])
def test_the_report_runs_a_fixed_number_of_queries(
    countries, secretariat, django_assert_num_queries, extra
):
    for number in range(extra):
        country = CountryFactory()
        institution(country, f"Service {number}", Institution.Kind.NGO, ALL, ["adults"])
    # The countries, the institutions, the agreements and their countries.
    with django_assert_num_queries(4):
        coverage_report(AnonymousUser())
