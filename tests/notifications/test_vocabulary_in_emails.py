"""A guidance alert names the resource's topics and countries in the recipient's language."""

import pytest

from network.models import Country
from notifications.models import Frequency, Subscription
from portal.models import Topic
from tests.library.factories import resource

pytestmark = pytest.mark.django_db


def test_a_french_reader_gets_the_topics_and_countries_in_french(
    member, mailbox, django_capture_on_commit_callbacks
):
    Topic.objects.create(slug="referral", name="Referral", name_fr="Orientation")
    Country.objects.create(iso_code="AL", name="Albania", name_fr="Albanie")
    member.preferred_language = "fr"
    member.save()
    Subscription.objects.create(user=member, frequency=Frequency.IMMEDIATE, everything=True)

    with django_capture_on_commit_callbacks(execute=True):
        resource("Referral SOP", topics=["referral"], countries=["AL"])

    [message] = mailbox.to(member.email)
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for body in (text, html):
        assert "Orientation" in body and "Albanie" in body
        assert "Referral<" not in body and "Albania" not in body


def test_an_english_reader_gets_the_english_names(
    member, mailbox, django_capture_on_commit_callbacks
):
    Topic.objects.create(slug="referral", name="Referral", name_fr="Orientation")
    Subscription.objects.create(user=member, frequency=Frequency.IMMEDIATE, everything=True)

    with django_capture_on_commit_callbacks(execute=True):
        resource("Referral SOP", topics=["referral"])

    [message] = mailbox.to(member.email)
    text = message.get_body(("plain",)).get_content()
    assert "Topics: Referral" in text and "Orientation" not in text
