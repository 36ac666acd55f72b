"""seed_demo subscribes the demo member to a few topics in the weekly digest, idempotently."""

from io import StringIO

import pytest

from django.core.management import call_command

from notifications.models import Frequency, Subscription
from portal.demo import MEMBER_EMAIL

pytestmark = pytest.mark.django_db


def test_seed_demo_subscribes_the_demo_member_to_a_few_topics_weekly_and_only_once():
    for _ in range(2):
        call_command("seed_demo", "--password", "a demo password", stdout=StringIO())

    subscription = Subscription.objects.get(user__email=MEMBER_EMAIL)
    assert subscription.frequency == Frequency.WEEKLY
    assert subscription.topics.count() == 3
    assert Subscription.objects.filter(user__email=MEMBER_EMAIL).count() == 1
