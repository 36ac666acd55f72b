"""
The one way the portal sends a notification: claim a Delivery row in one short transaction, send
the message with no transaction open, and record the outcome in another. See Delivery's docstring
for the states and why this sends each message once.
"""

import logging
import os
import smtplib
import socket
import time
import uuid
from datetime import timedelta
from smtplib import SMTPException
from urllib.parse import urljoin

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from . import messages
from .models import Delivery, Subscription
from .tokens import unsubscribe_token

logger = logging.getLogger(__name__)

# Errors worth retrying: the server refused or was unreachable. Anything else is a bug and
# surfaces as such.
SEND_ERRORS = (SMTPException, OSError)

# A claim not handed over may be taken over once this old (the sweep does). Longer than any
# honest attempt (a conversation whose every step is bounded by EMAIL_TIMEOUT, and the retried
# outcome write); taking over sooner would still send once (the token fences the slow claimant
# out), only wastefully. A claim handed over this long ago with no outcome becomes UNCONFIRMED.
CLAIM_TIMEOUT = timedelta(minutes=5)

# Pauses between the attempts to write an outcome, reconnecting before each: about 8 s in all,
# enough for a dropped connection or a database restart, short enough to hold a worker for.
WRITE_RETRY_PAUSES = (0.2, 0.5, 1, 2, 4)

# Once the message is handed over, only the server's own refusal (a reply code) says for sure
# that it was not accepted; a dropped connection or a timeout leaves the outcome unknown.
REFUSALS = (smtplib.SMTPResponseException,)


def absolute_url(path):
    return urljoin(settings.WAGTAILADMIN_BASE_URL, path)


def language_for(user):
    """The subscription's language, else the account's, else the site's; always one the portal
    has."""
    chosen = (
        Subscription.objects.filter(user=user).values_list("language", flat=True).first()
        or user.preferred_language
        or settings.LANGUAGE_CODE
    )
    try:
        return translation.get_supported_language_variant(chosen)
    except LookupError:
        return settings.LANGUAGE_CODE


def queue(kind, event_key, recipient_ids):
    """Claim and enqueue one event's message to each of `recipient_ids` (see queue_pairs)."""
    return queue_pairs(kind, [(pk, event_key) for pk in recipient_ids])


def queue_people(kind, event_key, person_ids):
    """Claim and enqueue one event's message to each of the directory entries `person_ids`,
    whether or not the person has an account (see queue_pairs)."""
    return queue_pairs(kind, [(pk, event_key) for pk in person_ids], to="person")


def queue_pairs(kind, pairs, to="recipient"):
    """
    Claim one Delivery per (recipient id, event key) and enqueue their sending after the current
    transaction commits (nothing is enqueued if it rolls back). Claiming twice is harmless: the
    unique constraint keeps one row, and sending skips rows already sent. Returns the ids of the
    rows waiting to be sent. `to` says what the ids are: accounts ("recipient") or directory
    entries ("person").
    """
    from .tasks import send_delivery

    if to not in ("recipient", "person"):
        raise ValueError(f"A delivery is addressed to a recipient or a person, not {to!r}")
    field = f"{to}_id"
    pairs = set(pairs)
    if not pairs:
        return []
    Delivery.objects.bulk_create(
        [Delivery(**{field: pk}, kind=kind, event_key=key) for pk, key in pairs],
        ignore_conflicts=True,
    )
    rows = Delivery.objects.filter(
        kind=kind,
        **{f"{field}__in": {pk for pk, _ in pairs}},
        event_key__in={key for _, key in pairs},
        status__in=[Delivery.Status.QUEUED, Delivery.Status.FAILED],
    ).values_list("pk", field, "event_key")
    waiting = [pk for pk, recipient_id, key in rows if (recipient_id, key) in pairs]

    def enqueue():
        for pk in waiting:
            send_delivery.delay(pk)

    # robust: a broker hiccup must not fail the request that caused the event; the rows are
    # claimed and the send_pending sweep picks them up.
    transaction.on_commit(enqueue, robust=True)
    return waiting


def language_for_person(person):
    """A directory entry's message language: its account's, else the site's."""
    return language_for(person.user) if person.user_id is not None else settings.LANGUAGE_CODE


