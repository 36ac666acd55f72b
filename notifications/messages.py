"""
What each kind of message says. A builder turns a claimed Delivery into a Message at the time of
sending (never earlier), so that it reflects what the recipient may see then: it returns None when
there is nothing they may receive, and the delivery is skipped.
"""

from dataclasses import dataclass, field

from portal.access import is_member

from .models import Subscription

BUILDERS = {}


@dataclass
class Message:
    subject: str
    # Template name without extension: rendered as .html and .txt.
    template: str
    context: dict
    # What the unsubscribe link switches off (see tokens.unsubscribe_token); None for a message
    # that no subscription asked for and none can switch off (a freshness campaign's request).
    unsubscribe_scope: str | None
    # (filename, content, mimetype) triples.
    attachments: list = field(default_factory=list)
    # The address, for a message to a directory entry (Delivery.person); else the account's.
    to: str = ""

    def __post_init__(self):
        # Subjects quote titles, which may hold line breaks (pasted, imported); a header cannot
        # (Django refuses to send it). One line, in the language active while building.
        self.subject = " ".join(str(self.subject).split())


def builder(kind):
    """Register the builder of `kind` messages: f(delivery, recipient) -> Message or None."""

    def register(function):
        BUILDERS[kind] = function
        return function

    return register


def may_receive(user):
    """Only active members (and the secretariat) receive anything: an account whose membership was
    withdrawn, or that was deactivated, gets nothing, whatever was queued for it."""
    return user.is_active and is_member(user)


def subscription_of(user):
    """The user's subscription, or the defaults a new member would get (unsaved)."""
    return Subscription.objects.filter(user=user).first() or Subscription(user=user)


def build(delivery, recipient):
    """The message of `delivery`, or None when there is nothing to send. `recipient` is None for
    a message to a directory entry (`delivery.person`), whose builder decides who may receive
    it and at which address."""
    if recipient is not None and not may_receive(recipient):
        return None
    function = BUILDERS.get(delivery.kind)
    if function is None:
        raise LookupError(f"No message builder for {delivery.kind!r}")
    message = function(delivery, recipient)
    if message is not None and recipient is None and not message.to:
        raise ValueError(f"A message to a directory entry needs an address ({delivery.kind!r})")
    return message


def event_ids(delivery):
    """The ids in an event key like "meeting:12:reminder" -> ["meeting", "12", "reminder"]."""
    return delivery.event_key.split(":")


# Builders of each domain live in their own modules and register on import.
from . import kinds  # noqa: E402, F401  (import for its registrations)
