"""
Redis as the cache, stopped and started for real (a redis-server of the test's own): pages are
served uncached while it is down, sign-in keeps working with its limits held per process, /healthz
says "degraded", and nothing written before the outage that a change during it should have
replaced or removed (a signed-out session, a page listing a resource since made members-only) is
served when it comes back.

Where the test needs Redis to come back with what it held (a Redis with persistence, or one that
was only cut off from the network), it saves its data before stopping (`keep_data`).
"""

import logging

import pytest
import redis

from django.test import override_settings
from django.urls import reverse

from wagtail.models import Site

from portal.models import NetworkSettings
from tests.clients import Client
from tests.library.factories import library_index, resource
from tests.portal.factories import PASSWORD, TOTP_SECRET, UserFactory
from tests.portal.test_accounts import totp
from tests.reliability.conftest import needs_postgresql
from tests.workers import wait_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def cache_server(db, home_page):
    needs_postgresql()
    # The site settings row is created on first use; create it now, not during a cached request.
    NetworkSettings.for_site(Site.objects.get(is_default_site=True))
    library_index()


@pytest.fixture
def redis_cache(cache_server, private_redis):
    """The portal's cache on the private redis-server, configured as production configures it
    (portal/settings/base.py), with the outage probe every 50 ms instead of every second."""
    caches = {
        "default": {
            "BACKEND": "portal.cache.TolerantRedisCache",
            "LOCATION": private_redis.url,
            "KEY_PREFIX": "portal",
            "TIMEOUT": 300,
            "OPTIONS": {
                "socket_connect_timeout": 0.25,
                "socket_timeout": 0.5,
                "RETRY_SECONDS": 0.05,
                "LOCAL_FALLBACK_PREFIXES": ("allauth:rl:", "allauth.mfa.totp.used"),
            },
        }
    }
    with override_settings(CACHES=caches, PAGE_CACHE_SECONDS=300):
        yield private_redis


def keep_data(server):
    """Write the server's data to disk, so that it starts again with it."""
    redis.Redis(host="127.0.0.1", port=server.port).save()


def portal_keys(server):
    return redis.Redis(host="127.0.0.1", port=server.port).keys("portal:*")


def caching_resumed(path="/"):
    """Whether an anonymous page is served from the cache again (filled, then hit)."""
    Client().get(path)
    return Client().get(path).get("X-Page-Cache") == "hit"


def signed_in_with(cookie):
    """Whether a browser sending this session cookie is signed in (its account page opens)."""
    browser = Client()
    browser.cookies["sessionid"] = cookie
    return browser.get(reverse("account_email")).status_code == 200


