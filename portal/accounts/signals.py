"""Sign-in events that shape the session's tier (see portal.access.settle_session_tier)."""

from allauth.mfa.signals import authenticator_added


def _enrolment_proves_the_factor(sender, request, user, authenticator, **kwargs):
    """Enrolling an authenticator app means typing a code it produced: this session has just
    used the second factor, as allauth would record had it been asked at sign-in."""
    from allauth.account.internal.flows.login import record_authentication

    if request is not None and authenticator.type == authenticator.Type.TOTP:
        record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type)


def connect():
    authenticator_added.connect(
        _enrolment_proves_the_factor, dispatch_uid="portal.accounts.enrolment_proves_the_factor"
    )
