"""Inviting people of the directory: the account created by the link is linked to the entry."""

import pytest

from django.core import mail
from django.urls import reverse

from network.invitations import invite_person
from network.models import Person
from portal.accounts import invitations
from portal.models import Invitation
from tests.network.factories import PersonFactory

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-and-fresh-password-42"


def accept_from_outbox(client, email):
    token = mail.outbox[-1].body.split("/accounts/invitation/")[1].split("/")[0]
    return client.post(
        reverse("invitation_accept", kwargs={"token": token}),
        {"email": email, "password1": PASSWORD, "password2": PASSWORD},
    )


def test_invited_person_gets_an_account_linked_to_their_entry(
    client, django_capture_on_commit_callbacks
):
    person = PersonFactory(email="coordinator@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        invite_person(person)
    assert mail.outbox[-1].to == ["coordinator@example.org"]
    assert accept_from_outbox(client, "coordinator@example.org").status_code == 302
    person.refresh_from_db()
    assert person.user is not None and person.user.email == "coordinator@example.org"


def test_a_person_without_email_or_with_an_account_is_not_invited(member):
    with pytest.raises(invitations.InvitationError, match="no email"):
        invite_person(PersonFactory(email=False))
    linked = PersonFactory(user=member)
    with pytest.raises(invitations.InvitationError, match="already has an account"):
        invite_person(linked)
    assert not Invitation.objects.exists()


def test_secretariat_invites_people_in_bulk_from_the_directory(
    secretariat_client, django_capture_on_commit_callbacks
):
    first, second = PersonFactory(), PersonFactory()
    url = (
        "/admin/bulk/network/person/invite/?next=/admin/snippets/network/person/"
        f"&id={first.pk}&id={second.pk}"
    )
    assert secretariat_client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = secretariat_client.post(url)
    assert response.status_code == 302
    assert (
        Invitation.objects.filter(
            person_ref__in=[f"network.person:{first.pk}", f"network.person:{second.pk}"]
        ).count()
        == 2
    )
    assert len(mail.outbox) == 2


def test_members_cannot_use_the_invite_action(member_client):
    person = PersonFactory()
    member_client.post(f"/admin/bulk/network/person/invite/?id={person.pk}")
    assert not Invitation.objects.exists()
    assert Person.objects.get(pk=person.pk).user is None
