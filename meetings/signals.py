"""Signal handlers: keep the search index in step with published meetings, and move open action
points along with a mandate handover."""

from django.db import transaction
from django.db.models.signals import pre_delete
from django.dispatch import receiver

from wagtail.signals import page_published, page_unpublished, post_page_move

from meetings.models import ActionPoint, MeetingPage
from meetings.search_records import SOURCE_NAME
from network.signals import mandate_handed_over
from search.indexing import enqueue_index, enqueue_removal


@receiver(page_published, sender=MeetingPage)
@receiver(post_page_move, sender=MeetingPage)
def index_meeting(sender, instance, **kwargs):
    enqueue_index(SOURCE_NAME, instance.pk)


@receiver(page_unpublished, sender=MeetingPage)
@receiver(pre_delete, sender=MeetingPage)
def remove_meeting(sender, instance, **kwargs):
    enqueue_removal(SOURCE_NAME, instance.pk)


@receiver(mandate_handed_over)
def hand_over_action_points(sender, mandate, successor_mandate, predecessor, successor, **kwargs):
    """The successor answers for what the predecessor still had open. Country-owned action points
    need no move: they follow whoever holds the country's mandate."""
    with transaction.atomic():
        actions = ActionPoint.objects.select_for_update().filter(
            owner_person=predecessor, status__in=ActionPoint.OPEN_STATUSES
        )
        meeting_ids = set()
        for action in actions:
            action.apply_update(owner_person=successor)
            meeting_ids.add(action.meeting_id)
    for meeting_id in sorted(meeting_ids):
        enqueue_index(SOURCE_NAME, meeting_id)
