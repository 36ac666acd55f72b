"""
Exactly-once delivery through a real Celery worker with Redis, against the PostgreSQL test
database and a real SMTP server in this process: the worker is killed (SIGKILL) in the middle of
its send loop, restarted, and every message arrives exactly once. Runs in the PostgreSQL + Redis
pass; skipped (visibly) otherwise.
"""

import signal
from collections import Counter

import pytest
import redis
from celery import Celery

from django.conf import settings
from django.db import connection

from notifications.models import Delivery
from portal.celery import app as portal_celery_app
from tests.portal.factories import UserFactory
from tests.workers import start_worker as start_celery_worker
from tests.workers import stop_worker, wait_for, worker_redis_url

from .conftest import SMTPServer, stale_person

RECIPIENTS = 12
pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def redis_url():
    url = worker_redis_url()
    # Start from an empty notifications queue: no leftovers of an earlier run.
    client = redis.Redis.from_url(url)
    client.delete("notifications", "celery", "unacked", "unacked_index")
    client.close()
    return url


@pytest.fixture
def probe(redis_url):
    # Not the current app: the portal's tasks must keep sending through the portal's app.
    app = Celery("probe", broker=redis_url, set_as_current=False)
    yield app
    app.close()


@pytest.fixture
def slow_smtp():
    # Each conversation waits before accepting the recipient, so a kill lands mid-send.
    server = SMTPServer(rcpt_delay=0.25)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def start_worker(redis_url, probe, slow_smtp):
    env = {
        "CELERY_BROKER_URL": redis_url,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(slow_smtp.port),
        "EMAIL_USE_TLS": "false",
        "EMAIL_USE_SSL": "false",
        # Redis hands an unacknowledged task to another worker after twice the time limit:
        # keep it short so that the killed worker's task comes back within the test.
        "CELERY_TASK_TIME_LIMIT": "5",
        "CELERY_TASK_SOFT_TIME_LIMIT": "4",
    }
    processes = []

    def start(name):
        process = start_celery_worker(probe, name, ["notifications"], env)
        processes.append(process)
        return process

    yield start
    for process in processes:
        stop_worker(process)
    connection.close()


def test_killing_the_worker_mid_send_loop_then_restarting_delivers_each_message_exactly_once(
    start_worker, slow_smtp, redis_url, probe
):
    users = [UserFactory(member=True) for _ in range(RECIPIENTS)]
    for user in users:
        stale_person(user)
    mailbox = slow_smtp.mailbox
    first = start_worker("first")

    # Through Redis, as beat sends it: an app with the portal's Celery settings (routes, queues).
    beat = Celery("beat", set_as_current=False)
    beat.config_from_object("django.conf:settings", namespace="CELERY")
    beat.conf.update(broker_url=redis_url, task_always_eager=False)
    beat.conf.task_queues = portal_celery_app.conf.task_queues
    beat.send_task(settings.CELERY_BEAT_SCHEDULE["notifications-directory-confirmations"]["task"])
    beat.close()

    # Kill while a conversation is held before its recipient is accepted: mid-loop, and never in
    # the instant between the server accepting a message and the worker recording it as sent.
    wait_for(
        lambda: len(mailbox.messages) >= 3 and mailbox.held,
        60,
        "the worker sent nothing within 60 s",
        interval=0.02,
    )
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    delivered_before_kill = len(mailbox.messages)
    assert delivered_before_kill < RECIPIENTS, "the loop ended before the kill: test proves nothing"

    start_worker("second")
    wait_for(
        lambda: Delivery.objects.filter(status=Delivery.Status.SENT).count() == RECIPIENTS,
        120,
        "not every message was sent after the restart",
    )
    # Nothing left that could send again: the queue and Redis's unacknowledged set are empty and
    # the worker runs no task.
    client = redis.Redis.from_url(redis_url)
    wait_for(
        lambda: (
            client.llen("notifications") == 0
            and client.zcard("unacked_index") == 0
            and not any((probe.control.inspect(timeout=0.5).active() or {}).values())
        ),
        60,
        "the worker did not become idle",
    )
    client.close()

    received = Counter(message["To"] for message in mailbox.messages)
    assert received == Counter({user.email: 1 for user in users})
    assert Delivery.objects.count() == RECIPIENTS
