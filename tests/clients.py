"""The test client every test signs in with: `force_login` stands for a completed sign-in, so for an
account with an authenticator it also records the second factor in the session, as allauth does
when someone passes it (the secretariat tier belongs to such sessions only; see portal.access).
`force_login(user, second_factor=False)` stands for a sign-in that stopped at the password."""

import time

from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa.models import Authenticator

from django import test

# allauth's companion key: whose sign-in the records describe.
AUTHENTICATION_USER_SESSION_KEY = "account_authentication_methods_user"


def record_sign_in(session, user, second_factor=True):
    """Write allauth's authentication records for `user` into `session` (not saved)."""
    now = time.time()
    records = [{"method": "password", "at": now, "email": user.email}]
    if second_factor:
        totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
        if totp is not None:
            records.append({"method": "mfa", "at": now, "id": totp.pk, "type": totp.type})
    session[AUTHENTICATION_METHODS_SESSION_KEY] = records
    session[AUTHENTICATION_USER_SESSION_KEY] = str(user.pk)


class Client(test.Client):
    def force_login(self, user, backend=None, *, second_factor=True):
        super().force_login(user, backend)
        session = self.session
        record_sign_in(session, user, second_factor=second_factor)
        session.save()