def sign_in(client, user, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": user.email, "password": password})


def test_with_the_cache_stopped_every_kind_of_page_is_served_and_none_is_an_error(
    redis_cache, member
):
    public = resource("Public referral guide")
    members_only = resource("Members referral guide", audience="members")
    redis_cache.stop()

    anonymous = Client()
    for path in ["/", "/library/", public.url, "/search/?q=referral", "/api/search/?q=referral"]:
        response = anonymous.get(path)
        assert response.status_code == 200, path
    assert b"Public referral guide" in anonymous.get("/library/").content

    visitor = Client()
    response = sign_in(visitor, member)
    assert response.status_code == 302
    assert visitor.get("/").wsgi_request.user == member
    for path in ["/", members_only.url, "/library/", "/api/search/?q=referral"]:
        response = visitor.get(path)
        assert response.status_code == 200, path
    assert b"Members referral guide" in visitor.get(members_only.url).content
    assert visitor.post(reverse("account_logout")).status_code == 302
    assert not visitor.get("/").wsgi_request.user.is_authenticated


def test_caching_resumes_when_the_cache_is_back(redis_cache):
    assert caching_resumed()
    redis_cache.stop()
    first, second = Client().get("/"), Client().get("/")
    assert first.status_code == second.status_code == 200
    assert second["X-Page-Cache"] != "hit"

    redis_cache.start()
    wait_for(caching_resumed, 20, "pages were not cached again after the cache came back")
    assert portal_keys(redis_cache)


def test_an_outage_is_logged_once_when_it_starts_and_once_when_it_ends(redis_cache, caplog):
    with caplog.at_level(logging.INFO, logger="portal.cache"):
        redis_cache.stop()
        for _ in range(5):
            assert Client().get("/").status_code == 200
        redis_cache.start()
        wait_for(caching_resumed, 20, "pages were not cached again after the cache came back")
    lines = [record.getMessage() for record in caplog.records if record.name == "portal.cache"]
    assert len(lines) == 2, lines
    assert "unavailable" in lines[0] and "answers again" in lines[1]


def test_a_full_cache_that_refuses_writes_means_uncached_pages_not_errors(redis_cache):
    # One Redis for the broker and the cache, run as a broker must be (noeviction), is full.
    server = redis.Redis(host="127.0.0.1", port=redis_cache.port)
    server.config_set("maxmemory-policy", "noeviction")
    server.config_set("maxmemory", server.info("memory")["used_memory"] + 64 * 1024)
    filler = 0
    with pytest.raises(redis.exceptions.OutOfMemoryError):
        while True:
            server.set(f"queue:{filler}", "x" * 4096)
            filler += 1
    assert Client().get("/").status_code == 200
    assert Client().get("/library/").status_code == 200

    server.delete(*[f"queue:{n}" for n in range(filler)])
    server.config_set("maxmemory", 0)
    wait_for(caching_resumed, 20, "pages were not cached again once Redis had room")


def test_a_session_signed_out_while_the_cache_is_down_stays_signed_out_when_it_returns(
    redis_cache, member
):
    browser = Client()
    sign_in(browser, member)
    cookie = browser.cookies["sessionid"].value
    assert signed_in_with(cookie)
    keep_data(redis_cache)
    redis_cache.stop()

    assert browser.post(reverse("account_logout")).status_code == 302
    redis_cache.start()

    assert not signed_in_with(cookie)
    wait_for(caching_resumed, 20, "pages were not cached again after the cache came back")
    assert not signed_in_with(cookie)


def test_a_listing_cached_before_the_outage_does_not_outlive_a_change_made_during_it(
    redis_cache,
):
    page = resource("Okapi referral procedure")
    assert b"Okapi referral procedure" in Client().get("/library/").content
    assert caching_resumed("/library/")
    keep_data(redis_cache)
    redis_cache.stop()

    page.audience = "members"
    page.save_revision().publish()
    assert b"Okapi referral procedure" not in Client().get("/library/").content
    redis_cache.start()

    assert b"Okapi referral procedure" not in Client().get("/library/").content
    wait_for(lambda: caching_resumed("/library/"), 20, "the cache never came back")
    assert b"Okapi referral procedure" not in Client().get("/library/").content


def test_failed_sign_ins_are_still_limited_while_the_cache_is_down(redis_cache):
    # Each web process counts on its own while Redis is down (README, "Running in production").
    member, other = UserFactory(member=True), UserFactory(member=True)
    redis_cache.stop()
    attacker = Client()
    for _ in range(5):
        response = sign_in(attacker, member, password="not the password")
        assert response.status_code == 200
    response = sign_in(attacker, member)
    assert b"Too many failed login attempts" in response.content
    assert "_auth_user_id" not in attacker.session

    assert sign_in(Client(), other).status_code == 302


def test_a_second_factor_code_is_accepted_once_while_the_cache_is_down(redis_cache):
    secretariat = UserFactory(secretariat=True)
    code = totp(TOTP_SECRET)
    redis_cache.stop()

    first = Client()
    assert sign_in(first, secretariat)["Location"] == reverse("mfa_authenticate")
    first.post(reverse("mfa_authenticate"), {"code": code})
    assert int(first.session["_auth_user_id"]) == secretariat.pk

    replay = Client()
    sign_in(replay, secretariat)
    replay.post(reverse("mfa_authenticate"), {"code": code})
    assert "_auth_user_id" not in replay.session


def test_healthz_says_degraded_while_the_cache_is_down_and_ok_when_it_is_back(redis_cache):
    def health():
        response = Client().get("/healthz")
        return response.status_code, response.json()

    redis_cache.stop()
    wait_for(lambda: health()[1]["failing"] == ["cache"], 20, "healthz never saw the cache down")
    status, body = health()
    assert status == 200
    assert body["status"] == "degraded"
    assert body["components"]["cache"] == {"status": "error"}

    redis_cache.start()
    wait_for(lambda: health()[1]["failing"] == [], 20, "healthz never saw the cache back")
    assert health() == (
        200,
        {
            **body,
            "status": "ok",
            "failing": [],
            "components": {**body["components"], "cache": {"status": "ok"}},
        },
    )
