"""
The headers and cookies a browser really gets from the portal under production settings. The
security settings are read from `portal.settings.production` itself (in a child process, with a
production environment) and applied to this test process, so a change there shows here.
"""

import json

import pytest

from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from wagtail.models import Site

from portal.access import Audience
from portal.models import NetworkSettings
from tests.clients import Client
from tests.library import factories as library
from tests.meetings.factories import make_meeting
from tests.network.factories import PersonFactory
from tests.portal.factories import PASSWORD, UserFactory
from tests.portal.test_settings import PRODUCTION_ENV, run_python

pytestmark = pytest.mark.django_db

SECURITY_SETTINGS = (
    "DEBUG",
    "MIDDLEWARE",
    "SECURE_SSL_REDIRECT",
    "SECURE_REDIRECT_EXEMPT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "X_FRAME_OPTIONS",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SAMESITE",
    "LANGUAGE_COOKIE_SECURE",
    "LANGUAGE_COOKIE_SAMESITE",
    "ALLAUTH_TRUSTED_PROXY_COUNT",
)
PRINT_SECURITY_SETTINGS = (
    "import django, json; django.setup(); from django.conf import settings as s;"
    f"print(json.dumps({{name: getattr(s, name) for name in {SECURITY_SETTINGS!r}}}))"
)
HTTPS = {"HTTP_X_FORWARDED_PROTO": "https"}  # what the TLS-terminating proxy adds
PORTAL_PAGES = ("/", "/library/", "/search/?q=referral", "/network/people/", "/meetings/")


@pytest.fixture(scope="module")
def production_values():
    result = run_python(
        PRINT_SECURITY_SETTINGS,
        "portal.settings.production",
        {**PRODUCTION_ENV, "TRUSTED_PROXY_COUNT": "1"},
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    values["SECURE_PROXY_SSL_HEADER"] = tuple(values["SECURE_PROXY_SSL_HEADER"])
    return values


@pytest.fixture
def production(production_values):
    with override_settings(**production_values):
        yield production_values


def policy(response):
    directives = {}
    for directive in response["Content-Security-Policy"].split(";"):
        name, *sources = directive.split()
        directives[name] = sources
    return directives


def test_the_proxy_count_comes_from_the_environment(production):
    assert production["ALLAUTH_TRUSTED_PROXY_COUNT"] == 1


def test_plain_http_is_redirected_to_https(production, client):
    response = client.get("/library/?topic=referral")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/library/?topic=referral"


def test_the_health_check_answers_over_plain_http_for_the_load_balancer(production, client):
    assert client.get("/healthz").status_code == 200


@pytest.mark.parametrize("path", PORTAL_PAGES)
def test_https_pages_carry_hsts_nosniff_referrer_policy_and_frame_denial(production, path):
    response = Client().get(path, **HTTPS)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.parametrize("path", [*PORTAL_PAGES, "/accounts/login/"])
def test_portal_pages_allow_no_inline_script_plugin_base_or_framing(production, path):
    directives = policy(Client().get(path, **HTTPS))
    assert directives["script-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["default-src"] == ["'self'"]


def test_only_the_admin_relaxes_its_policy_and_never_for_plugins_or_other_framers(
    production, secretariat
):
    client = Client()
    client.force_login(secretariat)
    response = client.get("/admin/", **HTTPS)
    assert response.status_code == 200
    directives = policy(response)
    assert "'unsafe-inline'" in directives["script-src"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'self'"]


def test_a_cached_anonymous_page_keeps_its_security_headers(production, home_page):
    # The site settings row is made on first use, which would empty the cache: make it now.
    NetworkSettings.for_site(Site.objects.get(is_default_site=True))
    cache.clear()
    with override_settings(PAGE_CACHE_SECONDS=300):
        Client().get("/library/", **HTTPS)
        hit = Client().get("/library/", **HTTPS)
    assert hit["X-Page-Cache"] == "hit"
    assert policy(hit)["script-src"] == ["'self'"]
    assert hit["Strict-Transport-Security"].startswith("max-age=31536000")
    assert hit["X-Frame-Options"] == "DENY"
    cache.clear()


def test_session_and_csrf_cookies_are_secure_httponly_and_same_site(production, member):
    client = Client()
    login_page = client.get(reverse("account_login"), **HTTPS)
    csrf = login_page.cookies["csrftoken"]
    response = client.post(
        reverse("account_login"), {"login": member.email, "password": PASSWORD}, **HTTPS
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    for cookie in (csrf, session):
        assert cookie["secure"] is True, cookie.key
        assert cookie["httponly"] is True, cookie.key
        assert cookie["samesite"] == "Lax", cookie.key


def test_the_language_cookie_is_secure_too(production):
    response = Client().post(reverse("set_language"), {"language": "fr", "next": "/"}, **HTTPS)
    cookie = response.cookies["django_language"]
    assert cookie["secure"] is True
    assert cookie["samesite"] == "Lax"


@pytest.fixture
def members_content(db):
    resource = library.resource("Members guide", audience=Audience.MEMBERS)
    meeting = make_meeting(minutes="<p>Minutes.</p>")
    person = PersonFactory()
    return [resource.url, meeting.url, f"/network/people/{person.pk}/", "/library/", "/"]


def test_every_page_a_member_sees_is_private_to_their_browser(production, members_content):
    client = Client()
    client.force_login(UserFactory(member=True))
    for path in members_content:
        response = client.get(path, **HTTPS)
        assert response.status_code == 200, path
        assert "private" in response["Cache-Control"], path
        assert "Cookie" in response["Vary"], path
        assert "public" not in response["Cache-Control"], path
