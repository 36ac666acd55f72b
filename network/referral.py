"""
Guidance shown on the referral pathway of two countries. The directory cannot import the
library (the library depends on the directory), so the library registers a provider here.

A provider is `callable(countries, user, *, national_sops=(), first_topics=()) ->
list[ReferralResource]`: `countries` are the pair's ISO codes, `national_sops` the page ids of the
two countries' national SOPs (their referral profiles), `first_topics` topic slugs that make a
resource come first (a child's case: "children"). It must ask the access policy itself and run a
fixed number of queries.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

_providers = []


class Scope:
    """Where a piece of guidance applies: the whole region, one country, or the pair (an
    agreement binding both)."""

    REGIONAL = "regional"
    NATIONAL = "national"
    AGREEMENT = "agreement"

    LABELS = {
        REGIONAL: _("Regional guidance"),
        NATIONAL: _("National guidance"),
        AGREEMENT: _("Agreements between the two countries"),
    }


@dataclass(frozen=True)
class ReferralResource:
    title: str
    url: str
    kind_label: str  # e.g. "Standard operating procedure"
    audience: str  # a portal.access.Audience value, for the members-only badge
    countries: tuple[str, ...] = ()  # ISO codes the resource covers
    scope: str = Scope.NATIONAL
    topics: tuple[str, ...] = ()  # topic slugs, to order and group by procedure
    is_national_sop: bool = False
    published: object = None  # a date, shown on the sheet

    @property
    def is_regional(self):
        return self.scope == Scope.REGIONAL


def register_referral_resources(provider):
    if provider not in _providers:
        _providers.append(provider)
    return provider


def referral_resources(countries, user, *, national_sops=(), first_topics=()):
    return [
        item
        for provider in _providers
        for item in provider(
            countries, user, national_sops=tuple(national_sops), first_topics=tuple(first_topics)
        )
    ]


# The pairs of countries bound by an agreement, for the secretariat's coverage report. A
# provider is `callable(user) -> set[frozenset[str]]` (pairs of ISO codes), asking the policy
# itself, in a fixed number of queries.
_pair_providers = []


def register_agreement_pairs(provider):
    if provider not in _pair_providers:
        _pair_providers.append(provider)
    return provider


def agreement_pairs(user):
    pairs = set()
    for provider in _pair_providers:
        pairs |= provider(user)
    return pairs
