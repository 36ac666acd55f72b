"""A django-tasks task the real-worker test enqueues through the Celery task backend."""

from django_tasks import task


@task()
def record_language(code, name):
    from portal.models import Language

    Language.objects.update_or_create(code=code, defaults={"name": name})
