import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PendingTask(models.Model):
    """
    A task that must run because of a change, recorded in the changing transaction (the outbox:
    see portal/outbox.py). Dispatched to the broker after the commit, and again by the sweep
    while it is still here; deleted when the task has succeeded.

    One row per task and arguments (`key`): recording the same work again renews `token` and
    `due_at` instead of adding a row. A task run carries the token it was dispatched with and
    deletes the row only if nobody recorded the work again meanwhile (a run that read the data
    before a newer change must not clear the newer change's intent).
    """

    key = models.CharField(max_length=64, unique=True, help_text=_("Hash of task and arguments."))
    task = models.CharField(max_length=200, help_text=_("The Celery task's name."))
    args = models.JSONField(default=list, help_text=_("Its positional arguments (ids)."))
    queue = models.CharField(max_length=64, blank=True, help_text=_("Blank: the task's route."))
    token = models.UUIDField(default=uuid.uuid4, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(help_text=_("When the sweep dispatches it (again)."))
    attempts = models.PositiveIntegerField(default=0, help_text=_("Dispatches by the sweep."))
    last_error = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [models.Index(fields=["due_at"], name="portal_pending_task_due")]

    def __str__(self):
        return f"{self.task}{tuple(self.args)}"
