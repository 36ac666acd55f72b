"""
New or updated guidance: immediate alerts to matching subscribers, the weekly digest, and never an
item the recipient may not see (a member never receives a secretariat-only resource).
"""

import datetime

import pytest

from django.utils import timezone

from notifications.models import Delivery, Frequency, Subscription
from notifications.tasks import send_weekly_digests
from portal.access import Audience
from portal.models import Topic
from tests.library.factories import resource
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    def run(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return run


def subscribe(user, frequency=Frequency.IMMEDIATE, topics=(), **fields):
    subscription = Subscription.objects.create(user=user, frequency=frequency, **fields)
    subscription.topics.set(Topic.objects.filter(slug__in=topics))
    return subscription


@pytest.fixture
def referral():
    return Topic.objects.get_or_create(slug="referral", defaults={"name": "Referral"})[0]


def test_publishing_guidance_alerts_matching_immediate_subscribers_once(
    member, referral, mailbox, run_on_commit
):
    subscribe(member, topics=["referral"])
    other_topic = UserFactory(member=True)
    Topic.objects.create(slug="labour", name="Labour")
    subscribe(other_topic, topics=["labour"])
    weekly = UserFactory(member=True)
    subscribe(weekly, frequency=Frequency.WEEKLY, everything=True)

    page = run_on_commit(resource, "Referral SOP", topics=["referral"])
    run_on_commit(lambda: None)  # nothing else pending

    [message] = mailbox.to(member.email)
    assert message["Subject"] == "New guidance: Referral SOP"
    assert mailbox.to(other_topic.email) == []
    assert mailbox.to(weekly.email) == []
    assert Delivery.objects.filter(recipient=member, kind="guidance").count() == 1
    assert page.live


def test_a_member_never_receives_a_secretariat_only_resource(
    member, secretariat, referral, mailbox, run_on_commit
):
    subscribe(member, everything=True)
    subscribe(secretariat, everything=True)

    run_on_commit(resource, "Internal budget note", audience=Audience.SECRETARIAT)

    assert mailbox.to(member.email) == []
    assert len(mailbox.to(secretariat.email)) == 1


def test_the_weekly_digest_gathers_last_weeks_guidance_the_member_may_see(
    member, referral, mailbox, run_on_commit
):
    subscribe(member, frequency=Frequency.WEEKLY, topics=["referral"])
    visible = run_on_commit(resource, "Referral SOP", topics=["referral"])
    hidden = run_on_commit(
        resource, "Secretariat referral memo", topics=["referral"], audience=Audience.SECRETARIAT
    )
    last_week = timezone.now() - datetime.timedelta(days=timezone.localdate().weekday() + 3)
    for page in (visible, hidden):
        type(page).objects.filter(pk=page.pk).update(last_published_at=last_week)

    run_on_commit(send_weekly_digests.delay)
    run_on_commit(send_weekly_digests.delay)  # beat fires again within the week

    [digest] = mailbox.to(member.email)
    text = digest.get_body(("plain",)).get_content()
    assert "Referral SOP" in text
    assert "Secretariat referral memo" not in digest.as_string()


def test_a_subscription_asking_for_nothing_matches_nothing(member, mailbox, run_on_commit):
    subscribe(member)
    run_on_commit(resource, "Anything")
    assert mailbox.messages == []
