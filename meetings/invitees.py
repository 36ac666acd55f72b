"""
Who a meeting's messages are for, decided once for the invitation, the announcement of a change
and the reminder alike; who may still register; and the participants list as it stands (answers,
then attendance). Everything here answers with directory
entries (Person ids) or the accounts linked to them; whether each account may see the meeting is
asked of the access policy when each message is built.
"""

from django.db.models import Q

from meetings.models import Invitees, Participant, Registration


def invited_person_ids(meeting):
    """The people invited to `meeting`: the participants its record lists or, when the
    secretariat chose so, the members of its series. One query."""
    if meeting.invite == Invitees.SERIES and meeting.series_id:
        return set(meeting.series.members.values_list("pk", flat=True))
    return set(
        Participant.objects.filter(meeting=meeting, person__isnull=False).values_list(
            "person_id", flat=True
        )
    )


def invited_user_ids(meeting):
    """The accounts of the people invited to `meeting`."""
    return _user_ids(invited_person_ids(meeting))


def expected_user_ids(meeting):
    """The accounts of those expected at `meeting`: registered, or invited and not having sent
    apologies (as an answer, or marked on the participants list). They are told of reminders,
    changes and cancellation."""
    apologies = set(
        Registration.objects.filter(
            meeting=meeting, status=Registration.Status.APOLOGIES, person__isnull=False
        ).values_list("person_id", flat=True)
    ) | set(
        Participant.objects.filter(
            meeting=meeting, attendance=Participant.Attendance.APOLOGIES, person__isnull=False
        ).values_list("person_id", flat=True)
    )
    registered = set(
        Registration.objects.filter(
            meeting=meeting, status=Registration.Status.REGISTERED, person__isnull=False
        ).values_list("person_id", flat=True)
    )
    return _user_ids(registered | (invited_person_ids(meeting) - apologies))


def is_expected(meeting, user):
    """Whether `user` is one of those `expected_user_ids` names."""
    return user.pk in expected_user_ids(meeting)


def is_invited(meeting, user):
    return user.pk in invited_user_ids(meeting)


def _user_ids(person_ids):
    from network.models import Person

    if not person_ids:
        return set()
    return set(
        Person.objects.filter(pk__in=person_ids, user__isnull=False).values_list(
            "user_id", flat=True
        )
    )


def registered_count(meeting):
    """Places taken: registrations (walk-ins included), not apologies."""
    return Registration.objects.filter(
        meeting=meeting, status=Registration.Status.REGISTERED
    ).count()


def places_left(meeting):
    """Places still free, or None when the meeting has no limit."""
    if meeting.capacity is None:
        return None
    return max(meeting.capacity - registered_count(meeting), 0)


def registration_closed_reason(meeting, person=None):
    """Why `person` may not register for `meeting` now, or None when they may. Someone already
    registered keeps their place (and may change to apologies) whatever the count."""
    from django.utils.translation import gettext as _

    if meeting.cancelled:
        return _("This meeting is cancelled: registration is closed.")
    if meeting.is_past:
        return _("This meeting is over: registration is closed.")
    if meeting.deadline_passed:
        return _("Registration closed on %(date)s.") % {
            "date": meeting.registration_deadline.isoformat()
        }
    if meeting.capacity is not None:
        already = (
            person is not None
            and Registration.objects.filter(
                Q(meeting=meeting, person=person, status=Registration.Status.REGISTERED)
            ).exists()
        )
        if not already and registered_count(meeting) >= meeting.capacity:
            return _("This meeting is full: all %(count)s places are taken.") % {
                "count": meeting.capacity
            }
    return None


def participant_rows(meeting):
    """The participants list as it stands: each listed participant with their answer or, once
    marked, whether they came; then those not on the list who came (registered from the site,
    walk-ins). Two queries. Names and organisations only: needs are not here."""
    participants = list(
        meeting.participants.select_related("person", "person__organisation").order_by(
            "sort_order", "pk"
        )
    )
    registrations = {
        registration.person_id or f"guest-{registration.pk}": registration
        for registration in meeting.registrations.select_related("person", "person__organisation")
    }
    rows = []
    for participant in participants:
        registration = (
            registrations.pop(participant.person_id, None) if participant.person_id else None
        )
        rows.append(
            {
                "name": participant.name,
                "organisation": participant.organisation_name,
                "state": _state(registration) or participant.get_attendance_display(),
            }
        )
    # Those not on the list join it once marked as having come (walk-ins included): who
    # registered from the site is the secretariat's to see until then.
    for registration in registrations.values():
        if registration.attendance != Registration.Attendance.ATTENDED:
            continue
        rows.append(
            {
                "name": registration.name,
                "organisation": registration.organisation_name,
                "state": _state(registration),
            }
        )
    return rows


def _state(registration):
    from django.utils.translation import gettext as _

    if registration is None:
        return ""
    if registration.walk_in:
        return _("Walk-in")
    if registration.attendance:
        return registration.get_attendance_display()
    return registration.get_status_display()
