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


# -- Scoped by section, changed after the commit ------------------------------------------------

# Real commits: the generations change when a transaction commits, as in production.
COMMITTED = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def visit(url):
    response = Client().get(url)
    assert response.status_code == 200, url
    return response


def served_from_cache(url):
    return visit(url)["X-Page-Cache"] == "hit"


@pytest.fixture
def site_sections(home_page):
    """A page of each section, each visited once: cached."""
    from tests.library import factories as library
    from tests.meetings.factories import make_meeting

    guide = library.resource("Screening guide")
    meeting = make_meeting(title="Coordinators' meeting")
    about = StandardPage(title="About", slug="about", introduction="About the network.")
    home_page.add_child(instance=about)
    urls = {
        "home": "/",
        "library": "/library/",
        "resource": guide.url,
        "meetings": "/meetings/",
        "meeting": meeting.url,
        "directory": "/network/",
        "about": about.url,
    }
    for url in urls.values():
        visit(url)
        assert served_from_cache(url), url
    return urls


@COMMITTED
def test_publishing_a_resource_leaves_the_meetings_index_and_the_directory_cached(site_sections):
    from tests.library import factories as library

    library.resource("Second guide")
    # A meeting page reads the library (the resources it discussed); the index does not.
    still_cached = {name for name, url in site_sections.items() if served_from_cache(url)}
    assert still_cached == {"meetings", "directory", "about"}
    assert b"Second guide" in visit(site_sections["library"]).content
    assert b"Second guide" in visit(site_sections["home"]).content


@COMMITTED
def test_publishing_a_meeting_leaves_the_library_and_the_directory_cached(site_sections):
    from tests.meetings.factories import make_meeting

    make_meeting(title="Second meeting")
    still_cached = {name for name, url in site_sections.items() if served_from_cache(url)}
    assert still_cached == {"library", "resource", "directory", "about"}
    assert b"Second meeting" in visit(site_sections["meetings"]).content


@COMMITTED
def test_a_draft_saved_changes_no_cached_page(site_sections):
    from library.models import ResourcePage

    guide = ResourcePage.objects.get(title="Screening guide")
    guide.summary = "A draft nobody reads yet."
    guide.save_revision()
    assert all(served_from_cache(url) for url in site_sections.values())


@COMMITTED
def test_the_site_settings_change_every_cached_page(site_sections):
    settings = NetworkSettings.for_site(Site.objects.get(is_default_site=True))
    settings.network_name = "Renamed network"
    settings.save()
    for url in site_sections.values():
        response = visit(url)
        assert response["X-Page-Cache"] == "miss" and b"Renamed network" in response.content


@COMMITTED
def test_a_resource_made_members_only_loses_its_link_on_a_page_of_another_section(home_page):
    """The standard page is in another section: the reference index says it links the
    resource."""
    from portal.access import Audience
    from tests.library import factories as library

    guide = library.resource("Screening guide")
    link = f'<p>Read <a linktype="page" id="{guide.pk}">the guide</a>.</p>'
    about = StandardPage(title="About", slug="about", body=[("paragraph", link)])
    home_page.add_child(instance=about)
    about.save_revision().publish()
    visit(about.url)
    assert served_from_cache(about.url)
    assert guide.url.encode() in visit(about.url).content

    guide.audience = Audience.MEMBERS
    guide.save_revision().publish()
    response = visit(about.url)
    assert response["X-Page-Cache"] == "miss"
    assert b"the guide" in response.content and guide.url.encode() not in response.content


@COMMITTED
def test_a_page_whose_sections_change_while_it_renders_is_rendered_again(
    site_sections, monkeypatch
):
    """What the page read may be either side of the change: it is rendered again."""
    from portal import page_cache
    from tests.library import factories as library

    storable = page_cache._is_storable

    def publish_while_rendering(response):
        monkeypatch.setattr(page_cache, "_is_storable", storable)
        library.resource("Published meanwhile")  # committed: the library's generation changes
        return storable(response)

    monkeypatch.setattr(page_cache, "_is_storable", publish_while_rendering)
    first = visit("/library/?sort=title")  # not cached yet: rendered
    assert b"Published meanwhile" not in first.content
    again = visit("/library/?sort=title")
    assert again["X-Page-Cache"] == "miss" and b"Published meanwhile" in again.content


@pytest.mark.parametrize(
    ("write", "url", "section"),
    [("resource", "/meetings/", "meetings"), ("meeting", "/library/", "library")],
)
def test_a_write_elsewhere_costs_a_member_no_shared_list_recomputed(
    member_client, home_page, write, url, section
):
    """Signed-in pages are not page-cached; their shared lists (the meetings index's ids, the
    library's facets) stay cached when another section changes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.library import factories as library
    from tests.meetings.factories import make_meeting

    library.resource("Screening guide")
    make_meeting(title="Coordinators' meeting")
    member_client.get(url)  # fills the shared lists
    with CaptureQueriesContext(connection) as warm:
        member_client.get(url)
    (library.resource if write == "resource" else make_meeting)(title="Written elsewhere")
    with CaptureQueriesContext(connection) as after:
        assert member_client.get(url).status_code == 200
    assert len(after) == len(warm)
