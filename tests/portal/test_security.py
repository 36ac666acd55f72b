"""Sessions, headers and caching: what a signed-in user's browser and a shared cache get.

CSRF, request limits, the trusted proxy, production headers and fuzzing: tests/security/."""

import time
from datetime import timedelta

import pytest

from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal.access import MEMBERS_GROUP
from portal.middleware import LOGIN_TIME_KEY, RENEWED_KEY
from tests.clients import Client
from tests.portal.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def signed_in_client(user):
    client = Client()
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert "_auth_user_id" in client.session
    return client


def test_changing_the_password_ends_the_users_other_sessions():
    member = UserFactory(member=True)
    laptop, phone = signed_in_client(member), signed_in_client(member)
    laptop.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    response = laptop.post(
        reverse("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": "brand-new-pass-123",
            "password2": "brand-new-pass-123",
        },
    )
    assert response.status_code == 302
    assert laptop.get("/").wsgi_request.user.is_authenticated
    assert not phone.get("/").wsgi_request.user.is_authenticated


def test_deactivating_a_user_ends_their_sessions():
    member = UserFactory(member=True)
    client = signed_in_client(member)
    member.is_active = False
    member.save()
    assert not client.get("/").wsgi_request.user.is_authenticated


def test_sessions_end_after_the_absolute_lifetime(settings):
    member = UserFactory(member=True)
    client = signed_in_client(member)
    client.get("/")
    session = client.session
    session[LOGIN_TIME_KEY] = time.time() - settings.SESSION_ABSOLUTE_AGE - 1
    session.save()
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert not client.get("/").wsgi_request.user.is_authenticated


def session_writes(client, path="/"):
    """The statements writing the session that a request of `client` makes."""
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    return [
        query["sql"]
        for query in queries.captured_queries
        if "django_session" in query["sql"] and not query["sql"].startswith("SELECT")
    ]


def test_reading_pages_writes_no_session():
    client = signed_in_client(UserFactory(member=True))
    client.get("/")
    assert session_writes(client, "/") == []
    assert session_writes(client, "/library/") == []


def test_activity_renews_the_idle_expiry_at_most_every_few_minutes(settings):
    assert settings.SESSION_COOKIE_AGE <= 60 * 60 * 12
    assert settings.SESSION_RENEW_SECONDS <= settings.SESSION_COOKIE_AGE / 10
    client = signed_in_client(UserFactory(member=True))
    client.get("/")
    # The last renewal was longer ago than SESSION_RENEW_SECONDS, and the session is about to
    # idle out.
    session = client.session
    session[RENEWED_KEY] = int(time.time()) - settings.SESSION_RENEW_SECONDS - 1
    session.save()
    Session.objects.filter(session_key=session.session_key).update(
        expire_date=timezone.now() + timedelta(minutes=1)
    )
    response = client.get("/")
    assert settings.SESSION_COOKIE_NAME in response.cookies
    renewed = Session.objects.get(session_key=session.session_key).expire_date
    assert renewed > timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)
    assert session_writes(client) == []  # and not again until SESSION_RENEW_SECONDS have passed


def test_login_redirects_only_to_this_site(client):
    member = UserFactory(member=True)
    response = client.post(
        reverse("account_login") + "?next=https://evil.example/steal",
        {"login": member.email, "password": PASSWORD},
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_repeated_failed_logins_are_rate_limited(client):
    member = UserFactory(member=True)
    for _ in range(6):
        response = client.post(
            reverse("account_login"), {"login": member.email, "password": "wrong password"}
        )
    assert response.status_code == 429 or b"Too many" in response.content
    response = client.post(reverse("account_login"), {"login": member.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_pages_carry_a_content_security_policy_without_inline_scripts(client):
    policy = client.get("/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("style-src")[0]
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in policy


def test_no_inline_script_on_the_home_page(client):
    html = client.get("/").content.decode()
    assert "<script>" not in html and "onclick=" not in html


def test_responses_to_signed_in_users_are_private(member_client):
    response = member_client.get("/")
    assert "private" in response["Cache-Control"]
    assert "Cookie" in response["Vary"]


def test_anonymous_public_pages_are_not_marked_private(client):
    assert "private" not in client.get("/").get("Cache-Control", "")


def test_nosniff_referrer_policy_and_frame_denial_everywhere(client):
    response = client.get("/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_members_group_gives_no_admin_permission():
    assert not Group.objects.get(name=MEMBERS_GROUP).permissions.exists()


def test_wagtail_api_is_not_exposed(client):
    assert client.get("/api/v2/pages/").status_code == 404


def test_the_admin_asks_no_other_site_for_avatars(secretariat_client):
    html = secretariat_client.get("/admin/").content.decode()
    assert "default-user-avatar" in html and "gravatar" not in html


def test_wagtail_page_privacy_cannot_bypass_the_audience_policy(secretariat_client, home_page):
    from wagtail.models import PageViewRestriction

    response = secretariat_client.post(
        f"/admin/pages/{home_page.pk}/privacy/", {"restriction_type": "login"}
    )
    assert response.status_code == 200
    assert b"Audience" in response.content
    assert not PageViewRestriction.objects.exists()
