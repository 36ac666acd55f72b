"""The demo content: enough meetings with full records to try every feature, built idempotently."""

import datetime

import pytest

from django.core.management import call_command

from meetings.models import ActionPoint, MeetingPage, Registration
from network.models import Person

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_past_and_upcoming_meetings_with_records_once():
    call_command("seed_demo", "--password", "demo-password-1", verbosity=0)
    today = datetime.date.today()
    meetings = MeetingPage.objects.live()
    past, upcoming = meetings.filter(end_date__lt=today), meetings.filter(end_date__gte=today)
    assert past.count() >= 8 and upcoming.count() >= 2
    for meeting in past:
        assert meeting.agenda_items.exists() and meeting.participants.exists()
        assert meeting.decisions.exists() and meeting.action_points.exists()
        assert meeting.minutes_status == MeetingPage.MinutesStatus.APPROVED
    for meeting in upcoming:
        assert meeting.agenda_items.exists() and meeting.registrations.exists()
    assert len({meeting.start_date.year for meeting in meetings}) >= 3
    assert meetings.exclude(host_country=None).values("host_country").distinct().count() >= 3
    member_person = Person.objects.get(user__email="member@demo.test")
    assert ActionPoint.objects.filter(owner_person=member_person).exists()
    assert Registration.objects.filter(person=member_person, status="registered").exists()

    counts = (
        MeetingPage.objects.count(),
        ActionPoint.objects.count(),
        Registration.objects.count(),
    )
    call_command("seed_demo", "--password", "demo-password-1", verbosity=0)
    assert (
        MeetingPage.objects.count(),
        ActionPoint.objects.count(),
        Registration.objects.count(),
    ) == counts
