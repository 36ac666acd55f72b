"""The portal's standard pages are found by search, public pages only."""

import pytest

from django.contrib.auth.models import AnonymousUser

from wagtail.models import PageViewRestriction

from portal.models import StandardPage
from portal.search_records import StandardPageRecordSource
from search import service

pytestmark = pytest.mark.django_db


@pytest.fixture
def about(home_page, django_capture_on_commit_callbacks):
    page = StandardPage(
        title="About the network",
        slug="about",
        introduction="Who coordinates what.",
        body=[("paragraph", "<p>The network meets twice a year in rotating host countries.</p>")],
    )
    with django_capture_on_commit_callbacks(execute=True):
        home_page.add_child(instance=page)
        page.save_revision().publish()
    return page


def test_a_published_standard_page_is_found_by_anyone(about):
    results = service.search("rotating host countries", AnonymousUser())
    assert [hit.url for hit in results.hits] == [about.url]
    assert results.hits[0].kind == "page"


def test_an_unpublished_page_leaves_the_index(about, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        about.unpublish()
    assert service.search("rotating host countries", AnonymousUser()).total == 0


def test_a_privacy_restricted_page_has_no_record(about):
    PageViewRestriction.objects.create(page=about, restriction_type="login")
    assert StandardPageRecordSource().records_for(about) == []