def render(delivery, recipient, message, language):
    """The email for `message`, as HTML and plain text, with the unsubscribe link and headers
    (none for a message that is no subscription's: `unsubscribe_scope` None)."""
    headers = {
        # Stable per delivery: a copy can be found in the mail server's log by it.
        "Message-ID": delivery.message_id,
        "Auto-Submitted": "auto-generated",
    }
    unsubscribe_url = None
    if message.unsubscribe_scope is not None:
        unsubscribe_url = absolute_url(
            reverse(
                "notifications:unsubscribe",
                args=[unsubscribe_token(recipient, message.unsubscribe_scope)],
            )
        )
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    context = {
        **message.context,
        "recipient": recipient,
        "subject": message.subject,
        "language_code": language,
        "unsubscribe_url": unsubscribe_url,
        "preferences_url": absolute_url(reverse("notifications:preferences")),
        "site_name": settings.WAGTAIL_SITE_NAME,
        "base_url": settings.WAGTAILADMIN_BASE_URL,
    }
    text = render_to_string(f"{message.template}.txt", context)
    html = render_to_string(f"{message.template}.html", context)
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=text,
        to=[message.to or recipient.email],
        headers=headers,
    )
    email.attach_alternative(html, "text/html")
    for filename, content, mimetype in message.attachments:
        email.attach(filename, content, mimetype)
    return email


class ClaimLost(Exception):
    """Another attempt took the claim over before this one handed its message over."""


def claimant(task_id):
    """What `claimed_by` says of an attempt: its task first, so that a redelivered task
    recognises its own claim."""
    return f"task {task_id or '-'} on {socket.gethostname()} pid {os.getpid()}"[:255]


def deliver(delivery_id, task_id=None):
    """
    Send one delivery, at most once. Returns the row's status afterwards, or None when the row no
    longer exists. The message is built, the row claimed (QUEUED or FAILED, or a claim that may
    be taken over, to SENDING), the message sent with no transaction open, and the outcome
    written (retried). An SMTP or network error before the server may have accepted the message
    is recorded (FAILED) and re-raised for the task to retry; one after it is recorded as
    UNCONFIRMED and not retried. `task_id` names the Celery task, so that its redelivery after a
    crash takes its own claim over at once.
    """
    delivery = (
        Delivery.objects.select_related("recipient", "person__user").filter(pk=delivery_id).first()
    )
    if delivery is None:
        return None
    if not claimable(delivery, task_id):
        return delivery.status
    # None for a message to a directory entry: its builder addresses it (Message.to).
    recipient = delivery.recipient
    language = language_for(recipient) if recipient else language_for_person(delivery.person)
    with translation.override(language):
        message = messages.build(delivery, recipient)
        if message is None:
            Delivery.objects.filter(claim_condition(delivery, task_id), pk=delivery.pk).update(
                status=Delivery.Status.SKIPPED, updated_at=timezone.now()
            )
            return current_status(delivery.pk)
        email = render(delivery, recipient, message, language)
    token = claim(delivery, task_id, message.subject, email.to[0])
    if token is None:
        return current_status(delivery.pk)

    handed_over = False

    def hand_over():
        nonlocal handed_over
        taken = Delivery.objects.filter(
            pk=delivery.pk, claim_token=token, status=Delivery.Status.SENDING
        ).update(handed_over_at=timezone.now())
        if not taken:
            raise ClaimLost(delivery.pk)
        handed_over = True

    try:
        transmit(email, hand_over)
    except ClaimLost:
        logger.warning(
            "Delivery %s: claim taken over before hand-over by a later attempt; not sent here",
            delivery.pk,
        )
        return current_status(delivery.pk)
    except SEND_ERRORS as exc:
        error = f"{type(exc).__name__}: {exc}"[:2000]
        if handed_over and not isinstance(exc, REFUSALS):
            logger.warning("Delivery %s: outcome unknown after hand-over (%s)", delivery.pk, error)
            record(delivery.pk, token, status=Delivery.Status.UNCONFIRMED, last_error=error)
            return Delivery.Status.UNCONFIRMED
        record(
            delivery.pk, token, status=Delivery.Status.FAILED, last_error=error, handed_over_at=None
        )
        raise
    except Exception as exc:
        # A bug, a time limit or the database gone before the hand-over: the server has not got
        # the message, so release the claim for a retry. After the hand-over the outcome is
        # unknown: the claim stays, and the sweep reports it once it is old.
        if not handed_over:
            release(delivery.pk, token, f"{type(exc).__name__}: {exc}"[:2000])
        raise
    record(delivery.pk, token, status=Delivery.Status.SENT, sent_at=timezone.now())
    return Delivery.Status.SENT


