"""The referral pathway's data: profiles and institutions, what each tier sees of them on every
way out, who may edit them, and how they are imported."""

import csv
import datetime
import io

import pytest

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from wagtail.models import ModelLogEntry

from network.models import Country, Institution, Mandate, Procedure, ReferralProfile, TargetGroup
from network.search_records import InstitutionSource
from network.stewardship import may_edit_referral_data
from portal.access import Audience
from portal.models import Language
from tests.clients import Client
from tests.network.factories import (
    CountryFactory,
    InstitutionFactory,
    MandateFactory,
    OrganisationFactory,
    PersonFactory,
    ReferralProfileFactory,
)
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db

SECRET_PHONE = "+382 98 555 0177"


def _language(code, name):
    return Language.objects.get_or_create(code=code, defaults={"name": name})[0]


@pytest.fixture
def country():
    return CountryFactory(iso_code="RS", name="Serbia")


@pytest.fixture
def institution(country):
    return InstitutionFactory(
        country=country,
        name="Centre for the protection of victims",
        phone=SECRET_PHONE,
        phone_visibility=Audience.MEMBERS,
        email="duty@centre.example.org",
        email_visibility=Audience.PUBLIC,
        languages=[_language("en", "English"), _language("sr", "Serbian")],
    )


def _steward(country, role=Mandate.Role.NATIONAL_COORDINATOR, **mandate):
    user = UserFactory(member=True)
    person = PersonFactory(country=country, user=user)
    MandateFactory(person=person, role=role, country=country, **mandate)
    return user


def _client(user, **kwargs):
    client = Client()
    client.force_login(user, **kwargs)
    return client


# The models


def test_procedure_and_group_values_are_the_public_url_contract():
    assert Procedure.values == ["identification", "assistance", "inclusion", "return",
                                "proceedings"]  # fmt: skip
    assert TargetGroup.values == ["adults", "children", "asylum"]


def test_an_institution_serves_its_procedures_and_groups_only(institution):
    assert institution.serves(Procedure.IDENTIFICATION, TargetGroup.CHILDREN)
    assert institution.serves("assistance")
    assert institution.serves(group="children")
    assert not institution.serves(Procedure.RETURN)
    assert not institution.serves(Procedure.ASSISTANCE, TargetGroup.ADULTS)


def test_procedures_are_stored_in_the_lists_order_without_duplicates(country):
    institution = InstitutionFactory(
        country=country, procedures=["return", "identification", "return"]
    )
    institution.refresh_from_db()
    assert institution.procedures == ["identification", "return"]


def test_a_contact_is_stale_when_unconfirmed_for_twelve_months_or_never(country):
    today = datetime.date.today()
    fresh = InstitutionFactory(country=country, confirmed_on=today - datetime.timedelta(days=364))
    old = InstitutionFactory(country=country, confirmed_on=today - datetime.timedelta(days=366))
    never = InstitutionFactory(country=country, confirmed_on=None)
    assert not fresh.is_stale
    assert old.is_stale and never.is_stale
    assert set(Institution.objects.stale()) == {old, never}


def test_the_database_filter_matches_whole_values_on_either_backend(country):
    child = InstitutionFactory(country=country, procedures=["return"], target_groups=["children"])
    adult = InstitutionFactory(
        country=country, procedures=["proceedings"], target_groups=["adults"]
    )
    assert list(Institution.objects.serving(procedure="return")) == [child]
    assert list(Institution.objects.serving(group="adults")) == [adult]
    assert not Institution.objects.serving(procedure="return", group="adults").exists()
    with pytest.raises(ValueError):
        Institution.objects.serving(procedure="identifi")


def test_validation_names_an_unknown_procedure_or_group(country):
    institution = Institution(
        country=country, name="X", procedures=["rescue"], target_groups=["elderly"]
    )
    with pytest.raises(ValidationError) as error:
        institution.full_clean()
    assert "rescue" in str(error.value.message_dict["procedures"])
    assert "elderly" in str(error.value.message_dict["target_groups"])


