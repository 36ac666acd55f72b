"""The library's contribution to the referral pathway: the guidance beside referral contacts
asks the policy and runs a fixed number of queries."""

import datetime

import pytest

from django.contrib.auth.models import AnonymousUser

from library.referral import referral_guidance
from tests.library.factories import resource


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
        resource(f"Regional {number}", topics=["referral"])
        resource(f"Agreement {number}", resource_type="agreement", countries=["AL", "RS"])
    sop = resource("National SOP", topics=["referral"], countries=["AL"])
    referral_guidance(["AL"], AnonymousUser())  # the site's root paths, cached from then on
    # Regional, national of each country, SOPs, agreements; then the resources, their
    # countries and topics.
    with django_assert_num_queries(8):
        found = referral_guidance(["AL", "RS"], AnonymousUser(), national_sops=[sop.pk])
    assert len(found) == min(count, 10) * 3 + 1  # regional, national, agreements; the SOP


def test_regional_guidance_applies_to_every_pair(library):
    resource("Regional referral guideline", topics=["referral"])
    resource("Regional study on something else", topics=["children"])
    for pair in (["AL", "RS"], ["MK", "GR"]):
        found = referral_guidance(pair, AnonymousUser())
        assert [(item.title, item.scope) for item in found] == [
            ("Regional referral guideline", "regional")
        ]


def test_agreements_are_those_binding_the_whole_pair(library):
    resource("AL-RS protocol", resource_type="agreement", countries=["AL", "RS"])
    resource("AL-GR protocol", resource_type="agreement", countries=["AL", "GR"])
    resource("Regional agreement", resource_type="agreement", countries=["AL", "RS", "GR"])
    titles = {item.title for item in referral_guidance(["AL", "RS"], AnonymousUser())}
    assert titles == {"AL-RS protocol", "Regional agreement"}
    titles = {item.title for item in referral_guidance(["GR", "AL"], AnonymousUser())}
    assert titles == {"AL-GR protocol", "Regional agreement"}


def test_national_sops_are_marked_and_follow_the_policy(library, member):
    public = resource("Albanian SOP", countries=["AL"])
    closed = resource("Serbian SOP", countries=["RS"], audience="members")
    sops = [public.pk, closed.pk]
    anonymous = referral_guidance(["AL", "RS"], AnonymousUser(), national_sops=sops)
    assert [(item.title, item.is_national_sop) for item in anonymous] == [("Albanian SOP", True)]
    members = referral_guidance(["AL", "RS"], member, national_sops=sops)
    assert {item.title for item in members} == {"Albanian SOP", "Serbian SOP"}


def test_first_topics_put_childrens_guidance_first(library):
    resource("General referral", topics=["referral"], published=datetime.date(2024, 1, 1))
    resource(
        "Referral of children", topics=["referral", "children"], published=datetime.date(2019, 1, 1)
    )
    plain = [item.title for item in referral_guidance(["AL"], AnonymousUser())]
    assert plain == ["General referral", "Referral of children"]
    child = referral_guidance(["AL"], AnonymousUser(), first_topics=["children"])
    assert [item.title for item in child] == ["Referral of children", "General referral"]
