"""
A freshness campaign on real Celery workers with Redis, against the PostgreSQL test database and a
real SMTP server in this process: the campaign's sending task delivered twice at once to two
workers (a sweep re-dispatching it while the first runs) still sends each person, with or
without an account, exactly one request, and the reminder exactly one more to those who have not
answered. Runs in the PostgreSQL + Redis pass; skipped (visibly) otherwise.
"""

import uuid
from collections import Counter
from datetime import timedelta

import pytest
import redis
from celery import Celery

from django.db import connection
from django.utils import timezone

from notifications import freshness
from notifications.campaigns import CampaignRecipient, FreshnessCampaign
from notifications.models import Delivery
from portal.celery import app as portal_celery_app
from tests.network.factories import PersonFactory
from tests.portal.factories import UserFactory
from tests.workers import start_worker, stop_worker, wait_for, worker_redis_url

from .conftest import SMTPServer

PEOPLE = 8
pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def workers_and_smtp():
    """Two workers on the notifications queue sending to a real SMTP server here, and an app
    that sends them tasks through Redis with the portal's routes (as the outbox does)."""
    redis_url = worker_redis_url()
    broker = redis.Redis.from_url(redis_url)
    broker.delete("notifications", "unacked", "unacked_index")
    smtp = SMTPServer(rcpt_delay=0.05)
    smtp.start()
    sender = Celery("sender", set_as_current=False)
    sender.config_from_object("django.conf:settings", namespace="CELERY")
    sender.conf.update(broker_url=redis_url, task_always_eager=False)
    sender.conf.task_queues = portal_celery_app.conf.task_queues
    env = {
        "CELERY_BROKER_URL": redis_url,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp.port),
        "EMAIL_USE_TLS": "false",
        "EMAIL_USE_SSL": "false",
    }
    workers = [
        start_worker(sender, f"campaign-{name}", ["notifications"], env) for name in ("one", "two")
    ]
    yield sender, smtp.mailbox
    for worker in workers:
        stop_worker(worker)
    smtp.stop()
    sender.close()
    broker.close()
    connection.close()


def test_on_real_workers_a_campaign_dispatched_twice_asks_and_reminds_each_person_once(
    workers_and_smtp,
):
    sender, mailbox = workers_and_smtp
    long_ago = timezone.now() - timedelta(days=800)
    people = [PersonFactory(last_confirmed=long_ago) for _ in range(PEOPLE - 1)]
    people.append(
        PersonFactory(last_confirmed=long_ago, email=False, user=UserFactory(member=True))
    )
    addresses = {person.pk: freshness.address_of(person) for person in people}
    # The campaign as start_campaign records it; its task is sent here through Redis instead.
    campaign = FreshnessCampaign.objects.create(unconfirmed_months=0, start_key=uuid.uuid4())
    CampaignRecipient.objects.bulk_create(
        [CampaignRecipient(campaign=campaign, person=person) for person in people]
    )

    for _ in range(2):
        sender.send_task("notifications.tasks.send_freshness_campaign", [campaign.pk])
    wait_for(
        lambda: (
            Delivery.objects.filter(
                kind=Delivery.Kind.FRESHNESS, status=Delivery.Status.SENT
            ).count()
            == PEOPLE
        ),
        90,
        "the workers did not send every request within 90 s",
    )

    answered = campaign.recipients.get(person=people[0])
    freshness.confirm(answered)
    # The reminder as request_reminder records it; its task is sent here through Redis.
    FreshnessCampaign.objects.filter(pk=campaign.pk).update(reminded_at=timezone.now())
    for _ in range(2):
        sender.send_task("notifications.tasks.send_freshness_reminders", [campaign.pk])
    wait_for(
        lambda: (
            Delivery.objects.filter(
                kind=Delivery.Kind.FRESHNESS_REMINDER, status=Delivery.Status.SENT
            ).count()
            == PEOPLE - 1
        ),
        90,
        "the workers did not send every reminder within 90 s",
    )
    # Nothing left that could send again.
    client = redis.Redis.from_url(worker_redis_url())
    wait_for(
        lambda: client.llen("notifications") == 0 and client.zcard("unacked_index") == 0,
        60,
        "the queue did not empty",
    )
    client.close()

    received = Counter((message["To"], message["Subject"]) for message in mailbox.messages)
    request = "Is your directory entry still correct?"
    reminder = "Reminder: is your directory entry still correct?"
    expected = Counter({(address, request): 1 for address in addresses.values()})
    expected.update(
        {(address, reminder): 1 for pk, address in addresses.items() if pk != people[0].pk}
    )
    assert received == expected
    assert Delivery.objects.count() == 2 * PEOPLE - 1
    assert all(
        recipient.message_id and (recipient.reminder_id or recipient.pk == answered.pk)
        for recipient in campaign.recipients.all()
    )
