"""
Each signed-in user reads dates and times in their own time zone (User.time_zone; empty means
the portal's TIME_ZONE). The middleware activates it for the request, so that templates, the
`date` filter and `timezone.localdate()` all speak the user's local time.
"""

from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


@cache
def time_zone_names():
    """Every IANA zone name this system knows, sorted (read once per process)."""
    return tuple(sorted(available_timezones()))


@cache
def _known_zones():
    return frozenset(time_zone_names())


def validate_time_zone(value):
    if value and value not in _known_zones():
        raise ValidationError(
            _(
                "“%(value)s” is not a time zone name we know. Choose one from the list, "
                "e.g. Europe/Paris."
            ),
            params={"value": value[:64]},
            code="invalid_time_zone",
        )


def zone_for(user):
    """The zone `user` reads times in: their own when set and known, else the portal's."""
    name = getattr(user, "time_zone", "") if getattr(user, "is_authenticated", False) else ""
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            # A name the system no longer knows (tzdata changed): the portal's zone, not a 500.
            pass
    return ZoneInfo(settings.TIME_ZONE)


class UserTimeZoneMiddleware:
    """After the authentication middleware. Anonymous visitors keep the portal's zone, so the
    anonymous page cache stays valid for everyone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.time_zone:
            timezone.activate(zone_for(user))
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
