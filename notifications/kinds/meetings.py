"""
Meeting invitations (to those invited), announcements of a change of date, time or place or of a
cancellation (to those registered and invited), reminders (to those expected) and approved
minutes (to members), with the meeting's .ics attached; and reminders of action points due in 7
days or overdue, to their owners. Who is invited or expected is meetings.invitees' to say.
"""

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings import invitees
from meetings.calendars import build_calendar
from meetings.models import ActionPoint, MeetingPage
from meetings.ownership import ActionOwnership, owner_user_ids, visible_actions
from portal.access import MEMBERS_GROUP, SECRETARIAT_GROUP, may_open

from ..messages import Message, builder, event_ids, subscription_of
from ..models import Delivery

REMINDER_DAYS_AHEAD = 2
# Minutes approved longer ago than this are history, not news (e.g. a meeting published late).
MINUTES_NEWS_DAYS = timedelta(days=30)
ACTION_DUE_DAYS_AHEAD = 7


def meeting_subscribers():
    """Ids of active members who have not switched meeting messages off. Whether each may see a
    given meeting is decided per recipient when the message is built."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=[MEMBERS_GROUP, SECRETARIAT_GROUP])
        .exclude(subscription__meetings=False)
        .values_list("pk", flat=True)
        .distinct()
    )


def invitation_key(meeting):
    return f"meeting:{meeting.pk}:invitation"


def minutes_key(meeting):
    # A new approval date (minutes amended and re-approved) is news again.
    return f"meeting:{meeting.pk}:minutes:{meeting.minutes_approved_on.isoformat()}"


def reminder_key(meeting):
    # Rescheduling makes a new reminder due.
    return f"meeting:{meeting.pk}:reminder:{meeting.start_date.isoformat()}"


def change_key(meeting):
    # One announcement per published change worth announcing (MeetingPage.announced_sequence).
    return f"meeting:{meeting.pk}:change:{meeting.announced_sequence}"


def invitation_recipients(meeting):
    """The accounts of those invited: the participants, or the series' members."""
    return invitees.invited_user_ids(meeting)


def reminder_recipients(meeting):
    """Those expected at the meeting: registered, or invited and not sent apologies."""
    return invitees.expected_user_ids(meeting)


def change_recipients(meeting):
    """Those a change or a cancellation is announced to: the same as those expected."""
    return invitees.expected_user_ids(meeting)


def meetings_due_a_reminder(today=None):
    today = today or timezone.localdate()
    return MeetingPage.objects.live().filter(
        cancelled=False,
        start_date__gte=today,
        start_date__lte=today + timedelta(days=REMINDER_DAYS_AHEAD),
    )


class _AbsoluteURLs:
    """What meetings.calendars needs of a request, outside one."""

    @staticmethod
    def build_absolute_uri(path):
        from ..sending import absolute_url

        return absolute_url(path)


def _meeting_for(delivery, recipient):
    """The live meeting a message is about, if the recipient may see it and wants such news."""
    meeting_id = event_ids(delivery)[1]
    meeting = MeetingPage.objects.filter(pk=meeting_id).first()
    if not may_open(recipient, meeting):
        return None
    if not subscription_of(recipient).meetings:
        return None
    return meeting


def _meeting_message(meeting, recipient, subject, template, **context):
    from ..sending import absolute_url

    calendar = build_calendar(
        [meeting], _AbsoluteURLs(), meeting.title, lambda m: m.can_see_record(recipient)
    )
    return Message(
        subject=subject,
        template=template,
        context={
            "meeting": meeting,
            "meeting_url": absolute_url(meeting.url) if meeting.url else "",
            "with_record": meeting.can_see_record(recipient),
            **context,
        },
        unsubscribe_scope="meetings",
        attachments=[(f"meeting-{meeting.pk}.ics", calendar.to_ical(), "text/calendar")],
    )


@builder(Delivery.Kind.MEETING_INVITATION)
def meeting_invitation(delivery, recipient):
    meeting = _meeting_for(delivery, recipient)
    if meeting is None or meeting.cancelled or meeting.is_past:
        return None
    if not invitees.is_invited(meeting, recipient):
        return None  # taken off the list since
    return _meeting_message(
        meeting,
        recipient,
        _("Invitation: %(title)s") % {"title": meeting.title},
        "notifications/email/meeting_invitation",
    )


@builder(Delivery.Kind.MEETING_REMINDER)
def meeting_reminder(delivery, recipient):
    meeting = _meeting_for(delivery, recipient)
    if meeting is None or meeting.cancelled or meeting.is_past:
        return None
    if meeting.start_date.isoformat() != event_ids(delivery)[3]:
        return None  # rescheduled since: a reminder with the new date is due instead
    return _meeting_message(
        meeting,
        recipient,
        _("Reminder: %(title)s") % {"title": meeting.title},
        "notifications/email/meeting_reminder",
    )


