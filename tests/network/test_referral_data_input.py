"""Bad input to a country's referral data, by every way in (the coordinators' self-service, the
admin, the institutions import, the institutions export's filter): a clear message naming the
field, a 400 (the admin: its form again), and nothing written. Never a 500."""

import csv
import io

import pytest

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from network.models import Country, Institution, Mandate, ReferralProfile
from tests.clients import Client
from tests.network.factories import (
    CountryFactory,
    InstitutionFactory,
    MandateFactory,
    PersonFactory,
)
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db

ONE_LINE = "Keep this on one line"
ONE_CONTACT_POINT = "is outside the network and already has its one contact point"


@pytest.fixture
def outside():
    """A country outside the network, already holding its one contact point."""
    country = CountryFactory(iso_code="AT", name="Austria", membership=Country.Membership.OUTSIDE)
    InstitutionFactory(country=country, name="Federal contact point", is_contact_point=True)
    return country


@pytest.fixture
def serbia():
    return CountryFactory(iso_code="RS", name="Serbia")


def _steward_client(country, **login):
    user = UserFactory(member=True)
    MandateFactory(
        person=PersonFactory(country=country, user=user),
        role=Mandate.Role.DEPUTY_COORDINATOR,
        country=country,
    )
    client = Client()
    client.force_login(user, **login)
    return client


def _self_service_data(**overrides):
    data = {
        "name": "Second office",
        "kind": "police",
        "procedures": ["identification"],
        "target_groups": ["adults"],
        "phone_visibility": "members",
        "email_visibility": "members",
    }
    data.update(overrides)
    return data


def _admin_data(country, **overrides):
    data = {
        "country": country.pk,
        "name": "Second office",
        "kind": "police",
        "organisation": "",
        "procedures": ["identification"],
        "target_groups": ["adults"],
        "phone": "",
        "phone_visibility": "members",
        "email": "",
        "email_visibility": "members",
        "website": "",
        "hours": "",
        "confirmed_on": "",
    }
    data.update(overrides)
    return data


# A second institution in a country outside the network


def test_the_model_refuses_a_second_institution_outside_the_network_for_any_form(outside):
    second = Institution(country=outside, name="Another", is_contact_point=True)
    with pytest.raises(ValidationError) as error:
        second.full_clean()
    # Not tied to a `country` field: the self-service form has none (the URL names the country).
    assert ONE_CONTACT_POINT in " ".join(error.value.message_dict[NON_FIELD_ERRORS])
    assert "country" not in error.value.message_dict


