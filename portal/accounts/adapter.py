from allauth.account.adapter import DefaultAccountAdapter

from django.conf import settings
from django.utils import translation


def apply_preferred_language(request, response, user):
    """Switch the interface to `user`'s preferred language, for this request and (through
    Django's language cookie, as the language switcher sets it) for the next ones. An empty or
    unknown preference changes nothing."""
    language = user.preferred_language
    if language not in dict(settings.LANGUAGES):
        return
    translation.activate(language)
    request.LANGUAGE_CODE = language
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


def forget_language_choice(request, response):
    """Back to the portal's default: the language cookie goes, and the visitor's browser (or
    LANGUAGE_CODE) decides again from the next request on."""
    translation.activate(settings.LANGUAGE_CODE)
    request.LANGUAGE_CODE = settings.LANGUAGE_CODE
    response.delete_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


class AccountAdapter(DefaultAccountAdapter):
    """
    Sign-up is closed: accounts exist only for people the secretariat invites (the invitation flow
    creates them itself), so allauth's sign-up views refuse every request.

    Signing in (after any second factor) switches the interface to the user's preferred language,
    so that the "signed in" message and every page after it are in that language.
    """

    def is_open_for_signup(self, request):
        return False

    def post_login(self, request, user, **kwargs):
        language = user.preferred_language
        if language in dict(settings.LANGUAGES):
            translation.activate(language)
        response = super().post_login(request, user, **kwargs)
        apply_preferred_language(request, response, user)
        return response
