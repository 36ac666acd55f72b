"""
Every way out has a row. A URL pattern or a serving hook added without a row in the leak matrix
(tests/leaks/test_leak_matrix.py, test_record_links.py), or without a named reason and the tests
that cover it below, fails here: nothing reaches people without saying how it asks the policy.
"""

from urllib.parse import urlsplit

import pytest

from django.urls import get_resolver, resolve

from wagtail import hooks

from tests.leaks.test_leak_matrix import MUST_SEE, clients, url_of, world  # noqa: F401
from tests.security.test_one_door import walk

pytestmark = pytest.mark.django_db

# Areas with their own gate and tests: the admin (secretariat, second factor: tests/security/
# test_one_door.py, the admin rows of the matrix) and allauth's account pages.
GATED_PREFIXES = ("admin/", "accounts/")

# Routes without a matrix row, each with why and where it is tested.
NO_ROW = {
    "healthz": "component status only; detail for the secretariat (tests/portal/test_health.py)",
    "ping": "a constant answer",
    "^admin/password_reset/": "redirects to allauth (tests/security/test_one_door.py)",
    "_util/login/": "redirects to allauth (tests/security/test_one_door.py)",
    "_util/authenticate_with_password/<int:restriction_id>/<int:page_id>/": "404 (one door)",
    "_util/authenticate_with_password/<int:page_view_restriction_id>/<int:page_id>/": (
        "shadowed by the portal's 404 above (tests/security/test_one_door.py)"
    ),
    "documents/authenticate_with_password/<int:restriction_id>/": "404 (one door)",
    "i18n/setlang/": "sets the language cookie; no content",
    "i18n/language/": "a form offering the languages; no content",
    "meetings/calendar/subscription/": (
        "the signed-in member's own calendar address (tests/meetings/test_calendars.py)"
    ),
    "meetings/calendar/personal/<slug:token>.ics": (
        "meetings the token's owner registered for and may still see "
        "(tests/meetings/test_calendars.py)"
    ),
    "meetings/meeting/<int:pk>/register/": (
        "POST of one's own answer; refused where the meeting is not visible "
        "(tests/meetings/test_registration.py)"
    ),
    "meetings/meeting/<int:pk>/cancel/": (
        "a POST of the secretariat's; members get 403, anonymous visitors the sign-in "
        "(tests/meetings/test_registration_places_and_attendance.py)"
    ),
    "notifications/feed/<slug:token>.atom": (
        "the token holder's feed, a member's tier at most "
        "(tests/leaks/test_leak_matrix.py, the personal feed test)"
    ),
    "network/people/<int:person_id>/photo/": (
        "served by the photo's audience, never cached publicly (tests/network/test_photos.py)"
    ),
    "network/people/<int:person_id>/confirm/": "the owner's own entry (test_self_service.py)",
    "network/me/": "the owner's own entry (tests/network/test_self_service.py)",
    "notifications/": "the member's own subscriptions (tests/notifications/test_pages.py)",
    "notifications/saved-searches/new/": "the member's own (tests/notifications/test_pages.py)",
    "notifications/saved-searches/<int:pk>/": "the member's own (test_pages.py)",
    "notifications/saved-searches/<int:pk>/delete/": "the member's own (test_pages.py)",
    "notifications/unsubscribe/<str:token>/": "a signed token's own subscription; no content",
    "notifications/confirm-entry/<str:token>/": (
        "a signed token's own directory entry (tests/notifications/test_links.py)"
    ),
}

# Every hook Wagtail asks before serving something, and who answers it. A new one needs a row.
SERVING_HOOKS = {
    # The one download rule (library.downloads, portal.usage), exercised by the matrix's
    # download rows. Wagtail's collection-privacy hook is taken out of the registry
    # (tests/library/test_downloads.py), and collection privacy cannot be set
    # (tests/security/test_one_door.py).
    "before_serve_document": {"library.wagtail_hooks"},
    # Wagtail's refusal of methods other than GET/HEAD/POST for pages.
    "before_serve_page": {"wagtail.contrib.forms.wagtail_hooks", "wagtail.wagtail_hooks"},
}


def normal(route):
    """Routes as the resolver reports a match (regex anchors dropped where patterns join)."""
    return route.replace("^", "").replace("$", "")


def test_every_url_pattern_has_a_leak_row_or_a_reason(world):  # noqa: F811 (the fixture)
    covered = {normal(resolve(urlsplit(url_of(world, name)).path).route) for name in MUST_SEE}
    missing = []
    for route, callback in walk(get_resolver().url_patterns):
        if route.startswith(GATED_PREFIXES) or normal(route) in covered or route in NO_ROW:
            continue
        if route == "_util/login/" and callback.__module__.startswith("django.contrib.auth"):
            continue  # Wagtail's, shadowed by the portal's redirect listed above
        missing.append(route)
    assert missing == [], (
        "These URLs have no row in the leak matrix (tests/leaks/) and no reason in NO_ROW: "
        f"{missing}"
    )


def test_every_serving_hook_is_known():
    registered = {
        name: {function.__module__ for function in hooks.get_hooks(name)}
        for name in list(hooks._hooks)
        if name.startswith("before_serve")
    }
    registered = {name: modules for name, modules in registered.items() if modules}
    unknown = {
        name: modules - SERVING_HOOKS.get(name, set()) for name, modules in registered.items()
    }
    assert {name: modules for name, modules in unknown.items() if modules} == {}
