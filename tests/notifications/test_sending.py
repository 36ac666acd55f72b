"""
Sending through a real SMTP server in the test process: one message per recipient and event,
whatever is retried or fired twice; failures recorded and retried; nothing sent for a rolled-back
transaction or to someone who may no longer receive it.
"""

import socket

import pytest

from django.db import IntegrityError, transaction

from notifications.models import Delivery, Subscription
from notifications.sending import queue
from notifications.tasks import (
    MAX_RETRIES,
    RETRY_BACKOFF,
    send_delivery,
    send_directory_confirmations,
)
from tests.portal.factories import UserFactory

from .conftest import SMTPServer, stale_person, use_smtp

pytestmark = pytest.mark.django_db


def fire_beat(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send_directory_confirmations.delay()


def test_confirmation_request_is_sent_as_html_and_text_with_one_click_unsubscribe_headers(
    stale_member, mailbox, django_capture_on_commit_callbacks
):
    fire_beat(django_capture_on_commit_callbacks)

    [message] = mailbox.to(stale_member.email)
    assert message["Subject"] == "Please confirm your directory entry"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert (
        message["List-Unsubscribe"]
        .strip()
        .startswith("<http://testserver/notifications/unsubscribe/")
    )
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "/notifications/confirm-entry/" in text
    assert "/notifications/confirm-entry/" in html
    assert "/notifications/unsubscribe/" in text
    delivery = Delivery.objects.get(recipient=stale_member)
    assert delivery.status == Delivery.Status.SENT
    assert delivery.attempts == 1
    assert delivery.sent_at is not None
    assert message["Message-ID"] == f"<delivery-{delivery.pk}@localhost>"


def test_beat_firing_twice_sends_one_email(
    stale_member, mailbox, django_capture_on_commit_callbacks
):
    fire_beat(django_capture_on_commit_callbacks)
    fire_beat(django_capture_on_commit_callbacks)

    assert len(mailbox.to(stale_member.email)) == 1
    assert Delivery.objects.filter(recipient=stale_member).count() == 1


def test_a_retried_task_for_a_sent_delivery_sends_nothing_more(
    stale_member, mailbox, django_capture_on_commit_callbacks
):
    fire_beat(django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(recipient=stale_member)

    send_delivery.apply(args=[delivery.pk])
    send_delivery.apply(args=[delivery.pk])

    assert len(mailbox.messages) == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 1


def test_a_task_for_a_delivery_that_no_longer_exists_does_nothing(mailbox):
    result = send_delivery.apply(args=[987654])
    assert result.successful()
    assert mailbox.messages == []


def test_the_ledger_refuses_a_second_row_for_the_same_recipient_and_event(member):
    Delivery.objects.create(recipient=member, kind="confirm_entry", event_key="person:1:never")
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(recipient=member, kind="confirm_entry", event_key="person:1:never")


# serialized_rollback: the flush after this test must leave the migrated data (groups, pages)
# for the tests after it, as the worker tests do.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_send_enqueued_in_a_rolled_back_transaction_sends_nothing(mailbox):
    user = UserFactory(member=True)
    stale_person(user)

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        send_directory_confirmations.delay()
        assert Delivery.objects.count() == 1  # claimed inside the transaction...
        raise Abort

    assert Delivery.objects.count() == 0  # ...and gone with it,
    assert mailbox.messages == []  # and nothing was sent.

    send_directory_confirmations.delay()  # Outside a transaction it is sent at once.
    assert len(mailbox.to(user.email)) == 1


def test_unreachable_smtp_is_retried_with_back_off_recorded_then_delivered_once(
    settings, stale_member, monkeypatch
):
    # Eager mode runs every retry at once, without waiting; let it run them all rather than stop
    # at the first Retry.
    monkeypatch.setitem(send_delivery.app.conf, "task_eager_propagates", False)
    server = SMTPServer()  # not started: connection refused
    use_smtp(settings, server.port)
    send_directory_confirmations.apply()
    delivery = Delivery.objects.get(recipient=stale_member)

    result = send_delivery.apply(args=[delivery.pk])

    assert result.failed()
    assert isinstance(result.result, ConnectionRefusedError)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.attempts == MAX_RETRIES + 1
    assert "ConnectionRefusedError" in delivery.last_error
    assert "retries exhausted" in delivery.last_error

    server.start()  # the server is back; the sweep (or a late retry) sends it
    try:
        send_delivery.apply(args=[delivery.pk])
        send_delivery.apply(args=[delivery.pk])
    finally:
        server.stop()

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    assert delivery.attempts == MAX_RETRIES + 2
    assert len(server.mailbox.to(stale_member.email)) == 1


def test_each_failed_attempt_records_the_error_and_the_back_off_before_the_next(
    settings, stale_member
):
    server = SMTPServer()
    use_smtp(settings, server.port)
    send_directory_confirmations.apply()
    delivery = Delivery.objects.get()
    countdowns = []

    # Run single attempts as the worker would, reading the row after each.
    for retries in range(3):
        # is_eager: retry() raises Retry(when=countdown) instead of scheduling it.
        request = {"called_directly": False, "retries": retries, "is_eager": True}
        send_delivery.push_request(**request)
        try:
            with pytest.raises(Exception) as raised:
                send_delivery.run(delivery.pk)
        finally:
            send_delivery.pop_request()
        delivery.refresh_from_db()
        assert delivery.attempts == retries + 1
        assert delivery.status == Delivery.Status.FAILED
        countdowns.append(raised.value.when)
        assert f"retry {retries + 1} of {MAX_RETRIES} in {raised.value.when} s" in (
            delivery.last_error
        )
    assert countdowns == [RETRY_BACKOFF, RETRY_BACKOFF * 2, RETRY_BACKOFF * 4]


def test_a_deactivated_account_receives_nothing(
    stale_member, mailbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        queue(Delivery.Kind.CONFIRM_ENTRY, f"person:{stale_member.person.pk}:x", [stale_member.pk])
        stale_member.is_active = False
        stale_member.save()

    assert mailbox.messages == []
    assert Delivery.objects.get().status == Delivery.Status.SKIPPED


def test_an_account_no_longer_a_member_receives_nothing(
    stale_member, mailbox, django_capture_on_commit_callbacks
):
    stale_member.groups.clear()
    fire_beat(django_capture_on_commit_callbacks)

    assert mailbox.messages == []
    assert Delivery.objects.get().status == Delivery.Status.SKIPPED


def test_switching_directory_reminders_off_is_respected_at_sending_time(
    stale_member, mailbox, django_capture_on_commit_callbacks
):
    Subscription.objects.create(user=stale_member, directory_reminders=False)
    fire_beat(django_capture_on_commit_callbacks)

    assert mailbox.messages == []


def test_the_message_is_written_in_the_recipients_language(
    stale_member, mailbox, django_capture_on_commit_callbacks
):
    stale_member.preferred_language = "fr"
    stale_member.save()
    fire_beat(django_capture_on_commit_callbacks)

    [message] = mailbox.messages
    assert '<html lang="fr">' in message.get_body(("html",)).get_content()


def test_the_subscription_language_wins_over_the_accounts(
    stale_member, mailbox, django_capture_on_commit_callbacks
):
    stale_member.preferred_language = "fr"
    stale_member.save()
    Subscription.objects.create(user=stale_member, language="en")
    fire_beat(django_capture_on_commit_callbacks)

    [message] = mailbox.messages
    assert '<html lang="en">' in message.get_body(("html",)).get_content()


def test_an_unknown_language_falls_back_to_the_sites(
    stale_member, mailbox, django_capture_on_commit_callbacks
):
    stale_member.preferred_language = "xx"
    stale_member.save()
    fire_beat(django_capture_on_commit_callbacks)

    [message] = mailbox.messages
    assert '<html lang="en">' in message.get_body(("html",)).get_content()


def test_free_port_helper_gives_a_closed_port():
    port = SMTPServer().port
    with socket.socket() as sock, pytest.raises(ConnectionRefusedError):
        sock.connect(("127.0.0.1", port))