@pytest.mark.parametrize("contact_point", [True, False])
def test_a_steward_adding_a_second_institution_outside_the_network_is_told_why(
    outside, contact_point
):
    client = _steward_client(outside)
    data = _self_service_data(**({"is_contact_point": "on"} if contact_point else {}))
    response = client.post(reverse("network:institution_add", args=["AT"]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert ONE_CONTACT_POINT in page or "holds its contact point only" in page
    assert list(Institution.objects.values_list("name", flat=True)) == ["Federal contact point"]


def test_the_secretariat_adding_a_second_one_through_the_self_service_is_told_why(outside):
    client = Client()
    client.force_login(UserFactory(secretariat=True))
    response = client.post(
        reverse("network:institution_add", args=["at"]),
        _self_service_data(is_contact_point="on"),
    )
    assert response.status_code == 400
    assert ONE_CONTACT_POINT in response.content.decode()
    assert Institution.objects.count() == 1


def test_the_contact_point_outside_the_network_can_still_be_edited(outside):
    contact_point = Institution.objects.get()
    client = _steward_client(outside)
    response = client.post(
        reverse("network:institution_edit", args=[contact_point.pk]),
        _self_service_data(name="Federal contact point (BMI)", is_contact_point="on"),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Institution.objects.get().name == "Federal contact point (BMI)"


def test_the_admin_form_names_the_second_contact_point_outside_the_network(
    secretariat_client, outside
):
    response = secretariat_client.post(
        reverse("wagtailsnippets_network_institution:add"),
        _admin_data(outside, is_contact_point="on"),
    )
    assert response.status_code == 200
    assert ONE_CONTACT_POINT in response.text
    assert Institution.objects.count() == 1


# The institutions export's filter


@pytest.mark.parametrize(
    "query",
    [
        {"country": "\x00"},
        {"country": "A\x00"},
        {"country": "AL\x00"},
        {"country": ["RS", "\x00"]},
        {"country": "ALB"},
        {"country": "A"},
        {"country": "1"},
        {"country": "ß"},  # "ß".upper() is "SS"
        {"country": "ＲＳ"},  # full-width letters
        {"country": "R\u0301S"},
        {"country": "x" * 3000},
    ],
)
def test_a_malformed_country_code_in_the_institutions_csv_is_a_400_naming_it(
    member_client, serbia, query
):
    response = member_client.get(reverse("network:institutions_csv"), query)
    assert response.status_code == 400
    text = response.content.decode()
    assert text.startswith("country:")
    assert "two-letter ISO 3166-1 code" in text
    assert "\x00" not in text


def test_an_unknown_parameter_of_the_institutions_csv_is_named_not_ignored(member_client, serbia):
    # A misspelt filter would otherwise export every country's institutions.
    response = member_client.get(reverse("network:institutions_csv"), {"countries": "RS"})
    assert response.status_code == 400
    assert "countries" in response.content.decode()


def test_well_formed_codes_still_filter_the_institutions_csv(member_client, serbia):
    InstitutionFactory(country=serbia, name="Belgrade shelter")
    InstitutionFactory(country=CountryFactory(iso_code="GR", name="Greece"), name="Athens unit")
    response = member_client.get(reverse("network:institutions_csv"), {"country": [" rs ", ""]})
    assert response.status_code == 200
    names = [row["name"] for row in csv.DictReader(io.StringIO(response.content.decode()))]
    assert names == ["Belgrade shelter"]
    unknown = member_client.get(reverse("network:institutions_csv"), {"country": "XQ"})
    assert unknown.status_code == 400 and "XQ" in unknown.content.decode()


# Line breaks in single-line fields

LINE_BREAKS = ["Evil\r\nTEL:+1 900 555 0000\r\nX", "Evil\nX", "Evil\rX", "Evil\u2028X", "A\tB"]


@pytest.mark.parametrize("value", LINE_BREAKS)
def test_the_model_refuses_line_breaks_in_an_institutions_name_and_hours(serbia, value):
    institution = Institution(country=serbia, name=value, hours=value, phone="+381 11 555 0100")
    with pytest.raises(ValidationError) as error:
        institution.full_clean()
    assert ONE_LINE in " ".join(error.value.message_dict["name"])
    assert ONE_LINE in " ".join(error.value.message_dict["hours"])
    profile = ReferralProfile(country=serbia, mechanism_name=value)
    with pytest.raises(ValidationError) as error:
        profile.full_clean()
    assert ONE_LINE in " ".join(error.value.message_dict["mechanism_name"])


@pytest.mark.parametrize("field", ["name", "hours", "phone"])
def test_a_steward_cannot_save_a_line_break_in_a_single_line_field(serbia, field):
    client = _steward_client(serbia)
    value = {"name": "Evil\r\nTEL:+1 900 555 0000", "hours": "Mon\r\nTEL:+1 900 555 0000",
             "phone": "+381 11\r\n555 0100"}[field]  # fmt: skip
    response = client.post(
        reverse("network:institution_add", args=["RS"]), _self_service_data(**{field: value})
    )
    assert response.status_code == 400
    assert ONE_LINE in response.content.decode()
    assert not Institution.objects.exists()


def test_a_steward_cannot_save_a_line_break_in_the_mechanisms_name(serbia):
    client = _steward_client(serbia)
    response = client.post(
        reverse("network:referral_data_edit", args=["RS"]),
        {"mechanism_name": "NRM\r\nLead: someone else", "legal_basis": "Law 1\r\nLaw 2"},
    )
    assert response.status_code == 400
    assert ONE_LINE in response.content.decode()
    assert not ReferralProfile.objects.exists()
    # Multi-line text fields stay multi-line.
    response = client.post(
        reverse("network:referral_data_edit", args=["RS"]),
        {"mechanism_name": "NRM", "legal_basis": "Law 1\r\nLaw 2"},
    )
    assert response.status_code == 302
    assert ReferralProfile.objects.get().legal_basis == "Law 1\r\nLaw 2"


def test_the_admin_refuses_a_line_break_in_an_institutions_name(secretariat_client, serbia):
    response = secretariat_client.post(
        reverse("wagtailsnippets_network_institution:add"),
        _admin_data(serbia, name="Evil\r\nTEL:+1 900 555 0000"),
    )
    assert response.status_code == 200
    assert ONE_LINE in response.text
    assert not Institution.objects.exists()


# The institutions import

IMPORT_HEADER = ["iso_code", "name", "kind", "hours", "phone", "organisation", "is_contact_point"]


def _import(tmp_path, rows):
    path = tmp_path / "institutions.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(IMPORT_HEADER)
        for row in rows:
            writer.writerow([row.get(column, "") for column in IMPORT_HEADER])
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_institutions", str(path), stdout=out, stderr=err)
    except CommandError as error:
        return False, err.getvalue() + str(error)
    return True, out.getvalue()


@pytest.mark.parametrize(
    "row, message",
    [
        ({"name": "Evil\r\nTEL:+1 900 555 0000"}, f"row 3: name: {ONE_LINE}"),
        ({"hours": "Mon–Fri\n08:00–16:00"}, f"row 3: hours: {ONE_LINE}"),
        ({"phone": "+381 11\n555 0100"}, "row 3: phone: "),
        ({"name": "Nul\x00here"}, "row 3: name: "),
        ({"organisation": "Min\x00istry"}, "row 3: organisation: "),
        ({"kind": "police\x00"}, "row 3: kind: "),
    ],
)
def test_the_import_refuses_line_breaks_and_nul_naming_the_column(tmp_path, serbia, row, message):
    good = {"iso_code": "RS", "name": "Good one", "kind": "police"}
    ok, err = _import(tmp_path, [good, {**good, "name": "Second", **row}])
    assert not ok
    assert message in err
    assert "nothing was imported" in err
    assert not Institution.objects.exists()


def test_the_import_names_a_second_contact_point_outside_the_network(tmp_path, outside):
    ok, err = _import(
        tmp_path,
        [{"iso_code": "AT", "name": "Another", "kind": "police", "is_contact_point": "yes"}],
    )
    assert not ok
    assert f"row 2: Austria {ONE_CONTACT_POINT}" in err
    assert Institution.objects.count() == 1
