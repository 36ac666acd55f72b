"""The library listing at /library/: filters with counts, sorting, pagination, versions, bad
parameters, and what each tier may see."""

import datetime

import pytest

from library.models import ResourceType
from portal.page_cache import invalidate
from tests.conftest import session_reads
from tests.library.factories import resource, topic


@pytest.fixture
def catalogue(library):
    return {
        "referral": resource(
            "National referral guidelines",
            resource_type=ResourceType.GUIDELINE,
            topics=["referral"],
            countries=["AL"],
            languages=["en"],
            published=datetime.date(2019, 10, 18),
        ),
        "indicators": resource(
            "Indicators for labour exploitation",
            resource_type=ResourceType.INDICATOR_SET,
            topics=["identification", "labour-exploitation"],
            countries=["RS"],
            languages=["en", "fr"],
            published=datetime.date(2021, 3, 1),
        ),
        "members": resource(
            "Members-only SOP on child referral",
            resource_type=ResourceType.SOP,
            audience="members",
            topics=["referral", "children"],
            countries=["AL"],
            languages=["fr"],
            published=datetime.date(2022, 5, 5),
        ),
    }


def titles(response):
    return [page.title for page in response.context["resources"]]


def facet(response, name):
    for item in response.context["listing"].facets():
        if item.name == name:
            return {option.value: option.count for option in item.options}
    raise AssertionError(name)


def test_listing_shows_public_resources_newest_first(client, catalogue):
    response = client.get("/library/")
    assert response.status_code == 200
    assert titles(response) == [
        "Indicators for labour exploitation",
        "National referral guidelines",
    ]


def test_anonymous_visitor_never_sees_members_only_resource_in_listing(client, catalogue):
    response = client.get("/library/?topic=referral&topic=children&country=AL&language=fr")
    body = response.content.decode()
    assert "Members-only SOP" not in body
    # The filters chosen are shown, but count nothing the visitor may not see.
    assert facet(response, "topic") == {"children": 0, "referral": 0}
    assert "sop" not in facet(response, "type")


def test_member_sees_members_only_resource_marked_as_such(member_client, catalogue):
    response = member_client.get("/library/")
    assert titles(response)[0] == "Members-only SOP on child referral"
    assert 'data-audience="members"' in response.content.decode()


def test_filters_combine_across_facets_and_count_each_facet(member_client, catalogue):
    response = member_client.get("/library/?topic=referral&country=AL")
    assert set(titles(response)) == {
        "National referral guidelines",
        "Members-only SOP on child referral",
    }
    # Each facet counts what choosing it would give with the other filters kept.
    assert facet(response, "type") == {"guideline": 1, "sop": 1}
    assert facet(response, "country") == {"AL": 2}
    assert facet(response, "topic")["referral"] == 2


def test_facet_options_are_in_the_order_of_their_labels_with_chosen_empty_ones_in_place(
    member_client, catalogue
):
    topic("begging", "Forced begging")  # no resource has it
    response = member_client.get("/library/?topic=begging&language=fr")
    [topics] = [item for item in response.context["listing"].facets() if item.name == "topic"]
    labels = [option.label for option in topics.options]
    assert labels == sorted(labels, key=str.casefold)
    chosen = [option for option in topics.options if option.selected]
    assert [(option.value, option.count) for option in chosen] == [("begging", 0)]
    assert len(labels) > 2


def test_repeated_filter_values_mean_any_of_them(client, catalogue):
    response = client.get("/library/?type=guideline&type=indicator_set")
    assert len(titles(response)) == 2
    response = client.get("/library/?year=2019&year=2021")
    assert len(titles(response)) == 2
    response = client.get("/library/?year=2021")
    assert titles(response) == ["Indicators for labour exploitation"]


def test_language_filter(client, catalogue):
    response = client.get("/library/?language=fr")
    assert titles(response) == ["Indicators for labour exploitation"]
    assert facet(response, "language") == {"en": 2, "fr": 1}


def test_sort_by_title(client, catalogue):
    response = client.get("/library/?sort=title")
    assert titles(response) == [
        "Indicators for labour exploitation",
        "National referral guidelines",
    ]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("type=leaflet", "Unknown resource type: “leaflet”"),
        ("topic=astrology", "Unknown topic: “astrology”"),
        ("country=ZZ", "Unknown country: “ZZ”"),
        ("language=xx", "Unknown language: “xx”"),
        ("year=nineteen", "Not a year: “nineteen”"),
        ("year=99999", "Not a year: “99999”"),
        ("year=%C2%B2", "Not a year: “²”"),
        ("sort=random", "Unknown sort “random”"),
        ("page=abc", "Not a page number: “abc”"),
        ("page=-1", "Not a page number: “-1”"),
        ("page=%C2%B2", "Not a page number: “²”"),
        ("page=%EF%BC%91", "Not a page number: “１”"),
        ("page=999", "There is no page 999"),
        ("topic=a%00b", "Unknown topic: “ab”"),
    ],
)
def test_bad_parameter_gets_a_clear_message_and_the_listing_still_works(
    client, catalogue, query, message
):
    response = client.get(f"/library/?{query}")
    assert response.status_code == 200
    assert message in response.content.decode()
    # The bad value is left out: the public resources are still listed.
    assert len(titles(response)) == 2