def test_for_countries_runs_two_queries_however_many_institutions(country):
    other = CountryFactory(iso_code="GR", name="Greece")
    for number in range(6):
        InstitutionFactory(
            country=country if number % 2 else other,
            organisation=OrganisationFactory(country=country),
            languages=[_language("en", "English")],
        )
    with CaptureQueriesContext(connection) as queries:
        found = list(Institution.objects.for_countries([country, "gr"]))
        for institution in found:
            institution.visible_contact(None)
            str(institution.organisation), institution.country.name
    assert len(found) == 6
    assert len(queries) == 2


def test_a_country_outside_the_network_holds_one_contact_point_only():
    outside = CountryFactory(iso_code="DE", name="Germany", membership=Country.Membership.OUTSIDE)
    not_a_contact_point = Institution(country=outside, name="Police", is_contact_point=False)
    with pytest.raises(ValidationError) as error:
        not_a_contact_point.full_clean()
    assert "is_contact_point" in error.value.message_dict
    InstitutionFactory(country=outside, is_contact_point=True, name="Federal contact point")
    second = Institution(country=outside, name="Another", is_contact_point=True)
    with pytest.raises(ValidationError) as error:
        second.full_clean()
    assert "already has its one contact point" in str(error.value.message_dict[NON_FIELD_ERRORS])
    assert list(Country.objects.in_network()) == []
    assert list(Country.objects.outside_network()) == [outside]


def test_the_directory_lists_countries_outside_the_network_apart(client, country):
    CountryFactory(iso_code="DE", name="Germany", membership=Country.Membership.OUTSIDE)
    html = client.get(reverse("network:directory")).content.decode()
    countries, _, outside = html.partition('id="outside-heading"')
    assert "Serbia" in countries.split('id="countries-heading"')[1]
    assert "Germany" not in countries.split('id="countries-heading"')[1]
    assert "Germany" in outside


# What each tier sees


def test_members_only_phone_never_reaches_anonymous_on_the_country_page(client, institution):
    url = reverse("network:country", args=["RS"])
    anonymous = client.get(url).content.decode()
    assert institution.name in anonymous
    assert "duty@centre.example.org" in anonymous
    assert SECRET_PHONE not in anonymous
    assert "English, Serbian" in anonymous
    client.force_login(UserFactory(member=True))
    member = client.get(url).content.decode()
    assert SECRET_PHONE in member
    assert 'data-audience="members"' in member


def test_the_country_page_shows_the_profile_and_a_stale_warning(client, country):
    ReferralProfileFactory(country=country, lead_agency=OrganisationFactory(country=country))
    InstitutionFactory(country=country, confirmed_on=datetime.date(2019, 1, 1))
    html = client.get(reverse("network:country", args=["RS"])).content.decode()
    assert "National Referral Mechanism" in html
    assert "Law on the prevention of trafficking" in html
    assert "Not confirmed for over 12 months" in html


def test_the_country_pages_queries_do_not_grow_with_its_institutions(client, country):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("network:country", args=["RS"])).status_code == 200
        return len(queries)

    ReferralProfileFactory(country=country)
    InstitutionFactory(country=country, languages=[_language("en", "English")])
    count()  # the first request fills the per-process caches (content types, site)
    few = count()
    for _number in range(8):
        InstitutionFactory(country=country, languages=[_language("sr", "Serbian")])
    assert count() == few


def test_a_members_only_national_sop_is_linked_for_members_only(client, country):
    from tests.library.factories import resource

    sop = resource("National SOP of Serbia", audience=Audience.MEMBERS, resource_type="sop")
    ReferralProfileFactory(country=country, national_sop=sop.page_ptr)
    url = reverse("network:country", args=["RS"])
    assert sop.url not in client.get(url).content.decode()
    client.force_login(UserFactory(member=True))
    assert sop.url in client.get(url).content.decode()


