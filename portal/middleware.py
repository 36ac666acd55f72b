"""Security middleware: request size, the secretariat's second factor, session writes and
lifetime, CSP and caching."""

import logging
import re
import time

from allauth.mfa.models import Authenticator

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.sessions.exceptions import SessionInterrupted
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousMultipartForm,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from portal.access import settle_session_tier

logger = logging.getLogger(__name__)

LOGIN_TIME_KEY = "portal_login_time"
RENEWED_KEY = "portal_renewed"
FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# ASCII digits only (str.isdigit() takes "²"), and few enough that int() takes them at once.
CONTENT_LENGTH = re.compile(r"[0-9]{1,19}")


class MalformedRequestMiddleware:
    """
    Oversize and malformed requests are answered at once, before any view or session sees them:

    - a body announced larger than REQUEST_BODY_MAX_SIZE (the largest upload allowed plus room for
      the form's other fields) gets 413 Content Too Large before a byte of it is read;
    - a form whose fields (files apart) pass DATA_UPLOAD_MAX_MEMORY_SIZE gets 413 when it is
      parsed, here, rather than deep in a view (where Django would answer a bare 400);
    - a malformed Content-Length, too many fields or files (in the query string or the form) or
      a malformed multipart body get 400, here, before a view parses them;
    - each refusal is logged as one line (method, path, status, reason): a malformed request is
      the client's fault, not a traceback for the server's log;
    - a session cookie that no session key can look like (Django's are letters and digits) is
      dropped, so that a forged one (a quoted cookie can carry a NUL, which PostgreSQL refuses)
      reaches no session store: the visitor is simply anonymous.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raw_length = request.META.get("CONTENT_LENGTH") or "0"
        if not CONTENT_LENGTH.fullmatch(raw_length):
            return self._refuse(
                request, 400, gettext_noop("The request's Content-Length is not a number.")
            )
        session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        if session_key is not None and not (session_key.isascii() and session_key.isalnum()):
            del request.COOKIES[settings.SESSION_COOKIE_NAME]
        if int(raw_length) > settings.REQUEST_BODY_MAX_SIZE:
            return self._too_large(request, settings.REQUEST_BODY_MAX_SIZE)
        try:
            # Parse now, so that their limits answer here rather than deep in a view.
            request.GET  # noqa: B018
            if request.method == "POST" and request.content_type in FORM_CONTENT_TYPES:
                request.POST  # noqa: B018
        except RequestDataTooBig:
            return self._too_large(request, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        except TooManyFieldsSent as error:
            return self._refuse(
                request, 400, gettext_noop("The request has too many fields."), error=error
            )
        except TooManyFilesSent as error:
            return self._refuse(
                request, 400, gettext_noop("The request has too many files."), error=error
            )
        except (MultiPartParserError, SuspiciousMultipartForm) as error:
            return self._refuse(
                request, 400, gettext_noop("The request's form data is malformed."), error=error
            )
        return self.get_response(request)

    def _too_large(self, request, limit):
        return self._refuse(
            request,
            413,
            gettext_noop("The request is too large: at most %(size)s MB may be sent at once."),
            size=round(limit / (1024 * 1024), 1),
        )

    @staticmethod
    def _refuse(request, status, message, error=None, **values):
        reason = message % values if values else message
        if error is not None:
            reason = f"{reason} ({type(error).__name__}: {error})"
        logger.warning(
            "Refused %s %s with %s: %s",
            printable(request.method),
            printable(request.path),
            status,
            printable(reason),
        )
        # This runs before LocaleMiddleware: answer in the language it will choose for the page.
        with translation.override(translation.get_language_from_request(request)):
            text = _(message) % values if values else _(message)
        response = HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")
        response._has_been_logged = True  # the line above says it all: not Django's too
        return response


def printable(text, limit=300):
    """`text` on one line, control characters escaped: what a client sent cannot forge a log
    line."""
    text = str(text)[:limit]
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


class SecondFactorMiddleware:
    """
    The secretariat tier is a property of the session (portal.access.settle_session_tier): a
    secretariat account signed in without passing its second factor holds the member tier. Such a
    session is sent to the second-factor step (or to enrol an authenticator when it has none)
    wherever the secretariat tier would be needed: every /admin/ page, and any page refused for
    want of it. Runs right after allauth's middleware, before anything asks the policy.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.second_factor_pending = settle_session_tier(request)
        if request.second_factor_pending and self.guards_credentials(request):
            return self.second_factor_step(request)
        if request.path.startswith("/admin/") and request.user.is_authenticated:
            if request.second_factor_pending:
                return self.second_factor_step(request)
            if not request.user.has_perm("wagtailadmin.access_admin"):
                # Wagtail would send a signed-in member to sign in, and allauth, seeing them
                # signed in, straight back here: a redirect loop. They lack access, not a session.
                raise PermissionDenied
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, PermissionDenied) and getattr(
            request, "second_factor_pending", False
        ):
            return self.second_factor_step(request)
        return None

    # What a session short of its second factor may still do on the account's own pages: pass
    # the factor, sign out, and enrol one when the account has none (allauth asks for the
    # password again first). Changing the email, the password or the authenticators would let
    # whoever holds such a session take the second factor over, so those need it.
    OPEN_WITHOUT_FACTOR = {"mfa_reauthenticate", "account_logout"}
    OPEN_TO_ENROL = {"mfa_activate_totp", "account_reauthenticate", "mfa_index"}
    CREDENTIAL_PAGES = (
        "mfa_",
        "account_email",
        "account_change_password",
        "account_set_password",
        "account_reauthenticate",
    )

    def guards_credentials(self, request):
        try:
            name = resolve(request.path_info).url_name or ""
        except Resolver404:
            return False
        if name in self.OPEN_WITHOUT_FACTOR or not name.startswith(self.CREDENTIAL_PAGES):
            return False
        return not (name in self.OPEN_TO_ENROL and not self.has_authenticator(request.user))

    @staticmethod
    def has_authenticator(user):
        return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()

    @classmethod
    def second_factor_step(cls, request):
        if cls.has_authenticator(request.user):
            messages.info(
                request,
                _("Confirm it is you with your authenticator app to continue."),
            )
            target = reverse("mfa_reauthenticate")
        else:
            messages.warning(
                request,
                _(
                    "The secretariat's work needs a second factor. Set up an authenticator app "
                    "to continue."
                ),
            )
            target = reverse("mfa_activate_totp")
        return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")


