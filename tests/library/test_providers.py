"""The library's contributions elsewhere: the home page's latest guidance and the guidance
beside referral contacts; both ask the policy and run a fixed number of queries."""

import pytest

from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from library.providers import latest_guidance, referral_guidance
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


def test_referral_guidance_is_current_live_referral_resources_of_the_countries(library, member):
    old = resource("Old referral SOP", topics=["referral"], countries=["AL"])
    resource("New referral SOP", topics=["referral"], countries=["AL"], supersedes=old)
    resource("Serbian referral SOP", topics=["referral"], countries=["RS"], audience="members")
    resource("Not about referral", topics=["children"], countries=["AL"])
    resource("Draft referral", topics=["referral"], countries=["AL"], publish=False)
    anonymous = referral_guidance(["AL", "RS"], AnonymousUser())
    assert [item.title for item in anonymous] == ["New referral SOP"]
    assert anonymous[0].countries == ("AL",)
    assert anonymous[0].kind_label == "Guideline"
    members = referral_guidance(["AL", "RS"], member)
    assert {item.title for item in members} == {"New referral SOP", "Serbian referral SOP"}
    assert referral_guidance([], member) == []


@pytest.mark.parametrize("count", [3, 30])
def test_referral_guidance_queries_are_fixed(library, django_assert_num_queries, count):
    for number in range(count):
        resource(f"Referral {number}", topics=["referral"], countries=["AL", "RS"])
    with django_assert_num_queries(2):
        referral_guidance(["AL"], AnonymousUser())
