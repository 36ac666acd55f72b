"""
A crashed worker costs minutes, not half an hour: its unacknowledged tasks go back to the queue
once the broker's visibility timeout has passed, and every task ends within that timeout. The
real test kills (SIGKILL) a worker in the middle of a task that waits on a row lock the test
holds, starts a second worker, and sees the task done by it within the (test-shortened)
visibility timeout. PostgreSQL + a private redis-server (skipped visibly on the embedded default).
"""

import signal

import psycopg
import pytest
from celery import Celery

from django.db import connection

from portal.celery import app as portal_celery_app
from portal.models import Language
from tests.workers import start_worker, stop_worker, wait_for
from tests.workers import test_database_url as worker_database_url

from .conftest import needs_postgresql

# Seconds; the production default is 300 (portal/settings/base.py).
VISIBILITY_TIMEOUT = 8


def transport_options():
    return portal_celery_app.conf.broker_transport_options


def test_a_crashed_workers_tasks_are_handed_out_again_within_six_minutes():
    options = transport_options()
    # Redis hands an unacknowledged task out again once it is this old...
    assert options["visibility_timeout"] <= 5 * 60
    # ...when a worker next looks: every interval * throttle seconds (kombu: 10 * 10).
    looks_every = options["unacked_restore_interval"] * options["unacked_restore_throttle"]
    assert options["visibility_timeout"] + looks_every <= 6 * 60


def test_every_task_ends_before_the_visibility_timeout():
    conf = portal_celery_app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    portal_celery_app.loader.import_default_modules()
    tasks = {name: task for name, task in portal_celery_app.tasks.items() if "celery." not in name}
    assert "library.tasks.extract_document_text" in tasks
    for name, task in tasks.items():
        hard = task.time_limit or conf.task_time_limit
        soft = task.soft_time_limit or conf.task_soft_time_limit
        assert hard is not None, f"{name} has no time limit"
        assert soft < hard < transport_options()["visibility_timeout"], name


@pytest.fixture
def probe(private_redis):
    app = Celery("probe", broker=private_redis.url, set_as_current=False)
    yield app
    app.close()


@pytest.fixture
def held_row(db):
    """A Language row whose lock another connection holds until `.rollback()`."""
    needs_postgresql()
    Language.objects.create(code="zz", name="waiting")
    holder = psycopg.connect(worker_database_url())
    holder.execute("SELECT 1 FROM portal_language WHERE code = 'zz' FOR UPDATE")
    yield holder
    holder.close()


def waiting_on(holder):
    """Whether some connection is blocked by `holder`'s lock."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))",
            [holder.info.backend_pid],
        )
        return cursor.fetchone()[0] > 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_task_held_by_a_killed_worker_is_done_by_another_within_the_visibility_timeout(
    held_row, private_redis, probe
):
    env = {
        "CELERY_BROKER_URL": private_redis.url,
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
    }
    workers = [start_worker(probe, "first", ["default"], env)]
    try:
        probe.send_task(
            "portal.tasks.run_django_task",
            args=["tests.portal.worker_tasks.finish_after_lock", ["zz"], {}],
            queue="default",
        )
        wait_for(lambda: waiting_on(held_row), 60, "the first worker never started the task")
        workers[0].send_signal(signal.SIGKILL)
        workers[0].wait(timeout=10)
        held_row.rollback()  # the task may finish now, wherever it runs

        workers.append(start_worker(probe, "second", ["default"], env))
        # Redis hands the task out again once it is VISIBILITY_TIMEOUT old; the second worker
        # looks every VISIBILITY_TIMEOUT / 10 (at least 1 s); the task takes no time.
        wait_for(
            lambda: Language.objects.get(code="zz").name.startswith("done by second-"),
            VISIBILITY_TIMEOUT + 10,
            "the killed worker's task was not done by the second worker in time",
        )
    finally:
        for process in workers:
            stop_worker(process)
        connection.close()