class SessionMiddleware(DjangoSessionMiddleware):
    """
    Django's session middleware, writing a session only when it changes or when its idle expiry
    (SESSION_COOKIE_AGE) is due for renewal, at most once every SESSION_RENEW_SECONDS: reading
    pages writes nothing, so a database blip while a signed-in page is served costs that page
    nothing. A renewal the database does not take (a blip at that moment) is logged and left
    for the next request, where Django would answer 400 (SessionInterrupted); a change the view
    made still raises it, as that change would be lost.
    """

    def process_response(self, request, response):
        session = getattr(request, "session", None)
        renewal_only = False
        if session is not None and session.accessed and not session.is_empty():
            now = int(time.time())
            if session.modified:
                session[RENEWED_KEY] = now
            elif now - session.get(RENEWED_KEY, 0) >= settings.SESSION_RENEW_SECONDS:
                session[RENEWED_KEY] = now
                renewal_only = True
        try:
            return super().process_response(request, response)
        except SessionInterrupted:
            if not renewal_only:
                raise
            logger.warning(
                "session: renewal of the idle expiry not saved (the database refused it); "
                "the next request renews it"
            )
            return response


class SessionLifetimeMiddleware:
    """
    An absolute limit on a session's life, on top of the idle timeout (SESSION_COOKIE_AGE, renewed
    by activity; see SessionMiddleware): after SESSION_ABSOLUTE_AGE seconds from sign-in, sign in
    again.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            started = request.session.get(LOGIN_TIME_KEY)
            if started is None:
                request.session[LOGIN_TIME_KEY] = time.time()
            elif time.time() - started > settings.SESSION_ABSOLUTE_AGE:
                logout(request)
                messages.info(request, _("Your session has ended. Please sign in again."))
                return redirect(f"{reverse('account_login')}?next={request.path}")
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """
    Content Security Policy (no inline scripts on the portal's pages; the Wagtail admin gets the
    relaxations its editor needs) and `Cache-Control: private` on every response to a signed-in
    user, so that no shared cache keeps a page someone saw with their membership.
    """

    PORTAL_POLICY = "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "form-action 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ]
    )
    ADMIN_POLICY = "; ".join(
        [
            "default-src 'self'",
            # Wagtail's editor still starts its choosers, inline panels and date pickers with
            # inline scripts; without this the secretariat cannot attach a file to a resource.
            "script-src 'self' 'unsafe-inline'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "frame-src 'self'",
            "form-action 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'self'",
        ]
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            admin = request.path.startswith("/admin/")
            response["Content-Security-Policy"] = self.ADMIN_POLICY if admin else self.PORTAL_POLICY
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True)
            patch_vary_headers(response, ["Cookie"])
        return response
