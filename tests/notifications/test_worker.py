"""
Exactly-once delivery through a real Celery worker with Redis, against the PostgreSQL test
database and a real SMTP server in this process: the worker is killed (SIGKILL) in the middle of
its send loop, restarted, and every message arrives exactly once. Runs in the PostgreSQL + Redis
pass; skipped (visibly) otherwise.
"""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import redis
from celery import Celery

from django.conf import settings
from django.db import connection

from notifications.models import Delivery
from portal.celery import app as portal_celery_app
from tests.portal.factories import UserFactory

from .conftest import SMTPServer, stale_person

ROOT = Path(__file__).resolve().parents[2]
RECIPIENTS = 12
pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def wait_for(condition, timeout, message):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(message)


@pytest.fixture
def redis_url():
    url = settings.TEST_REDIS_URL
    if not url:
        pytest.skip("REDIS_URL is not set: the real Celery worker runs in the PostgreSQL pass")
    if connection.vendor != "postgresql":
        pytest.skip("the worker needs a database it can share with the tests (PostgreSQL)")
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
    db = connection.settings_dict
    database_url = (
        f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.dev",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": redis_url,
        "DATABASE_CONN_MAX_AGE": "0",
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
        hostname = f"{name}-{os.getpid()}@localhost"
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo",
             "-Q", "notifications", "-n", hostname, "--without-mingle", "--without-gossip",
             "-l", "warning"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        processes.append(process)

        def answers_ping():
            if process.poll() is not None:
                raise AssertionError(f"the worker exited early:\n{process.stdout.read()}")
            return bool(probe.control.ping(destination=[hostname], timeout=0.5))

        wait_for(answers_ping, 120, "the Celery worker did not come up within 120 s")
        return process

    yield start
    for process in processes:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
    connection.close()


def test_killing_the_worker_mid_send_loop_then_restarting_delivers_each_message_exactly_once(
    start_worker, slow_smtp, redis_url
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

    wait_for(lambda: len(mailbox.messages) >= 3, 60, "the worker sent nothing within 60 s")
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
    time.sleep(1)  # anything sent twice would have arrived by now

    received = Counter(message["To"] for message in mailbox.messages)
    assert received == Counter({user.email: 1 for user in users})
    assert Delivery.objects.count() == RECIPIENTS
