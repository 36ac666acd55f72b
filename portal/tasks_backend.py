"""
A django-tasks backend that hands Wagtail's background tasks to the Celery workers, so that the
portal has one worker system. Results are not tracked: Wagtail enqueues fire-and-forget work
(reference index updates, search index updates), recorded in the outbox (portal.outbox) in the
enqueuing transaction and dispatched after the commit, so a lost message is dispatched again.
"""

from django_tasks.backends.base import BaseTaskBackend
from django_tasks.base import TaskResult, TaskResultStatus
from django_tasks.utils import get_random_id, normalize_json

from django.utils import timezone

from portal import outbox


class CeleryTaskBackend(BaseTaskBackend):
    supports_defer = False
    supports_async_task = False
    supports_get_result = False

    def enqueue(self, task, args, kwargs):
        from portal.tasks import run_django_task

        self.validate_task(task)
        args, kwargs = normalize_json(args), normalize_json(kwargs)
        outbox.enqueue(
            run_django_task, task.module_path, args, kwargs, queue=task.queue_name or "default"
        )
        return TaskResult(
            task=task,
            id=get_random_id(),
            status=TaskResultStatus.READY,
            enqueued_at=timezone.now(),
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=args,
            kwargs=kwargs,
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
