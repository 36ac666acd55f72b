"""
Scheduled and event-driven work. Every task takes ids (JSON), tolerates rows that have gone, and is
idempotent: fan-out tasks only claim Delivery rows (unique per recipient and event), and
send_delivery sends a row at most once.
"""

import logging
from datetime import timedelta

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import Delivery, Frequency, SavedSearch, Subscription
from .sending import CLAIM_TIMEOUT, SEND_ERRORS, deliver, queue, queue_pairs

logger = logging.getLogger(__name__)

# Back-off: 1, 2, 3, 3 ... minutes; 8 retries span about 20 minutes. A retry waiting for its
# countdown is held unacknowledged by a worker, and Redis hands it to another worker once the
# visibility timeout (5 minutes, portal/settings/base.py) has passed: the countdown stays well
# below it. After the retries the row stays FAILED and send_pending tries it every quarter of an
# hour for a day.
RETRY_BACKOFF = 60
RETRY_BACKOFF_MAX = 3 * 60
MAX_RETRIES = 8
SWEEP_AFTER = timedelta(minutes=15)
SWEEP_GIVE_UP_AFTER = timedelta(days=1)


@shared_task(
    bind=True,
    acks_late=True,
    ignore_result=True,
    max_retries=MAX_RETRIES,
)
def send_delivery(self, delivery_id):
    """Send one claimed message. SMTP and network errors before the server may have accepted it
    are recorded on the row (by deliver) and retried with exponential back-off."""
    try:
        status = deliver(delivery_id, task_id=self.request.id)
    except SEND_ERRORS as exc:
        retries = self.request.retries
        if retries >= MAX_RETRIES:
            note = "retries exhausted; the send_pending sweep tries again later"
            countdown = None
        else:
            countdown = get_exponential_backoff_interval(
                factor=RETRY_BACKOFF, retries=retries, maximum=RETRY_BACKOFF_MAX
            )
            note = f"retry {retries + 1} of {MAX_RETRIES} in {countdown} s"
        Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.FAILED).update(
            last_error=f"{type(exc).__name__}: {exc} ({note})"[:2000]
        )
        raise self.retry(exc=exc, countdown=countdown) from exc
    if status == Delivery.Status.UNCONFIRMED:
        logger.warning(
            "Delivery %s was handed to the mail server and its outcome is unknown: not resent; "
            "check it in Messages sent",
            delivery_id,
        )


@shared_task(ignore_result=True)
def send_pending():
    """
    The safety net, every 10 minutes (beat): re-enqueue deliveries still queued or failed a while
    after they were claimed (a lost broker message, retries exhausted while SMTP was down), and
    claims abandoned before their message went to the server (a worker died mid-conversation):
    deliver() sends each once. A claim abandoned after its message went to the server is never
    resent: it becomes UNCONFIRMED, for the secretariat to check (see Delivery).
    """
    now = timezone.now()
    abandoned = Q(status=Delivery.Status.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT)
    pending = Delivery.objects.filter(
        (
            Q(status__in=[Delivery.Status.QUEUED, Delivery.Status.FAILED])
            & Q(updated_at__lt=now - SWEEP_AFTER)
        )
        | (abandoned & Q(handed_over_at=None)),
        created_at__gte=now - SWEEP_GIVE_UP_AFTER,
    ).values_list("pk", flat=True)
    for pk in pending:
        send_delivery.delay(pk)
    unconfirmed = Delivery.objects.filter(abandoned, handed_over_at__isnull=False).update(
        status=Delivery.Status.UNCONFIRMED,
        last_error=(
            "The message went to the mail server, then the sender stopped before recording "
            "the server's answer: it may or may not have been accepted."
        ),
        updated_at=now,
    )
    if unconfirmed:
        logger.warning(
            "%d messages were handed to the mail server without a recorded outcome: not resent; "
            "check them in Messages sent (status Unconfirmed)",
            unconfirmed,
        )


@shared_task(ignore_result=True)
def send_directory_confirmations():
    """Ask people whose directory entry was not confirmed for 12 months to confirm it."""
    from .kinds.directory import event_key, stale_people

    pairs = [(person.user_id, event_key(person)) for person in stale_people()]
    queue_pairs(Delivery.Kind.CONFIRM_ENTRY, pairs)


@shared_task(ignore_result=True)
def send_weekly_digests():
    """Claim this week's digest for everyone who asked for one."""
    from .kinds.digest import week_key

    recipients = set(
        Subscription.objects.filter(frequency=Frequency.WEEKLY, user__is_active=True).values_list(
            "user_id", flat=True
        )
    ) | set(
        SavedSearch.objects.filter(frequency=Frequency.WEEKLY, user__is_active=True).values_list(
            "user_id", flat=True
        )
    )
    queue(Delivery.Kind.DIGEST, week_key(timezone.localdate()), recipients)


# ------------------------------------------------------------------ meetings and action points


