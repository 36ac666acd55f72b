"""
Exactly once, really: a real Celery worker sends through a real SMTP server in this process, and
that server cuts the worker's PostgreSQL connection (pg_terminate_backend) right after it has
accepted the message, before answering. The worker records "sent" on a new connection; where the
database stays away longer than its retries, the row is left claimed and the sweep reports it
(UNCONFIRMED) instead of sending it again. A slow sender whose claim was taken over never hands its
message over. PostgreSQL pass only (skipped visibly on the embedded default).
"""

import asyncio
import os
from datetime import timedelta
from email import message_from_bytes, policy

import psycopg
import pytest
from celery import Celery

from django.db import connection
from django.utils import timezone

from notifications.models import Delivery
from notifications.sending import CLAIM_TIMEOUT
from notifications.tasks import send_delivery, send_pending
from tests.notifications.conftest import Mailbox, SMTPServer, stale_person, use_smtp
from tests.portal.factories import UserFactory
from tests.workers import start_worker, stop_worker, wait_for
from tests.workers import test_database_url as worker_database_url

from .conftest import needs_postgresql

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def postgresql_only(db):
    needs_postgresql()


# The worker's database connections carry this name (libpq reads PGAPPNAME), so that the SMTP
# server cuts them and no other.
WORKER_APP_NAME = f"portal-delivery-worker-{os.getpid()}"
LATER = CLAIM_TIMEOUT + timedelta(hours=1)


def server_connection():
    """A connection of the SMTP server's own, to the maintenance database: it survives what it
    does to the test database."""
    url = worker_database_url().rpartition("/")[0] + "/postgres"
    return psycopg.connect(url, autocommit=True)


class CuttingMailbox(Mailbox):
    """Accepts each message, then terminates the worker's database connections before saying
    so; with `refuse_reconnection`, also stops the test database accepting new connections."""

    def __init__(self, database, refuse_reconnection=False):
        super().__init__()
        self.database = database
        self.refuse_reconnection = refuse_reconnection
        self.cut = 0

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        with server_connection() as admin:
            if self.refuse_reconnection:
                admin.execute(f'ALTER DATABASE "{self.database}" ALLOW_CONNECTIONS false')
            self.cut += len(
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = %s",
                    [WORKER_APP_NAME],
                ).fetchall()
            )
        return "250 Message accepted for delivery"


class HoldingMailbox(Mailbox):
    """Holds the first conversation at its recipient until `release` is set."""

    def __init__(self):
        super().__init__()
        self.release = asyncio.Event()
        self.conversations = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.conversations += 1
        if self.conversations == 1:
            self.held += 1
            await self.release.wait()
            self.held -= 1
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def probe(private_redis):
    app = Celery("probe", broker=private_redis.url, set_as_current=False)
    yield app
    app.close()


@pytest.fixture
def serve(settings):
    """Start an SMTP server with the given mailbox; this process sends through it too."""
    servers = []

    def start(mailbox):
        server = SMTPServer()
        server.mailbox = mailbox
        server.start()
        use_smtp(settings, server.port)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def worker(private_redis, probe):
    processes = []

    def start(smtp_port):
        process = start_worker(
            probe,
            "delivery",
            ["notifications"],
            {
                "CELERY_BROKER_URL": private_redis.url,
                "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": str(smtp_port),
                "EMAIL_USE_TLS": "false",
                "EMAIL_USE_SSL": "false",
                "PGAPPNAME": WORKER_APP_NAME,
            },
        )
        processes.append(process)
        return process

    yield start
    for process in processes:
        stop_worker(process)
    connection.close()


def log_of(process):
    process.log.seek(0)
    return process.log.read()


@pytest.fixture
def delivery(db):
    user = UserFactory(member=True)
    person = stale_person(user)
    return Delivery.objects.create(
        recipient=user, kind=Delivery.Kind.CONFIRM_ENTRY, event_key=f"person:{person.pk}:x"
    )


