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
    # What the unsubscribe link switches off (see tokens.unsubscribe_token).
    unsubscribe_scope: str
    # (filename, content, mimetype) triples.
    attachments: list = field(default_factory=list)

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
    if not may_receive(recipient):
        return None
    function = BUILDERS.get(delivery.kind)
    if function is None:
        raise LookupError(f"No message builder for {delivery.kind!r}")
    return function(delivery, recipient)


def event_ids(delivery):
    """The ids in an event key like "meeting:12:reminder" -> ["meeting", "12", "reminder"]."""
    return delivery.event_key.split(":")


# Builders of each domain live in their own modules and register on import.
from . import kinds  # noqa: E402, F401  (import for its registrations)
