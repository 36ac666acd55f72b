"""The referral pathway's data: profiles, institutions, their visibility and their admin."""

import pytest

from django.urls import reverse

from network.models import Institution, Procedure, TargetGroup
from tests.network.factories import CountryFactory

pytestmark = pytest.mark.django_db


def test_secretariat_lists_filters_and_edits_institutions_in_the_admin(secretariat_client):
    country = CountryFactory()
    Institution.objects.create(
        country=country,
        name="Child protection office",
        kind=Institution.Kind.CHILD_PROTECTION,
        procedures=[Procedure.ASSISTANCE, Procedure.IDENTIFICATION],
        target_groups=[TargetGroup.CHILDREN],
    )
    url = reverse("wagtailsnippets_network_institution:list")
    for query in (
        "",
        "?procedure=identification",
        "?stale=true",
        f"?country={country.pk}",
        "?kind=shelter",
        "?target_group=children",
    ):
        response = secretariat_client.get(url + query)
        assert response.status_code == 200, query
    assert (
        "Child protection office"
        in secretariat_client.get(url + "?procedure=identification").content.decode()
    )
    assert (
        "Child protection office"
        not in secretariat_client.get(url + "?procedure=return").content.decode()
    )
    add = secretariat_client.get(reverse("wagtailsnippets_network_institution:add"))
    assert add.status_code == 200
    profile_add = secretariat_client.get(reverse("wagtailsnippets_network_referralprofile:add"))
    assert profile_add.status_code == 200


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


def test_admin_forms_use_choosers_and_checkboxes_not_selects_of_every_row(secretariat_client):
    html = secretariat_client.get(
        reverse("wagtailsnippets_network_institution:add")
    ).content.decode()
    assert 'name="country"' in html and '<select name="country"' not in html
    assert '<select name="organisation"' not in html
    assert 'type="checkbox" name="procedures" value="identification"' in html
    html = secretariat_client.get(
        reverse("wagtailsnippets_network_referralprofile:add")
    ).content.decode()
    for name in ("country", "lead_agency", "national_sop"):
        assert f'name="{name}"' in html and f'<select name="{name}"' not in html


def test_secretariat_creates_an_institution_with_a_revision(secretariat_client):
    country = CountryFactory()
    response = secretariat_client.post(
        reverse("wagtailsnippets_network_institution:add"), _institution_form(country)
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    institution = Institution.objects.get()
    assert institution.procedures == ["identification", "assistance"]
    assert institution.phone == "+381 11 555 0100"
    assert institution.latest_revision is not None
