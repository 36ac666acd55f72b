"""django-tasks tasks the real-worker tests enqueue through the Celery task backend (run by
portal.tasks.run_django_task, which imports them by path)."""

from django_tasks import task


@task()
def record_language(code, name):
    from portal.models import Language

    Language.objects.update_or_create(code=code, defaults={"name": name})


@task()
def finish_after_lock(code):
    """Wait for the row lock on Language `code` (a test holds it to keep the task running), then
    record which worker finished: "done by <worker hostname>"."""
    from celery import current_task

    from django.db import transaction

    from portal.models import Language

    with transaction.atomic():
        language = Language.objects.select_for_update().get(code=code)
        language.name = f"done by {current_task.request.hostname}"
        language.save(update_fields=["name"])
