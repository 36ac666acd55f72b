"""
Guidance shown beside the referral contacts of two countries. The directory cannot import the
library (the library depends on the directory), so the library registers a provider here.

A provider is `callable(countries, user) -> list[ReferralResource]`; it must ask the access
policy itself and run a fixed number of queries.
"""

from dataclasses import dataclass

_providers = []


@dataclass(frozen=True)
class ReferralResource:
    title: str
    url: str
    kind_label: str  # e.g. "Standard operating procedure"
    audience: str  # a portal.access.Audience value, for the members-only badge
    countries: tuple[str, ...] = ()  # ISO codes the resource covers


def register_referral_resources(provider):
    if provider not in _providers:
        _providers.append(provider)
    return provider


def referral_resources(countries, user):
    return [item for provider in _providers for item in provider(countries, user)]