def claim_condition(delivery, task_id):
    """Who may claim the row as it was read: waiting (QUEUED, FAILED), or claimed and not handed
    over, by this very task (its redelivery after a crash) or long enough ago."""
    waiting = Q(status__in=[Delivery.Status.QUEUED, Delivery.Status.FAILED])
    if delivery.status != Delivery.Status.SENDING or delivery.handed_over_at is not None:
        return waiting
    abandoned = Q(claimed_at__lt=timezone.now() - CLAIM_TIMEOUT)
    if task_id:
        abandoned |= Q(claimed_by__startswith=f"task {task_id} ")
    # The token read: if anyone claimed the row since, it is theirs.
    return waiting | (
        Q(status=Delivery.Status.SENDING, handed_over_at=None, claim_token=delivery.claim_token)
        & abandoned
    )


def claimable(delivery, task_id):
    return Delivery.objects.filter(claim_condition(delivery, task_id), pk=delivery.pk).exists()


def claim(delivery, task_id, subject, address=""):
    """Take the row for one attempt, in one statement (its own short transaction), recording
    the address it sends to. Returns the attempt's token, or None when another attempt got
    there first."""
    token = uuid.uuid4()
    now = timezone.now()
    claimed = Delivery.objects.filter(claim_condition(delivery, task_id), pk=delivery.pk).update(
        status=Delivery.Status.SENDING,
        claim_token=token,
        claimed_by=claimant(task_id),
        claimed_at=now,
        handed_over_at=None,
        attempts=F("attempts") + 1,
        subject=subject[:255],
        address=address[:254],
        updated_at=now,
    )
    return token if claimed else None


def transmit(email, hand_over):
    """
    Send `email` on a connection of its own, calling `hand_over()` just before the message itself
    goes (SMTP DATA): whatever fails before that, the server has not accepted the message. A
    failure closing the connection after the server accepted it changes nothing.
    """
    backend = get_connection()
    try:
        backend.open()
        smtp = getattr(backend, "connection", None)
        if isinstance(smtp, smtplib.SMTP):
            data = smtp.data

            def hand_over_then_data(msg):
                hand_over()
                return data(msg)

            # smtplib's sendmail() sends the envelope, then calls self.data().
            smtp.data = hand_over_then_data
        else:
            hand_over()  # a backend without a conversation (console, memory) takes it whole
        backend.send_messages([email])
    finally:
        try:
            backend.close()
        except SEND_ERRORS:
            logger.info("Closing the mail connection failed", exc_info=True)


def record(delivery_id, token, **outcome):
    """Write the outcome of this attempt's claim, retrying with a new database connection should
    the connection be gone (the message may already be with the server: losing this write would
    leave the row claimed). Raises when the database stays away."""
    outcome.setdefault("updated_at", timezone.now())
    rows = Delivery.objects.filter(
        pk=delivery_id,
        claim_token=token,
        status__in=[Delivery.Status.SENDING, Delivery.Status.UNCONFIRMED],
    )
    return with_reconnection(lambda: rows.update(**outcome))


def release(delivery_id, token, error):
    """Give a claim back as FAILED after an error before the hand-over; best effort: should the
    database be gone, the claim is taken over once old (the sweep)."""
    try:
        record(delivery_id, token, status=Delivery.Status.FAILED, last_error=error)
    except (OperationalError, InterfaceError):
        logger.warning("Delivery %s: could not release the claim", delivery_id, exc_info=True)


def with_reconnection(write):
    """`write()`, tried again on a new connection after each of WRITE_RETRY_PAUSES."""
    for pause in WRITE_RETRY_PAUSES:
        try:
            return write()
        except (OperationalError, InterfaceError):
            # Inside a transaction (a caller's) a new connection would lose it: not ours to do.
            if connection.in_atomic_block:
                raise
            logger.warning("Database write failed; reconnecting in %s s", pause, exc_info=True)
            connection.close()
            time.sleep(pause)
    return write()


def current_status(delivery_id):
    return Delivery.objects.filter(pk=delivery_id).values_list("status", flat=True).first()
