"""
Meeting invitations, reminders and minutes, and action point reminders: to the right people,
once, with the calendar file, and never about a meeting the recipient may not see.
"""

import datetime

import pytest

from django.utils import timezone

from meetings.models import ActionPoint, MeetingPage, Participant, Registration
from notifications.models import Delivery, Subscription
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


def test_publishing_an_upcoming_meeting_invites_every_member_once_with_the_ics(
    member, secretariat, mailbox, run_on_commit
):
    outsider = UserFactory()  # signed up, never made a member
    meeting = run_on_commit(make_meeting, title="Regional meeting on referral")
    run_on_commit(meeting.save_revision().publish)  # published again: nobody hears twice
    run_on_commit(notify_meeting_published.delay, meeting.pk)

    for user in (member, secretariat):
        [message] = mailbox.to(user.email)
        assert message["Subject"] == "Invitation: Regional meeting on referral"
        [attachment] = list(message.iter_attachments())
        assert attachment.get_content_type() == "text/calendar"
        ics = attachment.get_content()
        ics = ics.decode() if isinstance(ics, bytes) else ics
        assert "SUMMARY:Regional meeting on referral" in ics
    assert mailbox.to(outsider.email) == []


def test_a_secretariat_only_meeting_is_never_announced_to_a_member(
    member, secretariat, mailbox, run_on_commit
):
    run_on_commit(make_meeting, audience=Audience.SECRETARIAT)

    assert len(mailbox.to(secretariat.email)) == 1
    assert mailbox.to(member.email) == []
    assert Delivery.objects.get(recipient=member).status == Delivery.Status.SKIPPED


def test_a_member_who_switched_meeting_messages_off_is_not_invited(member, mailbox, run_on_commit):
    Subscription.objects.create(user=member, meetings=False)
    run_on_commit(make_meeting)

    assert mailbox.to(member.email) == []


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