def sweep_later(delivery):
    """Run the sweep as beat would, long after the attempt (in this process, eagerly)."""
    past = timezone.now() - LATER
    Delivery.objects.filter(pk=delivery.pk).update(updated_at=past, claimed_at=past)
    send_pending.apply()


def test_a_database_disconnect_after_the_server_accepted_the_message_sends_it_once(
    serve, worker, probe, delivery
):
    mailbox = CuttingMailbox(connection.settings_dict["NAME"])
    smtp = serve(mailbox)
    process = worker(smtp.port)

    probe.send_task("notifications.tasks.send_delivery", args=[delivery.pk], queue="notifications")
    wait_for(
        lambda: Delivery.objects.get(pk=delivery.pk).status == Delivery.Status.SENT,
        60,
        f"the delivery was not recorded as sent:\n{log_of(process)}",
    )

    assert mailbox.cut >= 1, "the worker's connection was never cut: the test proves nothing"
    assert "reconnecting" in log_of(process)  # the write was retried on a new connection
    sweep_later(delivery)
    send_delivery.apply(args=[delivery.pk])
    assert [message["Message-ID"] for message in mailbox.messages] == [delivery.message_id]
    assert Delivery.objects.get(pk=delivery.pk).status == Delivery.Status.SENT


def test_a_database_gone_longer_than_the_retries_leaves_the_message_reported_not_resent(
    serve, worker, probe, delivery
):
    database = connection.settings_dict["NAME"]
    mailbox = CuttingMailbox(database, refuse_reconnection=True)
    smtp = serve(mailbox)
    process = worker(smtp.port)

    try:
        probe.send_task(
            "notifications.tasks.send_delivery", args=[delivery.pk], queue="notifications"
        )
        # The worker retries its write for about 8 s, then its task fails.
        wait_for(
            lambda: "raised unexpected" in log_of(process),
            90,
            f"the worker's task did not give up:\n{log_of(process)}",
        )
    finally:
        with server_connection() as admin:
            admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')

    assert mailbox.cut >= 1
    row = Delivery.objects.get(pk=delivery.pk)
    assert row.status == Delivery.Status.SENDING
    assert row.handed_over_at is not None
    sweep_later(delivery)
    send_delivery.apply(args=[delivery.pk])
    assert len(mailbox.messages) == 1
    row.refresh_from_db()
    assert row.status == Delivery.Status.UNCONFIRMED
    assert "may or may not have been accepted" in row.last_error


def test_a_slow_sender_whose_claim_was_taken_over_does_not_send_its_copy(
    serve, worker, probe, delivery
):
    mailbox = HoldingMailbox()
    smtp = serve(mailbox)
    process = worker(smtp.port)

    probe.send_task("notifications.tasks.send_delivery", args=[delivery.pk], queue="notifications")
    wait_for(lambda: mailbox.held, 60, f"the worker never reached the server:\n{log_of(process)}")
    first_claim = Delivery.objects.get(pk=delivery.pk)
    assert first_claim.status == Delivery.Status.SENDING
    assert first_claim.handed_over_at is None

    # Its claim looks abandoned: the sweep's task takes it over and sends (in this process).
    past = timezone.now() - LATER
    Delivery.objects.filter(pk=delivery.pk).update(claimed_at=past)
    send_pending.apply()
    assert Delivery.objects.get(pk=delivery.pk).status == Delivery.Status.SENT

    smtp.controller.loop.call_soon_threadsafe(mailbox.release.set)
    wait_for(
        lambda: "claim taken over" in log_of(process),
        60,
        f"the slow sender did not stop:\n{log_of(process)}",
    )
    row = Delivery.objects.get(pk=delivery.pk)
    assert row.status == Delivery.Status.SENT
    assert row.claim_token != first_claim.claim_token
    assert [message["Message-ID"] for message in mailbox.messages] == [delivery.message_id]
