"""
Sending through a real SMTP server in the test process: one message per recipient and event,
whatever is retried or fired twice; failures recorded and retried; nothing sent for a rolled-back
transaction or to someone who may no longer receive it; a claim left by a dead attempt taken over
only when the server cannot have the message, reported otherwise.
"""

import socket
import uuid
from datetime import timedelta
from email import message_from_bytes, policy

import pytest

from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from notifications.models import Delivery, Subscription
from notifications.sending import CLAIM_TIMEOUT, queue
from notifications.tasks import (
    MAX_RETRIES,
    RETRY_BACKOFF,
    RETRY_BACKOFF_MAX,
    send_delivery,
    send_directory_confirmations,
    send_pending,
)
from tests.portal.factories import UserFactory

from .conftest import Mailbox, SMTPServer, stale_person, use_smtp

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
    for retries in range(4):
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
    # Doubling, capped below the broker's visibility timeout (a countdown is held unacknowledged).
    assert countdowns == [RETRY_BACKOFF, RETRY_BACKOFF * 2, RETRY_BACKOFF_MAX, RETRY_BACKOFF_MAX]
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] > RETRY_BACKOFF_MAX


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


# ------------------------------------------------------------------ claims and outcomes


class RefusingMailbox(Mailbox):
    """Refuses the message itself (the reply to DATA) `refusals` times, then accepts."""

    def __init__(self, refusals):
        super().__init__()
        self.refusals = refusals

    async def handle_DATA(self, server, session, envelope):
        if self.refusals:
            self.refusals -= 1
            return "451 4.3.0 Try again later"
        return await super().handle_DATA(server, session, envelope)


class AnswerLostMailbox(Mailbox):
    """Keeps the message, then drops the connection instead of answering: the sender cannot know
    that it was accepted."""

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        server.transport.close()
        return "250 Message accepted for delivery"


@pytest.fixture
def serve(settings):
    """Start an SMTP server with the given mailbox and send through it."""
    servers = []

    def start(mailbox):
        server = SMTPServer()
        server.mailbox = mailbox
        server.start()
        use_smtp(settings, server.port)
        servers.append(server)
        return mailbox

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def delivery(stale_member):
    return Delivery.objects.create(
        recipient=stale_member,
        kind=Delivery.Kind.CONFIRM_ENTRY,
        event_key=f"person:{stale_member.person.pk}:x",
    )


def left_claimed(delivery, ago, handed_over, task_id="8d7c"):
    """The row as an attempt of task `task_id` that died `ago` left it."""
    claimed_at = timezone.now() - ago
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.SENDING,
        claim_token=uuid.uuid4(),
        claimed_by=f"task {task_id} on worker-1 pid 4242",
        claimed_at=claimed_at,
        handed_over_at=claimed_at if handed_over else None,
        attempts=1,
        updated_at=claimed_at,
    )


def test_a_refusal_of_the_message_is_retried_and_it_is_delivered_once(serve, delivery, monkeypatch):
    monkeypatch.setitem(send_delivery.app.conf, "task_eager_propagates", False)
    mailbox = serve(RefusingMailbox(refusals=1))

    send_delivery.apply(args=[delivery.pk])  # eager: the retry runs at once

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    assert delivery.attempts == 2
    assert "451" in delivery.last_error  # the refusal stays on record
    assert len(mailbox.messages) == 1


def test_a_refusal_is_recorded_as_failed_with_the_claim_given_up(serve, delivery):
    serve(RefusingMailbox(refusals=1))
    with pytest.raises(Exception, match="451"):
        send_delivery.run(delivery.pk)

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.handed_over_at is None
    assert delivery.claimed_by.startswith("task ")


def test_a_lost_answer_after_the_hand_over_is_unconfirmed_and_never_resent(
    serve, delivery, django_capture_on_commit_callbacks
):
    mailbox = serve(AnswerLostMailbox())

    result = send_delivery.apply(args=[delivery.pk])

    assert result.successful()  # not retried
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.UNCONFIRMED
    assert "SMTPServerDisconnected" in delivery.last_error
    assert delivery.handed_over_at is not None
    Delivery.objects.filter(pk=delivery.pk).update(
        updated_at=timezone.now() - timedelta(hours=2),
        claimed_at=timezone.now() - timedelta(hours=2),
    )
    with django_capture_on_commit_callbacks(execute=True):
        send_pending.apply()
    send_delivery.apply(args=[delivery.pk])
    assert len(mailbox.messages) == 1
    assert Delivery.objects.get(pk=delivery.pk).status == Delivery.Status.UNCONFIRMED


