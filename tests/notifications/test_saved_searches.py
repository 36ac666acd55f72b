"""
Saved-search alerts: results new to the member (visible to them since the previous check,
whatever their own date) reach the member once, and only results their tier may see at the time
of sending.
"""

import datetime

import pytest

from django.utils import timezone

from notifications.models import Delivery, Frequency, SavedSearch, VisibleSince
from notifications.tasks import send_saved_search_alerts, send_weekly_digests
from portal.access import Audience
from tests.meetings.factories import make_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    def run(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return run


@pytest.fixture
def yesterdays_meetings(run_on_commit):
    """Two meetings held yesterday (indexed on publishing): one for members, one for the
    secretariat only."""
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    members = run_on_commit(
        make_meeting,
        start=yesterday,
        days=1,
        title="Trafficking referral workshop",
        audience=Audience.MEMBERS,
    )
    secretariat = run_on_commit(
        make_meeting,
        start=yesterday,
        days=1,
        title="Trafficking budget retreat",
        audience=Audience.SECRETARIAT,
    )
    return members, secretariat


def follow(user, frequency=Frequency.IMMEDIATE, days_ago=3):
    return SavedSearch.objects.create(
        user=user,
        name="Trafficking",
        query="trafficking",
        frequency=frequency,
        last_checked=timezone.now() - datetime.timedelta(days=days_ago),
    )


def test_a_member_is_alerted_once_to_new_results_they_may_see_and_never_to_others(
    member, secretariat, yesterdays_meetings, mailbox, run_on_commit
):
    follow(member)
    follow(secretariat)

    run_on_commit(send_saved_search_alerts.delay)
    run_on_commit(send_saved_search_alerts.delay)  # beat again the same day: nothing new

    [to_member] = mailbox.to(member.email)
    text = to_member.get_body(("plain",)).get_content()
    assert "Trafficking referral workshop" in text
    assert "Trafficking budget retreat" not in to_member.as_string()
    [to_secretariat] = mailbox.to(secretariat.email)
    assert "Trafficking budget retreat" in to_secretariat.get_body(("plain",)).get_content()
    assert "/notifications/unsubscribe/" in text


def test_nothing_new_since_the_last_check_sends_nothing(
    member, yesterdays_meetings, mailbox, run_on_commit
):
    follow(member, days_ago=0)

    run_on_commit(send_saved_search_alerts.delay)

    assert mailbox.messages == []


def test_a_former_member_gets_no_alert(member, yesterdays_meetings, mailbox, run_on_commit):
    follow(member)
    member.groups.clear()

    run_on_commit(send_saved_search_alerts.delay)

    assert mailbox.messages == []
    assert set(Delivery.objects.values_list("status", flat=True)) <= {Delivery.Status.SKIPPED}


def test_weekly_saved_searches_arrive_in_the_digest(member, run_on_commit, mailbox, settings):
    last_week = timezone.localdate() - datetime.timedelta(days=timezone.localdate().weekday() + 3)
    run_on_commit(
        make_meeting,
        start=last_week,
        days=1,
        title="Trafficking referral workshop",
        audience=Audience.MEMBERS,
    )
    follow(member, frequency=Frequency.WEEKLY, days_ago=30)
    # It became visible during the week the digest reports on (the seven days before Monday).
    monday = timezone.localdate() - datetime.timedelta(days=timezone.localdate().weekday())
    VisibleSince.objects.update(
        since=timezone.make_aware(datetime.datetime.combine(monday, datetime.time.min))
        - datetime.timedelta(days=3)
    )

    run_on_commit(send_weekly_digests.delay)
    run_on_commit(send_weekly_digests.delay)

    [digest] = mailbox.to(member.email)
    assert digest["Subject"] == "Your weekly digest"
    assert "Trafficking referral workshop" in digest.get_body(("plain",)).get_content()
