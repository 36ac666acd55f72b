"""
The signed links in emails: unsubscribe (one click, no sign-in, only that recipient and only that
kind of message) and directory confirmation (confirms only; signs nobody in).
"""

from datetime import timedelta

import pytest

from django.core import signing
from django.urls import reverse
from django.utils import timezone

from wagtail.models import ModelLogEntry

from notifications.models import Frequency, SavedSearch, Subscription
from notifications.tokens import (
    CONFIRM_ENTRY_MAX_AGE,
    CONFIRM_ENTRY_SALT,
    confirm_entry_token,
    unsubscribe_token,
)
from tests.clients import Client
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db


def unsubscribe_url(user, scope):
    return reverse("notifications:unsubscribe", args=[unsubscribe_token(user, scope)])


def test_opening_an_unsubscribe_link_only_asks(client, member):
    Subscription.objects.create(user=member, frequency=Frequency.IMMEDIATE)

    response = client.get(unsubscribe_url(member, "subscription"))

    assert response.status_code == 200
    assert b'<form method="post"' in response.content
    assert Subscription.objects.get(user=member).frequency == Frequency.IMMEDIATE


def test_one_click_unsubscribe_works_without_signing_in_and_without_a_csrf_token(member):
    other = UserFactory(member=True)
    Subscription.objects.create(user=member, frequency=Frequency.IMMEDIATE)
    Subscription.objects.create(user=other, frequency=Frequency.IMMEDIATE)
    mail_client = Client(enforce_csrf_checks=True)  # as a mail provider posts it (RFC 8058)

    response = mail_client.post(
        unsubscribe_url(member, "subscription"), {"List-Unsubscribe": "One-Click"}
    )

    assert response.status_code == 200
    assert Subscription.objects.get(user=member).frequency == Frequency.OFF
    assert Subscription.objects.get(user=other).frequency == Frequency.IMMEDIATE
    assert "_auth_user_id" not in mail_client.session


@pytest.mark.parametrize(
    ("scope", "field"),
    [
        ("meetings", "meetings"),
        ("action_points", "action_points"),
        ("directory", "directory_reminders"),
    ],
)
def test_each_kind_of_message_unsubscribes_only_its_own_switch(client, member, scope, field):
    client.post(unsubscribe_url(member, scope))

    subscription = Subscription.objects.get(user=member)
    switches = {"meetings", "action_points", "directory_reminders"}
    assert getattr(subscription, field) is False
    assert all(getattr(subscription, other) for other in switches - {field})
    assert subscription.frequency == Frequency.WEEKLY


def test_a_saved_search_alert_unsubscribes_only_that_saved_search(client, member):
    followed = SavedSearch.objects.create(user=member, name="A", frequency=Frequency.IMMEDIATE)
    kept = SavedSearch.objects.create(user=member, name="B", frequency=Frequency.IMMEDIATE)
    someone_elses = SavedSearch.objects.create(
        user=UserFactory(member=True), name="C", frequency=Frequency.IMMEDIATE
    )

    client.post(unsubscribe_url(member, f"saved_search:{followed.pk}"))
    # A token for this member naming someone else's saved search changes nothing.
    client.post(unsubscribe_url(member, f"saved_search:{someone_elses.pk}"))

    followed.refresh_from_db(), kept.refresh_from_db(), someone_elses.refresh_from_db()
    assert followed.frequency == Frequency.OFF
    assert kept.frequency == Frequency.IMMEDIATE
    assert someone_elses.frequency == Frequency.IMMEDIATE


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_unsubscribe_link_is_refused_with_a_clear_message(client, member, method):
    url = unsubscribe_url(member, "subscription")[:-5] + "xxxx/"

    response = getattr(client, method)(url)

    assert response.status_code == 400
    assert b"This link is not valid" in response.content
    assert not Subscription.objects.exists()


def test_an_unsubscribe_link_with_an_unknown_scope_is_refused(client, member):
    response = client.post(unsubscribe_url(member, "everything-please"))
    assert response.status_code == 400
    assert not Subscription.objects.exists()


@pytest.fixture
def stale_person(owner):
    person = owner.person
    person.last_confirmed = timezone.now() - timedelta(days=400)
    person.save()
    return person


def test_the_confirmation_link_asks_first_then_confirms_on_post_without_signing_in(
    client, stale_person
):
    url = reverse("notifications:confirm_entry", args=[confirm_entry_token(stale_person)])

    page = client.get(url)
    stale_person.refresh_from_db()
    assert page.status_code == 200
    assert stale_person.last_confirmed < timezone.now() - timedelta(days=300)

    response = client.post(url)
    stale_person.refresh_from_db()
    assert response.status_code == 200
    assert b"your directory entry is confirmed" in response.content
    assert stale_person.last_confirmed > timezone.now() - timedelta(minutes=1)
    assert "_auth_user_id" not in client.session


def test_a_confirmation_link_opened_while_someone_else_is_signed_in_is_not_credited_to_them(
    stale_person,
):
    """A forwarded link confirms the entry it names; it does not say that whoever happened to be
    signed in confirmed it."""
    other = UserFactory(member=True)
    client = Client()
    client.force_login(other)

    response = client.post(
        reverse("notifications:confirm_entry", args=[confirm_entry_token(stale_person)])
    )

    assert response.status_code == 200
    stale_person.refresh_from_db()
    assert stale_person.last_confirmed > timezone.now() - timedelta(minutes=1)
    [entry] = ModelLogEntry.objects.for_instance(stale_person).filter(
        action__in=["network.confirm", "notifications.link_confirm"]
    )
    assert entry.user is None
    assert entry.message == "Entry confirmed as current through the link in a directory reminder"
    assert not ModelLogEntry.objects.filter(user=other).exists()


def test_an_expired_confirmation_link_says_so(client, stale_person):
    signer = signing.TimestampSigner(salt=CONFIRM_ENTRY_SALT)
    old = timezone.now().timestamp() - CONFIRM_ENTRY_MAX_AGE - 60
    signer.timestamp = lambda: signing.b62_encode(int(old))
    token = signer.sign_object({"p": stale_person.pk})

    response = client.post(reverse("notifications:confirm_entry", args=[token]))

    assert response.status_code == 400
    assert b"This link has expired" in response.content
    stale_person.refresh_from_db()
    assert stale_person.last_confirmed < timezone.now() - timedelta(days=300)


def test_a_tampered_confirmation_link_says_so(client, stale_person):
    token = confirm_entry_token(stale_person)
    forged = signing.dumps({"p": stale_person.pk + 1}, salt="another-salt")

    for bad in (token[:-3] + "abc", forged):
        response = client.post(reverse("notifications:confirm_entry", args=[bad]))
        assert response.status_code == 400
        assert b"This link is not valid" in response.content
    stale_person.refresh_from_db()
    assert stale_person.last_confirmed < timezone.now() - timedelta(days=300)


def test_an_unsubscribe_token_cannot_be_replayed_as_a_confirmation(client, stale_person, owner):
    token = unsubscribe_token(owner, "subscription")
    response = client.post(reverse("notifications:confirm_entry", args=[token]))
    assert response.status_code == 400
