"""
The real round trip: a task goes through Redis to a separate Celery worker process, which runs it
against the same PostgreSQL test database. Runs in the PostgreSQL + Redis pass; skipped (visibly)
on the embedded default, which has no broker and an in-memory test database.
"""

import pytest
from celery import Celery

from django.contrib.auth import get_user_model
from django.db import connection

from portal.celery import app as portal_celery_app
from portal.models import Language
from portal.tasks_backend import CeleryTaskBackend
from tests.portal.factories import UserFactory
from tests.portal.worker_tasks import record_language
from tests.workers import start_worker, stop_worker, wait_for, worker_redis_url

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def redis_url():
    return worker_redis_url()


@pytest.fixture
def probe(redis_url):
    # Not the current app: the portal's tasks must keep resolving to the portal's app.
    app = Celery("probe", broker=redis_url, backend=redis_url, set_as_current=False)
    app.conf.update(task_serializer="json", accept_content=["json"], result_serializer="json")
    app.control.purge()
    yield app
    app.close()


@pytest.fixture
def worker(redis_url, probe):
    process = start_worker(
        probe,
        "test",
        ["default", "indexing", "extraction", "notifications"],
        {"CELERY_BROKER_URL": redis_url, "CELERY_RESULT_BACKEND": redis_url},
    )
    yield process
    stop_worker(process)
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
    # Inline tasks of earlier tests pooled connections to the broker configured then.
    monkeypatch.setattr(portal_celery_app, "_pool", None)
    monkeypatch.setattr(portal_celery_app.amqp, "_producer_pool", None)
    backend = CeleryTaskBackend("default", {})
    backend.enqueue(record_language, ["zz", "Worker test language"], {})
    wait_for(
        lambda: Language.objects.filter(code="zz").exists(),
        60,
        "the django-tasks task did not run on the worker within 60 s",
    )
