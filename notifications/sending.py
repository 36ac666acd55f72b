"""
The one way the portal sends a notification: claim a Delivery row, then send it under a row lock.
See Delivery's docstring for the states and why this sends each message once.
"""

from smtplib import SMTPException
from urllib.parse import urljoin

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from . import messages
from .models import Delivery, Subscription
from .tokens import unsubscribe_token

# Errors worth retrying: the server refused or was unreachable. Anything else is a bug and
# surfaces as such.
SEND_ERRORS = (SMTPException, OSError)


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


def queue_pairs(kind, pairs):
    """
    Claim one Delivery per (recipient id, event key) and enqueue their sending after the current
    transaction commits (nothing is enqueued if it rolls back). Claiming twice is harmless: the
    unique constraint keeps one row, and sending skips rows already sent. Returns the ids of the
    rows waiting to be sent.
    """
    from .tasks import send_delivery

    pairs = set(pairs)
    if not pairs:
        return []
    Delivery.objects.bulk_create(
        [Delivery(recipient_id=pk, kind=kind, event_key=key) for pk, key in pairs],
        ignore_conflicts=True,
    )
    rows = Delivery.objects.filter(
        kind=kind,
        recipient_id__in={pk for pk, _ in pairs},
        event_key__in={key for _, key in pairs},
        status__in=[Delivery.Status.QUEUED, Delivery.Status.FAILED],
    ).values_list("pk", "recipient_id", "event_key")
    waiting = [pk for pk, recipient_id, key in rows if (recipient_id, key) in pairs]

    def enqueue():
        for pk in waiting:
            send_delivery.delay(pk)

    # robust: a broker hiccup must not fail the request that caused the event; the rows are
    # claimed and the send_pending sweep picks them up.
    transaction.on_commit(enqueue, robust=True)
    return waiting


def render(delivery, recipient, message, language):
    """The email for `message`, as HTML and plain text, with the unsubscribe link and headers."""
    unsubscribe_url = absolute_url(
        reverse(
            "notifications:unsubscribe",
            args=[unsubscribe_token(recipient, message.unsubscribe_scope)],
        )
    )
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
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=text,
        to=[recipient.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            # Stable per delivery: should a copy ever go twice, mail clients fold it into one.
            "Message-ID": f"<delivery-{delivery.pk}@{domain}>",
            "Auto-Submitted": "auto-generated",
        },
    )
    email.attach_alternative(html, "text/html")
    for filename, content, mimetype in message.attachments:
        email.attach(filename, content, mimetype)
    return email


def deliver(delivery_id):
    """
    Send one claimed delivery, at most once. Returns the row's final status, or None when the row
    no longer exists. An SMTP or network error is recorded on the row (attempts, last_error,
    status FAILED) and then re-raised for the task to retry.
    """
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None:
            return None
        if delivery.status in (Delivery.Status.SENT, Delivery.Status.SKIPPED):
            return delivery.status
        recipient = delivery.recipient
        language = language_for(recipient)
        with translation.override(language):
            message = messages.build(delivery, recipient)
            if message is None:
                delivery.status = Delivery.Status.SKIPPED
                delivery.save(update_fields=["status", "updated_at"])
                return delivery.status
            email = render(delivery, recipient, message, language)
        delivery.attempts += 1
        delivery.subject = message.subject[:255]
        try:
            email.send()
        except SEND_ERRORS as exc:
            delivery.status = Delivery.Status.FAILED
            delivery.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            delivery.save(
                update_fields=["status", "attempts", "last_error", "subject", "updated_at"]
            )
            error = exc
        else:
            delivery.status = Delivery.Status.SENT
            delivery.sent_at = timezone.now()
            delivery.save(update_fields=["status", "attempts", "sent_at", "subject", "updated_at"])
            return delivery.status
    raise error
