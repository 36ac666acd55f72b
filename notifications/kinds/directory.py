"""The yearly "please confirm your directory entry"."""

from datetime import timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from network.models import Person

from ..messages import Message, builder, event_ids, subscription_of
from ..models import Delivery
from ..tokens import confirm_entry_token

CONFIRMATION_INTERVAL = timedelta(days=365)


def stale_people(now=None):
    """Active people with an active account whose entry was not confirmed for 12 months."""
    threshold = (now or timezone.now()) - CONFIRMATION_INTERVAL
    return Person.objects.filter(is_active=True, user__isnull=False, user__is_active=True).filter(
        Q(last_confirmed__isnull=True) | Q(last_confirmed__lt=threshold)
    )


def event_key(person):
    """One request per period of staleness: confirming starts a new period, hence a new key."""
    since = person.last_confirmed.date().isoformat() if person.last_confirmed else "never"
    return f"person:{person.pk}:{since}"


@builder(Delivery.Kind.CONFIRM_ENTRY)
def confirm_entry(delivery, recipient):
    from ..sending import absolute_url

    if not subscription_of(recipient).directory_reminders:
        return None
    person_id = event_ids(delivery)[1]
    person = stale_people().filter(pk=person_id, user=recipient).first()
    if person is None:
        # Confirmed meanwhile, deactivated, or no longer this recipient's entry.
        return None
    token = confirm_entry_token(person)
    return Message(
        subject=_("Please confirm your directory entry"),
        template="notifications/email/confirm_entry",
        context={
            "person": person,
            "confirm_url": absolute_url(reverse("notifications:confirm_entry", args=[token])),
            "entry_url": absolute_url(person.get_absolute_url()),
        },
        unsubscribe_scope="directory",
    )
