"""The search record: what every app turns its objects into, and what every backend stores."""

import datetime
from dataclasses import dataclass, field

# Facet names every record may carry; unknown names are dropped by the service.
FACETS = ("kind", "type", "topic", "country", "language", "year", "meeting_type", "role")


@dataclass(frozen=True)
class SearchRecord:
    """
    One searchable unit. An object that mixes public and members-only content yields one record
    per audience part, each with its own key. The parts are cumulative and partition the tiers:
    a meeting has a public record (title, public summary) shown to `("public",)` and a members'
    record (the same plus agenda, minutes, decisions) shown to `("members", "secretariat")`. So a
    user of any tier sees at most one record per object, and a backend filters by the user's tier
    *before* it ranks, counts facets or highlights: `audience_of(user) in record.audiences`.
    """

    key: str  # stable and unique, e.g. "library.resource:42:public"
    kind: str  # resource | meeting | person | organisation | country | page
    title: str
    url: str
    audiences: tuple[str, ...]  # the tiers this record is shown to; see tiers_from()
    source: str  # the registered source's name, e.g. "library.resource"
    object_id: str  # the owning object's primary key, as text
    summary: str = ""
    body: str = ""
    attachments: str = ""  # extracted text of attached documents
    language: str = "en"
    date: datetime.date | None = None
    external_id: str = ""
    facets: dict[str, list[str]] = field(default_factory=dict)
    # Display labels of facet values, {facet: {value: label}}, e.g. {"country": {"AL": "Albania"}};
    # a value without one shows as itself (languages fall back to their name).
    facet_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    # Records of one group (an original resource and its translations) show as one hit: the
    # best-ranked of those a user may see, with the others linked. Empty: a group of its own.
    group: str = ""


def tiers_from(minimum):
    """The tiers at or above `minimum`: the `audiences` of an object with a single record."""
    from portal.access import TIERS, tier_at_least

    return tuple(tier.value for tier in TIERS if tier_at_least(tier, minimum))
