"""
The weekly digest: one message a week gathering what each domain contributes for the recipient.
Domains add a section with `digest_section`; each section returns only items the recipient may
see, and the digest checks every item against the access policy once more before including it.
"""

import datetime
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from portal.access import can_see

from ..messages import Message, builder, subscription_of
from ..models import Delivery

SECTIONS = []


@dataclass
class DigestItem:
    title: str
    url: str
    audience: str
    summary: str = ""
    date: datetime.date | None = None


def digest_section(title):
    """Register f(recipient, subscription, since, until) -> list[DigestItem] under `title`
    (a lazy translatable string)."""

    def register(function):
        SECTIONS.append((title, function))
        return function

    return register


def week_key(day):
    """The digest of the ISO week containing `day`, e.g. "digest:2026-W48"."""
    year, week, _weekday = day.isocalendar()
    return f"digest:{year}-W{week:02d}"


def period(event_key):
    """The seven days before the Monday of the digest's week: what it reports on."""
    year, week = event_key.split(":", 1)[1].split("-W")
    monday = datetime.date.fromisocalendar(int(year), int(week), 1)
    until = timezone.make_aware(datetime.datetime.combine(monday, datetime.time.min))
    return until - timedelta(days=7), until


@builder(Delivery.Kind.DIGEST)
def weekly_digest(delivery, recipient):
    subscription = subscription_of(recipient)
    since, until = period(delivery.event_key)
    sections = []
    for title, function in SECTIONS:
        items = [
            item
            for item in function(recipient, subscription, since, until)
            if can_see(recipient, item.audience)
        ]
        if items:
            sections.append({"title": str(title), "items": items})
    if not sections:
        return None
    return Message(
        subject=_("Your weekly digest"),
        template="notifications/email/digest",
        context={"sections": sections, "since": since, "until": until},
        unsubscribe_scope="subscription",
    )
