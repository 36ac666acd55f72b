"""The anonymous page cache: fast for everyone's pages, never a signed-in user's page to anyone."""

import pytest

from django.core.cache import cache
from django.test import override_settings

from wagtail.models import Site

from portal.models import NetworkSettings, StandardPage
from tests.clients import Client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]


@pytest.fixture
def page_cache_on(home_page):
    # The site settings row is created on first use; create it now, not during a cached request.
    NetworkSettings.for_site(Site.objects.get(is_default_site=True))
    cache.clear()
    with override_settings(PAGE_CACHE_SECONDS=300):
        yield
    cache.clear()


def test_second_anonymous_visit_is_served_from_the_cache_without_queries(
    client, django_assert_num_queries
):
    assert client.get("/")["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        response = Client().get("/")
    assert response["X-Page-Cache"] == "hit"
    assert response.status_code == 200 and b"skip-link" in response.content
    assert "Content-Security-Policy" in response


def test_publishing_a_change_invalidates_cached_pages(home_page):
    page = StandardPage(title="About", slug="about", introduction="First wording.")
    home_page.add_child(instance=page)
    assert b"First wording." in Client().get("/about/").content
    page.introduction = "Second wording."
    page.save_revision().publish()
    response = Client().get("/about/")
    assert response["X-Page-Cache"] == "miss"
    assert b"Second wording." in response.content


def test_unpublishing_removes_the_cached_page(home_page):
    page = StandardPage(title="About", slug="about")
    home_page.add_child(instance=page)
    assert Client().get("/about/").status_code == 200
    page.unpublish()
    assert Client().get("/about/").status_code == 404


def test_signed_in_users_never_get_or_fill_the_anonymous_cache(member_client):
    Client().get("/")  # fill the cache anonymously
    response = member_client.get("/")
    assert "X-Page-Cache" not in response
    assert b"My account" in response.content
    # And what the member saw is not served to anyone else.
    anonymous = Client().get("/")
    assert b"My account" not in anonymous.content


def test_pages_that_set_cookies_are_not_cached():
    first = Client().get("/accounts/login/")
    second = Client().get("/accounts/login/")
    assert "X-Page-Cache" not in first and "X-Page-Cache" not in second


def test_errors_and_redirects_are_not_cached():
    Client().get("/no-such-page/")
    assert Client().get("/no-such-page/").get("X-Page-Cache") is None