def test_unknown_value_is_dropped_but_known_ones_still_filter(client, catalogue):
    response = client.get("/library/?topic=astrology&topic=identification")
    assert titles(response) == ["Indicators for labour exploitation"]


def test_search_box_filters_titles_and_summaries(client, catalogue):
    response = client.get("/library/?q=labour")
    assert titles(response) == ["Indicators for labour exploitation"]


def test_pagination(client, library):
    for number in range(25):
        resource(f"Guide {number:02d}")
    first = client.get("/library/?sort=title")
    assert len(titles(first)) == 20
    second = client.get("/library/?sort=title&page=2")
    assert titles(second) == [f"Guide {number:02d}" for number in range(20, 25)]
    assert 'rel="next"' in first.content.decode()


def test_listing_shows_current_versions_unless_all_versions_asked(client, library):
    old = resource("Referral SOP 2015", version_label="2015")
    resource("Referral SOP 2020", version_label="2020", supersedes=old)
    assert titles(client.get("/library/")) == ["Referral SOP 2020"]
    assert set(titles(client.get("/library/?all_versions=1"))) == {
        "Referral SOP 2015",
        "Referral SOP 2020",
    }


def test_public_edition_superseded_by_members_only_one_stays_current_for_the_public(
    anonymous_client, member_client, library
):
    old = resource("Public referral SOP")
    resource("Revised referral SOP", supersedes=old, audience="members")
    assert titles(anonymous_client.get("/library/")) == ["Public referral SOP"]
    assert titles(member_client.get("/library/")) == ["Revised referral SOP"]


def test_drafts_and_unpublished_resources_are_not_listed(client, library):
    resource("A draft", publish=False)
    withdrawn = resource("Withdrawn guide")
    withdrawn.unpublish()
    assert titles(client.get("/library/")) == []


def _listing_queries(client, django_assert_num_queries, count, expected):
    for number in range(count):
        resource(
            f"Guide {number}",
            topics=["referral", "children"],
            countries=["AL", "RS"],
            languages=["en"],
            published=datetime.date(2020, 1, 1),
        )
    url = "/library/?topic=referral&country=AL&year=2020&language=en"
    client.get(url)  # the site's settings row and root paths exist after a first visit
    invalidate()  # content changed: the listing's shared counts are computed again
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == 200
    # The next visitor of the same tier reads the facet counts and the total from the cache.
    with django_assert_num_queries(expected - CACHED_QUERIES):
        again = client.get(url)
    assert titles(again) == titles(response)
    return response


LISTING_QUERIES = 20
# The five facet counts, the total and the page's rendered list (its rows and their two
# prefetches), from the cache.
CACHED_QUERIES = 9


@pytest.mark.parametrize("count", [3, 30])
def test_listing_query_count_does_not_grow_with_resources(
    client, library, django_assert_num_queries, count
):
    _listing_queries(client, django_assert_num_queries, count, LISTING_QUERIES)


@pytest.mark.parametrize("count", [3, 30])
def test_member_listing_query_count_does_not_grow_with_resources(
    member_client, library, django_assert_num_queries, count
):
    # Signed in: the session's read, the user, their groups, and the same
    # listing with members-only resources in the counts.
    _listing_queries(
        member_client, django_assert_num_queries, count, LISTING_QUERIES + 2 + session_reads()
    )


def test_sort_paging_and_version_links_keep_the_filters(client, library):
    for number in range(25):
        resource(f"Guide {number:02d}", resource_type="guideline", countries=["AL"])
    html = client.get("/library/?country=AL&sort=title").content.decode()
    assert 'href="??' not in html
    assert 'href="?country=AL&amp;sort=title&amp;page=2"' in html
    assert 'href="?country=AL&amp;sort=title&amp;all_versions=1"' in html


def test_cached_facets_are_labelled_in_each_visitors_language(client, catalogue, settings):
    client.get("/library/")  # the first request creates the site's settings: a content change
    assert "<h2>Topic</h2>" in client.get("/library/").content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    french = client.get("/library/").content.decode()
    assert "<h2>Thème</h2>" in french and "<h2>Topic</h2>" not in french
