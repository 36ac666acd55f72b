"""
The directory's snippet listings in the admin (network/wagtail_hooks.py) can be searched, and a
search can be ordered by any column header the listing offers: the listings search in the
database, word by word over the viewset's search fields, not through Wagtail's search backend,
which raised on the countries' ISO code (not an indexed search field) and on ordering a search by
a column that is not an indexed FilterField, and which cannot search named fields on SQLite.
"""

import pytest

from django.urls import reverse

from tests.network.factories import (
    CountryFactory,
    InstitutionFactory,
    OrganisationFactory,
    PersonFactory,
    ReferralProfileFactory,
)

pytestmark = pytest.mark.django_db

# The orderings each listing offers (its sortable column headers); see test_orderings_offered.
ORDERINGS = {
    "country": ["name", "iso_code", "membership", "joined"],
    "person": ["country", "organisation", "is_active", "last_confirmed"],
    "organisation": ["name", "acronym", "country", "kind"],
    "institution": ["name", "country", "kind", "is_contact_point", "confirmed_on"],
    "referralprofile": ["country", "mechanism_name", "lead_agency", "reviewed_on"],
}

CASES = [(listing, None) for listing in ORDERINGS] + [
    (listing, f"{sign}{ordering}")
    for listing, orderings in ORDERINGS.items()
    for ordering in orderings
    for sign in ("", "-")
]


@pytest.fixture
def admin_client(client, secretariat):
    client.force_login(secretariat, second_factor=True)
    return client


@pytest.fixture
def directory():
    """For each listing, the row a search for "al" finds, beside rows of Serbia it does not."""
    albania = CountryFactory(name="Albania", name_fr="Albanie", iso_code="AL")
    serbia = CountryFactory(name="Serbia", name_fr="Serbie", iso_code="RS")
    PersonFactory(given_name="Marko", family_name="Petrović", country=serbia)
    OrganisationFactory(name="Serbian Ministry of Interior", acronym="SMI", country=serbia)
    InstitutionFactory(name="Belgrade shelter", country=serbia)
    ReferralProfileFactory(country=serbia, mechanism_name="Serbian coordination mechanism")
    return {
        "country": albania,
        "person": PersonFactory(given_name="Ana", family_name="Alban", country=albania),
        "organisation": OrganisationFactory(
            name="Albanian State Police", acronym="ASP", country=albania
        ),
        "institution": InstitutionFactory(name="Albanian child protection unit", country=albania),
        "referralprofile": ReferralProfileFactory(
            country=albania, mechanism_name="Albanian referral mechanism"
        ),
    }


def listing_url(listing):
    return reverse(f"wagtailsnippets_network_{listing}:list")


def listed(response):
    return list(response.context["object_list"])


@pytest.mark.parametrize("listing", ORDERINGS)
def test_orderings_offered(admin_client, listing):
    view = admin_client.get(listing_url(listing)).context["view"]
    offered = view.get_valid_orderings()
    assert offered == [
        ordering for field in ORDERINGS[listing] for ordering in (field, f"-{field}")
    ]


@pytest.mark.parametrize(("listing", "ordering"), CASES)
def test_a_search_lists_the_matching_row_in_each_ordering(
    admin_client, directory, listing, ordering
):
    params = {"q": "al"} if ordering is None else {"q": "al", "ordering": ordering}
    response = admin_client.get(listing_url(listing), params)
    assert response.status_code == 200
    row = directory[listing]
    assert listed(response) == [row]
    edit_url = reverse(f"wagtailsnippets_network_{listing}:edit", args=[row.pk])
    assert edit_url in response.content.decode()


@pytest.mark.parametrize("listing", ORDERINGS)
def test_the_listing_results_fragment_answers_a_search_with_an_ordering(
    admin_client, directory, listing
):
    url = reverse(f"wagtailsnippets_network_{listing}:list_results")
    response = admin_client.get(url, {"q": "al", "ordering": f"-{ORDERINGS[listing][0]}"})
    assert response.status_code == 200
    assert listed(response) == [directory[listing]]


@pytest.mark.parametrize(
    ("listing", "query"),
    [
        ("country", "RS"),  # ISO code
        ("country", "serbie"),  # French name
        ("person", "marko petr"),  # words across given and family name
        ("organisation", "smi"),  # acronym
        ("referralprofile", "serbia"),  # the profile's country
    ],
)
def test_each_word_is_found_in_one_of_the_search_fields(admin_client, directory, listing, query):
    response = admin_client.get(listing_url(listing), {"q": query})
    assert response.status_code == 200
    [row] = listed(response)
    assert row != directory[listing]


def test_every_word_must_match(admin_client, directory):
    response = admin_client.get(listing_url("person"), {"q": "ana petrović"})
    assert response.status_code == 200
    assert listed(response) == []