def test_a_message_another_attempt_is_sending_is_left_to_it(mailbox, delivery):
    left_claimed(delivery, ago=timedelta(seconds=30), handed_over=False)

    send_delivery.apply(args=[delivery.pk])

    assert mailbox.messages == []
    assert Delivery.objects.get(pk=delivery.pk).status == Delivery.Status.SENDING


def test_a_redelivered_task_takes_its_own_claim_over_at_once_when_not_handed_over(
    mailbox, delivery
):
    left_claimed(delivery, ago=timedelta(seconds=30), handed_over=False, task_id="redelivered")

    send_delivery.apply(args=[delivery.pk], task_id="redelivered")

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    assert delivery.attempts == 2
    assert len(mailbox.messages) == 1


def test_a_redelivered_task_never_resends_a_message_it_had_handed_over(mailbox, delivery):
    left_claimed(delivery, ago=timedelta(seconds=30), handed_over=True, task_id="redelivered")

    send_delivery.apply(args=[delivery.pk], task_id="redelivered")

    assert mailbox.messages == []
    assert Delivery.objects.get(pk=delivery.pk).status == Delivery.Status.SENDING


def test_the_sweep_sends_a_claim_abandoned_before_the_hand_over_once(
    mailbox, delivery, django_capture_on_commit_callbacks
):
    left_claimed(delivery, ago=CLAIM_TIMEOUT + timedelta(minutes=1), handed_over=False)

    with django_capture_on_commit_callbacks(execute=True):
        send_pending.apply()
        send_pending.apply()

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    assert len(mailbox.messages) == 1
    assert mailbox.messages[0]["Message-ID"] == delivery.message_id


def test_the_sweep_reports_a_claim_abandoned_after_the_hand_over_and_sends_nothing(
    mailbox, delivery, django_capture_on_commit_callbacks, caplog
):
    left_claimed(delivery, ago=CLAIM_TIMEOUT + timedelta(minutes=1), handed_over=True)

    with django_capture_on_commit_callbacks(execute=True):
        send_pending.apply()
        send_pending.apply()

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.UNCONFIRMED
    assert "may or may not have been accepted" in delivery.last_error
    assert "check them in Messages sent" in caplog.text
    assert mailbox.messages == []


def test_the_sweep_leaves_a_recent_claim_alone(
    mailbox, delivery, django_capture_on_commit_callbacks
):
    left_claimed(delivery, ago=CLAIM_TIMEOUT - timedelta(minutes=1), handed_over=True)

    with django_capture_on_commit_callbacks(execute=True):
        send_pending.apply()

    assert Delivery.objects.get(pk=delivery.pk).status == Delivery.Status.SENDING
    assert mailbox.messages == []


def test_an_unconfirmed_delivery_is_settled_as_sent_by_hand(mailbox, delivery):
    Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.UNCONFIRMED)

    call_command("resolve_deliveries", "--sent", str(delivery.pk))

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    assert delivery.sent_at is not None
    assert mailbox.messages == []


def test_an_unconfirmed_delivery_is_resent_by_hand_once(
    mailbox, delivery, django_capture_on_commit_callbacks
):
    left_claimed(delivery, ago=timedelta(hours=1), handed_over=True)
    Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.UNCONFIRMED)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("resolve_deliveries", "--resend", str(delivery.pk))

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    assert [message["Message-ID"] for message in mailbox.messages] == [delivery.message_id]


def test_only_unconfirmed_deliveries_are_settled_by_hand(mailbox, delivery):
    with pytest.raises(CommandError, match=f"Not unconfirmed.*{delivery.pk}"):
        call_command("resolve_deliveries", "--resend", str(delivery.pk))

    assert Delivery.objects.get(pk=delivery.pk).status == Delivery.Status.QUEUED
    assert mailbox.messages == []
