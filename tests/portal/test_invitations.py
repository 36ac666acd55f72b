"""Invitations: the only way in. A valid link creates exactly one verified member account."""

from datetime import timedelta

import pytest

from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from portal.access import is_member
from portal.accounts import invitations
from portal.models import Invitation

pytestmark = pytest.mark.django_db
User = get_user_model()
NEW_PASSWORD = "a-long-and-fresh-password-42"


@pytest.fixture
def invited(django_capture_on_commit_callbacks, secretariat):
    """An invitation and the token from the email that was sent."""
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitations.invite("Invitee@Example.org", invited_by=secretariat, name="Ina")
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    token = body.split("/accounts/invitation/")[1].split("/")[0]
    return invitation, token


def accept(client, token, email="invitee@example.org", password=NEW_PASSWORD):
    return client.post(
        reverse("invitation_accept", kwargs={"token": token}),
        {"email": email, "password1": password, "password2": password},
    )


def test_invitation_email_carries_a_single_use_link_for_that_address(invited):
    invitation, token = invited
    message = mail.outbox[0]
    assert message.to == ["invitee@example.org"]
    assert "Ina" in message.body
    assert token not in invitation.token_hash  # only a hash of the token is stored
    assert invitation.state == Invitation.State.PENDING
    assert message.alternatives and message.alternatives[0][1] == "text/html"


def test_accepting_creates_a_verified_member_linked_to_the_invitation(client, invited):
    invitation, token = invited
    response = accept(client, token)
    assert response.status_code == 302
    user = User.objects.get(email="invitee@example.org")
    assert is_member(user)
    assert user.emailaddress_set.get().verified
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.ACCEPTED and invitation.user == user
    # The new member can sign in at once, without another verification email.
    response = client.post(
        reverse("account_login"), {"login": "invitee@example.org", "password": NEW_PASSWORD}
    )
    assert int(client.session["_auth_user_id"]) == user.pk


def test_acceptance_sends_the_signal_the_directory_listens_to(client, invited):
    received = []

    def receiver(sender, invitation, user, **kwargs):
        received.append((invitation.pk, user.email))

    invitations.invitation_accepted.connect(receiver)
    try:
        accept(client, invited[1])
    finally:
        invitations.invitation_accepted.disconnect(receiver)
    assert received == [(invited[0].pk, "invitee@example.org")]


def test_a_used_link_creates_nothing_the_second_time(client, invited):
    accept(client, invited[1])
    client.logout()
    response = client.get(reverse("invitation_accept", kwargs={"token": invited[1]}))
    assert response.status_code == 410
    assert b"already been used" in response.content
    response = accept(client, invited[1], password="another-long-password-7")
    assert User.objects.filter(email="invitee@example.org").count() == 1


def test_a_different_email_address_creates_nothing(client, invited):
    response = accept(client, invited[1], email="someone.else@example.org")
    assert response.status_code == 200
    assert b"another email address" in response.content
    assert not User.objects.filter(
        email__in=["someone.else@example.org", "invitee@example.org"]
    ).exists()
    invited[0].refresh_from_db()
    assert invited[0].state == Invitation.State.PENDING


def test_an_expired_link_creates_nothing(client, invited):
    Invitation.objects.filter(pk=invited[0].pk).update(expires_at=timezone.now() - timedelta(1))
    response = accept(client, invited[1])
    assert response.status_code == 410
    assert b"expired" in response.content
    assert not User.objects.filter(email="invitee@example.org").exists()


def test_a_revoked_link_creates_nothing(client, invited, secretariat):
    invitations.revoke(invited[0], by=secretariat)
    response = accept(client, invited[1])
    assert response.status_code == 410
    assert b"withdrawn" in response.content
    assert not User.objects.filter(email="invitee@example.org").exists()


def test_a_tampered_link_creates_nothing(client, invited):
    response = accept(client, invited[1][:-2] + "xx")
    assert response.status_code == 410
    assert b"not valid" in response.content
    assert not User.objects.filter(email="invitee@example.org").exists()


def test_weak_or_mismatched_passwords_are_refused_with_a_message(client, invited):
    response = client.post(
        reverse("invitation_accept", kwargs={"token": invited[1]}),
        {"email": "invitee@example.org", "password1": "short", "password2": "short"},
    )
    assert b"too short" in response.content
    response = client.post(
        reverse("invitation_accept", kwargs={"token": invited[1]}),
        {
            "email": "invitee@example.org",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD + "x",
        },
    )
    assert b"differ" in response.content
    assert not User.objects.filter(email="invitee@example.org").exists()


def test_resending_replaces_the_link(django_capture_on_commit_callbacks, client, invited):
    with django_capture_on_commit_callbacks(execute=True):
        invitations.resend(invited[0])
    new_token = mail.outbox[-1].body.split("/accounts/invitation/")[1].split("/")[0]
    assert accept(client, invited[1]).status_code == 410  # the old link no longer works
    assert accept(client, new_token).status_code == 302
    invited[0].refresh_from_db()
    assert invited[0].send_count == 2


def test_inviting_an_address_that_has_an_account_is_refused(member):
    with pytest.raises(invitations.InvitationError, match="already has an account"):
        invitations.invite(member.email)


def test_secretariat_sees_invitation_states_and_can_invite_resend_and_revoke(
    secretariat_client, invited, django_capture_on_commit_callbacks
):
    response = secretariat_client.get(reverse("portal_invitations"))
    assert response.status_code == 200
    assert b"invitee@example.org" in response.content and b"Pending" in response.content
    with django_capture_on_commit_callbacks(execute=True):
        response = secretariat_client.post(
            reverse("portal_invitations"), {"email": "second@example.org", "name": "Second"}
        )
    assert response.status_code == 302
    assert Invitation.objects.filter(email="second@example.org").exists()
    response = secretariat_client.post(
        reverse("portal_invitation_action", args=[invited[0].pk, "revoke"])
    )
    invited[0].refresh_from_db()
    assert invited[0].state == Invitation.State.REVOKED
    response = secretariat_client.post(reverse("portal_invitations"), {"email": "not-an-email"})
    assert response.status_code == 200 and b"valid email" in response.content


def test_members_cannot_reach_the_invitation_admin(member_client, invited):
    assert member_client.get(reverse("portal_invitations")).status_code in (302, 403)
    member_client.post(reverse("portal_invitation_action", args=[invited[0].pk, "revoke"]))
    invited[0].refresh_from_db()
    assert invited[0].state == Invitation.State.PENDING


def test_anonymous_cannot_invite(client):
    client.post(reverse("portal_invitations"), {"email": "x@example.org"})
    assert not Invitation.objects.exists()
