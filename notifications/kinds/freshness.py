"""
A freshness campaign's request to confirm or correct one's directory entry, and its one reminder.
Addressed to the directory entry (Delivery.person), so that people without an account get it too;
built at sending time, so that nobody is asked who has answered meanwhile or left the directory.
"""

from django.urls import reverse
from django.utils.translation import gettext as _

from ..messages import Message, builder, event_ids
from ..models import Delivery
from ..tokens import FRESHNESS_MAX_AGE, freshness_token


def _campaign_message(delivery, reminder):
    from ..freshness import address_of, recipient_for, unanswered
    from ..sending import absolute_url

    kind, campaign_id = event_ids(delivery)
    if kind != "campaign" or delivery.person_id is None:
        return None
    recipient = recipient_for(int(campaign_id), delivery.person_id)
    if recipient is None:
        # The person left the directory, or the campaign is gone.
        return None
    if not unanswered(recipient.campaign).filter(pk=recipient.pk).exists():
        return None
    address = address_of(recipient.person)
    if not address:
        return None
    person = recipient.person
    token = freshness_token(recipient.campaign_id, person.pk)
    subject = (
        _("Reminder: is your directory entry still correct?")
        if reminder
        else _("Is your directory entry still correct?")
    )
    return Message(
        subject=subject,
        template="notifications/email/freshness",
        context={
            "person": person,
            "reminder": reminder,
            "answer_url": absolute_url(reverse("network:freshness_answer", args=[token])),
            "valid_days": FRESHNESS_MAX_AGE // (24 * 60 * 60),
            "has_account": person.user_id is not None,
        },
        unsubscribe_scope=None,
        to=address,
    )


@builder(Delivery.Kind.FRESHNESS)
def freshness_request(delivery, recipient):
    return _campaign_message(delivery, reminder=False)


@builder(Delivery.Kind.FRESHNESS_REMINDER)
def freshness_reminder(delivery, recipient):
    return _campaign_message(delivery, reminder=True)
