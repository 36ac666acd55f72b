"""The policy's two helpers that every app uses: `tier_at_least`, the one tier comparison, and
`deny`, the one way to refuse a request (anonymous: sign in; signed in: the 403 page)."""

import pytest

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.urls import reverse

from portal import access
from portal.access import Audience, deny, tier_at_least
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db

PUBLIC, MEMBERS, SECRETARIAT = Audience.PUBLIC, Audience.MEMBERS, Audience.SECRETARIAT


@pytest.mark.parametrize(
    "holder, tier, expected",
    [
        (PUBLIC, PUBLIC, True),
        (PUBLIC, MEMBERS, False),
        (PUBLIC, SECRETARIAT, False),
        (MEMBERS, PUBLIC, True),
        (MEMBERS, MEMBERS, True),
        (MEMBERS, SECRETARIAT, False),
        (SECRETARIAT, PUBLIC, True),
        (SECRETARIAT, MEMBERS, True),
        (SECRETARIAT, SECRETARIAT, True),
    ],
)
def test_tiers_compare_along_public_members_secretariat(holder, tier, expected):
    assert tier_at_least(holder, tier) is expected
    # The stored values (a database column's plain strings) compare alike.
    assert tier_at_least(holder.value, tier.value) is expected


def test_a_user_holds_the_tier_the_policy_gives_them():
    member = UserFactory(member=True)
    secretariat = UserFactory(secretariat=True)
    assert tier_at_least(AnonymousUser(), PUBLIC)
    assert not tier_at_least(AnonymousUser(), MEMBERS)
    assert not tier_at_least(None, MEMBERS)
    assert not tier_at_least(UserFactory(), MEMBERS)  # signed in, in no group
    assert not tier_at_least(UserFactory(member=True, is_active=False), MEMBERS)
    assert tier_at_least(member, MEMBERS)
    assert not tier_at_least(member, SECRETARIAT)
    assert tier_at_least(secretariat, SECRETARIAT)


def test_a_capped_secretariat_session_compares_as_a_member():
    capped = access.as_token_holder(UserFactory(secretariat=True))
    assert tier_at_least(capped, MEMBERS)
    assert not tier_at_least(capped, SECRETARIAT)


def test_an_unknown_tier_to_reach_fails_closed():
    assert not tier_at_least(PUBLIC, "everyone")
    assert not tier_at_least(MEMBERS, "everyone")
    assert not tier_at_least(MEMBERS, None)
    assert tier_at_least(SECRETARIAT, "everyone")


def test_an_unknown_holder_tier_is_an_error():
    with pytest.raises(ValueError, match="everyone"):
        tier_at_least("everyone", PUBLIC)


@pytest.mark.parametrize("audience", [PUBLIC, MEMBERS, SECRETARIAT, "everyone"])
def test_can_see_is_the_same_comparison(audience):
    for user in (AnonymousUser(), UserFactory(member=True), UserFactory(secretariat=True)):
        assert access.can_see(user, audience) is tier_at_least(user, audience)


def test_lowest_and_strictest_order_audiences_and_an_unknown_one_is_the_most_restricted():
    assert access.lowest([SECRETARIAT, None, MEMBERS]) == MEMBERS
    assert access.lowest([None]) is None
    assert access.lowest(["everyone", SECRETARIAT]) == SECRETARIAT
    assert access.strictest(PUBLIC, MEMBERS) == MEMBERS
    assert access.strictest(MEMBERS, PUBLIC) == MEMBERS
    assert access.strictest(SECRETARIAT, "everyone") == "everyone"


def _request(path, user):
    request = RequestFactory().get(path)
    request.user = user
    return request


def test_deny_sends_an_anonymous_visitor_to_sign_in_and_back():
    response = deny(_request("/library/guide/?lang=fr&page=2", AnonymousUser()))
    assert response.status_code == 302
    assert response["Location"] == (
        f"{reverse('account_login')}?next=/library/guide/%3Flang%3Dfr%26page%3D2"
    )


@pytest.mark.parametrize("kind", ["outsider", "member", "secretariat"])
def test_deny_refuses_a_signed_in_user_with_403(kind):
    user = {
        "outsider": lambda: UserFactory(),
        "member": lambda: UserFactory(member=True),
        "secretariat": lambda: UserFactory(secretariat=True),
    }[kind]()
    with pytest.raises(PermissionDenied):
        deny(_request("/network/directory.csv", user))


def test_a_view_refusing_with_deny_shows_the_403_page_or_sends_to_sign_in(client):
    """End to end through a view that refuses with `deny` (the directory's CSV export, members
    only): the project's 403 page for a signed-in outsider, the sign-in page for a visitor."""
    path = reverse("network:export_csv")
    url = f"{path}?x=1"
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={path}%3Fx%3D1"
    client.force_login(UserFactory())
    response = client.get(url)
    assert response.status_code == 403
    assert "Error 403" in response.content.decode()
