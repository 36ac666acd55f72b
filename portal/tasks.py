import logging

from celery import shared_task

from django.contrib.auth import get_user_model
from django.core.management import call_command

# Imported here so that every worker deletes the outbox rows of the tasks it completes.
from portal import outbox

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def clear_expired_sessions():
    """Beat housekeeping: drop expired sessions from the database."""
    call_command("clearsessions")


@shared_task
def count_active_users():
    """A tiny round trip through the worker and the database, used by the worker test and ops."""
    return get_user_model().objects.filter(is_active=True).count()


@shared_task(acks_late=True)
def run_django_task(module_path, args, kwargs):
    """
    Run one of Wagtail's django-tasks on a Celery worker (see portal.tasks_backend). Arguments are
    already JSON-normalised by django-tasks.
    """
    from django.utils.module_loading import import_string

    task = import_string(module_path)
    return task.call(*args, **kwargs)


@shared_task(ignore_result=True)
def sweep_outbox():
    """Beat, every minute: dispatch again the recorded tasks not done within their grace period
    (a message the broker lost, a dispatch it refused, a task that failed); see portal.outbox."""
    result = outbox.sweep()
    if result.dispatched or result.error:
        logger.warning(
            "Outbox: dispatched again %d tasks not done in time%s",
            result.dispatched, f"; stopped: {result.error}" if result.error else "",
        )  # fmt: skip