@shared_task(ignore_result=True)
def notify_meeting_published(meeting_id):
    """A meeting was published: invite those invited if it is ahead, announce its latest change
    of date, time or place (or its cancellation) to those registered and invited, and announce
    minutes approved recently. Re-publishing claims the same rows, so nobody hears twice."""
    from meetings.models import MeetingPage

    from .kinds import meetings

    meeting = MeetingPage.objects.live().select_related("series").filter(pk=meeting_id).first()
    if meeting is None:
        return
    if not meeting.cancelled and meeting.start_date >= timezone.localdate():
        # Those added to the list since an earlier publish are invited now; nobody twice.
        queue(
            Delivery.Kind.MEETING_INVITATION,
            meetings.invitation_key(meeting),
            meetings.invitation_recipients(meeting),
        )
    if meeting.announced_sequence and not meeting.is_past:
        queue(
            Delivery.Kind.MEETING_CHANGE,
            meetings.change_key(meeting),
            meetings.change_recipients(meeting),
        )
    if (
        meeting.minutes_status == MeetingPage.MinutesStatus.APPROVED
        and meeting.minutes_approved_on
        and meeting.minutes_approved_on >= timezone.localdate() - meetings.MINUTES_NEWS_DAYS
    ):
        queue(
            Delivery.Kind.MEETING_MINUTES,
            meetings.minutes_key(meeting),
            meetings.meeting_subscribers(),
        )


@shared_task(ignore_result=True)
def send_meeting_reminders():
    """Remind those expected at meetings starting in the next days."""
    from .kinds import meetings

    for meeting in meetings.meetings_due_a_reminder():
        queue(
            Delivery.Kind.MEETING_REMINDER,
            meetings.reminder_key(meeting),
            meetings.reminder_recipients(meeting),
        )


@shared_task(ignore_result=True)
def send_action_point_reminders():
    """Tell owners about action points due in a week, and once about each overdue one."""
    from .kinds import meetings

    due_soon, overdue = meetings.actions_due()
    for kind, actions in (
        (Delivery.Kind.ACTION_DUE, due_soon),
        (Delivery.Kind.ACTION_OVERDUE, overdue),
    ):
        pairs = [
            (user_id, meetings.action_key(action, kind))
            for action in actions
            for user_id in meetings.action_owner_user_ids(action)
        ]
        queue_pairs(kind, pairs)


# ------------------------------------------------------------------ saved searches


@shared_task(ignore_result=True)
def send_saved_search_alerts():
    """
    Once a day per saved search with immediate alerts: claim an alert covering what became new
    to the member since the previous check (see kinds.searches). Runs often (hourly); a day
    already covered claims nothing new. The window's end is the moment of the check, stored as
    the next window's start in the same transaction, so consecutive alerts neither overlap nor
    leave a gap.
    """
    from .kinds.searches import alert_key

    now = timezone.now()
    today = timezone.localdate(now)
    searches = SavedSearch.objects.filter(frequency=Frequency.IMMEDIATE, user__is_active=True)
    for saved in searches:
        if saved.last_checked is None:
            SavedSearch.objects.filter(pk=saved.pk, last_checked=None).update(last_checked=now)
            continue
        if timezone.localdate(saved.last_checked) >= today:
            continue
        with transaction.atomic():
            # Only the run that moves last_checked claims the window: two beats racing claim one.
            moved = SavedSearch.objects.filter(pk=saved.pk, last_checked=saved.last_checked).update(
                last_checked=now
            )
            if moved:
                queue(
                    Delivery.Kind.SAVED_SEARCH,
                    alert_key(saved, saved.last_checked, now),
                    [saved.user_id],
                )


# ------------------------------------------------------------------ library


@shared_task(ignore_result=True)
def notify_resource_published(resource_id, revision_id):
    """A resource was published (new, or a new revision): alert matching immediate subscribers."""
    from library.models import ResourcePage

    from .kinds import library

    resource = ResourcePage.objects.live().filter(pk=resource_id).first()
    if resource is None:
        return
    queue(
        Delivery.Kind.GUIDANCE,
        library.guidance_key(resource, revision_id),
        library.immediate_subscribers(resource),
    )


@shared_task(ignore_result=True)
def notify_resources_published(pairs):
    """Many resources published at once (an import): the same alerts as
    notify_resource_published for each (resource id, revision id) pair, in one task."""
    for resource_id, revision_id in pairs:
        notify_resource_published(resource_id, revision_id)


@shared_task(ignore_result=True)
def notify_meetings_published(meeting_ids):
    """Many meetings published at once (the demo): notify_meeting_published for each."""
    for meeting_id in meeting_ids:
        notify_meeting_published(meeting_id)


# ------------------------------------------------------------------ freshness campaigns


@shared_task(ignore_result=True)
def send_freshness_campaign(campaign_id):
    """A campaign was started: claim one request per person asked (recorded in the outbox with
    the campaign; running again claims nothing twice)."""
    from .freshness import claim_messages

    claim_messages(campaign_id)


@shared_task(ignore_result=True)
def send_freshness_reminders(campaign_id):
    """The campaign's one reminder was requested: claim one reminder per person still to
    remind (recorded in the outbox with the request; running again claims nothing twice)."""
    from .freshness import claim_reminders

    claim_reminders(campaign_id)
