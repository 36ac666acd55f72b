"""
Who keeps a country's referral data (its referral profile and institutions) current: the
secretariat for every country, and a country's national coordinator or deputy, while their
mandate runs, for that country only. Views, templates and tests ask here, never the mandates.
The tier itself comes from the access policy (portal.access): a coordinator whose membership
was withdrawn keeps no rights through an old mandate.
"""

from network.models import Mandate
from portal.access import is_member, is_secretariat

#: The mandates that make someone a steward of their country's referral data.
STEWARD_ROLES = (Mandate.Role.NATIONAL_COORDINATOR, Mandate.Role.DEPUTY_COORDINATOR)

_CACHE_ATTR = "_network_steward_country_ids"


def stewarded_country_ids(user):
    """Ids of the countries whose referral data `user` keeps through a current mandate (not
    counting the secretariat's reach). One query, then cached on the user object."""
    if not is_member(user):
        return frozenset()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = frozenset(
            Mandate.objects.current()
            .filter(
                person__user=user,
                person__is_active=True,
                role__in=STEWARD_ROLES,
                country__isnull=False,
            )
            .values_list("country_id", flat=True)
        )
        setattr(user, _CACHE_ATTR, cached)
    return cached


def may_edit_referral_data(user, country):
    """Whether `user` may change `country`'s referral profile and institutions."""
    return is_secretariat(user) or country.pk in stewarded_country_ids(user)