def test_the_vcard_holds_only_the_fields_its_reader_may_see(client, institution):
    url = reverse("network:institution_vcard", args=[institution.pk])
    anonymous = client.get(url)
    assert anonymous.status_code == 200
    assert anonymous["Content-Type"].startswith("text/vcard")
    assert "no-store" in anonymous["Cache-Control"]
    text = anonymous.content.decode()
    assert "FN:Centre for the protection of victims" in text
    assert "duty@centre.example.org" in text
    assert SECRET_PHONE not in text
    client.force_login(UserFactory(member=True))
    assert SECRET_PHONE in client.get(url).content.decode()


def test_an_unknown_institution_vcard_is_404(client):
    assert client.get(reverse("network:institution_vcard", args=[999999])).status_code == 404


def _csv_rows(response):
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_the_institutions_csv_is_for_members_with_the_fields_they_may_see(client, institution):
    url = reverse("network:institutions_csv")
    assert client.get(url).status_code == 302
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403
    client.force_login(UserFactory(member=True))
    InstitutionFactory(
        country=institution.country, name="Secret unit", phone="+382 98 555 0111",
        phone_visibility=Audience.SECRETARIAT, email="", kind="police",
    )  # fmt: skip
    rows = {row["name"]: row for row in _csv_rows(client.get(url))}
    assert rows[institution.name]["phone"] == SECRET_PHONE
    assert rows[institution.name]["procedures"] == "identification;assistance"
    assert rows[institution.name]["languages"] == "en;sr"
    assert rows["Secret unit"]["phone"] == ""
    assert "phone_visibility" not in rows["Secret unit"]
    client.force_login(UserFactory(secretariat=True))
    rows = {row["name"]: row for row in _csv_rows(client.get(url))}
    assert rows["Secret unit"]["phone"] == "+382 98 555 0111"
    assert rows["Secret unit"]["phone_visibility"] == "secretariat"


def test_the_institutions_csv_names_an_unknown_country_and_quotes_formulas(member_client, country):
    InstitutionFactory(country=country, name="=HYPERLINK(1)")
    bad = member_client.get(reverse("network:institutions_csv") + "?country=RS&country=XQ")
    assert bad.status_code == 400
    assert "XQ" in bad.content.decode()
    rows = _csv_rows(member_client.get(reverse("network:institutions_csv") + "?country=rs"))
    assert [row["name"] for row in rows] == ["'=HYPERLINK(1)"]


def test_search_records_keep_a_members_only_phone_out_of_the_public_record(institution):
    records = InstitutionSource().records_for(institution)
    by_tier = {tier: record for record in records for tier in record.audiences}
    assert SECRET_PHONE not in by_tier["public"].body
    assert SECRET_PHONE in by_tier["members"].body
    assert "duty@centre.example.org" in by_tier["public"].body
    assert "Identification" in by_tier["public"].body
    assert by_tier["public"].kind == "institution"
    assert by_tier["public"].url.endswith(f"/network/RS/#institution-{institution.pk}")
    assert by_tier["public"].facets["language"] == ["en", "sr"]


