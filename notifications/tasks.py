"""
Scheduled and event-driven work. Every task takes ids (JSON), tolerates rows that have gone, and is
idempotent: fan-out tasks only claim Delivery rows (unique per recipient and event), and
send_delivery sends a row at most once.
"""

from datetime import timedelta

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval

from django.db import transaction
from django.utils import timezone

from .models import Delivery, Frequency, SavedSearch, Subscription
from .sending import SEND_ERRORS, deliver, queue, queue_pairs

# Back-off: 1, 2, 4 ... minutes, at most an hour apart; 8 retries span about four hours. After
# that the row stays FAILED and send_pending keeps trying it, less often, for a day.
RETRY_BACKOFF = 60
RETRY_BACKOFF_MAX = 60 * 60
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
    """Send one claimed message. SMTP and network errors are recorded on the row (by deliver) and
    retried with exponential back-off."""
    try:
        deliver(delivery_id)
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
        Delivery.objects.filter(pk=delivery_id).update(
            last_error=f"{type(exc).__name__}: {exc} ({note})"[:2000]
        )
        raise self.retry(exc=exc, countdown=countdown) from exc


@shared_task(ignore_result=True)
def send_pending():
    """
    The safety net: re-enqueue deliveries still queued or failed a while after they were claimed
    (a lost broker message, retries exhausted while SMTP was down). Sending twice is impossible,
    so re-enqueuing is always safe.
    """
    now = timezone.now()
    pending = Delivery.objects.filter(
        status__in=[Delivery.Status.QUEUED, Delivery.Status.FAILED],
        updated_at__lt=now - SWEEP_AFTER,
        created_at__gte=now - SWEEP_GIVE_UP_AFTER,
    ).values_list("pk", flat=True)
    for pk in pending:
        send_delivery.delay(pk)


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
    """A meeting was published: invite members to it if it is ahead, and announce minutes
    approved recently. Re-publishing claims the same rows, so nobody hears twice."""
    from meetings.models import MeetingPage

    from .kinds import meetings

    meeting = MeetingPage.objects.live().filter(pk=meeting_id).first()
    if meeting is None:
        return
    if not meeting.cancelled and meeting.start_date >= timezone.localdate():
        queue(
            Delivery.Kind.MEETING_INVITATION,
            meetings.invitation_key(meeting),
            meetings.meeting_subscribers(),
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
    Once a day per saved search with immediate alerts: claim an alert covering the days since the
    previous check. Runs often (hourly); a day already covered claims nothing new.
    """
    from .kinds.searches import alert_key

    today = timezone.localdate()
    searches = SavedSearch.objects.filter(frequency=Frequency.IMMEDIATE, user__is_active=True)
    for saved in searches:
        start = timezone.localdate(saved.last_checked) if saved.last_checked else today
        if start >= today:
            if saved.last_checked is None:
                SavedSearch.objects.filter(pk=saved.pk).update(last_checked=timezone.now())
            continue
        with transaction.atomic():
            queue(Delivery.Kind.SAVED_SEARCH, alert_key(saved, start, today), [saved.user_id])
            SavedSearch.objects.filter(pk=saved.pk).update(last_checked=timezone.now())


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
