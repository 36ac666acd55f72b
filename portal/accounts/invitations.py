"""
Invitations: how the secretariat lets a person in. `invite()` creates and emails a single-use,
expiring link; `accept()` turns a valid link into a verified member account for that address
only. Everything else (a reused, expired, revoked or tampered link, another address) creates
nothing.
"""

from allauth.account.models import EmailAddress

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.dispatch import Signal
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from wagtail.log_actions import log

from portal.access import MEMBERS_GROUP
from portal.models import Invitation
from portal.models.invitations import hash_token

#: Sent after an invitation created an account: `invitation`, `user`. The directory links the
#: account to the person named in `invitation.person_ref`.
invitation_accepted = Signal()


class InvitationError(Exception):
    """A link that cannot be used, with a message for the person holding it."""


def invite(email, invited_by=None, name="", person_ref=""):
    """Create an invitation and email it. Returns the invitation."""
    email = email.strip().lower()
    if get_user_model().objects.filter(email__iexact=email).exists():
        raise InvitationError(f"{email} already has an account.")
    with transaction.atomic():
        Invitation.objects.pending().filter(email__iexact=email).update(revoked_at=timezone.now())
        invitation = Invitation(
            email=email, name=name, person_ref=person_ref, invited_by=invited_by
        )
        token = invitation.new_token()
        invitation.save()
        log(invitation, "portal.invitation.create", user=invited_by)
        transaction.on_commit(lambda: _send(invitation, token))
    return invitation


def resend(invitation, by=None):
    """Send a fresh link (the previous one stops working) and extend the expiry."""
    if invitation.state in (Invitation.State.ACCEPTED, Invitation.State.REVOKED):
        raise InvitationError(f"The invitation to {invitation.email} is {invitation.state}.")
    token = invitation.new_token()
    invitation.save(update_fields=["token_hash", "expires_at"])
    log(invitation, "portal.invitation.resend", user=by)
    transaction.on_commit(lambda: _send(invitation, token))


def revoke(invitation, by=None):
    if invitation.state != Invitation.State.PENDING:
        raise InvitationError(f"The invitation to {invitation.email} is {invitation.state}.")
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    log(invitation, "portal.invitation.revoke", user=by)


def find(token):
    """The usable invitation behind `token`, or InvitationError saying why not."""
    invitation = Invitation.objects.filter(token_hash=hash_token(token or "")).first()
    if invitation is None:
        raise InvitationError(
            "This invitation link is not valid. Ask the secretariat for a new one."
        )
    state = invitation.state
    if state == Invitation.State.ACCEPTED:
        raise InvitationError("This invitation has already been used. Sign in instead.")
    if state == Invitation.State.REVOKED:
        raise InvitationError("This invitation has been withdrawn. Ask the secretariat.")
    if state == Invitation.State.EXPIRED:
        raise InvitationError("This invitation has expired. Ask the secretariat for a new one.")
    return invitation


def accept(token, email, password, first_name="", last_name=""):
    """Create the verified member account for a usable invitation; nothing on any failure."""
    with transaction.atomic():
        invitation = find(token)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not invitation.is_usable:  # accepted by a concurrent request
            raise InvitationError("This invitation has already been used. Sign in instead.")
        if email.strip().lower() != invitation.email.lower():
            raise InvitationError(
                "This invitation is for another email address. Use the address it was sent to."
            )
        User = get_user_model()
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise InvitationError(f"{invitation.email} already has an account. Sign in instead.")
        user = User.objects.create_user(
            email=invitation.email, password=password, first_name=first_name, last_name=last_name
        )
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        user.groups.add(Group.objects.get(name=MEMBERS_GROUP))
        invitation.accepted_at = timezone.now()
        invitation.user = user
        invitation.save(update_fields=["accepted_at", "user"])
        log(invitation, "portal.invitation.accept", user=user)
        invitation_accepted.send(sender=Invitation, invitation=invitation, user=user)
    return user


def _send(invitation, token):
    url = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse(
        "invitation_accept", kwargs={"token": token}
    )
    context = {"invitation": invitation, "url": url, "days": settings.INVITATION_VALID_DAYS}
    message = EmailMultiAlternatives(
        subject=render_to_string("portal/email/invitation_subject.txt", context).strip(),
        body=render_to_string("portal/email/invitation.txt", context),
        to=[invitation.email],
    )
    message.attach_alternative(
        render_to_string("portal/email/invitation.html", context), "text/html"
    )
    message.send()
    Invitation.objects.filter(pk=invitation.pk).update(
        last_sent_at=timezone.now(), send_count=F("send_count") + 1
    )
