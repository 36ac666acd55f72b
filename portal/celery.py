"""The Celery application: configuration comes from Django settings (CELERY_* names)."""

import os

from celery import Celery
from kombu import Exchange, Queue

# Production unless told otherwise: a server started without DJANGO_SETTINGS_MODULE must not run
# with DEBUG and a development key (production refuses to start without SECRET_KEY). Only
# manage.py, and `make worker`/`make beat`, default to the development settings.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.production")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Each queue has its own exchange and routing key: a task routed to one queue lands in that queue
# only (a bare Queue(name) would bind every queue to the default routing key).
app.conf.task_queues = [
    Queue(name, Exchange(name), routing_key=name)
    for name in ("default", "indexing", "extraction", "notifications")
]
app.conf.task_default_exchange = "default"
app.conf.task_default_routing_key = "default"
app.autodiscover_tasks()
