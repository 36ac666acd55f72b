"""Domain events that cause messages. Handlers only enqueue a task after the commit, by id."""

from django.dispatch import receiver

from wagtail.signals import page_published

from library.models import ResourcePage
from meetings.models import MeetingPage
from portal.bulk_publish import after_batch

from .tasks import (
    notify_meeting_published,
    notify_meetings_published,
    notify_resource_published,
    notify_resources_published,
)


@receiver(page_published, sender=MeetingPage)
def meeting_published(sender, instance, **kwargs):
    if not after_batch("notifications.meetings", notify_meetings_published.delay, instance.pk):
        notify_meeting_published.delay_on_commit(instance.pk)


@receiver(page_published, sender=ResourcePage)
def resource_published(sender, instance, revision=None, **kwargs):
    pair = (instance.pk, revision.pk if revision else None)
    # A bulk publish (an import) sends one task for the whole batch, not one per resource.
    if not after_batch("notifications.guidance", notify_resources_published.delay, pair):
        notify_resource_published.delay_on_commit(*pair)
