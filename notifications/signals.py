"""Domain events that cause messages. Handlers only enqueue a task after the commit, by id."""

from django.dispatch import receiver

from wagtail.signals import page_published

from library.models import ResourcePage
from meetings.models import MeetingPage

from .tasks import notify_meeting_published, notify_resource_published


@receiver(page_published, sender=MeetingPage)
def meeting_published(sender, instance, **kwargs):
    notify_meeting_published.delay_on_commit(instance.pk)


@receiver(page_published, sender=ResourcePage)
def resource_published(sender, instance, revision=None, **kwargs):
    notify_resource_published.delay_on_commit(instance.pk, revision.pk if revision else None)
