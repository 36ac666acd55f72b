"""
Behind the trusted reverse proxy the client's address is the one the proxy adds: the right-most
X-Forwarded-For entry with TRUSTED_PROXY_COUNT=1 (settings: ALLAUTH_TRUSTED_PROXY_COUNT);
anything a client writes to the left of it is ignored, and without a trusted proxy the header is
ignored altogether. allauth's sign-in rate limits count per that address.
"""

import pytest
from allauth.account.adapter import get_adapter

from django.core.cache import cache
from django.test import RequestFactory, override_settings
from django.urls import reverse

from tests.clients import Client
from tests.portal.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
PROXY = "10.0.0.2"
CLIENT, OTHER_CLIENT, FORGED = "203.0.113.7", "198.51.100.9", "192.0.2.66"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def client_address(remote_addr, forwarded=None):
    extra = {"REMOTE_ADDR": remote_addr}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return get_adapter().get_client_ip(RequestFactory().post("/accounts/login/", **extra))


def test_no_proxy_is_trusted_unless_configured(settings):
    assert settings.ALLAUTH_TRUSTED_PROXY_COUNT == 0


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_behind_one_proxy_the_right_most_forwarded_entry_is_the_client():
    assert client_address(PROXY, CLIENT) == CLIENT
    assert client_address(PROXY, f"{FORGED}, {CLIENT}") == CLIENT
    assert client_address(PROXY, f"{FORGED},{FORGED}, {CLIENT}") == CLIENT


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_behind_one_proxy_a_request_without_the_header_is_the_peer():
    assert client_address(CLIENT) == CLIENT


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=0)
def test_without_a_trusted_proxy_the_forwarded_header_is_ignored():
    assert client_address(CLIENT, FORGED) == CLIENT
    assert client_address(CLIENT, f"{FORGED}, {OTHER_CLIENT}") == CLIENT


def fail_logins(client, times, forwarded=lambda n: None, remote_addr=PROXY):
    for n in range(times):
        extra = {"REMOTE_ADDR": remote_addr}
        if forwarded(n) is not None:
            extra["HTTP_X_FORWARDED_FOR"] = forwarded(n)
        # A different address each time: only the per-client limit can add them up.
        client.post(
            reverse("account_login"),
            {"login": f"nobody{n}@example.org", "password": "wrong password"},
            **extra,
        )


def sign_in(user, remote_addr=PROXY, forwarded=None):
    client = Client()
    extra = {"REMOTE_ADDR": remote_addr}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": PASSWORD}, **extra
    )
    return response, "_auth_user_id" in client.session


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_failed_logins_limit_the_client_behind_the_proxy_and_not_its_neighbours(settings):
    failures = int(settings.ACCOUNT_RATE_LIMITS["login_failed"].split("/")[0])
    member = UserFactory(member=True)
    # Each attempt forges a different left-most entry; the proxy's own entry stays the same.
    fail_logins(Client(), failures, forwarded=lambda n: f"192.0.2.{n + 1}, {CLIENT}")
    response, signed_in = sign_in(member, forwarded=f"192.0.2.200, {CLIENT}")
    assert not signed_in
    assert response.status_code == 429 or b"Too many" in response.content
    # Another client behind the same proxy (same REMOTE_ADDR) is not held back.
    assert sign_in(member, forwarded=OTHER_CLIENT)[1]


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_one_failure_short_of_the_limit_still_signs_in(settings):
    failures = int(settings.ACCOUNT_RATE_LIMITS["login_failed"].split("/")[0])
    member = UserFactory(member=True)
    fail_logins(Client(), failures - 1, forwarded=lambda n: CLIENT)
    assert sign_in(member, forwarded=CLIENT)[1]


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=0)
def test_without_a_trusted_proxy_a_forged_header_does_not_escape_the_limit(settings):
    failures = int(settings.ACCOUNT_RATE_LIMITS["login_failed"].split("/")[0])
    member = UserFactory(member=True)
    fail_logins(Client(), failures, forwarded=lambda n: f"192.0.2.{n + 1}", remote_addr=CLIENT)
    assert not sign_in(member, remote_addr=CLIENT, forwarded=OTHER_CLIENT)[1]
    assert sign_in(member, remote_addr=OTHER_CLIENT)[1]


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_an_unreadable_address_from_the_proxy_is_refused_not_crashed():
    member = UserFactory(member=True)
    response, signed_in = sign_in(member, forwarded="not-an-address")
    assert response.status_code == 403
    assert not signed_in
