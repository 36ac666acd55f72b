"""Domain events that cause messages. Handlers only enqueue a task after the commit, by id."""

from django.dispatch import receiver

from wagtail.signals import page_published

from meetings.models import MeetingPage

from .tasks import notify_meeting_published


@receiver(page_published, sender=MeetingPage)
def meeting_published(sender, instance, **kwargs):
    notify_meeting_published.delay_on_commit(instance.pk)
