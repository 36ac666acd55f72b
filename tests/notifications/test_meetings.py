"""
Meeting invitations, reminders and minutes, and action point reminders: to the right people,
once, with the calendar file, and never about a meeting the recipient may not see.
"""

import datetime

import icalendar
import pytest

from django.utils import timezone

from meetings.models import (
    ActionPoint,
    Invitees,
    MeetingPage,
    MeetingSeries,
    Participant,
    Registration,
)
from notifications.kinds.meetings import change_key
from notifications.models import Delivery, Subscription
from notifications.sending import deliver, queue
from notifications.tasks import (
    notify_meeting_published,
    send_action_point_reminders,
    send_meeting_reminders,
)
from portal.access import Audience
from tests.meetings.factories import make_country, make_mandate, make_meeting, make_person
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run what the code enqueues after commit, as a real commit would."""

    def run(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return run


def _ics_of(message):
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    ics = attachment.get_content()
    return ics if isinstance(ics, bytes) else ics.encode()


def test_an_invitation_reaches_the_invited_participants_only_once_with_the_ics(
    member, secretariat, mailbox, run_on_commit
):
    invited = UserFactory(member=True)
    outsider = UserFactory()  # signed up, never made a member
    meeting = run_on_commit(
        make_meeting,
        title="Regional meeting on referral",
        children={"participants": [Participant(person=make_person(user=invited))]},
    )
    run_on_commit(meeting.save_revision().publish)  # published again: nobody hears twice
    run_on_commit(notify_meeting_published.delay, meeting.pk)

    [message] = mailbox.to(invited.email)
    assert message["Subject"] == "Invitation: Regional meeting on referral"
    assert b"SUMMARY:Regional meeting on referral" in _ics_of(message)
    # Members and the secretariat who are not on the list hear nothing.
    for user in (member, secretariat, outsider):
        assert mailbox.to(user.email) == []
    assert Delivery.objects.filter(kind=Delivery.Kind.MEETING_INVITATION).count() == 1


def test_a_participant_added_later_is_invited_when_the_meeting_is_published_again(
    mailbox, run_on_commit
):
    first, later = UserFactory(member=True), UserFactory(member=True)
    meeting = run_on_commit(
        make_meeting, children={"participants": [Participant(person=make_person(user=first))]}
    )
    meeting.participants.add(Participant(person=make_person(user=later)))
    run_on_commit(meeting.save_revision().publish)

    assert len(mailbox.to(first.email)) == 1
    assert len(mailbox.to(later.email)) == 1


def test_the_secretariat_may_invite_the_members_of_the_series_instead(mailbox, run_on_commit):
    series = MeetingSeries.objects.create(name="Working group on labour exploitation")
    in_series, participant_only = UserFactory(member=True), UserFactory(member=True)
    series.members.add(make_person(user=in_series))
    run_on_commit(
        make_meeting,
        series=series,
        invite=Invitees.SERIES,
        children={"participants": [Participant(person=make_person(user=participant_only))]},
    )

    assert len(mailbox.to(in_series.email)) == 1
    assert mailbox.to(participant_only.email) == []


def test_a_secretariat_only_meeting_is_never_announced_to_an_invited_member(
    member, secretariat, mailbox, run_on_commit
):
    run_on_commit(
        make_meeting,
        audience=Audience.SECRETARIAT,
        children={
            "participants": [
                Participant(person=make_person(user=member)),
                Participant(person=make_person(user=secretariat)),
            ]
        },
    )

    assert len(mailbox.to(secretariat.email)) == 1
    assert mailbox.to(member.email) == []
    assert Delivery.objects.get(recipient=member).status == Delivery.Status.SKIPPED


def test_a_member_who_switched_meeting_messages_off_is_not_invited(member, mailbox, run_on_commit):
    Subscription.objects.create(user=member, meetings=False)
    run_on_commit(
        make_meeting, children={"participants": [Participant(person=make_person(user=member))]}
    )

    assert mailbox.to(member.email) == []


def _published_with(meeting, run_on_commit, **changes):
    meeting = MeetingPage.objects.get(pk=meeting.pk)
    for name, value in changes.items():
        setattr(meeting, name, value)
    run_on_commit(meeting.save_revision().publish)
    return MeetingPage.objects.get(pk=meeting.pk)


def _registered(meeting, status="registered"):
    user = UserFactory(member=True)
    Registration.objects.create(meeting=meeting, person=make_person(user=user), status=status)
    return user


def test_a_cancellation_reaches_the_registered_and_invited_once_and_their_calendar_sees_it_off(
    member, mailbox, run_on_commit
):
    invited, excused = UserFactory(member=True), UserFactory(member=True)
    meeting = run_on_commit(
        make_meeting,
        title="Working group on referral",
        children={
            "participants": [
                Participant(person=make_person(user=invited)),
                Participant(
                    person=make_person(user=excused), attendance=Participant.Attendance.APOLOGIES
                ),
            ]
        },
    )
    registered = _registered(meeting)
    sent_apologies = _registered(meeting, status="apologies")
    invitation_ics = icalendar.Calendar.from_ical(_ics_of(mailbox.to(invited.email)[0]))
    [before] = invitation_ics.walk("VEVENT")

    cancelled = _published_with(meeting, run_on_commit, cancelled=True)
    # Published again, and the fan-out run twice more: nobody hears twice.
    run_on_commit(cancelled.save_revision().publish)
    run_on_commit(notify_meeting_published.delay, meeting.pk)
    run_on_commit(notify_meeting_published.delay, meeting.pk)

    for user in (registered, invited):
        [message] = [m for m in mailbox.to(user.email) if m["Subject"].startswith("Cancelled")]
        assert message["Subject"] == "Cancelled: Working group on referral"
        text = message.get_body(("plain",)).get_content()
        assert "marks the meeting as cancelled in your calendar" in text
        assert "adds the meeting to your calendar" not in text
        [event] = icalendar.Calendar.from_ical(_ics_of(message)).walk("VEVENT")
        assert str(event["STATUS"]) == "CANCELLED"
        assert str(event["UID"]) == str(before["UID"])
        assert int(event["SEQUENCE"]) > int(before["SEQUENCE"])
    # Neither those who sent apologies (answer or list) nor other members hear of it.
    for user in (member, excused, sent_apologies):
        assert not [m for m in mailbox.to(user.email) if m["Subject"].startswith("Cancelled")]
    assert Delivery.objects.filter(kind=Delivery.Kind.MEETING_CHANGE).count() == 2


def test_a_new_date_is_announced_once_and_a_new_title_alone_is_not(mailbox, run_on_commit):
    meeting = run_on_commit(make_meeting, title="Expert workshop")
    registered = _registered(meeting)

    renamed = _published_with(meeting, run_on_commit, title="Expert workshop on indicators")
    assert mailbox.to(registered.email) == []

    new_start = renamed.start_date + datetime.timedelta(days=7)
    _published_with(
        renamed,
        run_on_commit,
        start_date=new_start,
        end_date=new_start + datetime.timedelta(days=1),
    )
    run_on_commit(notify_meeting_published.delay, meeting.pk)

    [message] = mailbox.to(registered.email)
    assert message["Subject"].startswith("Changed: Expert workshop on indicators")
    text = message.get_body(("plain",)).get_content()
    assert new_start.strftime("%-d") in text
    [event] = icalendar.Calendar.from_ical(_ics_of(message)).walk("VEVENT")
    assert event.decoded("DTSTART").date() == new_start
    assert str(event["STATUS"]) == "CONFIRMED"


def test_a_change_superseded_before_it_was_sent_is_skipped_for_the_latest(mailbox, run_on_commit):
    meeting = run_on_commit(make_meeting)
    registered = _registered(meeting)
    # A move is published and its message claimed, but not sent yet (say the broker is slow).
    moved = _published_with(meeting, lambda publish: publish(), venue_city="Skopje")
    queue(Delivery.Kind.MEETING_CHANGE, change_key(moved), [registered.pk])
    # Then the meeting is cancelled: that announcement says all there is to say.
    _published_with(moved, run_on_commit, cancelled=True)

    first = Delivery.objects.get(event_key=change_key(moved))
    assert deliver(first.pk) == Delivery.Status.SKIPPED
    assert [m["Subject"] for m in mailbox.to(registered.email)] == [f"Cancelled: {meeting.title}"]


def test_past_and_cancelled_meetings_send_no_invitation(member, mailbox, run_on_commit):
    run_on_commit(make_meeting, start=datetime.date.today() - datetime.timedelta(days=40))
    run_on_commit(make_meeting, cancelled=True)

    assert mailbox.messages == []


def test_those_expected_at_a_meeting_get_one_reminder_even_if_beat_fires_twice(
    owner, mailbox, run_on_commit
):
    absent = UserFactory(member=True)
    absent_person = make_person(user=absent)
    soon = timezone.localdate() + datetime.timedelta(days=1)
    meeting = make_meeting(
        start=soon,
        children={
            "participants": [
                Participant(person=owner.person),
                Participant(person=absent_person, attendance=Participant.Attendance.APOLOGIES),
            ]
        },
    )
    Registration.objects.create(
        meeting=meeting, person=make_person(user=UserFactory(member=True)), status="registered"
    )

    run_on_commit(send_meeting_reminders.delay)
    run_on_commit(send_meeting_reminders.delay)

    reminded = sorted(message["To"] for message in mailbox.messages)
    assert len(reminded) == 2
    assert owner.email in reminded
    assert absent.email not in reminded
    assert all(m["Subject"] == f"Reminder: {meeting.title}" for m in mailbox.messages)


def test_approved_minutes_are_announced_without_their_text(member, mailbox, run_on_commit):
    run_on_commit(
        make_meeting,
        start=timezone.localdate() - datetime.timedelta(days=20),
        minutes="<p>Confidential discussion of a case-handling gap.</p>",
        minutes_status=MeetingPage.MinutesStatus.APPROVED,
        minutes_approved_on=timezone.localdate(),
    )

    [message] = mailbox.to(member.email)
    assert message["Subject"].startswith("Minutes approved: ")
    assert "Confidential discussion" not in message.as_string()


def _meeting_with_action(**action_fields):
    meeting = make_meeting(start=timezone.localdate() - datetime.timedelta(days=60))
    action = ActionPoint(description="Send the referral SOP to all focal points", **action_fields)
    meeting.action_points.add(action)
    meeting.save_revision().publish()
    return meeting.action_points.get()


def test_an_action_point_due_in_a_week_reminds_its_owner_once(
    owner, member, mailbox, run_on_commit
):
    _meeting_with_action(
        owner_person=owner.person, due_date=timezone.localdate() + datetime.timedelta(days=7)
    )

    run_on_commit(send_action_point_reminders.delay)
    run_on_commit(send_action_point_reminders.delay)

    [message] = mailbox.messages
    assert message["To"] == owner.email
    assert message["Subject"].startswith("Action point due in a week")
    assert "Send the referral SOP" in message.get_body(("plain",)).get_content()


def test_an_overdue_country_action_point_reminds_the_countrys_mandate_holders(
    mailbox, run_on_commit
):
    country = make_country()
    coordinator = UserFactory(member=True)
    make_mandate(make_person(user=coordinator, country=country), country)
    former = UserFactory(member=True)
    make_mandate(make_person(user=former, country=country), country, end=datetime.date(2021, 1, 1))
    _meeting_with_action(
        owner_country=country, due_date=timezone.localdate() - datetime.timedelta(days=3)
    )

    run_on_commit(send_action_point_reminders.delay)

    [message] = mailbox.messages
    assert message["To"] == coordinator.email
    assert message["Subject"].startswith("Overdue action point")


def test_done_action_points_and_other_dates_remind_nobody(owner, mailbox, run_on_commit):
    _meeting_with_action(
        owner_person=owner.person,
        due_date=timezone.localdate() - datetime.timedelta(days=3),
        status=ActionPoint.Status.DONE,
    )
    _meeting_with_action(
        owner_person=owner.person, due_date=timezone.localdate() + datetime.timedelta(days=6)
    )

    run_on_commit(send_action_point_reminders.delay)

    assert mailbox.messages == []
