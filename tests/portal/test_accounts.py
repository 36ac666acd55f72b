"""Sign-in, refusal paths, closed sign-up, logout, password reset and MFA (allauth)."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)

from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from tests.portal.factories import PASSWORD, TOTP_SECRET, UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()


def sign_in(client, email, password=PASSWORD, next_url=None):
    url = reverse("account_login") + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"login": email, "password": password})


def totp(secret, step=0):
    """The code for the current 30-second period, or `step` periods on (within the tolerance)."""
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2] + step))


def test_member_signs_in_with_email_and_password(client):
    member = UserFactory(member=True)
    response = sign_in(client, member.email)
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == member.pk


def test_email_login_is_case_insensitive(client):
    member = UserFactory(member=True, email="coordinator@example.org")
    sign_in(client, "Coordinator@Example.org")
    assert int(client.session["_auth_user_id"]) == member.pk


def test_wrong_password_is_refused_with_a_message(client):
    member = UserFactory(member=True)
    response = sign_in(client, member.email, password="not the password")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert b"not correct" in response.content or b"incorrect" in response.content.lower()


def test_unverified_email_cannot_sign_in(client):
    user = UserFactory(member=True, verified_email=False)
    response = sign_in(client, user.email)
    assert "_auth_user_id" not in client.session
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert len(mail.outbox) == 1  # a new verification email is sent


def test_member_is_refused_the_wagtail_admin(client):
    """Refused outright: sending a signed-in member to sign in made a redirect loop (allauth
    sends a signed-in visitor back to `next`)."""
    member = UserFactory(member=True)
    sign_in(client, member.email)
    assert client.get("/admin/").status_code == 403
    assert client.get("/admin/pages/").status_code == 403


def test_secretariat_signs_in_with_a_second_factor_and_reaches_the_admin(client):
    secretariat = UserFactory(secretariat=True)
    response = sign_in(client, secretariat.email, next_url="/admin/")
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get("/admin/").status_code == 302  # not signed in between the two factors
    response = client.post(reverse("mfa_authenticate"), {"code": totp(TOTP_SECRET)})
    assert response["Location"] == "/admin/"
    response = client.get("/admin/")
    assert response.status_code == 200
    assert b"wagtail" in response.content.lower()


def test_anonymous_admin_visit_is_sent_to_the_allauth_login(client):
    response = client.get("/admin/pages/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_admin_login_page_cannot_be_used_to_skip_allauth(client):
    secretariat = UserFactory(secretariat=True)
    response = client.post("/admin/login/", {"username": secretariat.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session


def test_admin_login_redirect_keeps_only_local_next_urls(client):
    response = client.get("/admin/login/?next=/admin/pages/")
    assert "next=%2Fadmin%2Fpages%2F" in response["Location"]
    response = client.get("/admin/login/?next=https://evil.example/")
    assert "evil" not in response["Location"]


def test_admin_password_reset_goes_to_allauth(client):
    response = client.get("/admin/password_reset/")
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password")


def test_anonymous_post_to_signup_creates_no_user(client):
    before = User.objects.count()
    response = client.post(
        reverse("account_signup"),
        {
            "email": "intruder@example.org",
            "password1": "A-long-pass-123",
            "password2": "A-long-pass-123",
        },
    )
    assert User.objects.count() == before
    assert not User.objects.filter(email="intruder@example.org").exists()
    assert b"closed" in response.content.lower()


def test_logout_requires_post(client):
    member = UserFactory(member=True)
    client.force_login(member)
    client.get(reverse("account_logout"))
    assert "_auth_user_id" in client.session
    client.post(reverse("account_logout"))
    assert "_auth_user_id" not in client.session


def test_sign_in_rotates_the_session_key(client):
    member = UserFactory(member=True)
    client.get(reverse("account_login"))
    client.session.save()
    before = client.session.session_key
    sign_in(client, member.email)
    assert client.session.session_key != before


def test_password_reset_does_not_reveal_whether_an_account_exists(client):
    member = UserFactory(member=True)
    known = client.post(reverse("account_reset_password"), {"email": member.email})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    recipients = [message.to for message in mail.outbox]
    assert [member.email] in recipients


def test_member_can_enrol_in_totp_and_must_then_give_a_code(client):
    member = UserFactory(member=True)
    sign_in(client, member.email)
    # Changing security settings asks for the password again first.
    response = client.get(reverse("mfa_activate_totp"))
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    client.post(response["Location"], {"password": PASSWORD})
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post(reverse("mfa_activate_totp"), {"code": totp(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=member, type=Authenticator.Type.TOTP).exists()
    # Activating TOTP also issues recovery codes.
    assert Authenticator.objects.filter(
        user=member, type=Authenticator.Type.RECOVERY_CODES
    ).exists()

    client.post(reverse("account_logout"))
    response = sign_in(client, member.email)
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert "_auth_user_id" not in client.session
    client.post(reverse("mfa_authenticate"), {"code": totp(secret, step=1)})
    assert int(client.session["_auth_user_id"]) == member.pk

    # A code that has been used once is refused the second time.
    client.post(reverse("account_logout"))
    sign_in(client, member.email)
    client.post(reverse("mfa_authenticate"), {"code": totp(secret, step=1)})
    assert "_auth_user_id" not in client.session