@builder(Delivery.Kind.MEETING_CHANGE)
def meeting_change(delivery, recipient):
    """A change of date, time or place, or the cancellation, with the calendar entry that
    replaces the one they have (same UID, higher SEQUENCE, STATUS:CANCELLED when off)."""
    meeting = _meeting_for(delivery, recipient)
    if meeting is None or meeting.is_past:
        return None
    if str(meeting.announced_sequence) != event_ids(delivery)[3]:
        return None  # changed again since: the announcement of the latest change says it all
    if not invitees.is_expected(meeting, recipient):
        return None
    if meeting.cancelled:
        subject = _("Cancelled: %(title)s") % {"title": meeting.title}
    else:
        subject = _("Changed: %(title)s (new date, time or place)") % {"title": meeting.title}
    return _meeting_message(
        meeting,
        recipient,
        subject,
        "notifications/email/meeting_change",
        cancelled=meeting.cancelled,
    )


@builder(Delivery.Kind.MEETING_MINUTES)
def meeting_minutes(delivery, recipient):
    meeting = _meeting_for(delivery, recipient)
    if (
        meeting is None
        or meeting.minutes_status != MeetingPage.MinutesStatus.APPROVED
        or not meeting.can_see_record(recipient)
    ):
        return None
    return _meeting_message(
        meeting,
        recipient,
        _("Minutes approved: %(title)s") % {"title": meeting.title},
        "notifications/email/meeting_minutes",
    )


# ------------------------------------------------------------------ action points


def action_owner_user_ids(action, today=None):
    """The accounts that answer for `action`, as `meetings.ownership` decides."""
    return owner_user_ids(action, today)


def action_key(action, kind):
    stage = "due" if kind == Delivery.Kind.ACTION_DUE else "overdue"
    return f"action:{action.pk}:{stage}:{action.due_date.isoformat()}"


def actions_due(today=None):
    """Open action points of live meetings: due exactly a week from today, and overdue."""
    today = today or timezone.localdate()
    open_actions = ActionPoint.objects.filter(
        status__in=ActionPoint.OPEN_STATUSES,
        due_date__isnull=False,
        meeting__live=True,
    ).select_related("owner_person")
    due_soon = open_actions.filter(due_date=today + timedelta(days=ACTION_DUE_DAYS_AHEAD))
    overdue = open_actions.filter(due_date__lt=today)
    return due_soon, overdue


def _action_message(delivery, recipient, kind):
    ids = event_ids(delivery)
    action = (
        ActionPoint.objects.select_related("meeting", "owner_person", "owner_country")
        .filter(pk=ids[1])
        .first()
    )
    if action is None or not action.is_open or action.due_date is None:
        return None
    if action.due_date != date.fromisoformat(ids[3]):
        return None  # the due date moved: the message for the new date is due instead
    meeting = MeetingPage.objects.live().filter(pk=action.meeting_id).first()
    if meeting is None or not meeting.can_see_record(recipient):
        return None
    if not subscription_of(recipient).action_points:
        return None
    if not ActionOwnership(recipient).owns(action):
        return None  # handed over since
    from django.urls import reverse

    from ..sending import absolute_url

    overdue = kind == Delivery.Kind.ACTION_OVERDUE
    subject = (
        _("Overdue action point from %(meeting)s")
        if overdue
        else _("Action point due in a week, from %(meeting)s")
    ) % {"meeting": meeting.title}
    return Message(
        subject=subject,
        template="notifications/email/action_point",
        context={
            "action": action,
            "meeting": meeting,
            "overdue": overdue,
            "actions_url": absolute_url(reverse("meetings:actions")),
            "meeting_url": absolute_url(meeting.url) if meeting.url else "",
        },
        unsubscribe_scope="action_points",
    )


@builder(Delivery.Kind.ACTION_DUE)
def action_due(delivery, recipient):
    return _action_message(delivery, recipient, Delivery.Kind.ACTION_DUE)


@builder(Delivery.Kind.ACTION_OVERDUE)
def action_overdue(delivery, recipient):
    return _action_message(delivery, recipient, Delivery.Kind.ACTION_OVERDUE)


# ------------------------------------------------------------------ handovers


def handover_key(successor_mandate):
    return f"handover:{successor_mandate.pk}"


@builder(Delivery.Kind.ACTION_HANDOVER)
def action_handover(delivery, recipient):
    """What the successor inherited with the role: the open action points now theirs in that
    mandate, of meetings whose record they may see, as they stand when the message is built."""
    from django.urls import reverse

    from network.models import Mandate

    from ..sending import absolute_url

    mandate = Mandate.objects.filter(pk=event_ids(delivery)[1]).select_related("person").first()
    if mandate is None or mandate.person.user_id != recipient.pk:
        return None
    if not subscription_of(recipient).action_points:
        return None
    actions = list(
        visible_actions(recipient)
        .filter(owner_mandate=mandate, owner_person=mandate.person)
        .filter(status__in=ActionPoint.OPEN_STATUSES)
        .order_by("due_date", "pk")
    )
    if not actions:
        return None
    return Message(
        subject=_("You inherited %(count)s action points with your new role")
        % {"count": len(actions)},
        template="notifications/email/action_handover",
        context={
            "actions": actions,
            "role": mandate.get_role_display(),
            "actions_url": absolute_url(reverse("meetings:actions")),
        },
        unsubscribe_scope="action_points",
    )
