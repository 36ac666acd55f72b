"""
The admin's page search (Wagtail's, over Wagtail's own index) finds pages by the words of their
titles, as typed so far, most relevant first, on SQLite and PostgreSQL alike; and it costs as
many queries for 3 matching pages as for 30. On SQLite the ranking is the project's one-pass
version of Wagtail's (portal/wagtail_search/): the same pages in the same order with the same
scores as Wagtail's own SQLite backend gives.
"""

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from wagtail.models import Page
from wagtail.search.backends import get_search_backend
from wagtail.search.query import PlainText

from library.models import ResourcePage
from tests.conftest import session_reads
from tests.library import factories as library

pytestmark = pytest.mark.django_db

# What the admin's page search costs, whatever the number of pages it finds (a second GET:
# the first fills the per-process caches of content types, sites and the like). On SQLite the
# page of results is ranked, then fetched: one query more than Wagtail's on PostgreSQL.
SEARCH_QUERIES = 21 + (connection.vendor == "sqlite")

on_sqlite = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the one-pass ranking replaces Wagtail's on SQLite"
)


@pytest.fixture
def editor(client, secretariat):
    client.force_login(secretariat, second_factor=True)
    return client


def search(client, text, **params):
    response = client.get(reverse("wagtailadmin_pages:search"), {"q": text, **params})
    assert response.status_code == 200
    return response


def found_titles(response):
    return [page.title for page in response.context["pages"]]


def test_admin_search_finds_a_page_by_a_word_of_its_title(editor):
    wanted = library.resource("Transnational referral of presumed victims")
    library.resource("Screening indicators for labour exploitation")

    response = search(editor, "referral")

    assert found_titles(response) == [wanted.title]
    assert "There is one matching page" in response.content.decode()


def test_admin_search_finds_pages_by_the_start_of_a_word_as_typed(editor):
    library.resource("Referral mechanisms in the region")
    library.resource("Guidance for first-line responders")

    assert found_titles(search(editor, "refer")) == ["Referral mechanisms in the region"]


def test_admin_search_finds_drafts_and_every_word_typed(editor):
    draft = library.resource("Draft referral checklist for labour inspectors", publish=False)
    library.resource("Referral checklist for shelters")

    assert found_titles(search(editor, "referral labour")) == [draft.title]


def test_admin_search_puts_the_closest_title_first(editor):
    long_title = library.resource(
        "Annual overview of cooperation, training, data and referral in the region"
    )
    short_title = library.resource("Referral")

    assert found_titles(search(editor, "referral")) == [short_title.title, long_title.title]


def test_admin_search_pages_through_every_match_once(editor):
    for number in range(25):
        library.resource(f"Referral note {number}" + " with annex" * (number % 3))

    first, second = search(editor, "referral"), search(editor, "referral", p=2)

    titles = found_titles(first) + found_titles(second)
    assert len(found_titles(first)) == 20 and len(titles) == 25 == len(set(titles))
    assert "There are 25 matching pages" in first.content.decode()


def test_the_explorer_search_finds_a_resource_among_the_librarys_children(editor):
    wanted = library.resource("Protocol on the referral of children")
    library.resource("Handbook for labour inspectors")
    url = reverse("wagtailadmin_explore", args=[library.library_index().pk])

    response = editor.get(url, {"q": "protocol"})

    assert response.status_code == 200
    assert [page.title for page in response.context["pages"]] == [wanted.title]


@pytest.mark.parametrize("matches", [3, 30])
def test_admin_search_costs_the_same_queries_for_3_or_30_matching_pages(editor, matches):
    for number in range(matches):
        library.resource(f"Referral pathway {number}")
    url = reverse("wagtailadmin_pages:search")
    editor.get(url, {"q": "referral"})

    with CaptureQueriesContext(connection) as queries:
        response = editor.get(url, {"q": "referral"})

    assert response.status_code == 200
    assert len(queries) == SEARCH_QUERIES + session_reads()


@on_sqlite
def test_one_pass_ranking_gives_wagtails_own_results_order_and_scores(db):
    from wagtail.search.backends.database.sqlite.sqlite import SQLiteSearchBackend

    from portal.wagtail_search.sqlite import RankedSQLiteSearchBackend

    ranked, wagtails = get_search_backend(), SQLiteSearchBackend({})
    assert isinstance(ranked, RankedSQLiteSearchBackend)
    for number in range(30):
        library.resource(
            f"Referral {'of children ' * (number % 4)}note {number}",
            summary="Identification and referral." if number % 2 else "Shelter standards.",
            publish=number % 5 != 0,
        )
    cases = [
        ("autocomplete", "referr", Page.objects.all().specific(), slice(0, 20)),
        ("autocomplete", "referral children", Page.objects.all(), slice(5, 15)),
        ("search", "referral", ResourcePage.objects.live(), slice(0, 20)),
        ("search", "identification referral", ResourcePage.objects.all(), slice(3, None)),
        ("search", "shelter", Page.objects.filter(depth__gt=2), slice(0, 10)),
    ]
    for method, text, queryset, window in cases:
        expected = getattr(wagtails, method)(text, queryset).annotate_score("score")[window]
        got = getattr(ranked, method)(text, queryset).annotate_score("score")[window]
        expected = [(type(page), page.pk, round(page.score, 9)) for page in expected]
        got = [(type(page), page.pk, round(page.score, 9)) for page in got]
        assert got == expected and got, (method, text)


@on_sqlite
def test_one_pass_ranking_leaves_negated_and_unordered_searches_to_wagtail(db):
    for number in range(6):
        library.resource(f"Referral note {number}" if number % 2 else f"Shelter note {number}")
    backend = get_search_backend()
    titles = ResourcePage.objects.values_list("title", flat=True)

    shelters = backend.search("shelter", ResourcePage.objects.all(), order_by_relevance=False)
    not_referral = backend.search(~PlainText("referral"), ResourcePage.objects.all())

    assert {page.title for page in shelters} == {t for t in titles if t.startswith("Shelter")}
    assert {page.title for page in not_referral} == {t for t in titles if "Referral" not in t}
