"""
The page explorer on the library (10,000 resources at the bench scale) lists 20 resources a
page, each with its title, actions menu, date and status; not the page type (every child is a
resource) nor a way into child pages (resources have none), unless a search reaches beyond the
library. It costs as many queries with 3 resources as with 30.
"""

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import session_reads
from tests.library import factories as library

pytestmark = pytest.mark.django_db

# What a GET of the library in the explorer costs, whatever the number of its resources (a
# second GET: the first fills the per-process caches of content types, sites and the like).
EXPLORER_QUERIES = 31


@pytest.fixture
def editor(client, secretariat):
    client.force_login(secretariat, second_factor=True)
    return client


def explore_library(client, **params):
    url = reverse("wagtailadmin_explore", args=[library.library_index().pk])
    response = client.get(url, params)
    assert response.status_code == 200
    return response


def column_names(response):
    return [column.name for column in response.context["table"].columns.values()]


def test_the_library_lists_20_resources_a_page_each_with_its_actions(editor):
    resources = [library.resource(f"Guidance note {number:02d}") for number in range(23)]

    first, second = explore_library(editor), explore_library(editor, p=2)

    listed = list(first.context["pages"]) + list(second.context["pages"])
    assert len(first.context["pages"]) == 20
    assert {page.pk for page in listed} == {resource.pk for resource in resources}
    html = first.content.decode()
    edit_url = reverse("wagtailadmin_pages:edit", args=[listed[0].pk])
    assert f'href="{edit_url}"' in html
    assert f"More options for &#x27;{listed[0].title}&#x27;" in html
    assert column_names(first) == ["bulk_actions", "title", "latest_revision_created_at", "status"]


def test_a_search_beyond_the_library_shows_each_pages_type_again(editor):
    library.resource("Referral pathway for children")

    within = explore_library(editor, q="referral")
    whole_tree = explore_library(editor, q="referral", search_all=1)

    assert "type" not in column_names(within)
    assert {"type", "navigate"} <= set(column_names(whole_tree))
    # The explorer's filters stay, page type included.
    assert 'name="content_type"' in whole_tree.content.decode()


def test_other_pages_keep_wagtails_explorer(editor, home_page):
    response = editor.get(reverse("wagtailadmin_explore", args=[home_page.pk]))

    assert response.status_code == 200
    assert {"type", "navigate"} <= set(column_names(response))


@pytest.mark.parametrize("resources", [3, 30])
def test_the_library_explorer_costs_the_same_queries_with_3_or_30_resources(editor, resources):
    for number in range(resources):
        library.resource(f"Resource {number}", publish=number % 4 != 0)
    explore_library(editor)

    with CaptureQueriesContext(connection) as queries:
        explore_library(editor)

    assert len(queries) == EXPLORER_QUERIES + session_reads()
