"""The library's section of the home page: the latest guidance asks the policy and runs a fixed
number of queries."""

import pytest

from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from library.home import latest_guidance
from tests.library.factories import resource


def test_home_page_shows_latest_public_guidance(client, library):
    resource("Fresh guidance")
    resource("Members guidance", audience="members")
    body = client.get("/").content.decode()
    assert "Latest guidance" in body
    assert "Fresh guidance" in body
    assert "Members guidance" not in body


def test_no_section_when_nothing_is_visible(library):
    resource("Members guidance", audience="members")
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    assert latest_guidance(request) is None


@pytest.mark.parametrize("count", [3, 30])
def test_latest_guidance_queries_are_fixed(library, django_assert_num_queries, count):
    for number in range(count):
        resource(f"Guide {number}", topics=["referral"], languages=["en"])
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with django_assert_num_queries(3):
        section = latest_guidance(request)
    assert len(section.context["resources"]) == min(count, 5)