def test_anonymous_search_does_not_find_an_institution_by_its_members_only_phone(
    client, country, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        InstitutionFactory(country=country, name="Hotline", phone="+382 98 555 4242")
    query = "?q=4242"
    assert client.get("/api/search/" + query).json()["total"] == 0
    client.force_login(UserFactory(member=True))
    assert client.get("/api/search/" + query).json()["total"] == 1


def test_the_referral_profile_is_searchable_in_its_countrys_record(
    client, country, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ReferralProfileFactory(country=country, mechanism_name="Mechanism Quetzalcoatl")
    results = client.get("/api/search/?q=Quetzalcoatl").json()["results"]
    assert [result["url"] for result in results] == ["/network/RS/"]


# The coordinators' self-service


def test_a_coordinator_edits_their_countrys_profile_with_a_revision(country):
    user = _steward(country)
    client = _client(user)
    url = reverse("network:referral_data_edit", args=["rs"])
    assert client.get(url).status_code == 200
    agency = OrganisationFactory(country=country, name="Office for combating trafficking")
    response = client.post(
        url,
        {
            "mechanism_name": "NRM",
            "lead_agency": agency.pk,
            "legal_basis": "Law of 2016",
            "summary": "Call the contact point.",
        },
    )
    assert response.status_code == 302
    profile = ReferralProfile.objects.get(country=country)
    assert profile.lead_agency == agency
    assert profile.reviewed_on == datetime.date.today()
    assert profile.latest_revision is not None
    assert ModelLogEntry.objects.for_instance(profile).filter(user=user).exists()


def test_a_coordinator_cannot_name_another_countrys_organisation_as_lead(country):
    client = _client(_steward(country))
    foreign = OrganisationFactory(country=CountryFactory(iso_code="GR", name="Greece"))
    response = client.post(
        reverse("network:referral_data_edit", args=["RS"]),
        {"mechanism_name": "NRM", "lead_agency": foreign.pk},
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not ReferralProfile.objects.exists()


def test_a_coordinator_adds_an_institution_confirmed_today(country):
    client = _client(_steward(country))
    response = client.post(
        reverse("network:institution_add", args=["RS"]),
        {
            "name": "Shelter for children",
            "kind": "shelter",
            "procedures": ["assistance", "inclusion"],
            "target_groups": ["children"],
            "phone": "+381 11 555 0123",
            "phone_visibility": "members",
            "email_visibility": "members",
            "languages": ["en"] if _language("en", "English") else [],
            "confirm": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    institution = Institution.objects.get(name="Shelter for children")
    assert institution.country == country
    assert institution.confirmed_on == datetime.date.today()
    assert [language.code for language in institution.languages.all()] == ["en"]
    assert institution.latest_revision is not None


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("procedures", "rescue", "Select a valid choice"),
        ("target_groups", "elderly", "Select a valid choice"),
        ("kind", "castle", "Select a valid choice"),
        ("phone", "011 555", "is not a phone number in international format"),
        ("email", "not-an-address", "Enter a valid email address"),
        ("phone_visibility", "everyone", "Select a valid choice"),
        ("name", "", "This field is required"),
        ("country", "GR", "These fields cannot be changed here: country"),
    ],
)
def test_bad_institution_input_is_named_and_nothing_is_saved(country, field, value, message):
    client = _client(_steward(country))
    data = {
        "name": "Shelter",
        "kind": "shelter",
        "procedures": ["assistance"],
        "target_groups": ["adults"],
        "phone_visibility": "members",
        "email_visibility": "members",
        field: value,
    }
    response = client.post(reverse("network:institution_add", args=["RS"]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Institution.objects.exists()


def test_a_duplicate_institution_name_is_an_error_not_a_crash(country, institution):
    client = _client(_steward(country))
    response = client.post(
        reverse("network:institution_add", args=["RS"]),
        {"name": institution.name, "kind": "shelter", "phone_visibility": "members",
         "email_visibility": "members"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "already has an institution of this name" in response.content.decode()


def test_a_coordinator_edits_and_removes_their_own_countrys_institution(country, institution):
    client = _client(_steward(country, role=Mandate.Role.DEPUTY_COORDINATOR))
    edit = reverse("network:institution_edit", args=[institution.pk])
    page = client.get(edit).content.decode()
    assert SECRET_PHONE in page
    delete = reverse("network:institution_delete", args=[institution.pk])
    assert client.get(delete).status_code == 200
    assert client.post(delete).status_code == 302
    assert not Institution.objects.exists()
    assert ModelLogEntry.objects.filter(action="wagtail.delete").exists()


def test_another_countrys_coordinator_anonymous_and_members_are_refused(client, institution):
    greek = _steward(CountryFactory(iso_code="GR", name="Greece"))
    former = _steward(
        institution.country,
        start=datetime.date(2015, 1, 1),
        end=datetime.date(2019, 1, 1),
    )
    withdrawn = _steward(institution.country)
    withdrawn.groups.clear()
    urls = [
        reverse("network:referral_data_edit", args=["RS"]),
        reverse("network:institution_add", args=["RS"]),
        reverse("network:institution_edit", args=[institution.pk]),
        reverse("network:institution_delete", args=[institution.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        for user in (greek, former, withdrawn, UserFactory(member=True)):
            assert _client(user).get(url).status_code == 403, (url, user)
            assert _client(user).post(url, {"name": "Taken over"}).status_code == 403
    assert Institution.objects.get().name == institution.name


def test_the_secretariat_edits_every_country_but_only_with_its_second_factor(country):
    user = UserFactory(secretariat=True)
    url = reverse("network:referral_data_edit", args=["RS"])
    assert _client(user).get(url).status_code == 200
    # Without it the session holds the member tier: sent to pass it, or refused.
    assert _client(user, second_factor=False).get(url).status_code in (302, 403)


def test_only_stewards_see_the_edit_link_on_the_country_page(client, country):
    url = reverse("network:country", args=["RS"])
    edit = reverse("network:referral_data_edit", args=["RS"])
    assert edit not in client.get(url).content.decode()
    assert edit not in _client(UserFactory(member=True)).get(url).content.decode()
    assert edit in _client(_steward(country)).get(url).content.decode()
    assert may_edit_referral_data(UserFactory(secretariat=True), country) is True


# The admin


def _institution_form(country, **overrides):
    data = {
        "country": country.pk,
        "name": "National hotline",
        "kind": "hotline",
        "organisation": "",
        "procedures": ["identification", "assistance"],
        "target_groups": ["adults", "children"],
        "phone": "+381 (11) 555-0100",
        "phone_visibility": "public",
        "email": "",
        "email_visibility": "members",
        "website": "",
        "hours": "",
        "available_24_7": "on",
        "confirmed_on": "2025-01-10",
    }
    data.update(overrides)
    return data


def test_secretariat_lists_and_filters_institutions_in_the_admin(secretariat_client, country):
    InstitutionFactory(country=country, name="Child protection office", procedures=["return"],
                       confirmed_on=None)  # fmt: skip
    url = reverse("wagtailsnippets_network_institution:list")
    for query in ("", "?stale=true", f"?country={country.pk}", "?kind=shelter",
                  "?target_group=children", "?procedure=return"):  # fmt: skip
        response = secretariat_client.get(url + query)
        assert response.status_code == 200, query
    assert "Child protection office" in secretariat_client.get(url + "?procedure=return").text
    assert (
        "Child protection office" not in secretariat_client.get(url + "?procedure=inclusion").text
    )
    assert "Child protection office" not in secretariat_client.get(url + "?stale=false").text


def test_admin_forms_use_choosers_and_checkboxes_not_selects_of_every_row(secretariat_client):
    html = secretariat_client.get(reverse("wagtailsnippets_network_institution:add")).text
    assert 'name="country"' in html and '<select name="country"' not in html
    assert '<select name="organisation"' not in html
    assert 'type="checkbox" name="procedures" value="identification"' in html
    html = secretariat_client.get(reverse("wagtailsnippets_network_referralprofile:add")).text
    for name in ("country", "lead_agency", "national_sop"):
        assert f'name="{name}"' in html and f'<select name="{name}"' not in html


def test_every_field_has_help_text():
    for model in (Institution, ReferralProfile):
        for field in model._meta.get_fields():
            if getattr(field, "editable", False) and not field.auto_created:
                if field.name in ("latest_revision",):
                    continue
                assert field.help_text, f"{model.__name__}.{field.name}"


def test_secretariat_creates_an_institution_with_a_revision(secretariat_client, country):
    response = secretariat_client.post(
        reverse("wagtailsnippets_network_institution:add"), _institution_form(country)
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    institution = Institution.objects.get()
    assert institution.procedures == ["identification", "assistance"]
    assert institution.phone == "+381 11 555 0100"
    assert institution.latest_revision is not None


def test_an_unknown_procedure_in_the_admin_is_a_form_error(secretariat_client, country):
    response = secretariat_client.post(
        reverse("wagtailsnippets_network_institution:add"),
        _institution_form(country, procedures=["rescue"]),
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert not Institution.objects.exists()


def test_the_admin_is_for_the_secretariat_with_its_second_factor(country):
    url = reverse("wagtailsnippets_network_institution:list")
    assert _client(UserFactory(member=True)).get(url).status_code in (302, 403)
    assert _client(_steward(country)).get(url).status_code in (302, 403)
    secretariat = UserFactory(secretariat=True)
    assert _client(secretariat, second_factor=False).get(url).status_code in (302, 403)
    assert _client(secretariat).get(url).status_code == 200


# The import


IMPORT_HEADER = [
    "iso_code", "name", "kind", "procedures", "target_groups", "phone", "phone_visibility",
    "email", "email_visibility", "available_24_7", "languages", "is_contact_point",
    "confirmed_on",
]  # fmt: skip


def _import_row(**values):
    row = {
        "iso_code": "RS",
        "name": "National hotline",
        "kind": "hotline",
        "procedures": "identification;assistance",
        "target_groups": "adults;children",
        "phone": "+381 800 555 010",
        "phone_visibility": "public",
        "email": "hotline@example.org",
        "email_visibility": "members",
        "available_24_7": "yes",
        "languages": "en",
        "is_contact_point": "no",
        "confirmed_on": "2025-03-01",
    }
    row.update(values)
    return [row[column] for column in IMPORT_HEADER]


def _import_file(tmp_path, rows, header=IMPORT_HEADER):
    path = tmp_path / "institutions.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _import(path, *args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_institutions", str(path), *args, stdout=out, stderr=err)
    except CommandError as error:
        return False, out.getvalue(), err.getvalue() + str(error)
    return True, out.getvalue(), err.getvalue()


def test_import_creates_institutions_and_a_second_run_changes_nothing(tmp_path, country):
    _language("en", "English")
    path = _import_file(
        tmp_path,
        [_import_row(), _import_row(name="Police unit", kind="police", phone="", email="",
                                    procedures="identification;proceedings", languages="")],
    )  # fmt: skip
    ok, out, _ = _import(path)
    assert ok, out
    assert "2 created" in out
    hotline = Institution.objects.get(name="National hotline")
    assert hotline.procedures == ["identification", "assistance"]
    assert hotline.available_24_7 and hotline.phone_visibility == "public"
    assert hotline.confirmed_on == datetime.date(2025, 3, 1)
    assert [language.code for language in hotline.languages.all()] == ["en"]
    ok, out, _ = _import(path)
    assert ok and "2 unchanged" in out


@pytest.mark.parametrize(
    "values, message",
    [
        ({"iso_code": "XQ"}, "unknown country code “XQ”"),
        ({"kind": "castle"}, "kind “castle” is not one of"),
        ({"procedures": "identification;rescue"}, "procedures: unknown value(s) rescue"),
        ({"target_groups": "elderly"}, "target_groups: unknown value(s) elderly"),
        ({"languages": "en;xx"}, "languages: unknown language code(s) xx"),
        ({"email": "not-an-address"}, "email: malformed email address"),
        ({"phone": "011 555"}, "phone: malformed phone number"),
        ({"phone_visibility": "everyone"}, "phone_visibility “everyone” is not one of"),
        ({"available_24_7": "sometimes"}, "available_24_7 “sometimes” must be yes or no"),
        ({"confirmed_on": "01/03/2025"}, "confirmed_on: “01/03/2025” is not a date"),
        ({"name": ""}, "iso_code and name are required"),
    ],
)
def test_a_bad_row_is_reported_by_line_and_nothing_is_written(tmp_path, country, values, message):
    _language("en", "English")
    path = _import_file(tmp_path, [_import_row(name="Good one"), _import_row(**values)])
    ok, out, err = _import(path)
    assert not ok
    assert f"row 3: {message}" in err
    assert "nothing was imported" in err
    assert not Institution.objects.exists()


def test_a_duplicate_row_and_a_second_contact_point_outside_the_network_are_refused(tmp_path):
    CountryFactory(iso_code="RS", name="Serbia")
    CountryFactory(iso_code="DE", name="Germany", membership=Country.Membership.OUTSIDE)
    path = _import_file(
        tmp_path,
        [
            _import_row(languages=""),
            _import_row(languages=""),
            _import_row(iso_code="DE", name="Contact point", is_contact_point="yes", languages=""),
            _import_row(iso_code="DE", name="Second", is_contact_point="yes", languages=""),
        ],
    )
    ok, _, err = _import(path)
    assert not ok
    assert "row 3: duplicate institution" in err
    assert "row 5: Germany is outside the network" in err
    assert not Institution.objects.exists()


def test_a_dry_run_reports_and_writes_nothing(tmp_path, country):
    _language("en", "English")
    ok, out, _ = _import(_import_file(tmp_path, [_import_row()]), "--dry-run")
    assert ok and "Dry run: 1 rows: 1 created" in out
    assert not Institution.objects.exists()


def test_unknown_columns_and_a_missing_file_are_named(tmp_path, country):
    ok, _, err = _import(_import_file(tmp_path, [], header=["iso_code", "name", "colour"]))
    assert not ok and "Unknown columns: colour" in err
    ok, _, err = _import(tmp_path / "missing.csv")
    assert not ok and "No such file" in err


def test_the_secretariats_export_imports_back_unchanged(tmp_path, institution):
    client = _client(UserFactory(secretariat=True))
    path = tmp_path / "export.csv"
    path.write_bytes(client.get(reverse("network:institutions_csv")).content)
    ok, out, _ = _import(path)
    assert ok and "1 unchanged" in out, out


# The demo


def test_the_demo_builds_a_full_pathway_for_a_child_and_a_destination_outside(home_page):
    import random
    from types import SimpleNamespace

    from library import demo as library_demo
    from network import demo
    from portal import demo as portal_demo
    from tests.library.factories import library_index

    context = SimpleNamespace(
        password="demo-password-123", password_given=True, scale=1, rng=random.Random(2019),
        stdout=io.StringIO(), style=None, verbosity=0, announce=lambda message: None,
    )  # fmt: skip
    portal_demo.seed(context)
    demo.seed(context)
    demo.seed(context)  # idempotent
    network = Country.objects.in_network()
    assert ReferralProfile.objects.filter(country__in=network).count() == network.count() >= 10
    outside = Country.objects.get(iso_code="AT")
    assert not outside.in_network
    assert [i.is_contact_point for i in Institution.objects.filter(country=outside)] == [True]
    for code in ("AL", "GR"):
        institutions = list(Institution.objects.for_countries([code]))
        for procedure in Procedure.values:
            assert any(i.serves(procedure, "children") for i in institutions), (code, procedure)
        assert any(i.kind == "child_protection" for i in institutions)
        assert any(i.available_24_7 for i in institutions)
    assert Institution.objects.stale().exists()
    assert not Institution.objects.filter(country__iso_code="MD", kind="hotline").exists()
    assert all(
        phone.startswith("+44 20 7946 0")
        for phone in Institution.objects.values_list("phone", flat=True)
    )
    assert Institution.objects.filter(phone_visibility="members").exists()

    topics = library_demo._topics()
    languages = {language.code: language for language in Language.objects.all()}
    library_demo.seed_referral(library_index(), topics, languages)
    library_demo.seed_referral(library_index(), topics, languages)  # idempotent
    from library.models import ResourcePage

    agreements = ResourcePage.objects.filter(resource_type="agreement")
    assert agreements.count() == 2
    bilateral = agreements.get(external_id="demo-agreement-al-gr")
    assert sorted(c.iso_code for c in bilateral.countries.all()) == ["AL", "GR"]
    assert ResourcePage.objects.get(external_id="demo-referral-regional").countries.count() == 0
    profile = ReferralProfile.objects.get(country__iso_code="AL")
    assert profile.national_sop.specific.resource_type == "sop"
    assert ReferralProfile.objects.get(country=outside).national_sop is None


def test_members_find_the_institutions_csv_from_the_directory_and_country_pages(client, country):
    InstitutionFactory(country=country)
    csv_url = reverse("network:institutions_csv")
    assert csv_url not in client.get(reverse("network:directory")).text
    assert csv_url not in client.get(reverse("network:country", args=["RS"])).text
    client.force_login(UserFactory(member=True))
    assert csv_url in client.get(reverse("network:directory")).text
    assert f"{csv_url}?country=RS" in client.get(reverse("network:country", args=["RS"])).text
