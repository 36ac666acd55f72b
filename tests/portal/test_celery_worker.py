"""
The real round trip: a task goes through Redis to a separate Celery worker process, which runs it
against the same PostgreSQL test database. Runs in the PostgreSQL + Redis pass; skipped (visibly)
on the embedded default, which has no broker and an in-memory test database.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery import Celery

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection

from portal.celery import app as portal_celery_app
from portal.models import Language
from portal.tasks_backend import CeleryTaskBackend
from tests.portal.factories import UserFactory
from tests.portal.worker_tasks import record_language

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def wait_for(condition, timeout, message):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(message)


@pytest.fixture
def redis_url():
    url = settings.TEST_REDIS_URL
    if not url:
        pytest.skip("REDIS_URL is not set: the real Celery worker runs in the PostgreSQL pass")
    if connection.vendor != "postgresql":
        pytest.skip("the worker needs a database it can share with the tests (PostgreSQL)")
    return url


@pytest.fixture
def probe(redis_url):
    app = Celery("probe", broker=redis_url, backend=redis_url)
    app.conf.update(task_serializer="json", accept_content=["json"], result_serializer="json")
    app.control.purge()
    yield app
    app.close()


@pytest.fixture
def worker(redis_url, probe):
    db = connection.settings_dict
    database_url = (
        f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}"
    )
    name = f"test-{os.getpid()}@localhost"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.dev",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": redis_url,
        "CELERY_RESULT_BACKEND": redis_url,
        "DATABASE_CONN_MAX_AGE": "0",
    }
    process = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool=solo",
            "-Q",
            "default,indexing,extraction,notifications",
            "-n",
            name,
            "--without-mingle",
            "--without-gossip",
            "-l",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )

    def answers_ping():
        if process.poll() is not None:
            raise AssertionError(f"the worker exited early:\n{process.stdout.read()}")
        return bool(probe.control.ping(destination=[name], timeout=0.5))

    try:
        wait_for(answers_ping, 60, "the Celery worker did not come up within 60 s")
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        connection.close()


def test_task_sent_through_redis_completes_on_a_real_worker(worker, probe):
    UserFactory.create_batch(3)
    expected = get_user_model().objects.filter(is_active=True).count()
    assert expected >= 3
    result = probe.send_task("portal.tasks.count_active_users", queue="default")
    assert result.get(timeout=60) == expected


def test_wagtail_background_tasks_run_on_the_celery_worker(worker, redis_url, monkeypatch):
    # Send through the portal's own Celery app, as production does, instead of running inline.
    monkeypatch.setitem(portal_celery_app.conf, "task_always_eager", False)
    monkeypatch.setitem(portal_celery_app.conf, "broker_url", redis_url)
    backend = CeleryTaskBackend("default", {})
    backend.enqueue(record_language, ["zz", "Worker test language"], {})
    wait_for(
        lambda: Language.objects.filter(code="zz").exists(),
        60,
        "the django-tasks task did not run on the worker within 60 s",
    )
