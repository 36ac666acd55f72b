"""
The link rule of the access policy (portal.access.may_open, visible_pages) and its template
filter: a link to a page is rendered only when the page is live and the viewer may see its
audience; a page whose audience cannot be told without a query is treated as the most restricted.
"""

import pytest

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext

from wagtail.models import Page

from library.models import LibraryIndexPage, ResourcePage
from portal.access import Audience, audience_of, link_audience, may_open, visible_pages
from tests.library.factories import resource

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages(home_page):
    withdrawn = resource("Withdrawn")
    withdrawn.unpublish()
    return {
        "public": resource("Public"),
        "members": resource("Members", audience=Audience.MEMBERS),
        "secretariat": resource("Secretariat", audience=Audience.SECRETARIAT),
        "draft": resource("Draft", publish=False),
        "withdrawn": ResourcePage.objects.get(pk=withdrawn.pk),
    }


def names(result, pages):
    by_pk = {page.pk: name for name, page in pages.items()}
    return [by_pk[page.pk] for page in result]


def test_each_tier_may_open_live_pages_up_to_its_own(pages, member, secretariat):
    everything = list(pages.values())
    assert names(visible_pages(everything, AnonymousUser()), pages) == ["public"]
    assert names(visible_pages(everything, member), pages) == ["public", "members"]
    assert names(visible_pages(everything, secretariat), pages) == [
        "public",
        "members",
        "secretariat",
    ]


def test_nobody_may_open_a_page_that_is_not_live(pages, secretariat):
    assert not may_open(secretariat, pages["draft"])
    assert not may_open(secretariat, pages["withdrawn"])
    assert not may_open(secretariat, None)


def test_filtering_fetched_pages_runs_no_query(pages, member):
    fetched = list(ResourcePage.objects.filter(pk__in=[page.pk for page in pages.values()]))
    audience_of(member)  # the tier is read once per user object, not per link
    with CaptureQueriesContext(connection) as captured:
        visible_pages(fetched, member)
    assert len(captured) == 0


def test_a_bare_page_row_of_a_type_with_an_audience_fails_closed(pages, member, secretariat):
    """A relation to wagtailcore.Page fetched without its specific rows carries no audience:
    only the secretariat is shown a link to it, never a guess wider."""
    bare = Page.objects.get(pk=pages["public"].pk)
    assert link_audience(bare) == Audience.SECRETARIAT
    assert not may_open(member, bare)
    assert may_open(secretariat, bare)


def test_a_page_type_without_an_audience_is_public(home_page):
    index = Page.objects.get(pk=LibraryIndexPage.objects.get().pk)
    assert link_audience(index) == Audience.PUBLIC
    assert may_open(AnonymousUser(), index)


def test_the_template_filter_keeps_what_the_viewer_may_open(pages, member):
    template = Template(
        "{% load portal_tags %}{% for page in pages|openable_by:user %}[{{ page.title }}]"
        "{% endfor %}"
    )
    rendered = template.render(Context({"pages": list(pages.values()), "user": member}))
    assert rendered == "[Public][Members]"
