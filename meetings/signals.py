"""Signal handlers: keep the search index in step with published meetings, and move open action
points along with a mandate handover."""

from django.db import transaction
from django.db.models.signals import pre_delete
from django.dispatch import receiver
from django.utils.translation import gettext as _

from wagtail.signals import page_published, page_unpublished, post_page_move

from meetings.models import MeetingPage
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
def hand_over_action_points(
    sender, mandate, successor_mandate, predecessor, successor, by=None, **kwargs
):
    """The successor answers for what the predecessor still had open in the role handed over
    (see `meetings.followup.action_points_of_role`), each move a dated update in the action
    point's history; then the successor is told what they inherited. Country-owned action
    points need no move: they follow whoever holds the country's mandate."""
    from meetings.followup import action_points_of_role, record_update

    with transaction.atomic():
        actions = action_points_of_role(mandate, predecessor).select_for_update(of=("self",))
        meeting_ids = set()
        moved = []
        for action in actions:
            record_update(
                action,
                by,
                status=action.status,
                due_date=action.due_date,
                note=_("Handed over from %(predecessor)s to %(successor)s.")
                % {"predecessor": predecessor.full_name, "successor": successor.full_name},
                owner_person=successor,
                owner_mandate=successor_mandate,
            )
            meeting_ids.add(action.meeting_id)
            moved.append(action.pk)
        if moved and successor.user_id:
            from notifications.kinds.meetings import handover_key
            from notifications.models import Delivery
            from notifications.sending import queue

            queue(
                Delivery.Kind.ACTION_HANDOVER,
                handover_key(successor_mandate),
                [successor.user_id],
            )
    for meeting_id in sorted(meeting_ids):
        enqueue_index(SOURCE_NAME, meeting_id)
