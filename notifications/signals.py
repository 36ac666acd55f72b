"""Domain events that cause messages. Handlers record the fan-out task in the changing
transaction and enqueue it after the commit, by id (portal.outbox: a lost message is dispatched
again by the sweep; the fan-outs claim unique Delivery rows, so running twice sends nothing twice).
"""

from django.dispatch import receiver

from wagtail.signals import page_published

from library.models import ResourcePage
from meetings.models import MeetingPage
from portal import outbox
from portal.bulk_publish import after_batch

from .tasks import (
    notify_meeting_published,
    notify_meetings_published,
    notify_resource_published,
    notify_resources_published,
)
from .visibility import record_visibility


@receiver(page_published, sender=MeetingPage)
def meeting_published(sender, instance, **kwargs):
    intent = outbox.record(notify_meeting_published, instance.pk)
    if not after_batch("notifications.meetings", _dispatch_meetings, intent):
        outbox.dispatch_on_commit(intent)


@receiver(page_published, sender=ResourcePage)
def resource_published(sender, instance, revision=None, **kwargs):
    revision_id = revision.pk if revision else None
    intent = outbox.record(notify_resource_published, instance.pk, revision_id)
    # A bulk publish (an import) sends one task for the whole batch, not one per resource; the
    # sweep, if it comes to that, sends each resource's own.
    if not after_batch("notifications.guidance", _dispatch_resources, intent):
        outbox.dispatch_on_commit(intent)


@receiver(page_published)
def page_became_visible(sender, instance, **kwargs):
    """ "New to you" starts here: the tiers this publish makes the page visible to (see
    notifications.visibility), in the publishing transaction."""
    record_visibility(instance)


def _dispatch_meetings(intents):
    outbox.dispatch_as(notify_meetings_published, [[i.args[0] for i in intents]], intents)


def _dispatch_resources(intents):
    outbox.dispatch_as(notify_resources_published, [[i.args for i in intents]], intents)
